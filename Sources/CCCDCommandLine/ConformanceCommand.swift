import ArgumentParser
import AccessControl
import Conformance
import EMRTDCore
import Inspection
import Foundation
import ISO7816
import LDS
import MRZ
import PassiveAuthentication
import PCSC
import Specimen
import VirtualChip

/// `cccd conformance`: test benches for cards (`card`) and for other readers (`serve`).
struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Conformance suites: a card against ICAO 9303, or an inspection system against manipulated documents.",
        subcommands: [CardConformanceCommand.self, ServeConformanceCommand.self, MakeSuiteCommand.self, DefectsCommand.self]
    )
}

struct CardConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "Run the card suite against a card in a PC/SC reader, or the virtual chip.",
        discussion: """
            Each case is a named check with its ICAO 9303 (or ISO/IEC 7816-4) reference; each starts from a reset chip.
            Prints one line per case and 'N passed, M failed, K skipped'; --junit writes a JUnit XML report.
            Exit status: 0 when no case failed, 1 when one did, 2 bad usage, 3 when the card cannot be reached.
            With --simulated, --defect switches on a known defect (cccd conformance defects lists them).
            """
    )

    @Flag(name: .long, help: "Test the virtual chip: the built-in specimen, or the card image DIR.")
    var simulated = false

    @Argument(help: ArgumentHelp("A card image directory (with --simulated).", valueName: "DIR"))
    var cardImage: String?

    @Option(name: .long, help: ArgumentHelp("The PC/SC reader, by name or index (default: the only reader holding a card).", valueName: "NAME|INDEX"))
    var reader: String?

    @OptionGroup var key: KeyOptions

    @Option(name: .long, help: ArgumentHelp("With --simulated: a defect of the virtual chip (repeatable).", valueName: "NAME"))
    var defect: [String] = []

    @Option(name: .long, help: ArgumentHelp("CSCA certificates or master lists: EF.SOD's signer must chain to one (repeatable).", valueName: "PATH"))
    var trust: [String] = []

    @Option(name: .customLong("case"), help: ArgumentHelp("Run only this case (an id, or a prefix ending in *; repeatable).", valueName: "ID"))
    var cases: [String] = []

    @Option(name: .long, help: ArgumentHelp("Write a JUnit XML report to FILE.", valueName: "FILE"))
    var junit: String?

    @Flag(name: .long, help: "Print the results as JSON instead of lines.")
    var json = false

    func run() throws {
        if cardImage != nil && !simulated { throw ValidationError("a card image directory is tested with --simulated") }
        if !defect.isEmpty && !simulated { throw ValidationError("--defect applies to the virtual chip (--simulated)") }
        let failed: Bool
        do throws(EMRTDError) {
            let (card, defaultKey) = try openCard()
            guard let accessKey = try key.accessKey() ?? defaultKey else {
                throw EMRTDError(.invalidArgument, "give the key: --mrz, --doc/--id with --dob and --doe, --can, --pin or --puk")
            }
            var suite = CardSuite(card: card, key: accessKey)
            suite.only = cases
            suite.trust = try TrustStore(paths: trust)
            let results = suite.run { result in
                if !json { print(Self.line(result)) }
            }
            guard !results.isEmpty else { throw EMRTDError(.invalidArgument, "no case matches \(cases.joined(separator: ", "))") }
            let passed = results.filter { if case .passed = $0.outcome { true } else { false } }.count
            let failures = results.filter(\.outcome.isFailure).count
            if json {
                print(Self.json(results, card: card.name))
            } else {
                print("\(passed) passed, \(failures) failed, \(results.count - passed - failures) skipped")
            }
            if let junit {
                try Self.report(results, card: card.name).write(to: junit)
            }
            failed = failures > 0
        } catch {
            throw fail(error)
        }
        if failed { throw ExitCode(ExitStatus.notGenuine) }
    }

    static func line(_ result: CaseResult) -> String {
        let (word, message): (String, String) = switch result.outcome {
        case .passed(let m): ("PASS", m)
        case .failed(let m): ("FAIL", m)
        case .skipped(let m): ("SKIP", m)
        }
        return "\(word) \(result.testCase.id) [\(result.testCase.reference)]: \(TerminalText.sanitize(message))"
    }

    static func report(_ results: [CaseResult], card: String) -> JUnitReport {
        let cases = results.map { r in
            let group = r.testCase.id.split(separator: ".").first.map(String.init) ?? "card"
            let result: JUnitReport.TestCase.Result = switch r.outcome {
            case .passed: .passed
            case .failed(let m): .failed(message: m, type: r.testCase.reference, details: "\(r.testCase.title)\n\(r.testCase.reference)\n\(m)")
            case .skipped(let m): .skipped(m)
            }
            let message: String = switch r.outcome {
            case .passed(let m), .failed(let m), .skipped(let m): m
            }
            return JUnitReport.TestCase(
                name: r.testCase.id, classname: "conformance.card.\(group)", seconds: r.seconds, result: result,
                output: "\(r.testCase.title) (\(r.testCase.reference)): \(message)")
        }
        return JUnitReport(name: "cccd conformance card", suites: [JUnitReport.Suite(name: "card: \(card)", cases: cases)])
    }

    static func json(_ results: [CaseResult], card: String) -> String {
        let list: [[String: Any]] = results.map { r in
            let (status, message): (String, String) = switch r.outcome {
            case .passed(let m): ("passed", m)
            case .failed(let m): ("failed", m)
            case .skipped(let m): ("skipped", m)
            }
            return ["id": r.testCase.id, "title": r.testCase.title, "reference": r.testCase.reference, "status": status,
                    "message": message, "seconds": (r.seconds * 1000).rounded() / 1000]
        }
        let object: [String: Any] = ["card": card, "cases": list]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The card under test, and the key its image gives (virtual chip only).
    private func openCard() throws(EMRTDError) -> (CardUnderTest, AccessKey?) {
        if simulated {
            var image: CardImage
            if let cardImage { image = try CardImage.load(from: cardImage) } else { image = try Specimen.cardImage() }
            var named: [ChipDefect] = []
            for name in defect { named.append(try ChipDefect.named(name)) }
            let defects = try ChipDefect.apply(named, to: &image, signer: Specimen.testPKI)
            let chip = try VirtualChip(image: image)
            chip.defects = defects
            let key = try image.settings.mrz.map { (text: String) throws(EMRTDError) in AccessKey.mrz(MRZKey(mrz: try MRZ(text))) }
            let name = "virtual chip (\(cardImage ?? "built-in specimen")\(defect.isEmpty ? "" : ", defects: " + defect.joined(separator: ", ")))"
            let card = CardUnderTest(name: name, reset: { () throws(EMRTDError) -> any CardChannel in
                chip.reset()
                return chip
            }, answerToReset: { chip.answerToReset })
            return (card, key)
        }
        let context = try PCSCContext()
        let readers = try context.readers()
        guard !readers.isEmpty else { throw EMRTDError(.pcscNoReaders, "no smart card reader is connected") }
        let name: String
        if let reader {
            name = try CardReaders.reader(reader, among: readers)
        } else {
            let holding = try context.states(readers).filter(\.cardPresent)
            guard holding.count == 1 else {
                throw EMRTDError(holding.isEmpty ? .pcscNoCard : .invalidArgument,
                                 holding.isEmpty ? "no reader holds a card" : "several readers hold a card; choose one with --reader")
            }
            name = holding[0].reader
        }
        let pcsc = try context.connect(name)
        let card = CardUnderTest(name: name, reset: { () throws(EMRTDError) -> any CardChannel in
            try pcsc.reconnect(resetCard: true)
            return pcsc
        }, answerToReset: { try? pcsc.answerToReset() })
        return (card, nil)
    }
}

