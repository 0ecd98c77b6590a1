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
        abstract: "Passive authentication of a card image (any subset of its files; EF.SOD alone checks signature and chain).",
        discussion: """
            Chip and Active Authentication need the chip, so they are not run on an image.
            Exit status: 0 genuine, 1 not genuine, 2 bad usage or input, 4 unverified.
            """
    )

    @Argument(help: ArgumentHelp("A card image directory.", valueName: "DIR"))
    var directory: String

    @Option(name: .long, help: ArgumentHelp("CSCA certificates, a folder of them, an ICAO master list, or a CRL (repeatable).", valueName: "PATH"))
    var trust: [String] = []

    @Option(name: .long, help: ArgumentHelp("Check validity at this date (YYYY-MM-DD) instead of now.", valueName: "DATE"))
    var at: String?

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Write the report as one self-contained HTML file, in the chosen language.", valueName: "FILE"))
    var html: String?

    @Option(name: .long, help: ArgumentHelp("The language a person reads: en or vi (default: from LC_ALL, LC_MESSAGES or LANG). JSON stays English.", valueName: "en|vi"))
    var lang: Language?

    func run() throws {
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
}
