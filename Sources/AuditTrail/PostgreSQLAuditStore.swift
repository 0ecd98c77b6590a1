internal import CPostgreSQL
public import EMRTDCore
import Foundation

/// One libpq connection, used under a lock, reconnected when the server went away. libpq is
/// synchronous, as the station's threads are.
final class PostgreSQLConnection: @unchecked Sendable {
    private var conn: OpaquePointer?
    private let lock = NSLock()
    private let url: String
    /// The URL without its password, for messages.
    let name: String

    /// A connection to `url`, opened now or, when `connectNow` is false, at the first statement.
    init(url: String, connectNow: Bool = true) throws(EMRTDError) {
        self.url = url
        name = AuditStores.redacted(url)
        if connectNow { try locked { () throws(EMRTDError) in try connectLocked() } }
    }

    deinit { if let conn { PQfinish(conn) } }

    private func locked<T>(_ body: () throws(EMRTDError) -> T) throws(EMRTDError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func connectLocked() throws(EMRTDError) {
        if let conn { PQfinish(conn) }
        conn = nil
        let fresh = PQconnectdb(url)
        guard let fresh, PQstatus(fresh) == CONNECTION_OK else {
            let message = fresh.map { Self.message(PQerrorMessage($0)) } ?? "out of memory"
            if let fresh { PQfinish(fresh) }
            throw EMRTDError(.auditStore, "cannot connect to \(name): \(message)")
        }
        conn = fresh
        // Notices (e.g. "relation already exists, skipping") are not for the operator.
        _ = PQexec(fresh, "SET client_min_messages = warning").map { PQclear($0) }
    }

    static func message(_ text: UnsafePointer<CChar>?) -> String {
        (text.map { String(cString: $0) } ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `sql` with text parameters ($1, $2 …), returning the rows as text. A connection found
    /// broken is re-opened once before the statement is given up.
    @discardableResult
    func query(_ sql: String, _ parameters: [String?] = []) throws(EMRTDError) -> [[String]] {
        try locked { () throws(EMRTDError) -> [[String]] in try queryLocked(sql, parameters) }
    }

    /// `body` (calling ``queryInTransaction(_:_:)``) inside BEGIN … COMMIT.
    func transaction<T>(_ body: (PostgreSQLConnection) throws(EMRTDError) -> T) throws(EMRTDError) -> T {
        try locked { () throws(EMRTDError) -> T in
            _ = try queryLocked("BEGIN", [])
            do throws(EMRTDError) {
                let value = try body(self)
                _ = try queryLocked("COMMIT", [], retry: false)
                return value
            } catch {
                _ = try? queryLocked("ROLLBACK", [], retry: false)
                throw error
            }
        }
    }

    /// A statement inside ``transaction(_:)`` (the lock is held; no reconnect: a broken connection
    /// aborts the transaction).
    @discardableResult
    func queryInTransaction(_ sql: String, _ parameters: [String?] = []) throws(EMRTDError) -> [[String]] {
        try queryLocked(sql, parameters, retry: false)
    }

    private func queryLocked(_ sql: String, _ parameters: [String?], retry: Bool = true) throws(EMRTDError) -> [[String]] {
        if conn == nil || PQstatus(conn) != CONNECTION_OK {
            guard retry else { throw EMRTDError(.auditStore, "\(name): the connection is lost") }
            try connectLocked()
        }
        var result = Self.exec(conn!, sql, parameters)
        if PQstatus(conn) != CONNECTION_OK && retry {
            if let result { PQclear(result) }
            try connectLocked()
            result = Self.exec(conn!, sql, parameters)
        }
        guard let result else { throw EMRTDError(.auditStore, "\(name): \(Self.message(PQerrorMessage(conn)))") }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw EMRTDError(.auditStore, "\(name): \(Self.message(PQresultErrorMessage(result)))")
        }
        var rows: [[String]] = []
        let n = PQntuples(result), m = PQnfields(result)
        rows.reserveCapacity(Int(n))
        for i in 0..<n {
            rows.append((0..<m).map { j in PQgetisnull(result, i, j) != 0 ? "" : String(cString: PQgetvalue(result, i, j)) })
        }
        return rows
    }

    private static func exec(_ conn: OpaquePointer, _ sql: String, _ parameters: [String?]) -> OpaquePointer? {
        guard !parameters.isEmpty else { return PQexec(conn, sql) }
        // strdup'd copies: libpq reads them during the call only.
        let copies = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        var pointers = copies.map { UnsafePointer<CChar>($0) }
        return pointers.withUnsafeMutableBufferPointer { buffer in
            PQexecParams(conn, sql, Int32(parameters.count), nil, buffer.baseAddress, nil, nil, 0)
        }
    }
}

/// The audit of a center in PostgreSQL: every station's rows in one table, one chain per station.
public final class PostgreSQLAuditStore: AuditStore, @unchecked Sendable {
    let connection: PostgreSQLConnection

    /// Connects to `url` (a libpq URI: `postgresql://user@host:port/db`), now or, when `connectNow`
    /// is false (a station that must start while the server is away), at the first statement.
    public init(url: String, connectNow: Bool = true) throws(EMRTDError) {
        connection = try PostgreSQLConnection(url: url, connectNow: connectNow)
    }

    /// The schema version recorded in `audit_schema` (0 for an empty database).
    public func schemaVersion() throws(EMRTDError) -> Int {
        let exists = try connection.query("SELECT to_regclass('audit_schema') IS NOT NULL")
        guard exists.first?.first == "t" else { return 0 }
        return Int(try connection.query("SELECT COALESCE(MAX(version), 0) FROM audit_schema").first?.first ?? "0") ?? 0
    }

    /// Applies the missing migrations in order, each in its own transaction; returns the versions applied.
    @discardableResult
    public func migrate() throws(EMRTDError) -> [Int] {
        var applied: [Int] = []
        for migration in AuditMigrations.all {
            let done = try connection.transaction { (c: PostgreSQLConnection) throws(EMRTDError) -> Bool in
                // One migrator at a time across the center (a transaction-scoped advisory lock).
                try c.queryInTransaction("SELECT pg_advisory_xact_lock(7301929)")
                try c.queryInTransaction(AuditMigrations.createSchemaTable)
                let have = Int(try c.queryInTransaction("SELECT COALESCE(MAX(version), 0) FROM audit_schema").first?.first ?? "0") ?? 0
                guard have < migration.version else { return false }
                for statement in migration.statements { try c.queryInTransaction(statement) }
                try c.queryInTransaction("INSERT INTO audit_schema (version, description, applied_at) VALUES ($1, $2, $3)",
                                         ["\(migration.version)", migration.description, AuditRow.timestamp(Date())])
                return true
            }
            if done { applied.append(migration.version) }
        }
        return applied
    }

    /// Refuses to write into a schema this program does not know (older: migrate; newer: upgrade).
    public func requireCurrentSchema() throws(EMRTDError) {
        let version = try schemaVersion()
        guard version == AuditMigrations.latest else {
            throw EMRTDError(.auditSchema, version < AuditMigrations.latest
                ? "\(connection.name) is at schema version \(version), this program writes \(AuditMigrations.latest): run cccd audit migrate --db URL"
                : "\(connection.name) is at schema version \(version), newer than this program's \(AuditMigrations.latest): upgrade cccd")
        }
    }

    /// Adds `rows` in one transaction; a key already there with the same hash is skipped, with another a conflict.
    @discardableResult
    public func deliver(_ rows: [AuditRow]) throws(EMRTDError) -> Int {
        guard !rows.isEmpty else { return 0 }
        let placeholders = (1...AuditRow.columns.count).map { "$\($0)" }.joined(separator: ", ")
        let insert = "INSERT INTO audit_rows (\(AuditRow.columns.joined(separator: ", "))) VALUES (\(placeholders)) "
            + "ON CONFLICT (station, seq) DO NOTHING RETURNING 1"
        return try connection.transaction { (c: PostgreSQLConnection) throws(EMRTDError) -> Int in
            var added = 0
            for row in rows {
                try Self.checkIntegrity(row)
                if try c.queryInTransaction(insert, row.values).isEmpty {
                    let stored = try c.queryInTransaction("SELECT hash FROM audit_rows WHERE station = $1 AND seq = $2", [row.station, "\(row.seq)"])
                    try Self.checkDuplicate(row, storedHash: stored.first?.first)
                } else {
                    added += 1
                }
            }
            return added
        }
    }

    /// Every row (of `station`, or of all), by station then seq.
    public func rows(station: String?) throws(EMRTDError) -> [AuditRow] {
        let select = "SELECT \(AuditRow.columns.joined(separator: ", ")) FROM audit_rows"
        let result: [[String]]
        if let station {
            result = try connection.query(select + " WHERE station = $1 ORDER BY seq", [station])
        } else {
            result = try connection.query(select + " ORDER BY station, seq")
        }
        return try result.map { (values: [String]) throws(EMRTDError) -> AuditRow in
            guard let row = AuditRow(values: values) else { throw EMRTDError(.auditStore, "\(connection.name): a row is malformed") }
            return row
        }
    }

    /// The last row of `station`.
    public func head(station: String) throws(EMRTDError) -> AuditRow? {
        let select = "SELECT \(AuditRow.columns.joined(separator: ", ")) FROM audit_rows WHERE station = $1 ORDER BY seq DESC LIMIT 1"
        return try connection.query(select, [station]).first.flatMap { AuditRow(values: $0) }
    }
}
