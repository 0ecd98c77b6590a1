import EMRTDCore
import Foundation
public import Messages
public import ArgumentParser

enum CommonOptions {
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

extension Language: ExpressibleByArgument {}
