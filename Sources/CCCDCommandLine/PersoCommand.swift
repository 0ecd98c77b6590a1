import ArgumentParser
import EMRTDCore
import Inspection
import Cryptography
import Foundation
import LDS
import PassiveAuthentication
import Personalization
import ISO7816

enum RecordOptions {
    /// A record and the portrait it names (relative to the record file).
    static func load(_ path: String) throws(EMRTDError) -> (CitizenRecord, [UInt8]?) {
        let record = try CitizenRecord.load(from: path)
        guard let photo = record.photo else { return (record, nil) }
        let base = (path as NSString).deletingLastPathComponent
        let full = photo.hasPrefix("/") ? photo : (base as NSString).appendingPathComponent(photo)
        guard let data = FileManager.default.contents(atPath: full) else {
            throw EMRTDError(.io, "the record's photo \(full) cannot be read")
        }
        return (record, [UInt8](data))
    }
}

/// `cccd perso`: the chip content of a CCCD from a citizen record.
struct PersoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perso",
        abstract: "Build a card image from a citizen record, a portrait and a PKI (EF.COM, DG1, DG2, DG13, DG14, DG15, EF.CardAccess, EF.SOD, keys).",
        discussion: "The record's fields are those of DG13 (see --example-record). A missing or malformed field is refused with its name."
    )

    @Option(name: .long, help: ArgumentHelp("The citizen record (JSON).", valueName: "R.json"))
    var record: String?

    @Option(name: .long, help: ArgumentHelp("The portrait (JPEG or JPEG 2000); default: the record's \"photo\".", valueName: "FACE.jpg"))
    var photo: String?

    @Option(name: .long, help: ArgumentHelp("The PKI directory (cccd pki init).", valueName: "DIR"))
    var pki: String?

    @Option(name: .long, help: ArgumentHelp("The card image to create.", valueName: "CARD"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Sign EF.SOD (and EF.CardSecurity) with this key in a PKCS #11 token (RFC 7512 URI), the PKI directory then holding no dsc.key.", valueName: "URI"))
    var signer: String?

    @OptionGroup var pinOptions: PINOptions

    @Flag(name: .long, help: "Print an example record and exit.")
    var exampleRecord = false

    @Flag(name: .long, help: "Write the card image CARD onto a blank JMRTD passport applet in a PC/SC reader, then lock it.")
    var write = false

    @Option(name: .long, help: ArgumentHelp("With --write: the PC/SC reader, by name or index (default: the only reader holding a card).", valueName: "NAME|INDEX"))
    var reader: String?

    @Flag(name: .long, help: "With --write: leave the applet unlocked (it stays writable, and readable without keys).")
    var noLock = false

    @Option(name: .long, help: ArgumentHelp("With --write: do not write this key (mrz, can, aa, ca), to make a test card with a defect.", valueName: "KEY"))
    var omitKey: [String] = []

    @Argument(help: ArgumentHelp("With --write: the card image to write (cccd perso --out).", valueName: "CARD"))
    var card: String?

    func run() throws {
        if exampleRecord {
            print(String(decoding: CitizenRecord.example.encodedJSON, as: UTF8.self), terminator: "")
            return
        }
        if write {
            try writeCard()
            return
        }
        guard let record, let pki, let out else {
            throw ValidationError("give --record, --pki and --out (or --example-record)")
        }
        do {
            let started = Date()
            var (citizen, named) = try RecordOptions.load(record)
            if let photo {
                guard let data = FileManager.default.contents(atPath: photo) else { throw EMRTDError(.io, "cannot read the photo \(photo)") }
                named = [UInt8](data)
            }
            guard let portrait = named else { throw EMRTDError(.recordInvalid, "no portrait: give --photo or a \"photo\" in the record") }
            citizen.photo = nil
            var hsmKey: (any SigningKey)? = nil
            if let signer {
                let (token, uri) = try TokenKey.open(signer, pin: pinOptions)
                hsmKey = try token.key(uri)
            }
            let image = try Personalizer.cardImage(
                record: citizen, photo: portrait, pki: DocumentPKI.load(from: pki, signer: hsmKey), keys: Personalizer.ChipKeys.generate())
            try image.write(to: out)
            print(String(format: "Card image for %@ written to %@ (%.0f ms)", citizen.personalID, out, Date().timeIntervalSince(started) * 1000))
        } catch let error as EMRTDError {
            throw fail(error)
        }
    }

    /// `--write`: the JMRTD applet's personalization commands through PC/SC, then the lock.
    private func writeCard() throws {
        guard let card else { throw ValidationError("--write needs the card image: cccd perso --write [--reader NAME] CARD") }
        let unknown = Set(omitKey).subtracting(["mrz", "can", "aa", "ca"])
        guard unknown.isEmpty else { throw ValidationError("--omit-key takes mrz, can, aa or ca, not \(unknown.sorted().joined(separator: ", "))") }
        do {
            let image = try CardImage.load(from: card)
            var options = PassportAppletWriter.Options()
            options.lock = !noLock
            options.omittedKeys = Set(omitKey)
            _ = try PassportAppletWriter.plan(image, options: options)  // refuse before touching the card
            let (chip, name) = try CardReaders().connect(reader)
            let connection = CardConnection(channel: chip)
            let progress = standardErrorIsTerminal
            let report = try PassportAppletWriter.write(image, to: connection, options: options) { done, total in
                if progress { printError("\rWriting \(done)/\(total) APDUs…", terminator: "") }
            }
            if progress { printError("") }
            print(String(
                format: "Wrote %d files (%d bytes) and %@ to %@ in %d APDUs, %.0f ms%@",
                report.files.count, report.bytesWritten, report.keys.isEmpty ? "no keys" : report.keys.joined(separator: ", "),
                name, report.apdus, report.seconds * 1000, report.locked ? "; the card is locked" : "; the card is NOT locked"))
        } catch {
            throw fail(error)
        }
    }
}
