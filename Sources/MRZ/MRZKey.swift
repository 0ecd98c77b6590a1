public import EMRTDCore

/// The MRZ information that keys Basic Access Control and PACE with the MRZ password:
/// document number, date of birth and date of expiry (ICAO Doc 9303 Part 11, 4.3.2 and Appendix D.2).
///
/// It is a secret (with it, anyone can open the chip), so `description` is redacted.
public struct MRZKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The document number without fillers; may be longer than 9 characters (TD1/TD2 long numbers).
    public let documentNumber: String
    /// `YYMMDD`.
    public let dateOfBirth: String
    /// `YYMMDD`.
    public let dateOfExpiry: String

    /// Builds the key from values typed by a person or read by OCR.
    ///
    /// Lowercase letters are taken as uppercase and trailing `<` fillers are dropped; anything else outside
    /// A–Z, 0–9 and `<` throws. Dates must be real calendar dates in `YYMMDD`.
    /// For a CCCD, the document number is the last 9 digits of the 12-digit personal ID (see ``CCCD``).
    public init(documentNumber: String, dateOfBirth: String, dateOfExpiry: String) throws(EMRTDError) {
        var number: [UInt8] = []
        for scalar in documentNumber.unicodeScalars {
            var c = scalar.isASCII ? UInt8(scalar.value) : 0
            if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) { c -= 0x20 }
            guard CheckDigit.value(c) != nil else {
                throw EMRTDError(
                    .mrzCharacter,
                    "MRZ key document number contains '\(scalar.escaped(asASCII: true))'; only A–Z, 0–9 and '<' are allowed"
                )
            }
            number.append(c)
        }
        while number.last == MRZ.filler { number.removeLast() }
        guard !number.isEmpty else { throw EMRTDError(.mrzField, "MRZ key document number is empty") }
        // TD1 allows 9 characters plus 14 continued in the optional data (the 15th is the check digit).
        guard number.count <= 23 else {
            throw EMRTDError(.mrzField, "MRZ key document number has \(number.count) characters; at most 23 fit an MRZ")
        }
        try YYMMDD.validate(dateOfBirth, field: "date of birth")
        try YYMMDD.validate(dateOfExpiry, field: "date of expiry")
        self.documentNumber = String(decoding: number, as: UTF8.self)
        self.dateOfBirth = dateOfBirth
        self.dateOfExpiry = dateOfExpiry
    }

    /// The key of a parsed MRZ, whose check digits have already been verified.
    public init(mrz: MRZ) {
        documentNumber = mrz.documentNumber
        dateOfBirth = mrz.dateOfBirth
        dateOfExpiry = mrz.dateOfExpiry
    }

    /// The "MRZ information" hashed into K_seed: the document number padded with `<` to at least 9
    /// characters, its check digit, the date of birth and its check digit, the date of expiry and its
    /// check digit (Doc 9303 Part 11, Appendix D.2: `L898902C<369080619406236`).
    public var keySeedInput: String {
        var number = Array(documentNumber.utf8)
        while number.count < 9 { number.append(MRZ.filler) }
        var out = number
        out.append(CheckDigit.digit(of: number))
        for date in [dateOfBirth, dateOfExpiry] {
            let d = Array(date.utf8)
            out += d
            out.append(CheckDigit.digit(of: d))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Redacted: the document number and dates are the BAC / PACE key seed and must not reach a log.
    public var description: String { "MRZKey(<redacted>)" }
    /// Redacted like `description`.
    public var debugDescription: String { description }
}

/// `YYMMDD` dates as the MRZ writes them.
enum YYMMDD {
    /// Six digits forming a possible calendar date (29 February is accepted in any year: the century
    /// is unknown, so leap years cannot be told).
    static func validate(_ text: String, field: String) throws(EMRTDError) {
        let d = Array(text.utf8)
        guard d.count == 6, d.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw EMRTDError(.mrzField, "MRZ \(field) must be six digits YYMMDD")
        }
        let month = Int(d[2] - 48) * 10 + Int(d[3] - 48)
        let day = Int(d[4] - 48) * 10 + Int(d[5] - 48)
        let days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month) else {
            throw EMRTDError(.mrzField, "MRZ \(field) has month \(month); expected 01 to 12")
        }
        guard (1...days[month - 1]).contains(day) else {
            throw EMRTDError(.mrzField, "MRZ \(field) has day \(day) in month \(month)")
        }
    }
}
