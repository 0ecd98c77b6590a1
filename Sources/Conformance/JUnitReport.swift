public import EMRTDCore
public import Foundation

/// A JUnit XML report, the format CI systems (Jenkins, GitLab, GitHub Actions reporters) read:
///
/// ```xml
/// <?xml version="1.0" encoding="UTF-8"?>
/// <testsuites name="…" tests="N" failures="F" errors="0" skipped="S" time="…">
///   <testsuite name="…" tests="N" failures="F" errors="0" skipped="S" time="…" timestamp="…">
///     <testcase name="…" classname="…" time="…"/>
///     <testcase …><failure message="…" type="…">details</failure></testcase>
///     <testcase …><skipped message="…"/></testcase>
///   </testsuite>
/// </testsuites>
/// ```
/// Counts are computed from the cases, so they always agree with the children.
public struct JUnitReport: Sendable {
    /// One `<testcase>`.
    public struct TestCase: Sendable {
        /// How the case ended: no child, a `<failure>` (message and type as attributes, details as text), or a
        /// `<skipped>` with its reason.
        public enum Result: Sendable {
            case passed
            case failed(message: String, type: String, details: String)
            case skipped(String)
        }

        /// The `name` attribute: a case id.
        public var name: String
        /// The `classname` attribute, which CI systems group by ("vectors.icao-9303-mrz").
        public var classname: String
        /// The `time` attribute.
        public var seconds: Double
        /// Passed, failed or skipped.
        public var result: Result
        /// Free text for `<system-out>` (the reference of a conformance case, for instance).
        public var output: String?

        /// A case with its attributes, result and optional `<system-out>` text.
        public init(name: String, classname: String, seconds: Double, result: Result, output: String? = nil) {
            self.name = name
            self.classname = classname
            self.seconds = seconds
            self.result = result
            self.output = output
        }
    }

    /// One `<testsuite>`: its counts and time are summed from its cases.
    public struct Suite: Sendable {
        /// The `name` attribute: a suite or a card.
        public var name: String
        /// The `<testcase>` children, in order.
        public var cases: [TestCase]
        /// The `timestamp` attribute, when the suite ran (ISO 8601).
        public var timestamp: Date

        /// A suite of `cases`, stamped `timestamp` (now by default).
        public init(name: String, cases: [TestCase], timestamp: Date = Date()) {
            self.name = name
            self.cases = cases
            self.timestamp = timestamp
        }

        var failures: Int { cases.filter { if case .failed = $0.result { true } else { false } }.count }
        var skipped: Int { cases.filter { if case .skipped = $0.result { true } else { false } }.count }
        var seconds: Double { cases.reduce(0) { $0 + $1.seconds } }
    }

    /// The `name` attribute of `<testsuites>`: the run ("cccd vectors run").
    public var name: String
    /// The `<testsuite>` children, in order.
    public var suites: [Suite]

    /// A report of `suites` under the run `name`.
    public init(name: String, suites: [Suite]) {
        self.name = name
        self.suites = suites
    }

    /// The XML document, UTF-8.
    public var xml: String {
        var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        let tests = suites.reduce(0) { $0 + $1.cases.count }
        let failures = suites.reduce(0) { $0 + $1.failures }
        let skipped = suites.reduce(0) { $0 + $1.skipped }
        let seconds = suites.reduce(0) { $0 + $1.seconds }
        out += "<testsuites name=\(Self.attribute(name)) tests=\"\(tests)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"\(Self.time(seconds))\">\n"
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime]
        for suite in suites {
            out += "  <testsuite name=\(Self.attribute(suite.name)) tests=\"\(suite.cases.count)\" failures=\"\(suite.failures)\" errors=\"0\" skipped=\"\(suite.skipped)\" time=\"\(Self.time(suite.seconds))\" timestamp=\"\(iso.string(from: suite.timestamp))\">\n"
            for test in suite.cases {
                out += "    <testcase name=\(Self.attribute(test.name)) classname=\(Self.attribute(test.classname)) time=\"\(Self.time(test.seconds))\""
                var body = ""
                switch test.result {
                case .passed:
                    break
                case .failed(let message, let type, let details):
                    body += "      <failure message=\(Self.attribute(message)) type=\(Self.attribute(type))>\(Self.text(details))</failure>\n"
                case .skipped(let reason):
                    body += "      <skipped message=\(Self.attribute(reason))/>\n"
                }
                if let output = test.output {
                    body += "      <system-out>\(Self.text(output))</system-out>\n"
                }
                out += body.isEmpty ? "/>\n" : ">\n" + body + "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    /// Writes the report to `path`.
    public func write(to path: String) throws(EMRTDError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(xml.utf8)) else {
            throw EMRTDError(.io, "cannot write the JUnit report to \(path)")
        }
    }

    static func time(_ seconds: Double) -> String { String(format: "%.3f", seconds) }

    /// A quoted attribute value: markup characters escaped, line breaks and tabs kept as character
    /// references (an XML parser would otherwise normalize them to spaces), other characters XML 1.0
    /// forbids dropped.
    static func attribute(_ value: String) -> String { "\"" + escape(value, attribute: true) + "\"" }

    /// Element text: markup characters escaped, characters XML 1.0 forbids dropped.
    static func text(_ value: String) -> String { escape(value, attribute: false) }

    private static func escape(_ value: String, attribute: Bool) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "\n" where attribute: out += "&#10;"
            case "\r" where attribute: out += "&#13;"
            case "\t" where attribute: out += "&#9;"
            case "\n", "\r", "\t": out.unicodeScalars.append(scalar)
            default: if allowed(scalar) { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF] (tab and
    /// line breaks are handled by the callers).
    static func allowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}
