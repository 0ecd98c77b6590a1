public import EMRTDCore

/// A machine readable zone: TD1 (ICAO Doc 9303 Part 5), TD2 (Part 6) or TD3 (Part 4).
///
/// Parsing is strict: only A–Z, 0–9 and `<` are accepted, and every check digit (Part 3, 4.9) is
/// verified, because an MRZ that was misread by OCR or typed wrongly yields a wrong BAC/PACE key and
/// the chip would only say "authentication failed".
///
/// Field values are given without their trailing `<` fillers; ``lines`` keeps the zone exactly.
public struct MRZ: Sendable, Hashable {
    /// The three document sizes of Doc 9303, told apart by line count and length.
    public enum Format: Sendable, Hashable {
        /// Three lines of 30 characters (ID-1 cards such as the CCCD), Doc 9303 Part 5.
        case td1
        /// Two lines of 36 characters, Doc 9303 Part 6.
        case td2
        /// Two lines of 44 characters (passport data pages), Doc 9303 Part 4.
        case td3

        var lineCount: Int { self == .td1 ? 3 : 2 }
        var lineLength: Int {
            switch self {
            case .td1: 30
            case .td2: 36
            case .td3: 44
            }
        }
    }

    /// The sex field. Doc 9303 Part 4 prints `F`, `M` or `<` (unspecified); later editions also allow `X`.
    public enum Sex: Character, Sendable, Hashable {
        case male = "M"
        case female = "F"
        /// `X`: unspecified, as some states print it.
        case x = "X"
        /// `<`: unspecified.
        case unspecified = "<"
    }

    /// TD1, TD2 or TD3, from the number and length of the lines.
    public let format: Format
    /// The document code, such as `P`, `I`, `ID` (fillers removed).
    public let documentCode: String
    /// The issuing state or organization, three letters (fillers removed: `D<<` becomes `D`).
    public let issuingState: String
    /// The document number without fillers, including any continuation held in the optional data.
    public let documentNumber: String
    /// TD1 line 1 optional data, TD2 optional data, TD3 personal number; trailing fillers removed.
    /// When a long document number continues here, its continuation and check digit are not part of it.
    public let optionalData1: String
    /// TD1 line 2 optional data; empty for TD2 and TD3, which have no second optional field.
    public let optionalData2: String
    /// Date of birth, `YYMMDD` (digits, or `<` where unknown).
    public let dateOfBirth: String
    /// The holder's sex as printed: `M`, `F`, `X`, or `<` when unspecified.
    public let sex: Sex
    /// Date of expiry, `YYMMDD`.
    public let dateOfExpiry: String
    /// The holder's nationality, a three-letter code (Doc 9303 Part 3), e.g. `VNM`; fillers removed.
    public let nationality: String
    /// The primary identifier (surname), `<` read as spaces.
    public let primaryIdentifier: String
    /// The secondary identifier (given names), `<` read as spaces; empty when there is none.
    public let secondaryIdentifier: String
    /// The lines exactly as on the document, without line breaks.
    public let lines: [String]

    /// Parses an MRZ given as its lines joined by newlines (`\n` or `\r\n`), or as one unbroken string of
    /// 90 (TD1), 72 (TD2) or 88 (TD3) characters. Surrounding whitespace and blank lines are ignored.
    ///
    /// Throws ``EMRTDError`` with code `mrz.format`, `mrz.character`, `mrz.field` or `mrz.check-digit`,
    /// naming the line, position or field that is wrong.
    public init(_ text: String) throws(EMRTDError) {
        let lines = try MRZ.splitLines(text)
        for (n, line) in lines.enumerated() where line.contains(where: { CheckDigit.value($0) == nil }) {
            // Report the offending character itself, not one byte of its UTF-8 encoding.
            for (i, scalar) in String(decoding: line, as: UTF8.self).unicodeScalars.enumerated()
            where !scalar.isASCII || CheckDigit.value(UInt8(scalar.value)) == nil {
                throw EMRTDError(
                    .mrzCharacter,
                    "MRZ line \(n + 1) has an invalid character '\(scalar.escaped(asASCII: true))' at position \(i + 1) (only A–Z, 0–9 and '<' are allowed)"
                )
            }
        }
        let format = try MRZ.detectFormat(lines)
        if lines[0].first == UInt8(ascii: "V") {
            // Visas (Part 7) share the sizes of TD2/TD3 but have no composite check digit.
            throw EMRTDError(.mrzFormat, "MRZ of a machine readable visa (document code V) is not supported")
        }
        self = try MRZ.parse(lines, format: format)
    }

    private init(format: Format, lines: [[UInt8]], fields f: Fields) {
        self.format = format
        self.lines = lines.map { String(decoding: $0, as: UTF8.self) }
        documentCode = f.documentCode
        issuingState = f.issuingState
        documentNumber = f.documentNumber
        optionalData1 = f.optionalData1
        optionalData2 = f.optionalData2
        dateOfBirth = f.dateOfBirth
        sex = f.sex
        dateOfExpiry = f.dateOfExpiry
        nationality = f.nationality
        primaryIdentifier = f.primaryIdentifier
        secondaryIdentifier = f.secondaryIdentifier
    }
}

