public import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import AccessControl
import EMRTD
import EMRTDCore
import Foundation
import ISO7816
import LDS
import MRZ
import PCSC
import Specimen
import VirtualChip

/// `cccd-read`: the verification tool for service counters.
public struct ReadCardCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cccd-read",
        abstract: "Read a CCCD or any ICAO 9303 eMRTD chip and show what it holds.",
        discussion: """
            With --simulated the card is the built-in specimen CCCD (or the card image in DIR), served by the
            virtual chip; its card.json supplies the key unless one is given.

            Exit status: 0 read, 3 card or communication error, 4 access control refused (wrong key),
            5 malformed data, 6 file error, 64 usage error.
            """
    )

    @Flag(name: .long, help: "Read the virtual chip: the built-in specimen, or the card image DIR.")
    var simulated = false

    @Flag(name: .long, help: "List the PC/SC readers and whether each holds a card.")
    var listReaders = false

    @Option(name: .long, help: ArgumentHelp("The PC/SC reader, by name or index (default: the only reader holding a card).", valueName: "NAME|INDEX"))
    var reader: String?

    @Flag(name: .long, help: "Wait for a card to be inserted.")
    var wait = false

    @Argument(help: ArgumentHelp("A card image directory (with --simulated).", valueName: "DIR"))
    var cardImage: String?

    @OptionGroup var key: KeyOptions

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Write every file read, as a card image, to DIR.", valueName: "DIR"))
    var dump: String?

    @Option(name: .long, help: ArgumentHelp("Write the face image to FILE.", valueName: "FILE"))
    var photo: String?

    @Flag(name: .long, help: "Do not read DG2 (the face image).")
    var skipPhoto = false

    @Option(name: .long, help: ArgumentHelp("Access control: auto (PACE when offered, else BAC), pace, or bac.", valueName: "auto|pace|bac"))
    var access: AccessChoice = .auto

    @Flag(name: .long, help: "Trace every APDU (protected form) on standard error.")
    var verbose = false

    public init() {}

    public func run() throws {
        if cardImage != nil && !simulated {
            throw ValidationError("a card image directory is read with --simulated")
        }
        do {
            if listReaders {
                try printReaders()
                return
            }
            let (channel, source, defaultKey) = try openCard()
            try read(channel, source: source, defaultKey: defaultKey)
        } catch {
            throw fail(error)
        }
    }

    private func printReaders() throws(EMRTDError) {
        let context = try PCSCContext()
        let readers = try context.readers()
        guard !readers.isEmpty else {
            print("No PC/SC reader is connected.")
            return
        }
        for (i, state) in try context.states(readers).enumerated() {
            let card = state.cardPresent ? "card present, ATR \(state.atr.hex)" : "no card"
            print("\(i): \(state.reader) (\(card))")
        }
    }

    /// The card to read: the virtual chip, or a card in a PC/SC reader.
    private func openCard() throws(EMRTDError) -> (any CardChannel, String, AccessKey?) {
        if simulated {
            let image: CardImage
            let source: String
            if let cardImage {
                image = try CardImage.load(from: cardImage)
                source = "virtual chip (\(cardImage))"
            } else {
                image = try Specimen.cardImage()
                source = "virtual chip (built-in specimen)"
            }
            let key = try image.settings.mrz.map { (text: String) throws(EMRTDError) in AccessKey.mrz(MRZKey(mrz: try MRZ(text))) }
            return (try VirtualChip(image: image), source, key)
        }
        let context = try PCSCContext()
        var readers = try context.readers()
        if readers.isEmpty && wait {
            printError("Waiting for a reader…")
            while readers.isEmpty {
                usleep(250_000)
                readers = try context.readers()
            }
        }
        guard !readers.isEmpty else { throw EMRTDError(.pcscNoReaders, "no smart card reader is connected") }
        var states = try context.states(readers)
        var name: String
        if let reader {
            if let index = Int(reader), readers.indices.contains(index) {
                name = readers[index]
            } else if let match = readers.first(where: { $0 == reader }) ?? readers.first(where: { $0.contains(reader) }) {
                name = match
            } else {
                throw EMRTDError(.pcscReaderRemoved, "no reader named \(reader); readers: \(readers.joined(separator: ", "))")
            }
            if wait && !(states.first { $0.reader == name }?.cardPresent ?? false) {
                printError("Waiting for a card in \(name)…")
                repeat { states = try context.waitForChange([name], from: states.filter { $0.reader == name }, timeoutMilliseconds: nil) }
                while !(states.first?.cardPresent ?? false)
            }
        } else {
            var holding = states.filter(\.cardPresent)
            while holding.isEmpty && wait {
                printError("Waiting for a card…")
                states = try context.waitForChange(readers, from: states, timeoutMilliseconds: nil)
                holding = states.filter(\.cardPresent)
            }
            guard !holding.isEmpty else { throw EMRTDError(.pcscNoCard, "no reader holds a card (use --wait to wait for one)") }
            guard holding.count == 1 else {
                throw EMRTDError(.invalidArgument, "several readers hold a card; choose one with --reader: \(holding.map(\.reader).joined(separator: ", "))")
            }
            name = holding[0].reader
        }
        let card = try context.connect(name)
        return (card, "\(name) (\(card.transmissionProtocol))", nil)
    }

    private func read(_ chip: any CardChannel, source: String, defaultKey: AccessKey?) throws(EMRTDError) {
        let accessKey: AccessKey
        if let given = try key.accessKey() {
            accessKey = given
        } else if let defaultKey {
            accessKey = defaultKey
        } else {
            throw EMRTDError(.invalidArgument, "give the key: --mrz, --doc/--id with --dob and --doe, --can, --pin or --puk")
        }

        var reader = DocumentReader()
        reader.skipPhoto = skipPhoto
        reader.accessControl = access.preference
        if verbose {
            reader.trace = { event in printError(event.description) }
        }
        if standardErrorIsTerminal && !verbose {
            reader.progress = { file, done, total in
                guard file == .dg2 else { return }
                printError("\rReading \(file.name): \(done)/\(total) bytes", terminator: "")
                if done >= total { printError("\r\u{1B}[K", terminator: "") }
            }
        }
        let result = try reader.read(from: chip, key: accessKey)
        let document = Document(files: result.files)
        let report = ReadReport(source: source, result: result, document: document)

        if let dump {
            try CardImage(files: result.files, settings: CardSettings()).write(to: dump)
        }
        if let photo {
            guard let face = document.faces.first else {
                throw EMRTDError(.fileNotFound, "no face image was read, so none can be written to \(photo)")
            }
            guard FileManager.default.createFile(atPath: photo, contents: Data(face.imageData)) else {
                throw EMRTDError(.io, "cannot write the face image to \(photo)")
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = (try? encoder.encode(report)) ?? Data()
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(HumanOutput.render(report))
        }
        // A file that could not be read or parsed makes the read incomplete: say so in the status.
        for (file, outcome) in result.outcomes {
            if case .failed(let error) = outcome {
                throw EMRTDError(error.code, "\(file.name) could not be read: \(error.message)")
            }
        }
        if let problem = document.problems.first {
            throw EMRTDError(problem.error.code, "\(problem.file.name) is malformed: \(problem.error.message)")
        }
    }
}

enum AccessChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, pace, bac

    var preference: AccessControlPreference {
        switch self {
        case .auto: return .automatic
        case .pace: return .paceOnly
        case .bac: return .bacOnly
        }
    }
}
