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