// MARK: - Parsing

extension MRZ {
    private struct Fields {
        var documentCode = "", issuingState = "", documentNumber = "", optionalData1 = "", optionalData2 = ""
        var dateOfBirth = "", sex = Sex.unspecified, dateOfExpiry = "", nationality = ""
        var primaryIdentifier = "", secondaryIdentifier = ""
    }

    /// No real MRZ comes near this; refusing early keeps a huge paste from being scanned at length.
    private static let maximumInputLength = 512

    private static func splitLines(_ text: String) throws(EMRTDError) -> [[UInt8]] {
        guard text.utf8.count <= maximumInputLength else {
            throw EMRTDError(.mrzFormat, "MRZ text is \(text.utf8.count) bytes long; an MRZ has at most 90 characters")
        }
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        func flush() {
            // Trim spaces and tabs around each line; blank lines are dropped.
            let isBlank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0B || $0 == 0x0C }
            if let start = current.firstIndex(where: { !isBlank($0) }),
                let end = current.lastIndex(where: { !isBlank($0) })
            {
                lines.append(Array(current[start...end]))
            }
            current.removeAll(keepingCapacity: true)
        }
        for b in text.utf8 {
            if b == 0x0A || b == 0x0D { flush() } else { current.append(b) }
        }
        flush()
        guard !lines.isEmpty else { throw EMRTDError(.mrzFormat, "MRZ text is empty") }
        if lines.count == 1 {
            // One unbroken string: cut it by its total length.
            let line = lines[0]
            for format in [Format.td1, .td2, .td3] where line.count == format.lineCount * format.lineLength {
                return stride(from: 0, to: line.count, by: format.lineLength).map {
                    Array(line[$0..<$0 + format.lineLength])
                }
            }
        }
        return lines
    }

    private static func detectFormat(_ lines: [[UInt8]]) throws(EMRTDError) -> Format {
        for format in [Format.td1, .td2, .td3]
        where lines.count == format.lineCount && lines.allSatisfy({ $0.count == format.lineLength }) {
            return format
        }
        let lengths = lines.map { String($0.count) }.joined(separator: ", ")
        throw EMRTDError(
            .mrzFormat,
            "MRZ has \(lines.count) line(s) of length \(lengths); expected 3 lines of 30 (TD1), 2 of 36 (TD2) or 2 of 44 (TD3)"
        )
    }

    private static func parse(_ l: [[UInt8]], format: Format) throws(EMRTDError) -> MRZ {
        var f = Fields()
        switch format {
        case .td1:
            // Part 5, 4.2.2. Line 1: code 0-1, state 2-4, number 5-13, check 14, optional 15-29.
            // Line 2: birth 0-5, check 6, sex 7, expiry 8-13, check 14, nationality 15-17,
            // optional 18-28, composite 29. Line 3: name.
            let (a, b, c) = (l[0], l[1], l[2])
            f.documentCode = text(a[0..<2])
            f.issuingState = text(a[2..<5])
            let number = try documentNumber(a[5..<14], checkDigit: a[14], optional: a[15..<30])
            f.documentNumber = number.number
            f.optionalData1 = text(number.remainingOptional)
            try dates(b[0..<7], sexAt: b[7], expiry: b[8..<15], into: &f)
            f.nationality = text(b[15..<18])
            f.optionalData2 = text(b[18..<29])
            try verify(a[5..<30] + b[0..<7] + b[8..<15] + b[18..<29], checkDigit: b[29], field: "composite")
            (f.primaryIdentifier, f.secondaryIdentifier) = names(c[0..<30])
        case .td2:
            // Part 6, 4.2.2. Line 1: code 0-1, state 2-4, name 5-35. Line 2: number 0-8, check 9,
            // nationality 10-12, birth 13-18, check 19, sex 20, expiry 21-26, check 27,
            // optional 28-34, composite 35.
            let (a, b) = (l[0], l[1])
            f.documentCode = text(a[0..<2])
            f.issuingState = text(a[2..<5])
            (f.primaryIdentifier, f.secondaryIdentifier) = names(a[5..<36])
            let number = try documentNumber(b[0..<9], checkDigit: b[9], optional: b[28..<35])
            f.documentNumber = number.number
            f.optionalData1 = text(number.remainingOptional)
            f.nationality = text(b[10..<13])
            try dates(b[13..<20], sexAt: b[20], expiry: b[21..<28], into: &f)
            try verify(b[0..<10] + b[13..<20] + b[21..<35], checkDigit: b[35], field: "composite")
        case .td3:
            // Part 4, 4.2.2. Line 1: code 0-1, state 2-4, name 5-43. Line 2: number 0-8, check 9,
            // nationality 10-12, birth 13-18, check 19, sex 20, expiry 21-26, check 27,
            // personal number 28-41, check 42, composite 43.
            let (a, b) = (l[0], l[1])
            f.documentCode = text(a[0..<2])
            f.issuingState = text(a[2..<5])
            (f.primaryIdentifier, f.secondaryIdentifier) = names(a[5..<44])
            try verify(b[0..<9], checkDigit: b[9], field: "document number")
            f.documentNumber = text(b[0..<9])
            f.nationality = text(b[10..<13])
            try dates(b[13..<20], sexAt: b[20], expiry: b[21..<28], into: &f)
            // An unused personal number may carry `<` instead of a check digit (Part 4, 4.2.2.2 note).
            let personal = b[28..<42]
            if !(personal.allSatisfy { $0 == filler } && b[42] == filler) {
                try verify(personal, checkDigit: b[42], field: "personal number")
            }
            f.optionalData1 = text(personal)
            try verify(b[0..<10] + b[13..<20] + b[21..<43], checkDigit: b[43], field: "composite")
        }
        if f.documentNumber.isEmpty {
            throw EMRTDError(.mrzField, "MRZ document number is empty")
        }
        return MRZ(format: format, lines: l, fields: f)
    }

    /// The document number field of TD1/TD2, with the long-number rule of Doc 9303 Part 5, 4.2.2 note j
    /// (and Part 6): a `<` in the check digit position means the number continues in the optional data,
    /// where its last character is followed by the check digit over the whole number, then a filler.
    private static func documentNumber(
        _ field: ArraySlice<UInt8>, checkDigit: UInt8, optional: ArraySlice<UInt8>
    ) throws(EMRTDError) -> (number: String, remainingOptional: ArraySlice<UInt8>) {
        guard checkDigit == filler else {
            try verify(field, checkDigit: checkDigit, field: "document number")
            return (text(field), optional)
        }
        let end = optional.firstIndex(of: filler) ?? optional.endIndex
        let continuation = optional[optional.startIndex..<end]
        guard continuation.count >= 2, !field.contains(filler) else {
            throw EMRTDError(
                .mrzCheckDigit,
                "MRZ check digit for the document number is '<' but the optional data does not hold a long document number and its check digit"
            )
        }
        let whole = field + continuation.dropLast()
        try verify(whole, checkDigit: continuation.last!, field: "document number")
        // Skip the filler that ends the continuation.
        let rest = end < optional.endIndex ? optional[(end + 1)...] : optional[end...]
        return (text(whole), rest)
    }

    private static func dates(
        _ birth: ArraySlice<UInt8>, sexAt sexByte: UInt8, expiry: ArraySlice<UInt8>, into f: inout Fields
    ) throws(EMRTDError) {
        let birthField = birth.dropLast(), expiryField = expiry.dropLast()
        try requireDateCharacters(birthField, field: "date of birth")
        try verify(birthField, checkDigit: birth.last!, field: "date of birth")
        try requireDateCharacters(expiryField, field: "date of expiry")
        try verify(expiryField, checkDigit: expiry.last!, field: "date of expiry")
        guard let sex = Sex(rawValue: Character(Unicode.Scalar(sexByte))) else {
            throw EMRTDError(.mrzField, "MRZ sex is '\(show(sexByte))'; expected M, F, X or <")
        }
        f.dateOfBirth = String(decoding: birthField, as: UTF8.self)
        f.dateOfExpiry = String(decoding: expiryField, as: UTF8.self)
        f.sex = sex
    }

    private static func requireDateCharacters(_ field: ArraySlice<UInt8>, field name: String) throws(EMRTDError) {
        // `<` stands for an unknown part of a date (Part 3, 4.6.1); letters never belong in a date.
        if let bad = field.first(where: { !($0 == filler || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)) }) {
            throw EMRTDError(.mrzField, "MRZ \(name) contains '\(show(bad))'; expected YYMMDD digits")
        }
    }

    static func verify<C: Collection>(_ field: C, checkDigit: UInt8, field name: String) throws(EMRTDError)
    where C.Element == UInt8 {
        let expected = CheckDigit.digit(of: field)
        guard checkDigit != expected else { return }
        let found = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(checkDigit) ? show(checkDigit) : "'\(show(checkDigit))'"
        throw EMRTDError(.mrzCheckDigit, "MRZ check digit for the \(name) is \(found), expected \(show(expected))")
    }

    /// Splits a name field at the first `<<` (Part 3, 4.6.3); single fillers inside a name are spaces.
    private static func names(_ field: ArraySlice<UInt8>) -> (String, String) {
        var i = field.startIndex
        while i + 1 < field.endIndex {
            if field[i] == filler && field[i + 1] == filler {
                return (spaced(field[field.startIndex..<i]), spaced(field[(i + 2)...]))
            }
            i += 1
        }
        return (spaced(field), "")
    }

    private static func spaced(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.split(separator: filler).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }

    /// Field text without trailing fillers.
    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        var end = bytes.endIndex
        while end > bytes.startIndex && bytes[end - 1] == filler { end -= 1 }
        return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
    }

    static func show(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7F ? String(Unicode.Scalar(c)) : "\\u{\(String(c, radix: 16, uppercase: true))}"
    }

    static let filler = UInt8(ascii: "<")
}
