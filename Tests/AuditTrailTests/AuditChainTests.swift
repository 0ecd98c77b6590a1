import AuditTrail
import EMRTDCore
import Foundation
import Testing

@Suite("The audit's hash chains, stores and journal")
struct AuditChainTests {
    static func row(_ i: Int, station: String = "s1") -> AuditRow {
        AuditRow(
            station: station, reader: "Virtual PCD 00 00", operator: "op", batch: "b", recordID: String(format: "079195%06d", i), attempt: 1,
            insertedAt: "2026-12-07T09:00:0\(i % 10).000Z", readAt: "2026-12-07T09:00:0\(i % 10).500Z", verifiedAt: "2026-12-07T09:00:0\(i % 10).600Z",
            atr: "3b88", documentNumber: "19500\(i)", sodSHA256: String(repeating: "a", count: 64), dscSubject: "CN=DS", dscSerial: "01",
            verdict: i == 2 ? "not-genuine" : "genuine", reasons: i == 2 ? "pa.dg-mismatch" : "", apdus: 40, millis: 600 + i)
    }

    static func chain(_ n: Int, station: String = "s1") -> [AuditRow] {
        var out: [AuditRow] = []
        for i in 1...n { out.append(row(i, station: station).chained(after: out.last)) }
        return out
    }

    @Test("An intact chain verifies; the first row links to 64 zeros")
    func intact() {
        let rows = Self.chain(5) + Self.chain(3, station: "s2")
        #expect(AuditChain.verify(rows).isEmpty)
        #expect(rows[0].prevHash == String(repeating: "0", count: 64) && rows[1].prevHash == rows[0].hash)
        #expect(rows.map(\.seq) == [1, 2, 3, 4, 5, 1, 2, 3])
    }

    @Test("An edited, a deleted and a reordered row are each named")
    func tampering() {
        var edited = Self.chain(5)
        edited[2].verdict = "error"
        #expect(AuditChain.verify(edited).map(\.description) == ["station s1, row 3: its content does not give its hash (edited or moved)"])

        var deleted = Self.chain(5)
        deleted.remove(at: 1)
        #expect(AuditChain.verify(deleted).map(\.description) == ["station s1, row 3: row 2 is missing (deleted)"])

        var swapped = Self.chain(5)
        (swapped[1].seq, swapped[2].seq) = (swapped[2].seq, swapped[1].seq)
        let problems = AuditChain.verify(swapped)
        #expect(Set(problems.map(\.seq)) == [2, 3, 4], "\(problems)")

        let journal = Self.chain(5)
        let lastDeleted = Array(journal.dropLast())
        #expect(AuditChain.verify(lastDeleted).isEmpty)
        #expect(AuditChain.compare(lastDeleted, journal: journal, delivered: ["s1": 5], journalName: "j").map(\.description)
            == ["station s1, row 5: delivered from j but not in the audit (deleted)"])
    }

    @Test("SQLite store: migrations once, delivery idempotent, another row under a taken key is a conflict")
    func store() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SQLiteAuditStore(path: dir + "/a.sqlite")
        #expect(try store.migrate() == [1, 2])
        #expect(try store.migrate() == [])
        #expect(try store.schemaVersion() == 2)
        let rows = Self.chain(4)
        #expect(try store.deliver(rows) == 4)
        #expect(try store.deliver(rows) == 0)
        #expect(try store.rows(station: "s1") == rows)
        var corrupted = rows[1]
        corrupted.verdict = "error"
        #expect(throws: EMRTDError(.auditConflict, "")) { try store.deliver([corrupted]) }
        // Another station under the same name: its own chain, so another hash under a taken key.
        var other = Self.row(9).chained(after: rows[0])
        other.station = "s1"
        other.hash = other.computedHash
        #expect(throws: EMRTDError(.auditConflict, "")) { try store.deliver([other]) }
    }

    @Test("The journal keeps rows while the central store is away and delivers each once, in order")
    func journal() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The "central store" is a path that cannot be opened yet: a directory that does not exist.
        let central = FlakyStore(path: dir + "/central.sqlite")
        let journal = try AuditJournal(path: dir + "/journal.sqlite", station: "s1", central: central)
        for i in 1...5 { try journal.append(Self.row(i)) }
        #expect(!journal.flush(timeout: 0.5))
        #expect(journal.pending == 5)
        central.up = true
        #expect(journal.flush(timeout: 10))
        for i in 6...7 { try journal.append(Self.row(i)) }
        #expect(journal.flush(timeout: 10))
        journal.close()
        let delivered = try central.rows(station: nil)
        #expect(delivered.map(\.seq) == Array(1...7))
        #expect(AuditChain.verify(delivered).isEmpty)
        // A journal reopened delivers nothing twice.
        central.up = true
        let reopened = try AuditJournal(path: dir + "/journal.sqlite", station: "s1", central: central)
        try reopened.append(Self.row(8))
        #expect(reopened.flush(timeout: 10))
        reopened.close()
        #expect(try central.rows(station: nil).map(\.seq) == Array(1...8))
        #expect(try reopened.attempts(of: Self.row(1).recordID) == 1)
    }
}

/// An SQLite store that refuses every call until `up`.
final class FlakyStore: AuditStore, @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    private var store: SQLiteAuditStore?
    private var _up = false
    var up: Bool {
        get { lock.withLock { _up } }
        set { lock.withLock { _up = newValue } }
    }

    init(path: String) { self.path = path }

    private func open() throws(EMRTDError) -> SQLiteAuditStore {
        guard up else { throw EMRTDError(.auditStore, "down") }
        if let store { return store }
        let s = try SQLiteAuditStore(path: path)
        try s.migrate()
        store = s
        return s
    }

    func schemaVersion() throws(EMRTDError) -> Int { try open().schemaVersion() }
    func migrate() throws(EMRTDError) -> [Int] { try open().migrate() }
    func deliver(_ rows: [AuditRow]) throws(EMRTDError) -> Int { try open().deliver(rows) }
    func rows(station: String?) throws(EMRTDError) -> [AuditRow] { try open().rows(station: station) }
    func head(station: String) throws(EMRTDError) -> AuditRow? { try open().head(station: station) }
}
