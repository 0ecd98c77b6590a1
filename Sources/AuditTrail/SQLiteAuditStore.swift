internal import CSQLite
public import EMRTDCore
import Foundation

/// An SQLite connection, used under one lock. WAL and `synchronous=FULL`: a row committed is on
/// disk, whatever kills the process next.
final class SQLiteConnection: @unchecked Sendable {
    private let db: OpaquePointer
    private let lock = NSRecursiveLock()
    let path: String

    init(path: String) throws(EMRTDError) {
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite3_close(handle) }
            throw EMRTDError(.auditStore, "cannot open \(path): \(message)")
        }
        db = handle
        self.path = path
        sqlite3_busy_timeout(db, 5000)
        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA synchronous=FULL")
    }

    deinit { sqlite3_close(db) }

    func withLock<T>(_ body: () throws(EMRTDError) -> T) throws(EMRTDError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    func execute(_ sql: String) throws(EMRTDError) {
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(error)
            throw EMRTDError(.auditStore, "\(path): \(message)")
        }
    }

    /// Runs `sql` with `parameters` bound as text (or NULL), returning every row's columns as text.
    @discardableResult
    func query(_ sql: String, _ parameters: [String?] = []) throws(EMRTDError) -> [[String]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw EMRTDError(.auditStore, "\(path): \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { sqlite3_finalize(statement) }
        for (i, p) in parameters.enumerated() {
            if let p { sqlite3_bind_text(statement, Int32(i + 1), p, -1, cccd_sqlite_transient()) } else { sqlite3_bind_null(statement, Int32(i + 1)) }
        }
        var rows: [[String]] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw EMRTDError(.auditStore, "\(path): \(String(cString: sqlite3_errmsg(db)))") }
            let n = sqlite3_column_count(statement)
            rows.append((0..<n).map { sqlite3_column_text(statement, $0).map { String(cString: $0) } ?? "" })
        }
        return rows
    }

    /// Rows changed by the last statement.
    var changes: Int { Int(sqlite3_changes(db)) }

    /// `body` in one transaction (BEGIN IMMEDIATE … COMMIT, ROLLBACK on error).
    func transaction<T>(_ body: () throws(EMRTDError) -> T) throws(EMRTDError) -> T {
        try withLock { () throws(EMRTDError) -> T in
            try execute("BEGIN IMMEDIATE")
            do throws(EMRTDError) {
                let value = try body()
                try execute("COMMIT")
                return value
            } catch {
                try? execute("ROLLBACK")
                throw error
            }
        }
    }
}

/// The audit in an SQLite file: a station's journal, or the audit of a center with one station.
public final class SQLiteAuditStore: AuditStore, @unchecked Sendable {
    let connection: SQLiteConnection

    /// Opens (creating when absent) the file at `path`; ``migrate()`` brings its schema up to date.
    public init(path: String) throws(EMRTDError) {
        connection = try SQLiteConnection(path: path)
    }

    /// The schema version recorded in `audit_schema` (0 for an empty database).
    public func schemaVersion() throws(EMRTDError) -> Int {
        try connection.withLock { () throws(EMRTDError) -> Int in
            try connection.execute(AuditMigrations.createSchemaTable)
            return Int(try connection.query("SELECT COALESCE(MAX(version), 0) FROM audit_schema").first?.first ?? "0") ?? 0
        }
    }

    /// Applies the missing migrations in order, each in its own transaction; returns the versions applied.
    @discardableResult
    public func migrate() throws(EMRTDError) -> [Int] {
        var applied: [Int] = []
        for migration in AuditMigrations.all {
            let done = try connection.transaction { () throws(EMRTDError) -> Bool in
                try connection.execute(AuditMigrations.createSchemaTable)
                let have = Int(try connection.query("SELECT COALESCE(MAX(version), 0) FROM audit_schema").first?.first ?? "0") ?? 0
                guard have < migration.version else { return false }
                for statement in migration.statements { try connection.execute(statement) }
                try connection.query("INSERT INTO audit_schema (version, description, applied_at) VALUES (?, ?, ?)",
                                     ["\(migration.version)", migration.description, AuditRow.timestamp(Date())])
                return true
            }
            if done { applied.append(migration.version) }
        }
        return applied
    }

    /// Adds `rows` in one transaction; a key already there with the same hash is skipped, with another a conflict.
    @discardableResult
    public func deliver(_ rows: [AuditRow]) throws(EMRTDError) -> Int {
        let insert = "INSERT OR IGNORE INTO audit_rows (\(AuditRow.columns.joined(separator: ", "))) VALUES ("
            + Array(repeating: "?", count: AuditRow.columns.count).joined(separator: ", ") + ")"
        return try connection.transaction { () throws(EMRTDError) -> Int in
            var added = 0
            for row in rows {
                try Self.checkIntegrity(row)
                try connection.query(insert, row.values)
                if connection.changes == 1 {
                    added += 1
                } else {
                    let stored = try connection.query("SELECT hash FROM audit_rows WHERE station = ? AND seq = ?", [row.station, "\(row.seq)"])
                    try Self.checkDuplicate(row, storedHash: stored.first?.first)
                }
            }
            return added
        }
    }

    /// Every row (of `station`, or of all), by station then seq.
    public func rows(station: String?) throws(EMRTDError) -> [AuditRow] {
        let select = "SELECT \(AuditRow.columns.joined(separator: ", ")) FROM audit_rows"
        let result = try connection.withLock { () throws(EMRTDError) -> [[String]] in
            if let station { return try connection.query(select + " WHERE station = ? ORDER BY seq", [station]) }
            return try connection.query(select + " ORDER BY station, seq")
        }
        return try result.map { (values: [String]) throws(EMRTDError) -> AuditRow in
            guard let row = AuditRow(values: values) else { throw EMRTDError(.auditStore, "\(connection.path): a row is malformed") }
            return row
        }
    }

    /// The last row of `station`.
    public func head(station: String) throws(EMRTDError) -> AuditRow? {
        let select = "SELECT \(AuditRow.columns.joined(separator: ", ")) FROM audit_rows WHERE station = ? ORDER BY seq DESC LIMIT 1"
        let result = try connection.withLock { () throws(EMRTDError) -> [[String]] in try connection.query(select, [station]) }
        return result.first.flatMap { AuditRow(values: $0) }
    }
}

extension SQLiteAuditStore {
    /// For a journal: how far delivery got, by station (empty for a file that is no journal).
    public func deliveredSeqs() throws(EMRTDError) -> [String: Int] {
        let rows = try connection.withLock { () throws(EMRTDError) -> [[String]] in
            let exists = try connection.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'journal_delivery'")
            return exists.isEmpty ? [] : try connection.query("SELECT station, seq FROM journal_delivery")
        }
        var out: [String: Int] = [:]
        for r in rows where r.count == 2 { out[r[0]] = Int(r[1]) ?? 0 }
        return out
    }
}
