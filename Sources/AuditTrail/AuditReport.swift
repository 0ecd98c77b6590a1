import Foundation

/// `cccd audit report`: what the audit says about a day (or all days): per station, per failure
/// reason, per hour, and the slowest reads.
public struct AuditReport: Sendable {
    /// One station's counts.
    public struct Station: Sendable {
        /// The station's name.
        public var name: String
        /// Rows: insertions, retries included.
        public var rows = 0
        /// Distinct records.
        public var records = 0
        /// Rows whose verdict was `genuine`.
        public var genuine = 0
        /// Rows whose verdict was `not-genuine`.
        public var notGenuine = 0
        /// Rows whose verdict was `unverified`.
        public var unverified = 0
        /// Rows of cards that could not be read (`error`).
        public var errors = 0
        /// Rows per hour over the hours the station worked (first to last insertion).
        public var perHour = 0.0
    }

    /// Per station, by name.
    public var stations: [Station] = []
    /// Per reason code: how many rows gave it.
    public var reasons: [(code: String, count: Int)] = []
    /// Rows inserted in each hour ("2026-12-07T09").
    public var hours: [(hour: String, count: Int)] = []
    /// The slowest reads: station, seq, record, milliseconds.
    public var slowest: [(station: String, seq: Int, recordID: String, millis: Int)] = []

    /// The report of `rows`, only those inserted on `day` (YYYY-MM-DD, UTC) when given.
    public init(_ rows: [AuditRow], day: String? = nil) {
        let rows = day.map { d in rows.filter { $0.insertedAt.hasPrefix(d) } } ?? rows
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for (name, list) in Dictionary(grouping: rows, by: \.station).sorted(by: { $0.key < $1.key }) {
            var s = Station(name: name)
            s.rows = list.count
            s.records = Set(list.map(\.recordID)).count
            for r in list {
                switch r.verdict {
                case "genuine": s.genuine += 1
                case "not-genuine": s.notGenuine += 1
                case "unverified": s.unverified += 1
                default: s.errors += 1
                }
            }
            let times = list.compactMap { formatter.date(from: $0.insertedAt) }.sorted()
            if let first = times.first, let last = times.last {
                s.perHour = Double(list.count) / max(last.timeIntervalSince(first) / 3600, 1.0 / 60)
            }
            stations.append(s)
        }
        var reasonCounts: [String: Int] = [:]
        for r in rows { for code in r.reasons.split(separator: ",") where !code.isEmpty { reasonCounts[String(code), default: 0] += 1 } }
        reasons = reasonCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) }
        let hourCounts = Dictionary(grouping: rows, by: { String($0.insertedAt.prefix(13)) }).mapValues(\.count)
        hours = hourCounts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        slowest = rows.sorted { $0.millis > $1.millis }.prefix(5).map { ($0.station, $0.seq, $0.recordID, $0.millis) }
    }

    /// The report for a person.
    public var text: String {
        var out = ["Stations"]
        out.append("  station              rows  records  genuine  not-genuine  unverified  errors  rows/hour")
        for s in stations {
            out.append("  " + s.name.padding(toLength: 18, withPad: " ", startingAt: 0)
                + String(format: "%6d %8d %8d %12d %11d %7d %10.1f", s.rows, s.records, s.genuine, s.notGenuine, s.unverified, s.errors, s.perHour))
        }
        out.append("")
        out.append("Failure reasons")
        if reasons.isEmpty { out.append("  none") }
        for r in reasons { out.append("  " + r.code.padding(toLength: 32, withPad: " ", startingAt: 0) + String(format: "%6d", r.count)) }
        out.append("")
        out.append("Rows per hour (UTC)")
        for h in hours { out.append("  \(h.hour):00  \(h.count)") }
        out.append("")
        out.append("Slowest reads")
        for s in slowest { out.append("  \(s.station) row \(s.seq) (record \(s.recordID)): \(s.millis) ms") }
        return out.joined(separator: "\n")
    }

    /// The report as CSV: one line per station, then per reason (`section,key,count…`).
    public var csv: String {
        var out = ["section,station_or_code,rows,records,genuine,not_genuine,unverified,errors,rows_per_hour"]
        for s in stations {
            out.append("station,\(Self.field(s.name)),\(s.rows),\(s.records),\(s.genuine),\(s.notGenuine),\(s.unverified),\(s.errors),"
                + String(format: "%.1f", s.perHour))
        }
        for r in reasons { out.append("reason,\(Self.field(r.code)),\(r.count),,,,,,") }
        for h in hours { out.append("hour,\(h.hour),\(h.count),,,,,,") }
        return out.joined(separator: "\n")
    }

    /// A CSV field, quoted when it needs to be; a leading formula character is neutralized.
    static func field(_ text: String) -> String {
        var t = text
        if let first = t.first, "=+-@".contains(first) { t = "'" + t }
        return t.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + t.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : t
    }
}
