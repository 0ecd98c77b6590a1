import EMRTD
import Inspection
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
    /// The verdict first, then each check with its outcome and reason: the library's reasons (English,
    /// technical), and in another language the outcome in that language before them.
    static func render(_ v: DocumentVerification, readFromChip: Bool = false, _ m: Messages = Messages(.english)) -> [String] {
        func row(_ key: MessageKey, _ rest: String) -> String {
            "  " + m[key].padding(toLength: 25, withPad: " ", startingAt: 0) + rest
        }
        // In a language other than English, each check's outcome in that language first (the
        // library's reasons, in English, follow as details).
        let translated = m.language == .english ? [:] : Dictionary(
            VerificationReport(v, readFromChip: readFromChip).rows(m).map { ($0.name, $0.reason) }, uniquingKeysWith: { a, _ in a })
        func summary(_ key: MessageKey) -> [String] { translated[key].map { ["    » " + $0] } ?? [] }
        var out = [v.verdict.headline(m)]
        if v.verdict == .unverified && !v.incompleteFiles.isEmpty {
            out.append("  " + m.format(.verdictIncompleteAdvice, v.incompleteFiles.map(\.file.name).joined(separator: ", ")))
        }
        out.append("")
        let passive = v.passiveOutcome
        out.append(m[.checks])
        out.append(row(.checkPassive, "\(m.status(passive.status.rawValue)) (" + m.format(.signatureAndChain, m.outcome(v.passive.signature.rawValue), m.outcome(v.passive.chain.rawValue)) + ")"))
        out += summary(.checkPassive)
        for reason in v.passive.reasons { out.append("    - " + TerminalText.sanitize(reason)) }
        if let signer = v.passive.signer { out.append("    \(m[.signer]): " + TerminalText.sanitize("\(signer.subject)")) }
        if let csca = v.passive.csca { out.append("    \(m[.csca]):   " + TerminalText.sanitize("\(csca.subject)")) }
        let groups = v.passive.dataGroups.keys.sorted().map { "DG\($0) \(m.outcome(v.passive.dataGroups[$0]!.rawValue))" }
        if !groups.isEmpty { out.append("    \(m[.dataGroups]): " + groups.joined(separator: ", ")) }
        if let cs = v.cardSecurity {
            out.append(row(.checkCardSecurity, "\(m.status(cs.status.rawValue)) (" + m.format(.signatureAndChain, m.outcome(cs.signature.rawValue), m.outcome(cs.chain.rawValue)) + ")"))
            out += summary(.checkCardSecurity)
            for reason in cs.reasons { out.append("    - " + TerminalText.sanitize(reason)) }
        }
        out.append(row(.checkChip, "\(m.status(v.chip.status.rawValue)): " + TerminalText.sanitize(v.chip.reason)))
        out += summary(.checkChip)
        out.append(row(.checkActive, "\(m.status(v.active.status.rawValue)): " + TerminalText.sanitize(v.active.reason)))
        out += summary(.checkActive)
        if readFromChip {
            out.append(row(.checkFiles, m.status(v.filesOutcome.status.rawValue)))
            out += summary(.checkFiles)
            for problem in v.incompleteFiles { out.append("    - " + TerminalText.sanitize(problem.reason)) }
        }
        if let record = v.record {
            out.append(row(.checkRecord, m.status(record.status.rawValue)))
            out += summary(.checkRecord)
            for difference in v.recordDifferences { out.append("    - " + TerminalText.sanitize(difference)) }
        }
        return out
    }
}
