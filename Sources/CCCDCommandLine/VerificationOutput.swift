import EMRTD
import Messages
import Foundation
import PassiveAuthentication
import PKIX

extension Verdict {
    /// The verdict as the first line a person reads.
    func headline(_ m: Messages) -> String {
        switch self {
        case .genuine: m[.verdictGenuine]
        case .notGenuine: m[.verdictNotGenuine]
        case .unverified: m[.verdictUnverified]
        }
    }
}

enum VerificationText {
    /// The verdict first, then each check with its outcome and reason (reasons are the library's,
    /// in English; the words around them are in `m`'s language).
    static func render(_ v: DocumentVerification, readFromChip: Bool = false, _ m: Messages = Messages(.english)) -> [String] {
        func row(_ key: MessageKey, _ rest: String) -> String {
            "  " + m[key].padding(toLength: 25, withPad: " ", startingAt: 0) + rest
        }
        var out = [v.verdict.headline(m)]
        if v.verdict == .unverified && !v.incompleteFiles.isEmpty {
            out.append("  " + m.format(.verdictIncompleteAdvice, v.incompleteFiles.map(\.file.name).joined(separator: ", ")))
        }
        out.append("")
        let passive = v.passiveOutcome
        out.append(m[.checks])
        out.append(row(.checkPassive, "\(m.status(passive.status.rawValue)) (" + m.format(.signatureAndChain, v.passive.signature.rawValue, v.passive.chain.rawValue) + ")"))
        for reason in v.passive.reasons { out.append("    - " + TerminalText.sanitize(reason)) }
        if let signer = v.passive.signer { out.append("    \(m[.signer]): " + TerminalText.sanitize("\(signer.subject)")) }
        if let csca = v.passive.csca { out.append("    \(m[.csca]):   " + TerminalText.sanitize("\(csca.subject)")) }
        let groups = v.passive.dataGroups.keys.sorted().map { "DG\($0) \(v.passive.dataGroups[$0]!.rawValue)" }
        if !groups.isEmpty { out.append("    \(m[.dataGroups]): " + groups.joined(separator: ", ")) }
        if let cs = v.cardSecurity {
            out.append(row(.checkCardSecurity, "\(m.status(cs.status.rawValue)) (" + m.format(.signatureAndChain, cs.signature.rawValue, cs.chain.rawValue) + ")"))
            for reason in cs.reasons { out.append("    - " + TerminalText.sanitize(reason)) }
        }
        out.append(row(.checkChip, "\(m.status(v.chip.status.rawValue)): " + TerminalText.sanitize(v.chip.reason)))
        out.append(row(.checkActive, "\(m.status(v.active.status.rawValue)): " + TerminalText.sanitize(v.active.reason)))
        if readFromChip {
            out.append(row(.checkFiles, m.status(v.filesOutcome.status.rawValue)))
            for problem in v.incompleteFiles { out.append("    - " + TerminalText.sanitize(problem.reason)) }
        }
        if let record = v.record {
            out.append(row(.checkRecord, m.status(record.status.rawValue)))
            for difference in v.recordDifferences { out.append("    - " + TerminalText.sanitize(difference)) }
        }
        return out
    }
}
