import ArgumentParser
import EMRTDCore
import Foundation
import LDS
import PassiveAuthentication
import Personalization

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

    @Flag(name: .long, help: "Print an example record and exit.")
    var exampleRecord = false

    func run() throws {
        if exampleRecord {
            print(String(decoding: CitizenRecord.example.encodedJSON, as: UTF8.self), terminator: "")
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
            let image = try Personalizer.cardImage(
                record: citizen, photo: portrait, pki: DocumentPKI.load(from: pki), keys: Personalizer.ChipKeys.generate())
            try image.write(to: out)
            print(String(format: "Card image for %@ written to %@ (%.0f ms)", citizen.personalID, out, Date().timeIntervalSince(started) * 1000))
        } catch let error as EMRTDError {
            throw fail(error)
        }
    }
}
