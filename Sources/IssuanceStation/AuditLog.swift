internal import CSQLite
public import EMRTDCore
public import Foundation

extension EMRTDError.Code {
    /// The audit log could not be opened or written.
    public static let auditLog = Self("station.audit-log")
}

/// The issuance station's audit log: one row per card insertion, in SQLite, each written in its own
/// transaction (WAL, synchronous=FULL) so a kill at any moment keeps every row written before. It
/// holds no biometric data and no keys: ID, time, reader, attempt number, verdict, reasons.
///
/// ```sql
/// CREATE TABLE attempts (id INTEGER PRIMARY KEY, personal_id TEXT, attempt INTEGER, time TEXT,
///                        reader TEXT, verdict TEXT, reasons TEXT)
/// ```
///
/// `@unchecked Sendable`: the reader threads share it; the one SQLite connection is used under `lock`
/// only (and in `init`, before the log is shared), and SQLite serializes it once more (opened with
/// `SQLITE_OPEN_FULLMUTEX`).
public final class AuditLog: @unchecked Sendable {
    private let db: OpaquePointer
    private let lock = NSLock()

    /// One card insertion, as logged.
    public struct Row: Sendable, Hashable {
        /// The 12-digit personal ID of the record the card was checked against.
        public let personalID: String
        /// Which insertion of this ID it was: 1 for the first, more for a card read again.
        public let attempt: Int
        /// When, ISO 8601 in UTC ("2025-03-14T09:30:00Z").
        public let time: String
        /// The PC/SC reader's name.
        public let reader: String
        /// `genuine`, `not-genuine`, `unverified`, or `error` when the card could not be read.
        public let verdict: String
        /// What kept the card from `genuine`, joined by "; " (empty when it is); for `error`, the message and code.
        public let reasons: String
    }

    /// Opens the log at `path`, creating the file and its table when absent; rows already there are kept.
    public init(path: String) throws(EMRTDError) {
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite3_close(handle) }
            throw EMRTDError(.auditLog, "cannot open the audit log \(path): \(message)")
        }
        db = handle
        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA synchronous=FULL")
        try execute("""
            CREATE TABLE IF NOT EXISTS attempts (
              id INTEGER PRIMARY KEY AUTOINCREMENT, personal_id TEXT NOT NULL, attempt INTEGER NOT NULL,
              time TEXT NOT NULL, reader TEXT NOT NULL, verdict TEXT NOT NULL, reasons TEXT NOT NULL)
            """)
    }

    deinit {
        sqlite3_close(db)
    }

    private func execute(_ sql: String) throws(EMRTDError) {
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(error)
            throw EMRTDError(.auditLog, "audit log: \(message)")
        }
    }

    /// Appends one insertion and returns its attempt number for this ID (1 for the first).
    @discardableResult
    public func append(personalID: String, reader: String, verdict: String, reasons: String, at date: Date = Date()) throws(EMRTDError) -> Int {
        lock.lock()
        defer { lock.unlock() }
        try execute("BEGIN IMMEDIATE")
        do throws(EMRTDError) {
            let attempt = try count(personalID) + 1
            var statement: OpaquePointer?
            let sql = "INSERT INTO attempts (personal_id, attempt, time, reader, verdict, reasons) VALUES (?, ?, ?, ?, ?, ?)"
            guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
                throw EMRTDError(.auditLog, "audit log: \(String(cString: sqlite3_errmsg(db)))")
            }
            defer { sqlite3_finalize(statement) }
            let time = ISO8601DateFormatter().string(from: date)
            sqlite3_bind_text(statement, 1, personalID, -1, cccd_sqlite_transient())
            sqlite3_bind_int64(statement, 2, Int64(attempt))
            sqlite3_bind_text(statement, 3, time, -1, cccd_sqlite_transient())
            sqlite3_bind_text(statement, 4, reader, -1, cccd_sqlite_transient())
            sqlite3_bind_text(statement, 5, verdict, -1, cccd_sqlite_transient())
            sqlite3_bind_text(statement, 6, reasons, -1, cccd_sqlite_transient())
            guard sqlite3_step(statement) == SQLITE_DONE else {
                throw EMRTDError(.auditLog, "audit log: \(String(cString: sqlite3_errmsg(db)))")
            }
            try execute("COMMIT")
            return attempt
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func count(_ personalID: String) throws(EMRTDError) -> Int {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM attempts WHERE personal_id = ?", -1, &statement, nil) == SQLITE_OK,
              let statement
        else { throw EMRTDError(.auditLog, "audit log: \(String(cString: sqlite3_errmsg(db)))") }
        defer { sqlite3_finalize(statement) }
        sqlite3_bind_text(statement, 1, personalID, -1, cccd_sqlite_transient())
        guard sqlite3_step(statement) == SQLITE_ROW else { return 0 }
        return Int(sqlite3_column_int64(statement, 0))
    }

    /// Every row, in insertion order.
    public func rows() throws(EMRTDError) -> [Row] {
        lock.lock()
        defer { lock.unlock() }
        var statement: OpaquePointer?
        let sql = "SELECT personal_id, attempt, time, reader, verdict, reasons FROM attempts ORDER BY id"
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw EMRTDError(.auditLog, "audit log: \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { sqlite3_finalize(statement) }
        var out: [Row] = []
        func text(_ i: Int32) -> String { sqlite3_column_text(statement, i).map { String(cString: $0) } ?? "" }
        while sqlite3_step(statement) == SQLITE_ROW {
            out.append(Row(personalID: text(0), attempt: Int(sqlite3_column_int64(statement, 1)), time: text(2),
                           reader: text(3), verdict: text(4), reasons: text(5)))
        }
        return out
    }
}
