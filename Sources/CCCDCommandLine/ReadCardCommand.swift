public import ArgumentParser
import AccessControl
import EMRTD
import EMRTDCore
import Foundation
import ISO7816
import LDS
import MRZ
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
        guard simulated else {
            if cardImage != nil {
                throw ValidationError("a card image directory is read with --simulated")
            }
            throw fail(EMRTDError(.transport, "PC/SC readers are not supported by this build yet; use --simulated to read the virtual chip"))
        }
        do {
            try read()
        } catch {
            throw fail(error)
        }
    }

    private func read() throws(EMRTDError) {
        let image: CardImage
        let source: String
        if let cardImage {
            image = try CardImage.load(from: cardImage)
            source = "virtual chip (\(cardImage))"
        } else {
            image = try Specimen.cardImage()
            source = "virtual chip (built-in specimen)"
        }
        let accessKey: AccessKey
        if let given = try key.accessKey() {
            accessKey = given
        } else if let mrz = image.settings.mrz {
            accessKey = .mrz(MRZKey(mrz: try MRZ(mrz)))
        } else {
            throw EMRTDError(.invalidArgument, "the card image has no MRZ in card.json: give --mrz, --doc/--id with --dob/--doe, or --can")
        }
        let chip = try VirtualChip(image: image)

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
