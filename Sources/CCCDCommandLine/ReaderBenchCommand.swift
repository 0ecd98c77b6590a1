import AccessControl
import ArgumentParser
import EMRTD
import EMRTDCore
import Inspection
import Foundation
import LDS
import PCSC

/// `cccd bench-reader`: a full read through a PC/SC reader, phase by phase, beside the APDU count a
/// plain reader (SELECT by file identifier, a 4-byte header read, then 223-byte blocks) would need
/// for the same files, computed in the same run.
struct ReaderBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-reader",
        abstract: "Time full reads of the card in a PC/SC reader, per phase (scripts/bench-reader.sh runs it on the test bench)."
    )

    @Option(name: .long, help: ArgumentHelp("The reader (name, part of it, or index).", valueName: "NAME|INDEX"))
    var reader: String

    @Option(name: .long, help: ArgumentHelp("The card access number.", valueName: "digits"))
    var can: String

    @Option(name: .long, help: "Full reads to time.")
    var reads = 5

    func run() throws {
        do {
            try measure()
        } catch {
            throw fail(error)
        }
    }

    private func measure() throws(EMRTDError) {
        let context = try PCSCContext()
        let readers = try context.readers()
        let name = try CardReaders.reader(reader, among: readers)
        var results: [ReadResult] = []
        var extended = false
        for _ in 0..<max(reads, 1) {
            let card = try context.connect(name)
            extended = card.supportsExtendedLength
            results.append(try DocumentReader().read(from: card, key: .can(SecretBytes(utf8: can))))
            card.disconnect()
        }
        let last = results[results.count - 1]
        print("cccd bench-reader: \(results.count) full reads of the card in \(name) (extended length \(extended ? "on" : "off"), \(last.accessControl))")
        let sizes = LDSFile.all.compactMap { file in last.files[file].map { "\(file.name) \($0.count) B" } }
        print("  files: " + sizes.joined(separator: ", "))
        for phase in ["access", "files", "active"] {
            let all = results.compactMap { $0.phases.first { $0.name == phase } }
            guard let first = all.first else { continue }
            let mean = all.map(\.seconds).reduce(0, +) / Double(all.count)
            print(String(format: "  %-8@ %4d APDUs %7d bytes %8.1f ms", phase as NSString, first.statistics.apdus, first.statistics.bytes, mean * 1e3))
        }
        let total = results.map(\.seconds).reduce(0, +) / Double(results.count)
        let afterAccess = last.phases.filter { $0.name != "access" }.map(\.statistics.apdus).reduce(0, +)
        print(String(format: "  total    %4d APDUs %7d bytes %8.1f ms (mean of %d)", last.statistics.apdus, last.statistics.bytes, total * 1e3, results.count))
        // The same files with a plain reader: SELECT, a 4-byte header read, 223-byte blocks.
        let read = last.files.filter { $0.key != .cardAccess }
        let plain = read.values.map { 2 + ($0.count + 222) / 223 }.reduce(0, +)
        let plainCA = last.chipAuthentication == .notRun ? 0 : 2
        let plainAA = last.activeAuthentication == .notRun ? 0 : 1
        print("  after access control: \(afterAccess) APDUs (files and chip checks); a 223-byte FID-select reader: \(plain + plainCA + plainAA) for the same files and checks")
    }
}
