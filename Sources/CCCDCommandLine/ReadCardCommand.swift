public import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import AccessControl
import EMRTD
import EMRTDCore
import Inspection
import Messages
import Foundation
import ISO7816
import LDS
import MRZ
import PassiveAuthentication
import PCSC
import Personalization
import Specimen
import VirtualChip

/// `cccd-read`: the verification tool for service counters.
public struct ReadCardCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cccd-read",
        abstract: HelpText[.helpReadAbstract],
        discussion: HelpText[.helpReadDiscussion]
    )

    @Flag(name: .long, help: ArgumentHelp(HelpText[.helpReadSimulated]))
    var simulated = false

    @Flag(name: .long, help: ArgumentHelp(HelpText[.helpReadListReaders]))
    var listReaders = false

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadReader], valueName: "NAME|INDEX"))
    var reader: String?

    @Flag(name: .long, help: ArgumentHelp(HelpText[.helpReadWait]))
    var wait = false

    @Argument(help: ArgumentHelp(HelpText[.helpReadCardImage], valueName: "DIR"))
    var cardImage: String?

    @OptionGroup var key: KeyOptions

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadTrust], valueName: "PATH"))
    var trust: [String] = []

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadExpect], valueName: "RECORD"))
    var expect: String?

    @Flag(name: .long, help: ArgumentHelp(HelpText[.helpReadJson]))
    var json = false

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadHtml], valueName: "FILE"))
    var html: String?

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadLang], valueName: "en|vi"))
    var lang: Language?

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadDump], valueName: "DIR"))
    var dump: String?

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadPhoto], valueName: "FILE"))
    var photo: String?

    @Flag(name: .long, help: ArgumentHelp(HelpText[.helpReadSkipPhoto]))
    var skipPhoto = false

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadAccess], valueName: "auto|pace|bac"))
    var access: AccessChoice = .auto

    @Flag(name: .long, help: ArgumentHelp(HelpText[.helpReadVerbose]))
    var verbose = false

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadApduTimeout], valueName: "SECONDS"))
    var apduTimeout: Double = TimeLimits.defaults.perAPDU ?? 0

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadReadTimeout], valueName: "SECONDS"))
    var readTimeout: Double = TimeLimits.defaults.perRead ?? 0

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadHostile], valueName: "STEP:FAULT"))
    var hostile: String?

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadQuirk], valueName: "NAME"))
    var quirk: [String] = []

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadHostileDelay], valueName: "SECONDS"))
    var hostileDelay: Double = 30

    public init() {}

    /// The exit status the verdict gives (set by `read`).
    private var verdictStatus: Int32 = ExitStatus.success

    public mutating func run() throws {
        if cardImage != nil && !simulated {
            throw ValidationError("a card image directory is read with --simulated")
        }
        // Bad input is exit status 2, as the contract says.
        if (hostile != nil || !quirk.isEmpty) && !simulated {
            throw fail(EMRTDError(.invalidArgument, "--hostile and --quirk need --simulated"))
        }
        guard apduTimeout >= 0, readTimeout >= 0, apduTimeout.isFinite, readTimeout.isFinite else {
            throw fail(EMRTDError(.invalidArgument, "--apdu-timeout and --read-timeout take a number of seconds, 0 for no limit"))
        }
        do {
            if listReaders {
                try printReaders()
                return
            }
            let (channel, source, defaultKey) = try openCard()
            try read(channel, source: source, defaultKey: defaultKey)
        } catch {
            throw fail(error, Messages(lang ?? .fromEnvironment()))
        }
        if verdictStatus != ExitStatus.success { throw ExitCode(verdictStatus) }
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
            var source: String
            if let cardImage {
                image = try CardImage.load(from: cardImage)
                source = "virtual chip (\(cardImage))"
            } else {
                image = try Specimen.cardImage()
                source = "virtual chip (built-in specimen)"
            }
            let key = try image.settings.mrz.map { (text: String) throws(EMRTDError) in AccessKey.mrz(MRZKey(mrz: try MRZ(text))) }
            let chip = try VirtualChip(image: image)
            chip.quirks = try QuirkOptions.parse(quirk)
            if !chip.quirks.isEmpty { source += ", quirks " + chip.quirks.sorted().map(\.rawValue).joined(separator: ",") }
            if let hostile {
                let plan = try HostileChip.Plan(parsing: hostile)
                return (HostileChip(chip: chip, plan: plan, delay: hostileDelay), source + ", hostile \(plan)", key)
            }
            return (chip, source, key)
        }
        var readers = try CardReaders()
        readers.onWait = { printError($0) }
        let (card, name) = try readers.connect(reader, waiting: wait)
        return (card, "\(name) (\(card.transmissionProtocol))", nil)
    }

    private mutating func read(_ chip: any CardChannel, source: String, defaultKey: AccessKey?) throws(EMRTDError) {
        let accessKey: GivenKey
        if let given = try key.givenKey() {
            accessKey = given
        } else if let defaultKey {
            accessKey = GivenKey(key: defaultKey)
        } else {
            throw EMRTDError(.invalidArgument, "give the key: --mrz, --doc/--id with --dob and --doe, --can, --pin or --puk")
        }

        var inspector = Inspector()
        inspector.reader.options.timeLimits = TimeLimits(perAPDU: apduTimeout > 0 ? apduTimeout : nil, perRead: readTimeout > 0 ? readTimeout : nil)
        inspector.reader.skipPhoto = skipPhoto
        inspector.reader.accessControl = access.preference
        if verbose {
            inspector.reader.trace = { event in printError(event.description) }
        }
        if standardErrorIsTerminal && !verbose {
            inspector.reader.progress = { file, done, total in
                guard file == .dg2 else { return }
                printError("\rReading \(file.name): \(done)/\(total) bytes", terminator: "")
                if done >= total { printError("\r\u{1B}[K", terminator: "") }
            }
        }
        inspector.onReconnect = { error in printError("warning: \(error.message); reconnecting and reading the card again") }
        let expected = try expect.map { (path: String) throws(EMRTDError) in try RecordOptions.load(path) }
        var store = try TrustStore(paths: trust)
        var trustNames = store.names(for: trust)
        if simulated && cardImage == nil {
            // The built-in specimen is signed by the project's test CSCA.
            store.add(Specimen.testPKI.csca)
            store.add(Specimen.testPKI.crl)
            trustNames.append("the specimen's test CSCA (built in)")
        }
        let inspection: Inspection
        do {
            inspection = try inspector.inspect(chip, key: accessKey.key, trust: store, trustNames: trustNames, expected: expected, source: source)
        } catch {
            throw accessKey.explaining(error)
        }
        let document = inspection.document
        let report = inspection.report
        let verification = inspection.verification
        let result = inspection.read ?? ReadResult()

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
        let messages = Messages(lang ?? .fromEnvironment())
        if let html {
            guard FileManager.default.createFile(atPath: html, contents: Data(HTMLReport.render(inspection, messages).utf8)) else {
                throw EMRTDError(.io, "cannot write the HTML report to \(html)")
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = (try? encoder.encode(report)) ?? Data()
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(HumanOutput.render(report, verification: verification, messages))
        }
        // The verdict alone decides the status (a file not read whole already keeps it from genuine).
        for problem in document.problems {
            printError("warning: \(problem.file.name) is malformed: \(problem.error.message) [\(problem.error.code)]")
        }
        verdictStatus = ExitStatus.forVerdict(verification.verdict)
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
