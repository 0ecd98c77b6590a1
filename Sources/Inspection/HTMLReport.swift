public import Foundation
public import Messages
import PKIX

/// The report a clerk prints or saves: one self-contained HTML file (the photo embedded, no
/// external resource, no script), printable on one A4 page, in the chosen language. Every value
/// that came from the card or a certificate is HTML-escaped: a DG13 holding `<script>` shows as text.
public enum HTMLReport {
    /// The report of `inspection` in `messages`' language, dated `date`.
    public static func render(_ inspection: Inspection, _ messages: Messages, at date: Date = Date()) -> String {
        let m = messages
        let report = inspection.report
        let v = inspection.verification
        var body: [String] = []

        let (banner, headline): (String, String) = switch inspection.verdict {
        case .genuine: ("genuine", m[.verdictGenuine])
        case .notGenuine: ("not-genuine", m[.verdictNotGenuine])
        case .unverified: ("unverified", m[.verdictUnverified])
        }
        body.append("<div class=\"verdict \(banner)\">\(escape(headline))</div>")
        if inspection.verdict == .unverified && !v.incompleteFiles.isEmpty {
            body.append("<p class=\"advice\">" + escape(m.format(.verdictIncompleteAdvice, v.incompleteFiles.map(\.file.name).joined(separator: ", "))) + "</p>")
        }

        // The holder: photo and fields.
        let h = report.holder
        var photo = "<div class=\"photo missing\">\(escape(m[.noPhoto]))</div>"
        if let face = inspection.photo {
            let type = face.imageType.rawValue.lowercased()
            if type == "jpeg" {
                photo = "<img class=\"photo\" alt=\"\(escape(m[.photo]))\" src=\"data:image/jpeg;base64,\(Data(face.imageData).base64EncodedString())\">"
            } else {
                photo = "<div class=\"photo missing\">\(escape(m.format(.photoNotShown, type.uppercased())))</div>"
            }
        }
        let rows = h.labelledFields
        var fields = rows.compactMap { key, value -> String? in
            guard let value, !value.isEmpty else { return nil }
            return "<tr><th>\(escape(m[key]))</th><td>\(escape(value))</td></tr>"
        }
        if let mrz = h.mrz { fields.append("<tr><th>\(escape(m[.mrz]))</th><td class=\"mono\">\(mrz.map(escape).joined(separator: "<br>"))</td></tr>") }
        body.append("<section class=\"holder\"><h2>\(escape(m[.holder]))</h2><div class=\"card\">\(photo)<table>\(fields.joined())</table></div></section>")

        // Every check and its reason.
        let checkRows = report.checks.rows(m).map { row in
            "<tr><th>\(escape(m[row.name]))</th><td class=\"status \(escape(row.status))\">\(escape(row.statusText))</td><td>\(escape(row.reason))"
                + (row.detail.map { "<br><span class=\"small\">\(escape($0))</span>" } ?? "") + "</td></tr>"
        }
        body.append("<section><h2>\(escape(m[.checks]))</h2><table class=\"checks\"><tr><th>\(escape(m[.check]))</th><th>\(escape(m[.status]))</th><th>\(escape(m[.reason]))</th></tr>\(checkRows.joined())</table></section>")

        // The certificate chain.
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        func certificate(_ title: String, _ cert: X509Certificate?) -> String? {
            guard let cert else { return nil }
            return "<tr><th>\(escape(title))</th><td>\(escape("\(cert.subject)"))<br><span class=\"small\">\(escape(m[.serialNumber])) \(cert.serialNumber.hex) · "
                + escape(m.format(.validity, day.string(from: cert.notBefore), day.string(from: cert.notAfter))) + "</span></td></tr>"
        }
        let chain = [certificate(m[.documentSigner], v.passive.signer), certificate(m[.csca], v.passive.csca)].compactMap { $0 }
        if !chain.isEmpty {
            body.append("<section><h2>\(escape(m[.certificateChain]))</h2><table>\(chain.joined())</table></section>")
        }

        // The files and what the read cost.
        if inspection.read != nil {
            let files = report.files.map { f in
                "<tr><td>\(escape(f.file))</td><td>\(escape(m.outcome(f.status)))\(f.error.map { ": " + escape($0) } ?? "")</td><td class=\"num\">\(f.bytes.map(String.init) ?? "")</td><td class=\"mono small\">\(escape(f.sha256 ?? ""))</td></tr>"
            }
            body.append("<section><h2>\(escape(m[.files]))</h2><table class=\"files\"><tr><th>\(escape(m[.file]))</th><th>\(escape(m[.status]))</th><th>\(escape(m[.size]))</th><th>SHA-256</th></tr>\(files.joined())</table></section>")
            let s = report.stats
            body.append("<section><h2>\(escape(m[.readStatistics]))</h2><p>\(escape(m[.accessControl])): \(escape(report.accessControl))<br>"
                + escape(m.format(.statistics, String(format: "%.3f", s.total.seconds), "\(s.total.apdus)", "\(s.total.bytes)", "\(s.blockSize)"))
                + "</p></section>")
        }
        let stamp = ISO8601DateFormatter().string(from: date)
        body.append("<footer>\(escape(m.format(.generated, stamp))) · \(escape(report.source))</footer>")

        return """
            <!DOCTYPE html>
            <html lang="\(m.language.rawValue)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(m[.reportTitle]))</title>
            <style>\(style)</style>
            </head>
            <body>
            <h1>\(escape(m[.reportTitle]))</h1>
            \(body.joined(separator: "\n"))
            </body>
            </html>

            """
    }

