public import EMRTDCore

/// Composes an MRZ from field values, computing every check digit: used to personalize specimen and
/// virtual documents. Each result is parsed back by ``MRZ/init(_:)`` before it is returned.
///
/// Code-like fields (document code, states, numbers, optional data) must already be in MRZ characters;
/// names are transliterated (``Transliteration``) and truncated or padded to the name field.
public enum MRZBuilder {
    /// A TD1 MRZ (ICAO Doc 9303 Part 5, 4.2.2). A document number longer than 9 characters continues in
    /// optional data 1, followed by its check digit and a filler (note j); `optionalData1` comes after it.
    public static func td1(
        documentCode: String = "ID", issuingState: String, documentNumber: String, optionalData1: String = "",
        dateOfBirth: String, sex: MRZ.Sex, dateOfExpiry: String, nationality: String, optionalData2: String = "",
        primaryIdentifier: String, secondaryIdentifier: String
    ) throws(EMRTDError) -> MRZ {
        let number = try numberFields(documentNumber, optionalData: optionalData1, optionalLength: 15)
        var line1 = try code(documentCode, "document code") + code(issuingState, "issuing state", 3)
        line1 += number.field + number.optional
        var line2 = try dateField(dateOfBirth, "date of birth") + [sexByte(sex)] + dateField(dateOfExpiry, "date of expiry")
        line2 += try code(nationality, "nationality", 3) + padded(optionalData2, 11, "optional data 2")
        let l1 = Array(line1), l2 = Array(line2)
        line2.append(CheckDigit.digit(of: l1[5..<30] + l2[0..<7] + l2[8..<15] + l2[18..<29]))
        let line3 = try nameField(primaryIdentifier, secondaryIdentifier, 30)
        return try MRZ(text(line1, line2, line3))
    }

    /// A TD2 MRZ (ICAO Doc 9303 Part 6, 4.2.2); long document numbers continue in the optional data.
    public static func td2(
        documentCode: String = "I", issuingState: String, documentNumber: String, dateOfBirth: String,
        sex: MRZ.Sex, dateOfExpiry: String, nationality: String, optionalData: String = "",
        primaryIdentifier: String, secondaryIdentifier: String
    ) throws(EMRTDError) -> MRZ {
        let line1 = try code(documentCode, "document code") + code(issuingState, "issuing state", 3)
            + nameField(primaryIdentifier, secondaryIdentifier, 31)
        let number = try numberFields(documentNumber, optionalData: optionalData, optionalLength: 7)
        var line2 = try number.field + code(nationality, "nationality", 3)
        line2 += try dateField(dateOfBirth, "date of birth") + [sexByte(sex)] + dateField(dateOfExpiry, "date of expiry")
        line2 += number.optional
        let l2 = line2
        line2.append(CheckDigit.digit(of: l2[0..<10] + l2[13..<20] + l2[21..<35]))
        return try MRZ(text(line1, line2))
    }

    /// A TD3 MRZ (ICAO Doc 9303 Part 4, 4.2.2). The document number has at most 9 characters; an empty
    /// personal number gets `<` as its check digit.
    public static func td3(
        documentCode: String = "P", issuingState: String, documentNumber: String, dateOfBirth: String,
        sex: MRZ.Sex, dateOfExpiry: String, nationality: String, personalNumber: String = "",
        primaryIdentifier: String, secondaryIdentifier: String
    ) throws(EMRTDError) -> MRZ {
        let line1 = try code(documentCode, "document code") + code(issuingState, "issuing state", 3)
            + nameField(primaryIdentifier, secondaryIdentifier, 39)
        let number = try padded(documentNumber, 9, "document number")
        var line2 = try number + [CheckDigit.digit(of: number)] + code(nationality, "nationality", 3)
        line2 += try dateField(dateOfBirth, "date of birth") + [sexByte(sex)] + dateField(dateOfExpiry, "date of expiry")
        let personal = try padded(personalNumber, 14, "personal number")
        line2 += personal + [personal.allSatisfy { $0 == MRZ.filler } ? MRZ.filler : CheckDigit.digit(of: personal)]
        let l2 = line2
        line2.append(CheckDigit.digit(of: l2[0..<10] + l2[13..<20] + l2[21..<43]))
        return try MRZ(text(line1, line2))
    }

