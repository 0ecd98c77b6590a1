public import EMRTDCore
import Cryptography
public import Foundation

extension EMRTDError.Code {
    /// The audit store could not be opened, migrated, read or written.
    public static let auditStore = Self("audit.store")
    /// The audit store's schema is older or newer than this program's (`cccd audit migrate`).
    public static let auditSchema = Self("audit.schema")
    /// A row delivered twice under one key with different content (two stations sharing a name).
    public static let auditConflict = Self("audit.conflict")
}

/// One card insertion at a QA station, as the audit keeps it. No holder name, address or photo:
/// personal data stays on the card and in the record source. The row is chained to the previous
/// row of its station: `hash` = SHA-256 of the row's canonical form (every field but `hash`, the
/// previous row's hash included), so an edited, deleted or reordered row breaks the chain where it is.
public struct AuditRow: Codable, Sendable, Hashable {
    /// The station's name (unique in a center).
    public var station: String
    /// The row's place in its station's chain: 1, 2, 3 … with no gap. With `station`, the row's key
    /// (delivery is idempotent on it).
    public var seq: Int
    /// The PC/SC reader.
    public var reader: String
    /// Who ran the station.
    public var `operator`: String
    /// The batch of records the card belongs to.
    public var batch: String
    /// The citizen record's ID (a CCCD's 12-digit personal ID), or "" when no record was found.
    public var recordID: String
    /// Which insertion of this record it was at this station: 1 for the first.
    public var attempt: Int
    /// When the card was inserted (ISO 8601, UTC, milliseconds).
    public var insertedAt: String
    /// When the read ended; "" when it failed.
    public var readAt: String
    /// When the verification ended; "" when the read failed.
    public var verifiedAt: String
    /// The card's answer to reset, hex.
    public var atr: String
    /// The document number of DG1, "" when not read.
    public var documentNumber: String
    /// SHA-256 of EF.SOD as read, hex; "" when not read.
    public var sodSHA256: String
    /// The Document Signer certificate's subject, "" when unknown.
    public var dscSubject: String
    /// The Document Signer certificate's serial number (hex), "" when unknown.
    public var dscSerial: String
    /// `genuine`, `not-genuine`, `unverified`, or `error` (the card could not be read).
    public var verdict: String
    /// The codes of what kept the card from `genuine` ("pa.dg-mismatch", "record.failed" …), joined by ",".
    public var reasons: String
    /// APDUs exchanged with the card.
    public var apdus: Int
    /// Milliseconds from insertion to verdict.
    public var millis: Int
    /// The previous row's `hash` (64 zeros for a station's first row).
    public var prevHash: String
    /// SHA-256 of ``canonicalBytes``, hex.
    public var hash: String

    /// A station's first `prevHash`.
    public static let genesis = String(repeating: "0", count: 64)

    /// A row with every field given; `prevHash` and `hash` are set by ``chained(after:)``.
    public init(
        station: String, seq: Int = 0, reader: String, operator: String, batch: String, recordID: String, attempt: Int,
        insertedAt: String, readAt: String, verifiedAt: String, atr: String, documentNumber: String, sodSHA256: String,
        dscSubject: String, dscSerial: String, verdict: String, reasons: String, apdus: Int, millis: Int,
        prevHash: String = "", hash: String = ""
    ) {
        self.station = station
        self.seq = seq
        self.reader = reader
        self.operator = `operator`
        self.batch = batch
        self.recordID = recordID
        self.attempt = attempt
        self.insertedAt = insertedAt
        self.readAt = readAt
        self.verifiedAt = verifiedAt
        self.atr = atr
        self.documentNumber = documentNumber
        self.sodSHA256 = sodSHA256
        self.dscSubject = dscSubject
        self.dscSerial = dscSerial
        self.verdict = verdict
        self.reasons = reasons
        self.apdus = apdus
        self.millis = millis
        self.prevHash = prevHash
        self.hash = hash
    }

