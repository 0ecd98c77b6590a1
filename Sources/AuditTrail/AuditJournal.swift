public import EMRTDCore
import Foundation

/// A station's side of the audit: every row is chained and committed to a local SQLite file first
/// (the journal), so the station goes on reading when the central store is away; a delivery thread
/// then sends the rows the central store lacks, in order, in batches, exactly once (the central
/// store skips a key it already has with the same hash). A killed station loses nothing: the
/// journal holds every row it wrote and how far delivery got.
public final class AuditJournal: @unchecked Sendable {
    /// The station whose chain this journal writes.
    public let station: String
    private let local: SQLiteAuditStore
    private let central: (any AuditStore)?
    private let lock = NSCondition()
    private var head: AuditRow?
    private var delivered = 0
    private var stopping = false
    private var deliveryThread: Thread?
    private var lastError: String?
    private let log: @Sendable (String) -> Void

    /// Opens the journal at `path` for `station`; with `central`, starts delivering to it. `log` gets
    /// what the operator should know (the central store lost and back), never a row's content.
    public init(path: String, station: String, central: (any AuditStore)?, log: @escaping @Sendable (String) -> Void = { _ in }) throws(EMRTDError) {
        self.station = station
        self.central = central
        self.log = log
        local = try SQLiteAuditStore(path: path)
        try local.migrate()
        try local.connection.execute("CREATE TABLE IF NOT EXISTS journal_delivery (station TEXT PRIMARY KEY, seq BIGINT NOT NULL)")
        head = try local.head(station: station)
        delivered = Int(try local.connection.query("SELECT seq FROM journal_delivery WHERE station = ?", [station]).first?.first ?? "0") ?? 0
        if central != nil {
            let thread = Thread { [self] in deliverLoop() }
            thread.name = "audit delivery"
            deliveryThread = thread
            thread.start()
        }
    }

    /// Chains `row` after the station's last, commits it to the journal, and queues its delivery.
    /// Returns the row as written (its `seq` and hashes set).
    @discardableResult
    public func append(_ row: AuditRow) throws(EMRTDError) -> AuditRow {
        lock.lock()
        defer { lock.unlock() }
        var row = row
        row.station = station
        let chained = row.chained(after: head)
        try local.deliver([chained])
        head = chained
        lock.signal()
        return chained
    }

    /// How many times `recordID` was already logged at this station.
    public func attempts(of recordID: String) throws(EMRTDError) -> Int {
        Int(try local.connection.withLock { () throws(EMRTDError) -> [[String]] in
            try local.connection.query("SELECT COUNT(*) FROM audit_rows WHERE station = ? AND record_id = ?", [station, recordID])
        }.first?.first ?? "0") ?? 0
    }

    /// Every row of this station in the journal, in order.
    public func rows() throws(EMRTDError) -> [AuditRow] { try local.rows(station: station) }

    /// Rows written but not yet in the central store (0 without one).
    public var pending: Int {
        lock.lock()
        defer { lock.unlock() }
        return central == nil ? 0 : (head?.seq ?? 0) - delivered
    }

    /// Waits until every row is delivered or `timeout` seconds pass; returns whether all were.
    public func flush(timeout: Double) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while central != nil && delivered < (head?.seq ?? 0) {
            lock.signal()
            if !lock.wait(until: min(end, Date().addingTimeInterval(0.2))) && Date() >= end { return false }
        }
        return true
    }

    /// Stops delivering (what is left stays in the journal for the next start).
    public func close() {
        lock.lock()
        stopping = true
        lock.broadcast()
        lock.unlock()
    }

    private func deliverLoop() {
        guard let central else { return }
        var backoff = 0.2
        while true {
            lock.lock()
            while !stopping && delivered >= (head?.seq ?? 0) { _ = lock.wait(until: Date().addingTimeInterval(1)) }
            if stopping { lock.unlock(); return }
            let from = delivered
            lock.unlock()
            do throws(EMRTDError) {
                // Up to 200 rows at a time, in seq order: the central chain grows without gaps.
                let batch = try local.connection.withLock { () throws(EMRTDError) -> [[String]] in
                    try local.connection.query(
                        "SELECT \(AuditRow.columns.joined(separator: ", ")) FROM audit_rows WHERE station = ? AND seq > ? ORDER BY seq LIMIT 200",
                        [station, "\(from)"])
                }.compactMap { AuditRow(values: $0) }
                try central.deliver(batch)
                guard let last = batch.last?.seq else { continue }
                try local.connection.query(
                    "INSERT INTO journal_delivery (station, seq) VALUES (?, ?) ON CONFLICT (station) DO UPDATE SET seq = excluded.seq",
                    [station, "\(last)"])
                lock.lock()
                delivered = last
                let wasLost = lastError != nil
                lastError = nil
                lock.broadcast()
                lock.unlock()
                if wasLost { log("audit: central store back; delivered up to row \(last)") }
                backoff = 0.2
            } catch {
                lock.lock()
                let first = lastError == nil
                lastError = error.message
                let waiting = (head?.seq ?? 0) - delivered
                lock.unlock()
                if first { log("audit: central store unreachable (\(error.code)); rows are kept in the journal (\(waiting) waiting)") }
                if error.code == .auditConflict || error.code == .auditSchema {
                    log("audit: \(error.message)")
                }
                Thread.sleep(forTimeInterval: backoff)
                backoff = min(backoff * 2, 5)
            }
        }
    }
}
