import AccessControl
public import AuditTrail
import EMRTD
public import Inspection
import Cryptography
public import Messages
import EMRTDCore
import Foundation
import LDS
public import PassiveAuthentication
import PCSC
public import Personalization

/// The QA station of an issuance center: it watches a bench of readers at once and, for every card
/// inserted, takes the citizen's record (the next pending one, or the ID a barcode scanner typed),
/// reads the card with the record's CAN, runs every check and the record comparison, and appends
/// one row to the audit log. Cards on different readers are handled concurrently.
///
/// `@unchecked Sendable`: the reader threads share it; every `var` is read and written under `lock`
/// only (`outcomes` also in `init`, before the station is shared), and every `let` is `Sendable`.
public final class Station: @unchecked Sendable {
    /// One card of the batch: the citizen's record and the portrait it must carry.
    public struct Entry: Sendable {
        /// The record the chip must match; its personal ID gives the CAN.
        public let record: CitizenRecord
        /// The portrait DG2's face image must be, byte for byte; nil leaves DG2 unchecked.
        public let photo: [UInt8]?
        /// An entry for `record`, with `photo` to compare DG2 with.
        public init(record: CitizenRecord, photo: [UInt8]?) {
            self.record = record
            self.photo = photo
        }
    }

    /// What the batch looks like: records that passed, failed (with the last reasons), and pending.
    public struct Summary: Sendable {
        /// Personal IDs whose last attempt was genuine.
        public var passed: [String] = []
        /// Personal IDs whose last attempt was not genuine, each with "verdict: reasons".
        public var failed: [(id: String, reasons: String)] = []
        /// Personal IDs with no attempt yet.
        public var pending: [String] = []
    }

    /// Who runs the station and on what: written into every audit row.
    public struct Identity: Sendable {
        /// The operator's name.
        public var `operator`: String
        /// The batch's name (the records file, by default).
        public var batch: String
        /// `operator` running `batch`.
        public init(operator: String, batch: String) {
            self.operator = `operator`
            self.batch = batch
        }
    }

    /// What happens at the readers, for a live view (the dashboard): no holder data, record IDs only.
    public enum Event: Sendable {
        /// The reader is watched and holds no card.
        case waiting(reader: String)
        /// A card is being read against the record `recordID`.
        case reading(reader: String, recordID: String)
        /// A card was read, verified and logged: its audit row.
        case finished(reader: String, row: AuditRow)
        /// A card came with no record to check it against.
        case noRecord(reader: String)
        /// The reader (or pcscd) is gone; the station retries.
        case lost(reader: String)
    }

    private let entries: [Entry]
    private let trust: TrustStore
    private let observer: (@Sendable (Event) -> Void)?
    private let log: AuditJournal
    private let identity: Identity
    private let inOrder: Bool
    /// The language of what the operator reads (the audit log keeps English codes).
    private let messages: Messages
    private let output: @Sendable (String) -> Void
    private let lock = NSLock()
    private var nextIndex = 0
    private var scanned: [String] = []
    private var handled = 0
    private var outcomes: [String: (verdict: String, reasons: String)] = [:]
    private var stopRequested = false

    /// A station for the batch `entries`, checking against `trust` and writing one audit row per card
    /// to `log` (its journal, delivered to the center's store when there is one). With `inOrder` each
    /// card inserted takes the next record not yet genuine; without, the ID scanned by ``scan(_:)``.
    /// `output` gets one line per event, `observer` each ``Event``. What the journal already holds for
    /// the batch counts: a restarted station goes on where it stopped.
    public init(
        entries: [Entry], trust: TrustStore, log: AuditJournal, identity: Identity, inOrder: Bool,
        messages: Messages = Messages(.english), observer: (@Sendable (Event) -> Void)? = nil,
        output: @escaping @Sendable (String) -> Void
    ) {
        self.observer = observer
        self.messages = messages
        self.entries = entries
        self.trust = trust
        self.log = log
        self.identity = identity
        self.inOrder = inOrder
        self.output = output
        // A restarted station goes on with the batch: what the journal already says counts (the last attempt wins).
        let batch = Set(entries.map(\.record.personalID))
        for row in (try? log.rows()) ?? [] where batch.contains(row.recordID) {
            outcomes[row.recordID] = (row.verdict, row.reasons)
        }
    }

