public import EMRTD
public import Messages
import PassiveAuthentication
import LDS
import PKIX

/// The checks of the verification contract (`checks` in `cccd verify --json` and `cccd-read --json`):
/// `passive`, `chip`, `active`, `files` (a read), `record` (a comparison with the citizen's record).
/// Each check is a status word of the README's table and a reason for a person.
public struct VerificationReport: Codable, Sendable, Hashable {
    /// One check of `checks` other than `passive`: `chip`, `active`, `files`, `record`, `passive.cardSecurity`.
    public struct Check: Codable, Sendable, Hashable {
        /// `status`: `passed`, `failed`, `not-supported`, `not-run`; `incomplete` for `files` only;
        /// `issuer-unknown` for `cardSecurity` only.
        public var status: String
        /// `reason`: what was checked and what came of it, for a person ("Active Authentication with the key
        /// of DG15 (RSA-2048, ISO/IEC 9796-2)").
        public var reason: String
        /// `code`: a stable identifier of the outcome for programs, `CHECK.STATUS` ("chip.passed",
        /// "active.failed", "files.incomplete"), or the error code of the first file that was not read
        /// whole ("lds.read-failed"); absent in reports written before it existed.
        public var code: String?
    }

    /// `checks.passive`: passive authentication of EF.SOD (ICAO 9303-11 5.1), its parts kept apart. EF.SOD's
    /// content, ICAO 9303-10 4.6.2.2:
    ///
    /// ```
    /// LDSSecurityObject ::= SEQUENCE {
    ///   version LDSSecurityObjectVersion,
    ///   hashAlgorithm DigestAlgorithmIdentifier,
    ///   dataGroupHashValues SEQUENCE SIZE (2..ub-DataGroups) OF DataGroupHash,
    ///   ldsVersionInfo LDSVersionInfo OPTIONAL }
    ///
    /// DataGroupHash ::= SEQUENCE {
    ///   dataGroupNumber DataGroupNumber,
    ///   dataGroupHashValue OCTET STRING }
    /// ```
    public struct Passive: Codable, Sendable, Hashable {
        /// `status`: `passed`, `failed`, `issuer-unknown` (signature valid, no trusted CSCA), `not-supported`,
        /// `not-run` (no EF.SOD).
        public var status: String
        /// `reason`: every issue found, joined by "; ", or why it passed.
        public var reason: String
        /// `signature`: the Document Signer's signature in EF.SOD's SignerInfo: `valid`, `invalid`, `not-checked`.
        public var signature: String
        /// `chain`: Document Signer to trusted CSCA, validity and revocation included: `valid`, `invalid`, `unknown`.
        public var chain: String
        /// `dataGroups`: by "DG1"…"DG16", each `dataGroupHashValue` against the bytes read: `match`, `mismatch`,
        /// `not-in-sod` (read, no hash), `not-read` (hashed, not read).
        public var dataGroups: [String: String]
        /// `signer`: the Document Signer certificate's subject ("CN=…"), when EF.SOD carries it.
        public var signer: String?
        /// `csca`: the subject of the trusted CSCA that issued the signer, when one did.
        public var csca: String?
        /// EF.CardSecurity, when the image or chip had one: its own status and reason.
        public var cardSecurity: Check?
        /// `code`: "passive.passed", or the error code of the first issue found ("pa.hash-mismatch",
        /// "x509.chain-untrusted" …), or "passive.STATUS"; absent in reports written before it existed.
        public var code: String?
    }

    /// `passive`: passive authentication of EF.SOD, and of EF.CardSecurity when present.
    public var passive: Passive
    /// `chip`: Chip Authentication with DG14's key, or PACE-CAM when PACE used it; counts only once passive
    /// authentication has proved the key's file.
    public var chip: Check
    /// `active`: Active Authentication with DG15's key; counts only once passive authentication has proved DG15.
    public var active: Check
    /// Whether every file the reader set out to read was read whole (a read; absent for a card image).
    public var files: Check?
    /// `cccd-read --expect`: the comparison with the citizen's record.
    public var record: Check?
    /// `recordDifferences`: each difference between the chip and the record (empty when `record` passed);
    /// absent when no record was given.
    public var recordDifferences: [String]?