    /// `text` with the five characters HTML gives a meaning escaped, and control characters dropped.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case _ where scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format:
                out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// One A4 page when printed; readable on a screen.
    static let style = """
        @page { size: A4; margin: 10mm; }
        body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; font-size: 8.5pt; color: #111; max-width: 190mm; margin: 0 auto; }
        h1 { font-size: 12pt; margin: 0 0 2.5mm; }
        h2 { font-size: 9.5pt; margin: 2.5mm 0 1mm; border-bottom: 1px solid #999; }
        .verdict { font-size: 11pt; font-weight: bold; padding: 2mm 3mm; border-radius: 1.5mm; color: #fff; }
        .verdict.genuine { background: #1b7f3b; }
        .verdict.not-genuine { background: #b3191e; }
        .verdict.unverified { background: #b36b00; }
        .advice { font-weight: bold; color: #b36b00; margin: 1mm 0; }
        .card { display: flex; gap: 3mm; align-items: flex-start; }
        .photo { width: 26mm; min-width: 26mm; border: 1px solid #999; }
        .photo.missing { height: 34mm; font-size: 7pt; color: #666; padding: 2mm; box-sizing: border-box; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; vertical-align: top; padding: 0.3mm 1.2mm; border-bottom: 1px solid #e6e6e6; }
        th { white-space: nowrap; font-weight: 600; }
        .status.passed { color: #1b7f3b; font-weight: bold; }
        .status.failed { color: #b3191e; font-weight: bold; }
        .status.incomplete, .status.issuer-unknown { color: #b36b00; font-weight: bold; }
        .mono { font-family: "DejaVu Sans Mono", monospace; }
        .small { font-size: 6.5pt; color: #444; }
        .num { text-align: right; }
        .files { font-size: 7pt; }
        .files td.mono { white-space: nowrap; font-size: 6pt; }
        footer { margin-top: 2mm; font-size: 6.5pt; color: #666; }
        """
}

extension InspectionReport.Holder {
    /// The holder's fields in the order a person reads them, each with its label's message key:
    /// what the terminal output and the HTML report both show.
    public var labelledFields: [(MessageKey, String?)] {
        [
            (.fullName, fullName), (.mrzName, mrzName), (.personalID, personalIDNumber),
            (.document, [documentCode, documentNumber, issuingState].compactMap { $0 }.joined(separator: " ")),
            (.dateOfBirth, dateOfBirth), (.sex, sex), (.nationality, nationality), (.ethnicity, ethnicity),
            (.religion, religion), (.placeOfOrigin, placeOfOrigin), (.placeOfResidence, placeOfResidence),
            (.identifyingMarks, identifyingMarks), (.dateOfIssue, dateOfIssue), (.dateOfExpiry, dateOfExpiry),
            (.father, fatherName), (.mother, motherName), (.spouse, spouseName), (.oldIDNumber, oldIDNumber),
        ]
    }
}