struct DefectsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "defects",
        abstract: "List the virtual chip's known defects and the card-suite case each one fails."
    )

    func run() throws {
        for d in ChipDefect.all {
            print("\(d.name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(d.failingCase.padding(toLength: 30, withPad: " ", startingAt: 0)) \(d.summary)")
        }
    }
}

struct MakeSuiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make-suite",
        abstract: "Write a built-in serve suite (manifest.json, one card image per document, csca.pem) into DIR."
    )

    @Argument(help: ArgumentHelp("The folder to create.", valueName: "DIR"))
    var directory: String

    @Option(name: .long, help: ArgumentHelp("The built-in suite: \(ServeSuites.names.joined(separator: ", ")).", valueName: "NAME"))
    var suite = "basic"

    func run() throws {
        do throws(EMRTDError) {
            let manifest = try ServeSuites.generate(suite, into: directory)
            print("\(manifest.documents.count) documents of suite \(manifest.suite) written to \(directory)")
        } catch {
            throw fail(error)
        }
    }
}

struct ServeConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Present the documents of a serve suite, one after another, to an inspection system through vpcd.",
        discussion: """
            --suite names a built-in suite (generated into a temporary folder) or a folder with manifest.json.
            Each document is inserted into the vpcd slot, served until the inspection system has been idle for
            --idle-ms after its last APDU (or until the document's chip drops out on purpose), removed, and the
            next one inserted after --gap-ms. Each stay is logged as one JSON line (index, document, insertedAt,
            removedAt, apdus, removal) on standard output or in --timeline FILE. Expected verdicts are in the manifest.
            """
    )

    @Option(name: .long, help: ArgumentHelp("vpcd's address (35964 is the slot 'Virtual PCD 00 01').", valueName: "HOST:PORT"))
    var vpcd = "127.0.0.1:35964"

    @Option(name: .long, help: ArgumentHelp("A built-in suite name or a suite folder.", valueName: "NAME|DIR"))
    var suite = "basic"

    @Option(name: .customLong("document"), help: ArgumentHelp("Serve only this document (repeatable).", valueName: "ID"))
    var documents: [String] = []

    @Option(name: .long, help: ArgumentHelp("Append the timeline (JSON lines) to FILE.", valueName: "FILE"))
    var timeline: String?

    @Option(name: .long, help: ArgumentHelp("Idle time after which the inspection system is done with a document.", valueName: "MS"))
    var idleMs = 300

    @Option(name: .long, help: ArgumentHelp("Pause between two documents.", valueName: "MS"))
    var gapMs = 500

    @Flag(name: .long, help: "Log vpcd events on standard error.")
    var verbose = false

    func run() throws {
        do throws(EMRTDError) {
            let parts = vpcd.split(separator: ":")
            guard parts.count == 2, let port = UInt16(parts[1]) else {
                throw EMRTDError(.invalidArgument, "--vpcd takes HOST:PORT, e.g. 127.0.0.1:35964")
            }
            var isDirectory: ObjCBool = false
            let directory: String
            if FileManager.default.fileExists(atPath: suite, isDirectory: &isDirectory), isDirectory.boolValue {
                directory = suite
            } else {
                directory = NSTemporaryDirectory() + "cccd-serve-" + UUID().uuidString
                _ = try ServeSuites.generate(suite, into: directory)
            }
            defer { if directory != suite { try? FileManager.default.removeItem(atPath: directory) } }
            let manifest = try ServeManifest.load(from: directory)
            var runner = ServeRunner(directory: directory, manifest: manifest)
            runner.host = String(parts[0])
            runner.port = port
            runner.idleSeconds = Double(idleMs) / 1000
            runner.gapSeconds = Double(gapMs) / 1000
            if verbose { runner.log = { printError("cccd conformance serve: " + $0) } }
            let sink = timeline.flatMap { path -> FileHandle? in
                if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
                let handle = FileHandle(forWritingAtPath: path)
                handle?.seekToEndOfFile()
                return handle
            }
            if timeline != nil && sink == nil { throw EMRTDError(.io, "cannot open \(timeline!) for writing") }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            try runner.run(only: documents) { entry in
                let line = String(decoding: (try? encoder.encode(entry)) ?? Data(), as: UTF8.self) + "\n"
                (sink ?? FileHandle.standardOutput).write(Data(line.utf8))
            }
            try? sink?.close()
        } catch {
            throw fail(error)
        }
    }
}