    /// The TD1 MRZ of a CCCD: `IDVNM`, the last 9 digits of the personal ID and their check digit, then in
    /// the optional data the full 12-digit ID, `<<` and the ID's check digit; nationality `VNM`; the name
    /// as `SURNAME<<GIVEN<NAMES`, transliterated from Vietnamese. Dates are `YYMMDD`; cards without expiry
    /// use `991231`.
    public static func cccd(
        personalID: String, dateOfBirth: String, sex: MRZ.Sex, dateOfExpiry: String, surname: String,
        givenNames: String
    ) throws(EMRTDError) -> MRZ {
        let number = try CCCD.documentNumber(fromPersonalID: personalID)
        let id = Array(personalID.utf8)
        let optional = personalID + "<<" + String(Unicode.Scalar(CheckDigit.digit(of: id)))
        return try td1(
            documentCode: "ID", issuingState: "VNM", documentNumber: number, optionalData1: optional,
            dateOfBirth: dateOfBirth, sex: sex, dateOfExpiry: dateOfExpiry, nationality: "VNM",
            primaryIdentifier: surname, secondaryIdentifier: givenNames
        )
    }

    // MARK: - Fields

    /// The 10-character number field (number + check digit, or 9 characters + `<` for a long number) and
    /// the optional data field that follows it.
    private static func numberFields(
        _ number: String, optionalData: String, optionalLength: Int
    ) throws(EMRTDError) -> (field: [UInt8], optional: [UInt8]) {
        var n = try characters(number, "document number")
        while n.last == MRZ.filler { n.removeLast() }
        guard !n.isEmpty else { throw EMRTDError(.mrzField, "MRZ document number is empty") }
        if n.count <= 9 {
            let field = n + Array(repeating: MRZ.filler, count: 9 - n.count)
            return (field + [CheckDigit.digit(of: field)], try padded(optionalData, optionalLength, "optional data"))
        }
        guard n[0..<9].allSatisfy({ $0 != MRZ.filler }) else {
            throw EMRTDError(.mrzField, "MRZ long document number has a filler in its first 9 characters")
        }
        var continuation = Array(n[9...]) + [CheckDigit.digit(of: n)]
        let rest = try characters(optionalData, "optional data")
        if !rest.isEmpty || continuation.count < optionalLength { continuation.append(MRZ.filler) }
        guard continuation.count + rest.count <= optionalLength else {
            throw EMRTDError(
                .mrzField,
                "MRZ document number and optional data do not fit the \(optionalLength)-character optional data field"
            )
        }
        let field = Array(n[0..<9]) + [MRZ.filler]
        return (field, try padded(String(decoding: continuation + rest, as: UTF8.self), optionalLength, "optional data"))
    }

    private static func characters(_ text: String, _ field: String) throws(EMRTDError) -> [UInt8] {
        var out: [UInt8] = []
        for scalar in text.unicodeScalars {
            guard scalar.isASCII, CheckDigit.value(UInt8(scalar.value)) != nil else {
                throw EMRTDError(
                    .mrzCharacter,
                    "MRZ \(field) contains '\(scalar.escaped(asASCII: true))'; only A–Z, 0–9 and '<' are allowed"
                )
            }
            out.append(UInt8(scalar.value))
        }
        return out
    }

    private static func padded(_ text: String, _ length: Int, _ field: String) throws(EMRTDError) -> [UInt8] {
        let c = try characters(text, field)
        guard c.count <= length else {
            throw EMRTDError(.mrzField, "MRZ \(field) has \(c.count) characters; at most \(length) fit")
        }
        return c + Array(repeating: MRZ.filler, count: length - c.count)
    }

    private static func code(_ text: String, _ field: String, _ length: Int = 2) throws(EMRTDError) -> [UInt8] {
        let c = try padded(text, length, field)
        guard c.first != MRZ.filler else { throw EMRTDError(.mrzField, "MRZ \(field) is empty") }
        return c
    }

    private static func dateField(_ date: String, _ field: String) throws(EMRTDError) -> [UInt8] {
        try YYMMDD.validate(date, field: field)
        let d = Array(date.utf8)
        return d + [CheckDigit.digit(of: d)]
    }

    private static func sexByte(_ sex: MRZ.Sex) -> UInt8 { sex.rawValue.asciiValue ?? MRZ.filler }

    /// `PRIMARY<<SECONDARY`, cut or padded to the field; a name that must be cut loses its end, as the
    /// simplest truncation Doc 9303 Part 3, 4.6.4 allows.
    private static func nameField(_ primary: String, _ secondary: String, _ length: Int) throws(EMRTDError) -> [UInt8] {
        let p = try Transliteration.mrzName(primary), s = try Transliteration.mrzName(secondary)
        guard !p.isEmpty else { throw EMRTDError(.mrzField, "MRZ primary identifier is empty") }
        var name = Array(p.utf8)
        if !s.isEmpty { name += Array("<<".utf8) + Array(s.utf8) }
        if name.count > length { name = Array(name[0..<length]) }
        return name + Array(repeating: MRZ.filler, count: length - name.count)
    }

    private static func text(_ lines: [UInt8]...) -> String {
        lines.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
    }
}
