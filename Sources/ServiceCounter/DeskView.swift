import Foundation
import Inspection
import Messages

/// What the counter page shows, as one JSON snapshot per change (the page's event stream). Every
/// text is already in the page's language; the page only places it (as text, never as markup).
struct DeskView: Encodable {
    struct Reader: Encodable, Hashable {
        var name: String
        var card: Bool
    }

    struct Progress: Encodable {
        var text: String
        var done: Int
        var total: Int
    }

    /// A finished read: the only place a holder's data is kept, dropped with the card.
    struct Result: Encodable {
        /// `genuine`, `not-genuine` or `unverified`.
        var verdict: String
        var headline: String
        var explanation: String
        var advice: String?
        /// A `data:image/jpeg;base64,…` URL, or nil with `photoNote` saying why there is none.
        var photo: String?
        var photoNote: String?
        var fields: [[String]]
        var checks: [Check]
        /// The HTML report (self-contained), for printing or saving.
        var report: String
        var reportName: String

        struct Check: Encodable {
            var name: String
            var status: String
            var statusText: String
            var reason: String
            /// The library's reason (English, technical) when `reason` translates it.
            var detail: String?
        }

        init(_ inspection: Inspection, _ m: Messages) {
            verdict = inspection.verdict.rawValue
            let long = switch inspection.verdict {
            case .genuine: m[.verdictGenuine]
            case .notGenuine: m[.verdictNotGenuine]
            case .unverified: m[.verdictUnverified]
            }
            // "VERDICT: GENUINE — signed by …": the words before the dash are the banner.
            let parts = long.components(separatedBy: " — ")
            headline = parts[0]
            explanation = parts.dropFirst().joined(separator: " — ")
            let incomplete = inspection.verification.incompleteFiles
            if inspection.verdict == .unverified && !incomplete.isEmpty {
                advice = m.format(.verdictIncompleteAdvice, incomplete.map(\.file.name).joined(separator: ", "))
            }
            if let face = inspection.photo {
                if face.imageType.rawValue.lowercased() == "jpeg" {
                    photo = "data:image/jpeg;base64," + Data(face.imageData).base64EncodedString()
                } else {
                    photoNote = m.format(.photoNotShown, face.imageType.rawValue.uppercased())
                }
            } else {
                photoNote = m[.noPhoto]
            }
            fields = inspection.holder.labelledFields.compactMap { key, value in
                guard let value, !value.isEmpty else { return nil }
                return [m[key], value]
            }
            checks = inspection.report.checks.rows(m).map {
                Check(name: m[$0.name], status: $0.status, statusText: $0.statusText, reason: $0.reason, detail: $0.detail)
            }
            report = HTMLReport.render(inspection, m)
            let stamp = DateFormatter()
            stamp.locale = Locale(identifier: "en_US_POSIX")
            stamp.dateFormat = "yyyyMMdd-HHmmss"
            // No personal data in the file name either: the time of the read only.
            reportName = "cccd-report-\(stamp.string(from: Date())).html"
        }
    }

    /// A read that failed: what happened and what to do; no holder data.
    struct Failure: Encodable {
        var what: String
        var advice: String?
        /// The library's message and code, for support.
        var detail: String
        var code: String

        init(_ error: EMRTDError, _ m: Messages) {
            let explained = ErrorAdvice(error, m, badInput: false)
            what = explained.what
            advice = explained.advice
            detail = "\(error.message) [\(error.code)]"
            code = error.code.rawValue
        }
    }

    /// `no-service`, `no-reader`, `waiting`, `card`, `reading`, `result`, `failed`.
    var state: String
    /// The state in words, for the page's status line.
    var status: String
    var readers: [Reader]
    var reader: String?
    var cardIn: Bool
    /// Changes with every card that arrives or leaves.
    var serial: Int
    var progress: Progress?
    var result: Result?
    var failure: Failure?

    init(phase: CounterDesk.Phase, readers: [Reader], reader: String?, cardIn: Bool, serial: Int, _ m: Messages) {
        self.readers = readers
        self.reader = reader
        self.cardIn = cardIn
        self.serial = serial
        switch phase {
        case .starting, .waiting:
            state = "waiting"
            status = m[.counterWaiting]
        case .noService:
            state = "no-service"
            status = m[.counterNoService]
        case .noReader:
            state = "no-reader"
            status = m[.counterNoReader]
        case .card:
            state = "card"
            status = m[.counterKeyPrompt]
        case .reading(let file, let done, let total):
            state = "reading"
            status = m[.counterReading]
            if let file { progress = Progress(text: m.format(.counterReadingFile, file, "\(done)", "\(total)"), done: done, total: total) }
        case .result(let r):
            state = "result"
            status = r.headline
            result = r
        case .failed(let f):
            state = "failed"
            status = f.what
            failure = f
        }
    }
}
