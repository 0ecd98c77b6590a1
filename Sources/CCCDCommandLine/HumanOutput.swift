import Foundation
import EMRTD
import Inspection
import Messages
import PassiveAuthentication
import LDS

/// The text a clerk reads: the holder first, then what was read and what it cost.
enum HumanOutput {
    static func render(_ report: InspectionReport, verification: DocumentVerification, _ m: Messages = Messages(.english)) -> String {
        var out: [String] = VerificationText.render(verification, readFromChip: true, m)
        let h = report.holder
        out.append("")
        out.append(m.format(.cardReadWith, report.accessControl, report.source))
        for note in report.accessNotes { out.append("  \(m[.note]): " + TerminalText.sanitize(note)) }
        if !report.trust.isEmpty { out.append("  \(m[.trust]): " + report.trust.joined(separator: ", ")) }
        out.append("")
        out.append(m[.holder])
        let rows = h.labelledFields
        let width = max(20, (rows.map { m[$0.0].count }.max() ?? 0) + 2)
        for (label, value) in rows {
            guard let value, !value.isEmpty else { continue }
            out.append("  " + m[label].padding(toLength: width, withPad: " ", startingAt: 0) + TerminalText.sanitize(value))
        }
        if let mrz = h.mrz {
            out.append("  " + m[.mrz])
            for line in mrz { out.append("    " + TerminalText.sanitize(line)) }
        }
        if let photo = report.photo {
            out.append("  " + m[.photo].padding(toLength: width, withPad: " ", startingAt: 0) + "\(photo.type.uppercased()) \(photo.width)x\(photo.height), \(photo.bytes) bytes")
        }
        for (title, details) in [(m[.additionalPersonalDetails], h.additionalPersonalDetails), (m[.additionalDocumentDetails], h.additionalDocumentDetails)] {
            guard let details, !details.isEmpty else { continue }
            out.append("")
            out.append(title)
            for (k, v) in details.sorted(by: { $0.key < $1.key }) {
                out.append("  " + k.padding(toLength: 20, withPad: " ", startingAt: 0) + TerminalText.sanitize(v))
            }
        }
        let sec = report.security
        if sec.cardAccess != nil || sec.dg14 != nil || sec.activeAuthenticationKey != nil {
            out.append("")
            out.append(m[.chipSecurity])
            if let list = sec.cardAccess { out.append("  EF.CardAccess       " + list.joined(separator: ", ")) }
            if let list = sec.dg14 { out.append("  DG14                " + list.joined(separator: ", ")) }
            if let key = sec.activeAuthenticationKey { out.append("  DG15 (AA key)       " + key) }
        }
        out.append("")
        out.append(m[.files])
        for f in report.files {
            // 16: the longest name, "EF.CardSecurity", and a space.
            var line = "  " + f.file.padding(toLength: 16, withPad: " ", startingAt: 0) + m.outcome(f.status)
            if let bytes = f.bytes { line += " (" + m.format(.bytesCount, "\(bytes)") + ")" }
            if let error = f.error { line += ": " + TerminalText.sanitize(error) }
            out.append(line)
        }
        if !report.problems.isEmpty {
            out.append("")
            out.append(m[.problems])
            for p in report.problems { out.append("  \(p.file): \(TerminalText.sanitize(p.error)) [\(p.code)]") }
        }
        out.append("")
        let s = report.stats
        out.append(m.format(.statistics, String(format: "%.3f", s.total.seconds), "\(s.total.apdus)", "\(s.total.bytes)", "\(s.blockSize)"))
        return out.joined(separator: "\n")
    }
}