    /// An ID typed by the barcode scanner for the next card inserted.
    public func scan(_ id: String) {
        lock.withLock { scanned.append(id.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Cards handled so far.
    public var cardsHandled: Int { lock.withLock { handled } }

    /// Ends ``run(readers:shouldStop:)`` (from any thread): each reader stops watching within a
    /// quarter of a second, or once the card it is reading is done.
    public func stop() {
        lock.withLock { stopRequested = true }
    }

    /// Watches `readers` (one thread each) until `shouldStop` says so or ``stop()`` is called.
    public func run(readers: [String], shouldStop: @escaping @Sendable () -> Bool) {
        let group = DispatchGroup()
        let stopping: @Sendable () -> Bool = { [self] in lock.withLock { stopRequested } || shouldStop() }
        for reader in readers {
            group.enter()
            let thread = Thread { [self] in
                watch(reader, shouldStop: stopping)
                group.leave()
            }
            thread.start()
        }
        group.wait()
    }

    private func watch(_ reader: String, shouldStop: @Sendable () -> Bool) {
        var context: PCSCContext? = nil
        var known: [PCSCContext.ReaderState] = []
        var present = false
        var lost: String? = nil
        while !shouldStop() {
            do throws(EMRTDError) {
                guard let current = context else {
                    // (Re)connect to pcscd: at start, and after it went away or the reader was unplugged.
                    let fresh = try PCSCContext()
                    known = try fresh.states([reader])
                    context = fresh
                    if lost != nil { output(messages.format(.stationBack, reader)) }
                    lost = nil
                    let now = known.first?.cardPresent ?? false
                    if !now { observer?(.waiting(reader: reader)) }
                    if now && !present { handleCard(reader, fresh, atr: known.first?.atr ?? []) }
                    present = now
                    continue
                }
                known = try current.waitForChange([reader], from: known, timeoutMilliseconds: 250)
                let now = known.first?.cardPresent ?? false
                if now && !present { handleCard(reader, current, atr: known.first?.atr ?? []) }
                if !now && present { observer?(.waiting(reader: reader)) }
                present = now
            } catch {
                if error.code == .pcscTimeout { continue }
                // Anything else (pcscd stopped, the reader unplugged) would fail again at once: say so
                // once, drop the context, and retry twice a second instead of spinning.
                if lost == nil {
                    output(messages.format(.stationRetrying, reader, error.message))
                    observer?(.lost(reader: reader))
                }
                lost = error.message
                context = nil
                present = false
                usleep(500_000)
            }
        }
    }

    /// The record for the card just inserted: the next pending one, or the one the scanner named.
    private func takeEntry() -> Entry? {
        lock.withLock {
            if inOrder {
                while nextIndex < entries.count {
                    let entry = entries[nextIndex]
                    nextIndex += 1
                    if outcomes[entry.record.personalID]?.verdict != Verdict.genuine.rawValue { return entry }
                }
                return nil
            }
            guard !scanned.isEmpty else { return nil }
            let id = scanned.removeFirst()
            return entries.first { $0.record.personalID == id }
        }
    }

    private func handleCard(_ reader: String, _ context: PCSCContext, atr: [UInt8]) {
        let inserted = Date()
        guard let entry = takeEntry() else {
            output(messages.format(.stationNoRecord, reader))
            observer?(.noRecord(reader: reader))
            return
        }
        let id = entry.record.personalID
        output(messages.format(.stationReading, reader, id))
        observer?(.reading(reader: reader, recordID: id))
        var row = AuditRow(
            station: log.station, reader: reader, operator: identity.operator, batch: identity.batch, recordID: id, attempt: 0,
            insertedAt: AuditRow.timestamp(inserted), readAt: "", verifiedAt: "", atr: atr.hex, documentNumber: "", sodSHA256: "",
            dscSubject: "", dscSerial: "", verdict: "error", reasons: "", apdus: 0, millis: 0)
        var reasons = ""
        do {
            let inspection = try inspect(reader, context, entry)
            let verification = inspection.verification
            let report = inspection.report
            let verified = Date()
            row.verdict = verification.verdict.rawValue
            row.reasons = Self.reasonCodes(report.checks).joined(separator: ",")
            row.verifiedAt = AuditRow.timestamp(verified)
            let verifying = report.stats.phases["verification"]?.seconds ?? 0
            row.readAt = AuditRow.timestamp(verified.addingTimeInterval(-verifying))
            row.documentNumber = report.holder.documentNumber ?? ""
            row.sodSHA256 = inspection.files[.sod].map { HashAlgorithm.sha256.hash($0).hex.lowercased() } ?? ""
            if let signer = verification.passive.signer {
                row.dscSubject = "\(signer.subject)"
                row.dscSerial = signer.serialNumber.hex.lowercased()
            }
            row.apdus = report.stats.total.apdus
            reasons = verification.reasons.joined(separator: "; ")
        } catch {
            row.reasons = error.code.rawValue
            reasons = "\(error.message) [\(error.code)]"
        }
        row.millis = Int(Date().timeIntervalSince(inserted) * 1000)
        do {
            row.attempt = try log.attempts(of: id) + 1
            let written = try log.append(row)
            observer?(.finished(reader: reader, row: written))
            lock.withLock {
                handled += 1
                outcomes[id] = (row.verdict, row.reasons)
            }
            output(messages.format(.stationAttempt, reader, id, "\(row.attempt)", messages.verdictWord(row.verdict) + (reasons.isEmpty ? "" : " — " + reasons)))
        } catch {
            output(messages.format(.stationAuditFailed, reader, id, error.message))
        }
    }

    /// The codes of what kept a card from genuine, as the audit keeps them: each check that did not
    /// pass, by its code (`pa.dg-mismatch`, `chip.failed`, `record.failed`, `lds.read-failed` …).
    public static func reasonCodes(_ checks: VerificationReport) -> [String] {
        var codes: [String] = []
        if checks.passive.status != "passed" { codes.append(checks.passive.code ?? "passive." + checks.passive.status) }
        if let cs = checks.passive.cardSecurity, cs.status != "passed" { codes.append(cs.code ?? "card-security." + cs.status) }
        if let files = checks.files, files.status != "passed" { codes.append(files.code ?? "files." + files.status) }
        for (name, check) in [("chip", checks.chip), ("active", checks.active)] where check.status == "failed" {
            codes.append(check.code ?? name + ".failed")
        }
        if let record = checks.record, record.status != "passed" { codes.append(record.code ?? "record." + record.status) }
        return codes
    }

    /// Reads the card with its record's CAN and checks it against the record, on a connection with a
    /// PC/SC context of its own (the watch's context stays free: see `PCSCCard`). A PC/SC transport
    /// failure (not an answer of the card: a reset by another program, a reader or driver glitch)
    /// gets one more try after reconnecting, so a glitch is not logged as a failed card; whatever
    /// the card itself answers is final.
    private func inspect(_ reader: String, _ context: PCSCContext, _ entry: Entry) throws(EMRTDError) -> Inspection {
        let card = try context.connect(reader)
        defer { card.disconnect() }
        var inspector = Inspector()
        inspector.reconnectAfter = [.pcscFailure]
        inspector.onReconnect = { [output, messages] error in
            output(messages.format(.stationReadingAgain, reader, error.message))
            usleep(200_000)
        }
        return try inspector.inspect(
            card, key: .can(SecretBytes(utf8: String(entry.record.personalID.suffix(6)))), trust: trust,
            expected: (entry.record, entry.photo), source: reader)
    }

    /// The batch as it stands: every entry by the verdict of its last attempt.
    public func summary() -> Summary {
        lock.withLock {
            var s = Summary()
            for entry in entries {
                let id = entry.record.personalID
                switch outcomes[id] {
                case nil: s.pending.append(id)
                case let o? where o.verdict == Verdict.genuine.rawValue: s.passed.append(id)
                case let o?: s.failed.append((id, o.verdict + (o.reasons.isEmpty ? "" : ": " + o.reasons)))
                }
            }
            return s
        }
    }
}
