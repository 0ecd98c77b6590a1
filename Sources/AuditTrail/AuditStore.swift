public import EMRTDCore
import Foundation

/// Where audit rows are kept: an SQLite file (a station's journal, or the whole audit of a small
/// center) or a PostgreSQL database (one audit for many stations). Rows are only ever added.
public protocol AuditStore: AnyObject, Sendable {
    /// The schema version the store is at (0: empty).
    func schemaVersion() throws(EMRTDError) -> Int
    /// Applies the migrations the store lacks, in order, each in its own transaction; returns the
    /// versions applied. Safe to run from several machines at once (PostgreSQL: an advisory lock).
    @discardableResult func migrate() throws(EMRTDError) -> [Int]
    /// Adds `rows` in order, in one transaction. A row whose key (station, seq) is already there with
    /// the same hash is skipped (delivery is idempotent); with another hash it is a conflict.
    /// Returns how many rows were new.
    @discardableResult func deliver(_ rows: [AuditRow]) throws(EMRTDError) -> Int
    /// Every row (of `station`, or of all), by station then seq.
    func rows(station: String?) throws(EMRTDError) -> [AuditRow]
    /// The last row of `station`.
    func head(station: String) throws(EMRTDError) -> AuditRow?
}

/// The audit schema's versions. Each migration is applied once, in order, and recorded in
/// `audit_schema` (version, description, time).
enum AuditMigrations {
    struct Migration {
        let version: Int
        let description: String
        /// The statements, with `BIGINT`/`TEXT` types both SQLite and PostgreSQL take.
        let statements: [String]
    }

    static let all: [Migration] = [
        Migration(version: 1, description: "audit rows, chained by hash per station", statements: [
            """
            CREATE TABLE audit_rows (
              station TEXT NOT NULL, seq BIGINT NOT NULL, reader TEXT NOT NULL, operator TEXT NOT NULL,
              batch TEXT NOT NULL, record_id TEXT NOT NULL, attempt BIGINT NOT NULL, inserted_at TEXT NOT NULL,
              read_at TEXT NOT NULL, verified_at TEXT NOT NULL, atr TEXT NOT NULL, document_number TEXT NOT NULL,
              sod_sha256 TEXT NOT NULL, dsc_subject TEXT NOT NULL, dsc_serial TEXT NOT NULL, verdict TEXT NOT NULL,
              reasons TEXT NOT NULL, apdus BIGINT NOT NULL, millis BIGINT NOT NULL, prev_hash TEXT NOT NULL,
              hash TEXT NOT NULL,
              PRIMARY KEY (station, seq))
            """,
        ]),
        Migration(version: 2, description: "index by insertion time (reports by day)", statements: [
            "CREATE INDEX audit_rows_inserted_at ON audit_rows (inserted_at)",
        ]),
    ]

    static var latest: Int { all.last!.version }

    static let createSchemaTable =
        "CREATE TABLE IF NOT EXISTS audit_schema (version BIGINT PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)"
}

/// Opens a store by its location: `postgresql://…` (or `postgres://…`, a libpq connection URI; the
/// password best in `PGPASSWORD` or `~/.pgpass`, never on a command line), else an SQLite file path.
public enum AuditStores {
    /// Whether `location` names a PostgreSQL database.
    public static func isPostgreSQL(_ location: String) -> Bool {
        location.hasPrefix("postgresql://") || location.hasPrefix("postgres://")
    }

    /// The store at `location`; an SQLite file is created and migrated when new.
    public static func open(_ location: String) throws(EMRTDError) -> any AuditStore {
        if isPostgreSQL(location) { return try PostgreSQLAuditStore(url: location) }
        let store = try SQLiteAuditStore(path: location)
        try store.migrate()
        return store
    }

    /// `location` with any password removed, for messages.
    public static func redacted(_ location: String) -> String {
        guard isPostgreSQL(location), let at = location.range(of: "@"), let scheme = location.range(of: "://") else { return location }
        let userinfo = location[scheme.upperBound..<at.lowerBound]
        guard let colon = userinfo.firstIndex(of: ":") else { return location }
        return String(location[..<colon]) + ":***" + String(location[at.lowerBound...])
    }
}

/// Shared by the stores: the INSERT of a row and what to do when its key is taken.
extension AuditStore {
    /// Refuses a row whose content does not give its hash (corrupted on the way, or forged).
    static func checkIntegrity(_ row: AuditRow) throws(EMRTDError) {
        guard row.computedHash == row.hash else {
            throw EMRTDError(.auditConflict, "station \(row.station), row \(row.seq): its content does not give its hash; refused")
        }
    }

    /// Checks that the row already stored under `row`'s key is `row` itself.
    static func checkDuplicate(_ row: AuditRow, storedHash: String?) throws(EMRTDError) {
        guard let storedHash else { return }
        guard storedHash == row.hash else {
            throw EMRTDError(.auditConflict,
                "station \(row.station), row \(row.seq) is already in the audit with other content (two stations with one name?)")
        }
    }
}
