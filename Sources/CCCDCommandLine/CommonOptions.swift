import EMRTDCore
import Foundation
import PCSC

enum CommonOptions {
    /// The reader a `--reader` value names: an index, an exact name, or part of one.
    static func reader(_ value: String, among readers: [String]) throws(EMRTDError) -> String {
        if let index = Int(value), readers.indices.contains(index) { return readers[index] }
        if let match = readers.first(where: { $0 == value }) ?? readers.first(where: { $0.contains(value) }) { return match }
        throw EMRTDError(.pcscReaderRemoved, "no reader named \(value); readers: \(readers.joined(separator: ", "))")
    }

    /// Connects to the card in the reader `--reader` names, or in the only reader holding a card;
    /// with `wait`, waits for a reader and a card first.
    static func connect(reader: String?, wait: Bool) throws(EMRTDError) -> (PCSCCard, String) {
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
            name = try CommonOptions.reader(reader, among: readers)
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
        return (try context.connect(name), name)
    }

    /// A `YYYY-MM-DD` option as the start of that day, UTC.
    static func day(_ text: String, option: String) throws(EMRTDError) -> Date {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd"
        f.timeZone = TimeZone(identifier: "UTC")
        guard let date = f.date(from: text) else { throw EMRTDError(.invalidArgument, "\(option) takes a date as YYYY-MM-DD") }
        return date
    }
}
