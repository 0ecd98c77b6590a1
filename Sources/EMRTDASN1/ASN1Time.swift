// UTCTime and GeneralizedTime (X.680 46-47, RFC 5280 4.1.2.5) to and from Foundation dates,
// without a calendar: proleptic Gregorian, UTC.

package import Foundation

/// The one reader and writer of ASN.1 times (certificate validity, CRL dates, CMS signingTime).
package enum ASN1Time {
    /// The date a UTCTime or (`generalized`) GeneralizedTime's contents spell; nil when they spell
    /// none. Lenient where real certificates are: seconds may be missing from a UTCTime, a
    /// GeneralizedTime may have a fraction, and either may end in a `±hhmm` offset instead of `Z`.
    package static func date(_ text: [UInt8], generalized: Bool) -> Date? {
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= text.count else { return nil }
            var v = 0
            for c in text[i..<(i + n)] {
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                v = v * 10 + Int(c - UInt8(ascii: "0"))
            }
            i += n
            return v
        }
        func nextIsDigit() -> Bool { i < text.count && text[i] >= UInt8(ascii: "0") && text[i] <= UInt8(ascii: "9") }

        let year: Int
        if generalized {
            guard let yyyy = digits(4) else { return nil }
            year = yyyy
        } else {
            guard let yy = digits(2) else { return nil }
            year = yy < 50 ? 2000 + yy : 1900 + yy
        }
        guard let month = digits(2), let day = digits(2), let hour = digits(2), let minute = digits(2) else { return nil }
        var second = 0
        if nextIsDigit() {
            guard let ss = digits(2) else { return nil }
            second = ss
        }
        var fraction = 0.0
        if generalized, i < text.count, text[i] == UInt8(ascii: ".") || text[i] == UInt8(ascii: ",") {
            i += 1
            var scale = 0.1
            guard nextIsDigit() else { return nil }
            while nextIsDigit() {
                fraction += Double(text[i] - UInt8(ascii: "0")) * scale
                scale /= 10
                i += 1
            }
        }
        var offset = 0
        if i < text.count {
            switch text[i] {
            case UInt8(ascii: "Z"):
                i += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = text[i] == UInt8(ascii: "+") ? 1 : -1
                i += 1
                guard let oh = digits(2), let om = digits(2), oh < 24, om < 60 else { return nil }
                offset = sign * (oh * 3600 + om * 60)
            default:
                return nil
            }
        }
        guard i == text.count else { return nil }
        guard (1...12).contains(month), (1...daysInMonth(year, month)).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        let seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: TimeInterval(seconds) + fraction)
    }

    /// The text of `date` (whole seconds, UTC) as a DER `Time`, and whether it is a GeneralizedTime:
    /// UTCTime `YYMMDDhhmmssZ` for 1950 through 2049, GeneralizedTime `YYYYMMDDhhmmssZ` otherwise.
    package static func text(_ date: Date) -> (text: String, generalized: Bool) {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        var days = total / 86400
        var rest = total % 86400
        if rest < 0 {
            rest += 86400
            days -= 1
        }
        let (year, month, day) = civilFromDays(days)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let time = two(month) + two(day) + two(rest / 3600) + two(rest % 3600 / 60) + two(rest % 60) + "Z"
        if (1950...2049).contains(year) { return (two(year % 100) + time, false) }
        let y = String(year)
        return (String(repeating: "0", count: max(0, 4 - y.count)) + y + time, true)
    }

    static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
