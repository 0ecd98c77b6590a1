public import ArgumentParser
import EMRTD
import EMRTDCore
import Foundation
import LDS
import Specimen
import VectorSuites
import Conformance

/// `cccd`: the toolkit.
@available(macOS 10.15, macCatalyst 13, iOS 13, tvOS 13, watchOS 6, *)
public struct ToolCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cccd",
        abstract: "The CCCD / eMRTD toolkit: specimen cards, card images, vector suites.",
        subcommands: [SpecimenCommand.self, InspectCommand.self, VerifyCommand.self, PKICommand.self, PersoCommand.self, StationCommand.self, AuditCommand.self, CounterCommand.self, VectorsCommand.self, ConformanceCommand.self, SimulateCommand.self, BenchCommand.self, ReaderBenchCommand.self]
    )

    public init() {}
}

struct SpecimenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "specimen",
        abstract: "Write the built-in specimen CCCD as a card image."
    )

    @Option(name: .long, help: ArgumentHelp("The directory to create.", valueName: "DIR"))
    var out: String

    @Option(name: .long, help: ArgumentHelp("Make the face image this many bytes (a real CCCD portrait is about 20000).", valueName: "BYTES"))
    var faceSize = 0

    @Flag(name: .long, help: "A chip that accepts extended length APDUs (and says so in its ATR and in EF.ATR/INFO).")
    var extendedLength = false

    @Flag(name: .long, help: "A BAC-only chip: no PACE in EF.CardAccess.")
    var bacOnly = false

    @Flag(name: .long, help: "A PACE-CAM chip: EF.CardAccess offers PACE-ECDH-CAM, and a signed EF.CardSecurity holds the chip's key.")
    var paceCam = false

    func run() throws {
        do {
            var image = try Specimen.cardImage(faceSize: faceSize, pace: !bacOnly, chipAuthenticationMapping: paceCam)
            if extendedLength {
                image.settings.chip.extendedLength = true
                image.settings.chip.maxResponseLength = 65536
                image.files[.atrInfo] = ATRInfo.encode(
                    extendedLength: ATRInfo.ExtendedLength(maximumCommandLength: 65535, maximumResponseLength: 65536))
            }
            try image.write(to: out)
            print("Specimen card image written to \(out)")
        } catch {
            throw fail(error)
        }
    }
}

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Parse every file of a card image and report what each holds or why it is malformed."
    )

    @Argument(help: ArgumentHelp("A card image directory.", valueName: "DIR"))
    var directory: String

    func run() throws {
        do {
            let image = try CardImage.load(from: directory)
            let document = Document(files: image.files)
            for file in LDSFile.all where image.files[file] != nil {
                let bytes = image.files[file]!
                let problem = document.problems.first { $0.file == file }
                print("\(file.name.padding(toLength: 16, withPad: " ", startingAt: 0))\(bytes.count) bytes  \(problem.map { "MALFORMED: \($0.error.message)" } ?? "ok")")
            }
            if let dg13 = document.dg13 {
                for field in dg13.fields {
                    print("  DG13[\(field.index)] " + TerminalText.sanitize(field.values.joined(separator: " | ")))
                }
            }
            if let problem = document.problems.first {
                // A malformed file given on the command line is bad input, not a card error.
                printError("error: \(problem.file.name): \(problem.error.message) [\(problem.error.code)]")
                throw ExitCode(ExitStatus.badInput)
            }
        } catch let error as EMRTDError {
            throw fail(error)
        }
    }
}

struct VectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vectors",
        abstract: "Run test vector suites.",
        subcommands: [RunVectorsCommand.self]
    )
}

struct RunVectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run vector suites (files, or folders searched for suite files) against the real protocol code.",
        discussion: """
            --suite and --case take an exact name or a prefix ending in * (repeatable). Prints each failing case and
            ends with 'N passed, M failed'; --junit writes a JUnit XML report. Exits 1 when a case fails or none ran.
            """
    )

    @Argument(help: ArgumentHelp("Suite files or folders.", valueName: "PATH"))
    var paths: [String] = ["TestVectors"]

    @Option(name: .long, help: ArgumentHelp("Run only this suite (a name, or a prefix ending in *; repeatable).", valueName: "NAME"))
    var suite: [String] = []

    @Option(name: .customLong("case"), help: ArgumentHelp("Run only this case (an id, or a prefix ending in *; repeatable).", valueName: "ID"))
    var caseFilter: [String] = []

    @Option(name: .long, help: ArgumentHelp("Write a JUnit XML report to FILE.", valueName: "FILE"))
    var junit: String?

    @Flag(name: .long, help: "Print every case, not only failures.")
    var verbose = false

    func run() throws {
        var passed = 0
        var failed = 0
        var reportSuites: [JUnitReport.Suite] = []
        do throws(EMRTDError) {
            let suites = try VectorSuite.discover(paths)
            for s in suites where CardSuite.matches(s.name, suite) {
                var cases: [JUnitReport.TestCase] = []
                for vector in s.cases where CardSuite.matches(vector.id, caseFilter) || caseFilter.contains(where: { !$0.hasSuffix("*") && vector.id.contains($0) }) {
                    let start = DispatchTime.now().uptimeNanoseconds
                    let result = VectorRunner.run(vector, suite: s.name)
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    if result.passed {
                        passed += 1
                        if verbose { print("PASS \(s.name)/\(result.caseID)") }
                    } else {
                        failed += 1
                        print("FAIL \(s.name)/\(result.caseID) [\(result.kind)] (source: \(result.source))")
                        for f in result.failures { print("     \(f)") }
                    }
                    cases.append(JUnitReport.TestCase(
                        name: result.caseID, classname: "vectors.\(s.name)", seconds: seconds,
                        result: result.passed ? .passed : .failed(message: result.failures.first ?? "failed", type: result.kind, details: result.failures.joined(separator: "\n")),
                        output: "kind \(result.kind); source: \(result.source)"))
                }
                if !cases.isEmpty { reportSuites.append(JUnitReport.Suite(name: s.name, cases: cases)) }
            }
            print("\(passed) passed, \(failed) failed")
            if let junit { try JUnitReport(name: "cccd vectors run", suites: reportSuites).write(to: junit) }
        } catch {
            throw fail(error)
        }
        if failed > 0 || passed == 0 {
            throw ExitCode(ExitStatus.notGenuine)
        }
    }
}
