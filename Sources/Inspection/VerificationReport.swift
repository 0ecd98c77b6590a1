public import EMRTD
import PassiveAuthentication
import LDS
import PKIX

/// The checks of the verification contract (`checks` in `cccd verify --json` and `cccd-read --json`):
/// `passive`, `chip`, `active`, `files` (a read), `record` (a comparison with the citizen's record).
/// Each check is a status word of the README's table and a reason for a person.
public struct VerificationReport: Codable, Sendable, Hashable {
    public struct Check: Codable, Sendable, Hashable {
        public var status: String
        public var reason: String
    }

    public struct Passive: Codable, Sendable, Hashable {
        public var status: String
        public var reason: String
        public var signature: String
        public var chain: String
        public var dataGroups: [String: String]
        public var signer: String?
        public var csca: String?
        /// EF.CardSecurity, when the image or chip had one: its own status and reason.
        public var cardSecurity: Check?
    }

    public var passive: Passive
    public var chip: Check
    public var active: Check
    /// Whether every file the reader set out to read was read whole (a read; absent for a card image).
    public var files: Check?
    /// `cccd-read --expect`: the comparison with the citizen's record.
    public var record: Check?
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
            cardSecurity: v.cardSecurity.map { Check(status: $0.status.rawValue, reason: $0.reasons.joined(separator: "; ")) })
        chip = Check(status: v.chip.status.rawValue, reason: v.chip.reason)
        active = Check(status: v.active.status.rawValue, reason: v.active.reason)
        if readFromChip {
            let outcome = v.filesOutcome
            files = Check(status: outcome.status.rawValue, reason: outcome.reason)
        }
        record = v.record.map { Check(status: $0.status.rawValue, reason: $0.reason) }
        recordDifferences = v.record == nil ? nil : v.recordDifferences
    }
}


/// `cccd verify --json`: the verification of a card image read earlier.
public struct ImageVerificationReport: Codable, Sendable {
    /// The card image's folder.
    public var image: String
    /// `genuine`, `not-genuine` or `unverified`.
    public var verdict: String
    public var checks: VerificationReport
    public var trust: [String]
    /// The files the image holds, by name.
    public var files: [String]

    public init(image: String, inspection: Inspection, trust: [String]) {
        self.image = image
        verdict = inspection.verdict.rawValue
        checks = inspection.report.checks
        self.trust = trust
        files = LDSFile.all.filter { inspection.files[$0] != nil }.map(\.name)
    }
}
