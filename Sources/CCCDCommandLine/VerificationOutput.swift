import EMRTD
import Foundation
import PassiveAuthentication
import PKIX

/// The output contract of `cccd verify --json` and `cccd-read --json`:
/// `verdict` and `checks.passive` / `checks.chip` / `checks.active`.
struct ChecksJSON: Encodable {
    struct Check: Encodable {
        var status: String
        var reason: String
    }

    struct Passive: Encodable {
        var status: String
        var reason: String
        var signature: String
        var chain: String
        var dataGroups: [String: String]
        var signer: String?
        var csca: String?
        /// EF.CardSecurity, when the image or chip had one: its own status and reason.
        var cardSecurity: Check?
    }

    var passive: Passive
    var chip: Check
    var active: Check
    /// Whether every file the reader set out to read was read whole (a read; absent for a card image).
    var files: Check?
    /// `cccd-read --expect`: the comparison with the citizen's record.
    var record: Check?
    var recordDifferences: [String]?

    init(_ v: DocumentVerification, readFromChip: Bool = false) {
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

extension Verdict {
    var headline: String {
        switch self {
        case .genuine: return "VERDICT: GENUINE — signed by the issuing state (EF.SOD, DSC, trusted CSCA) and nothing failed"
        case .notGenuine: return "VERDICT: NOT GENUINE — a check failed (see below); do not accept this document"
        case .unverified: return "VERDICT: UNVERIFIED — nothing failed, but nothing proved the data (no trusted CSCA, no EF.SOD, or a file not read whole)"
        }
    }
}

enum VerificationText {
    /// The verdict first, then each check with its outcome and reason.
    static func render(_ v: DocumentVerification, readFromChip: Bool = false) -> [String] {
        var out = [v.verdict.headline]
        if v.verdict == .unverified && !v.incompleteFiles.isEmpty {
            out.append("  Not read whole: " + v.incompleteFiles.map(\.file.name).joined(separator: ", ") + " — present the card again; if it persists, do not accept it")
        }
        out.append("")
        let passive = v.passiveOutcome
        out.append("Checks")
        out.append("  Passive authentication   \(passive.status.rawValue) (signature \(v.passive.signature.rawValue), chain \(v.passive.chain.rawValue))")
        for reason in v.passive.reasons { out.append("    - " + TerminalText.sanitize(reason)) }
        if let signer = v.passive.signer { out.append("    signer: " + TerminalText.sanitize("\(signer.subject)")) }
        if let csca = v.passive.csca { out.append("    CSCA:   " + TerminalText.sanitize("\(csca.subject)")) }
        let groups = v.passive.dataGroups.keys.sorted().map { "DG\($0) \(v.passive.dataGroups[$0]!.rawValue)" }
        if !groups.isEmpty { out.append("    data groups: " + groups.joined(separator: ", ")) }
        if let cs = v.cardSecurity {
            out.append("  EF.CardSecurity          \(cs.status.rawValue) (signature \(cs.signature.rawValue), chain \(cs.chain.rawValue))")
            for reason in cs.reasons { out.append("    - " + TerminalText.sanitize(reason)) }
        }
        out.append("  Chip authentication      \(v.chip.status.rawValue): " + TerminalText.sanitize(v.chip.reason))
        out.append("  Active authentication    \(v.active.status.rawValue): " + TerminalText.sanitize(v.active.reason))
        if readFromChip {
            out.append("  Files read whole         \(v.filesOutcome.status.rawValue)")
            for problem in v.incompleteFiles { out.append("    - " + TerminalText.sanitize(problem.reason)) }
        }
        if let record = v.record {
            out.append("  Citizen record           \(record.status.rawValue)")
            for difference in v.recordDifferences { out.append("    - " + TerminalText.sanitize(difference)) }
        }
        return out
    }
}