    /// The bytes the hash covers: every field but `hash`, as JSON with sorted keys and no spaces
    /// (integers and strings only, so every store gives back the same bytes).
    public var canonicalBytes: [UInt8] {
        var copy = self
        copy.hash = ""
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(copy)) ?? Data())
    }

    /// The hash this row's content gives.
    public var computedHash: String { HashAlgorithm.sha256.hash(canonicalBytes).hex.lowercased() }

    /// This row as the next of its station: `seq` after `previous`'s, chained to its hash.
    public func chained(after previous: AuditRow?) -> AuditRow {
        var row = self
        row.seq = (previous?.seq ?? 0) + 1
        row.prevHash = previous?.hash ?? Self.genesis
        row.hash = row.computedHash
        return row
    }

    /// A time as the audit writes it: ISO 8601, UTC, milliseconds.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// The columns, in the stores' order (snake case).
    static let columns = [
        "station", "seq", "reader", "operator", "batch", "record_id", "attempt", "inserted_at", "read_at", "verified_at",
        "atr", "document_number", "sod_sha256", "dsc_subject", "dsc_serial", "verdict", "reasons", "apdus", "millis",
        "prev_hash", "hash",
    ]

    /// The values in ``columns``' order, as text.
    var values: [String] {
        [station, "\(seq)", reader, `operator`, batch, recordID, "\(attempt)", insertedAt, readAt, verifiedAt, atr, documentNumber,
         sodSHA256, dscSubject, dscSerial, verdict, reasons, "\(apdus)", "\(millis)", prevHash, hash]
    }

    /// A row from values in ``columns``' order; nil when a number is not one.
    init?(values v: [String]) {
        guard v.count == Self.columns.count, let seq = Int(v[1]), let attempt = Int(v[6]), let apdus = Int(v[17]),
              let millis = Int(v[18]) else { return nil }
        self.init(
            station: v[0], seq: seq, reader: v[2], operator: v[3], batch: v[4], recordID: v[5], attempt: attempt, insertedAt: v[7],
            readAt: v[8], verifiedAt: v[9], atr: v[10], documentNumber: v[11], sodSHA256: v[12], dscSubject: v[13], dscSerial: v[14],
            verdict: v[15], reasons: v[16], apdus: apdus, millis: millis, prevHash: v[19], hash: v[20])
    }
}

/// What ``AuditChain/verify(_:)`` found wrong with a row, naming it.
public struct AuditProblem: Sendable, Hashable, CustomStringConvertible {
    /// The station whose chain is broken.
    public var station: String
    /// The row (its `seq`) where the chain breaks.
    public var seq: Int
    /// What is wrong, for a person.
    public var what: String

    /// "station S, row N: what".
    public var description: String { "station \(station), row \(seq): \(what)" }
}

/// The hash chains of an audit.
public enum AuditChain {
    /// Checks every station's chain: rows 1…n with no gap, each row's `prevHash` the previous row's
    /// `hash`, and each `hash` what the row's content gives. An edited row fails its hash; a deleted
    /// row leaves a gap and breaks the next row's link; reordered rows fail their hashes (`seq` is
    /// hashed). A deleted last row is seen only against the station's journal (its head).
    public static func verify(_ rows: [AuditRow]) -> [AuditProblem] {
        var problems: [AuditProblem] = []
        let byStation = Dictionary(grouping: rows, by: \.station)
        for station in byStation.keys.sorted() {
            let chain = byStation[station]!.sorted { $0.seq < $1.seq }
            var previous: AuditRow?
            var expected = 1
            for row in chain {
                if row.seq != expected {
                    let missing = row.seq > expected
                        ? (row.seq - 1 == expected ? "row \(expected) is missing (deleted)" : "rows \(expected)–\(row.seq - 1) are missing (deleted)")
                        : "a second row numbered \(row.seq)"
                    problems.append(AuditProblem(station: station, seq: row.seq, what: missing))
                }
                if row.computedHash != row.hash {
                    problems.append(AuditProblem(station: station, seq: row.seq, what: "its content does not give its hash (edited or moved)"))
                }
                let link = previous?.hash ?? AuditRow.genesis
                if row.prevHash != link && (previous == nil || previous!.seq == row.seq - 1) {
                    problems.append(AuditProblem(station: station, seq: row.seq, what: "it does not link to the row before it (a row was changed, removed or put in its place)"))
                }
                previous = row
                expected = row.seq + 1
            }
        }
        return problems
    }

    /// Holds the audit against a station's journal: every row the journal says it delivered must be
    /// in the audit with the same hash (this is what finds a deleted last row).
    public static func compare(_ audit: [AuditRow], journal: [AuditRow], delivered: [String: Int], journalName: String) -> [AuditProblem] {
        let stored = Dictionary(audit.map { ("\($0.station)#\($0.seq)", $0.hash) }, uniquingKeysWith: { a, _ in a })
        var problems: [AuditProblem] = []
        for row in journal where row.seq <= (delivered[row.station] ?? 0) {
            switch stored["\(row.station)#\(row.seq)"] {
            case nil: problems.append(AuditProblem(station: row.station, seq: row.seq, what: "delivered from \(journalName) but not in the audit (deleted)"))
            case let hash? where hash != row.hash:
                problems.append(AuditProblem(station: row.station, seq: row.seq, what: "differs from the journal \(journalName)"))
            default: break
            }
        }
        return problems
    }
}