    /// The checks of `v`; `readFromChip` adds `files` (a card image has no read to be complete).
    public init(_ v: DocumentVerification, readFromChip: Bool = false) {
        let outcome = v.passiveOutcome
        var groups: [String: String] = [:]
        for (n, status) in v.passive.dataGroups { groups["DG\(n)"] = status.rawValue }
        passive = Passive(
            status: outcome.status.rawValue, reason: outcome.reason, signature: v.passive.signature.rawValue,
            chain: v.passive.chain.rawValue, dataGroups: groups,
            signer: v.passive.signer.map { "\($0.subject)" }, csca: v.passive.csca.map { "\($0.subject)" },
            cardSecurity: v.cardSecurity.map {
                Check(status: $0.status.rawValue, reason: $0.reasons.joined(separator: "; "),
                      code: $0.issues.first?.code.rawValue ?? "card-security.\($0.status.rawValue)")
            },
            code: outcome.status == .passed ? "passive.passed" : v.passive.issues.first?.code.rawValue ?? "passive.\(outcome.status.rawValue)")
        chip = Check(v.chip, "chip")
        active = Check(v.active, "active")
        if readFromChip {
            files = Check(v.filesOutcome, "files", code: v.incompleteFiles.first?.error.code.rawValue)
        }
        record = v.record.map { Check($0, "record") }
        recordDifferences = v.record == nil ? nil : v.recordDifferences
    }
}


extension VerificationReport.Check {
    /// The check `name` as `outcome` says, with its stable code (`name.status` unless `code` is given).
    init(_ outcome: CheckOutcome, _ name: String, code: String? = nil) {
        self.init(
            status: outcome.status.rawValue, reason: outcome.reason,
            code: code ?? outcome.code?.rawValue ?? "\(name).\(outcome.status.rawValue)")
    }
}

/// `cccd verify --json`: the verification of a card image read earlier.
public struct ImageVerificationReport: Codable, Sendable {
    /// The card image's folder.
    public var image: String
    /// `genuine`, `not-genuine` or `unverified`.
    public var verdict: String
    /// `checks`: every check with its status and reason (no `files`: an image has no read).
    public var checks: VerificationReport
    /// `trust`: the trust store's sources, and what was skipped.
    public var trust: [String]
    /// The files the image holds, by name.
    public var files: [String]

    /// The report of `inspection`, a card image in the folder `image`, verified against `trust` (its sources' names).
    public init(image: String, inspection: Inspection, trust: [String]) {
        self.image = image
        verdict = inspection.verdict.rawValue
        checks = inspection.report.checks
        self.trust = trust
        files = LDSFile.all.filter { inspection.files[$0] != nil }.map(\.name)
    }
}

extension VerificationReport {
    /// One check as a person reads it.
    public struct Row: Sendable {
        /// The check's name as a message key (`checkPassive` …).
        public var name: MessageKey
        /// The contract's status word (`passed`, `failed` …).
        public var status: String
        /// The status in the language of the messages.
        public var statusText: String
        /// The outcome in the language of the messages: in English the library's reason; in another
        /// language the catalogue's text for the check's code.
        public var reason: String
        /// The library's reason (English, technical), when ``reason`` is a translation of it.
        public var detail: String?
    }

    /// Every check in the order a report shows them: passive, EF.CardSecurity, chip, active, files, record.
    public func rows(_ m: Messages) -> [Row] {
        var list: [(MessageKey, String, Check)] = [
            (.checkPassive, "passive", Check(status: passive.status, reason: passive.reason, code: passive.code)),
        ]
        if let cardSecurity = passive.cardSecurity { list.append((.checkCardSecurity, "card-security", cardSecurity)) }
        list += [(.checkChip, "chip", chip), (.checkActive, "active", active)]
        if let files { list.append((.checkFiles, "files", files)) }
        if let record { list.append((.checkRecord, "record", record)) }
        return list.map { key, check, c in
            var row = Row(name: key, status: c.status, statusText: m.status(c.status), reason: c.reason)
            if m.language != .english, let text = m.reason(check: check, status: c.status, code: c.code) {
                row.reason = text
                row.detail = c.reason.isEmpty ? nil : c.reason
            }
            return row
        }
    }
}
