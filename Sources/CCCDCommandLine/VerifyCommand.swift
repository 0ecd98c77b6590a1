import ArgumentParser
import EMRTD
import EMRTDCore
import Inspection
import Messages
import Foundation
import LDS
import PassiveAuthentication

/// `cccd verify`: passive authentication of a card image read earlier.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: HelpText[.helpVerifyAbstract],
        discussion: HelpText[.helpVerifyDiscussion]
    )

    @Argument(help: ArgumentHelp(HelpText[.helpVerifyPaths], valueName: "PATH"))
    var paths: [String] = []

    @Flag(name: .long, help: ArgumentHelp(HelpText[.helpVerifyBatch]))
    var batch = false

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpVerifyJobs], valueName: "N"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpVerifyOut], valueName: "FILE"))
    var out: String?

    @Flag(name: .long, help: ArgumentHelp(HelpText[.helpVerifyResume]))
    var resume = false

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadTrust], valueName: "PATH"))
    var trust: [String] = []

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpVerifyAt], valueName: "DATE"))
    var at: String?

    @Flag(name: .long, help: ArgumentHelp(HelpText[.helpReadJson]))
    var json = false

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpVerifyHtml], valueName: "FILE"))
    var html: String?

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadLang], valueName: "en|vi"))
    var lang: Language?

    func run() throws {
        if batch { return try runBatch() }
        guard paths.count == 1, let directory = paths.first else { throw ValidationError("give one card image directory (or --batch)") }
        let inspection: Inspection
        let names: [String]
        do {
            let image = try CardImage.load(from: directory)
            let store = try TrustStore(paths: trust)
            names = store.names(for: trust)
            var inspector = Inspector()
            if let at { inspector.date = try CommonOptions.day(at, option: "--at") }
            inspection = inspector.inspect(image, trust: store, trustNames: names, source: directory)
        } catch {
            throw fail(error)
        }
        let messages = Messages(lang ?? .fromEnvironment())
        if let html {
            guard FileManager.default.createFile(atPath: html, contents: Data(HTMLReport.render(inspection, messages).utf8)) else {
                throw fail(EMRTDError(.io, "cannot write the HTML report to \(html)"))
            }
        }
        if json {
            let report = ImageVerificationReport(image: directory, inspection: inspection, trust: names)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self))
        } else {
            print(VerificationText.render(inspection.verification, messages).joined(separator: "\n"))
            if !names.isEmpty { print("  trust: " + names.joined(separator: ", ")) }
        }
        let status = ExitStatus.forVerdict(inspection.verdict)
        if status != ExitStatus.success { throw ExitCode(status) }
    }

    private func runBatch() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs takes 1 or more") }
        if resume && out == nil { throw ValidationError("--resume needs --out FILE (the output of the run to resume)") }
        if json || html != nil { throw ValidationError("--batch writes JSON lines itself; --json and --html are for one document") }
        let verifier: BatchVerifier
        var done = BatchVerifier.Done()
        var output: FileHandle = .standardOutput
        do throws(EMRTDError) {
            let store = try TrustStore(paths: trust)
            var date: Date? = nil
            if let at { date = try CommonOptions.day(at, option: "--at") }
            verifier = BatchVerifier(trust: store, date: date)
            if let out {
                if !FileManager.default.fileExists(atPath: out) { FileManager.default.createFile(atPath: out, contents: nil) }
                if resume { done = try BatchVerifier.Done.resuming(out) } else if (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0 > 0 {
                    throw EMRTDError(.invalidArgument, "\(out) is not empty: give --resume to go on with it, or another file")
                }
                guard let handle = FileHandle(forWritingAtPath: out) else { throw EMRTDError(.io, "cannot write \(out)") }
                handle.seekToEndOfFile()
                output = handle
            }
        } catch {
            throw fail(error)
        }
        let terminal = standardErrorIsTerminal
        let sink = output
        let write: @Sendable (String) -> Void = { line in sink.write(Data((line + "\n").utf8)) }
        var progress: (@Sendable (Int, Double) -> Void)? = nil
        if terminal {
            progress = { @Sendable count, seconds in
                printError(String(format: "\r%d documents, %.0f per second", count, Double(count) / max(seconds, 0.001)), terminator: "")
            }
        }
        let summary: BatchVerifier.Summary
        if paths.isEmpty {
            summary = verifier.run(documents: StandardInputLines(), skipping: done, jobs: jobs, write: write, progress: progress)
        } else {
            summary = verifier.run(documents: BatchVerifier.Documents(paths), skipping: done, jobs: jobs, write: write, progress: progress)
        }
        if terminal { printError("\r\u{1B}[K", terminator: "") }
        try? output.synchronize()
        let rate = Double(summary.documents) / max(summary.seconds, 0.001)
        let already = summary.skipped > 0 ? ", \(summary.skipped) already done" : ""
        var lines = [String(format: "verify --batch: %d documents in %.1f s (%.0f per second, %d jobs)", summary.documents, summary.seconds, rate, jobs) + already]
        let verdicts: [String] = summary.verdicts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        lines.append("  verdicts: " + verdicts.joined(separator: ", "))
        let ranked: [(key: String, value: Int)] = summary.reasons.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        if !ranked.isEmpty {
            lines.append("  reasons: " + ranked.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        for line in lines { printError(line) }
        let notGenuine = summary.verdicts.filter { $0.key != "genuine" }.values.reduce(0, +)
        if notGenuine > 0 { throw ExitCode(ExitStatus.notGenuine) }
    }
}

/// Standard input, one path a line, read as it comes (a list of millions is never held).
struct StandardInputLines: IteratorProtocol {
    mutating func next() -> String? {
        while let line = readLine(strippingNewline: true) {
            let path = line.trimmingCharacters(in: .whitespaces)
            if !path.isEmpty { return path }
        }
        return nil
    }
}
