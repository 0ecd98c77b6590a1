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

    /// A `HOST:PORT` option (`[::1]:8080` for IPv6; port 0: any free port) as its host and port.
    static func listenAddress(_ text: String, option: String) throws(EMRTDError) -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw EMRTDError(.invalidArgument, "\(option) takes HOST:PORT (127.0.0.1:8080)")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw EMRTDError(.invalidArgument, "\(option) needs a host (127.0.0.1:\(port))") }
        return (host, port)
    }
}

extension Language: ExpressibleByArgument {}

/// Help texts (`--help`) in the environment's language: ArgumentParser builds them before `--lang`
/// is parsed, so `LANG`/`LC_ALL`/`LC_MESSAGES` decide. The texts live in the message catalogues.
enum HelpText {
    static let messages = Messages(.fromEnvironment())
    static subscript(_ key: MessageKey) -> String { messages[key] }
}
