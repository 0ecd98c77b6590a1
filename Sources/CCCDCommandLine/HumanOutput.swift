import Foundation
import EMRTD
import Inspection
import PassiveAuthentication
import LDS

/// The text a clerk reads: the holder first, then what was read and what it cost.
enum HumanOutput {
    static func render(_ report: InspectionReport, verification: DocumentVerification) -> String {
        var out: [String] = VerificationText.render(verification, readFromChip: true)
        let h = report.holder
        out.append("")
        out.append("Card read with \(report.accessControl) from \(report.source)")
        for note in report.accessNotes { out.append("  note: " + TerminalText.sanitize(note)) }
        if !report.trust.isEmpty { out.append("  trust: " + report.trust.joined(separator: ", ")) }
        out.append("")
        out.append("Holder")
        let rows: [(String, String?)] = [
            ("Full name", h.fullName),
            ("Name (MRZ)", h.mrzName),
            ("Personal ID", h.personalIDNumber),
            ("Document", [h.documentCode, h.documentNumber, h.issuingState].compactMap { $0 }.joined(separator: " ")),
            ("Date of birth", h.dateOfBirth),
            ("Sex", h.sex),
            ("Nationality", h.nationality),
            ("Ethnicity", h.ethnicity),
            ("Religion", h.religion),
            ("Place of origin", h.placeOfOrigin),
            ("Place of residence", h.placeOfResidence),
            ("Identifying marks", h.identifyingMarks),
            ("Date of issue", h.dateOfIssue),
            ("Date of expiry", h.dateOfExpiry),
            ("Father", h.fatherName),
            ("Mother", h.motherName),
            ("Spouse", h.spouseName),
            ("Old ID number", h.oldIDNumber),
        ]
        for (label, value) in rows {
            guard let value, !value.isEmpty else { continue }
            out.append("  " + label.padding(toLength: 20, withPad: " ", startingAt: 0) + TerminalText.sanitize(value))
        }
        if let mrz = h.mrz {
            out.append("  MRZ")
            for line in mrz { out.append("    " + TerminalText.sanitize(line)) }
        }
        if let photo = report.photo {
            out.append("  Photo               \(photo.type.uppercased()) \(photo.width)x\(photo.height), \(photo.bytes) bytes")
        }
        for (title, details) in [("Additional personal details (DG11)", h.additionalPersonalDetails), ("Additional document details (DG12)", h.additionalDocumentDetails)] {
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
            out.append("Chip security")
            if let list = sec.cardAccess { out.append("  EF.CardAccess       " + list.joined(separator: ", ")) }
            if let list = sec.dg14 { out.append("  DG14                " + list.joined(separator: ", ")) }
            if let key = sec.activeAuthenticationKey { out.append("  DG15 (AA key)       " + key) }
        }
        out.append("")
        out.append("Files")
        for f in report.files {
            // 16: the longest name, "EF.CardSecurity", and a space.
            var line = "  " + f.file.padding(toLength: 16, withPad: " ", startingAt: 0) + f.status
            if let bytes = f.bytes { line += " (\(bytes) bytes)" }
            if let error = f.error { line += ": " + TerminalText.sanitize(error) }
            out.append(line)
        }
        if !report.problems.isEmpty {
            out.append("")
            out.append("Problems")
            for p in report.problems { out.append("  \(p.file): \(TerminalText.sanitize(p.error)) [\(p.code)]") }
        }
        out.append("")
        let s = report.stats
        out.append(String(format: "Read in %.3f s: %d APDUs, %d bytes, READ BINARY block %d", s.total.seconds, s.total.apdus, s.total.bytes, s.blockSize))
        return out.joined(separator: "\n")
    }
}
