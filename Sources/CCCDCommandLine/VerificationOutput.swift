import EMRTD
import Foundation
import PassiveAuthentication
import PKIX

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
