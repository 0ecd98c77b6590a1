public import EMRTDCore
import Foundation
public import LDS
public import MRZ

extension EMRTDError.Code {
    /// A citizen record is missing a field or has a malformed one (the message names it).
    public static let recordInvalid = Self("record.invalid")
}

/// A citizen's record as an issuance center holds it: the DG13 fields of the CCCD (CCCD.md), the
/// 12-digit ID, dates, sex and names. It personalizes a card (`cccd perso`) and checks a printed
/// card against it (`cccd-read --expect`).
///
/// Dates are `dd/mm/yyyy`, as DG13 writes them; `dateOfExpiry` may be `Không thời hạn` (no expiry,
/// 991231 in the MRZ). Every string is NFC-normalized when the record is read, so a record typed
/// with combining accents matches a chip written with precomposed ones.
public struct CitizenRecord: Codable, Sendable, Hashable {
    /// The 12-digit personal ID (DG13 field 1); its last 9 digits are the MRZ's document number, its last 6 the CAN.
    public var personalID: String
    /// DG13 field 2, family name first ("Nguyễn Văn Minh"); the MRZ takes the first word as the surname.
    public var fullName: String
    /// DG13 field 3, dd/mm/yyyy.
    public var dateOfBirth: String
    /// DG13 field 4: "Nam" or "Nữ".
    public var sex: String
    /// DG13 field 5 ("Việt Nam").
    public var nationality: String
    /// DG13 field 6 ("Kinh").
    public var ethnicity: String
    /// DG13 field 7 ("Không" when none).
    public var religion: String
    /// DG13 field 8.
    public var placeOfOrigin: String
    /// DG13 field 9.
    public var placeOfResidence: String
    /// DG13 field 10.
    public var identifyingMarks: String
    /// DG13 field 11, dd/mm/yyyy.
    public var dateOfIssue: String
    /// DG13 field 12, dd/mm/yyyy or ``noExpiry``.
    public var dateOfExpiry: String
    /// DG13 field 13, first value.
    public var fatherName: String
    /// DG13 field 13, second value.
    public var motherName: String
    /// DG13 field 14; nil writes the field without a value.
    public var spouseName: String?
    /// DG13 field 15, the 9-digit ID of the card before; nil leaves the field out.
    public var oldIDNumber: String?
    /// DG13 field 16 (16 characters of unconfirmed meaning); nil leaves the field out.
    public var field16: String?
    /// The portrait (JPEG or JPEG 2000), a path relative to the record file; optional.
    public var photo: String?

    /// DG13 field 12 of a card that does not expire ("no time limit"); the MRZ writes 991231.
    public static let noExpiry = "Không thời hạn"

    /// An example, printed by `cccd perso --example-record` and documented in the README.
    public static let example = CitizenRecord(
        personalID: "001203004567", fullName: "Nguyễn Văn Minh", dateOfBirth: "02/09/2003", sex: "Nam",
        nationality: "Việt Nam", ethnicity: "Kinh", religion: "Không",
        placeOfOrigin: "Xã Đông Hội, Huyện Đông Anh, Thành phố Hà Nội",
        placeOfResidence: "Số 8 Ngõ 12 Phố Huế, Phường Phạm Đình Hổ, Quận Hai Bà Trưng, Thành phố Hà Nội",
        identifyingMarks: "Sẹo chấm C:2cm trên trước đầu lông mày trái", dateOfIssue: "15/06/2024", dateOfExpiry: "02/09/2028",
        fatherName: "Nguyễn Văn Hải", motherName: "Phạm Thị Lan", spouseName: nil, oldIDNumber: nil, field16: nil,
        photo: "face.jpg")

    /// A record from its fields as given: nothing is normalized or checked (``validate()`` does that).
    public init(
        personalID: String, fullName: String, dateOfBirth: String, sex: String, nationality: String, ethnicity: String,
        religion: String, placeOfOrigin: String, placeOfResidence: String, identifyingMarks: String, dateOfIssue: String,
        dateOfExpiry: String, fatherName: String, motherName: String, spouseName: String?, oldIDNumber: String?,
        field16: String?, photo: String?
    ) {
        self.personalID = personalID
        self.fullName = fullName
        self.dateOfBirth = dateOfBirth
        self.sex = sex
        self.nationality = nationality
        self.ethnicity = ethnicity
        self.religion = religion
        self.placeOfOrigin = placeOfOrigin
        self.placeOfResidence = placeOfResidence
        self.identifyingMarks = identifyingMarks
        self.dateOfIssue = dateOfIssue
        self.dateOfExpiry = dateOfExpiry
        self.fatherName = fatherName
        self.motherName = motherName
        self.spouseName = spouseName
        self.oldIDNumber = oldIDNumber
        self.field16 = field16
        self.photo = photo
    }

    /// Reads a record from JSON, NFC-normalizes it and checks every field; an error names the field.
    public static func decode(json: [UInt8]) throws(EMRTDError) -> CitizenRecord {
        var record: CitizenRecord
        do {
            record = try JSONDecoder().decode(CitizenRecord.self, from: Data(json))
        } catch let DecodingError.keyNotFound(key, _) {
            throw EMRTDError(.recordInvalid, "the record has no \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(_, context) {
            throw EMRTDError(.recordInvalid, "record field \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" has the wrong type (a string is expected)")
        } catch let DecodingError.valueNotFound(_, context) {
            throw EMRTDError(.recordInvalid, "record field \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" is null")
        } catch {
            throw EMRTDError(.recordInvalid, "the record is not valid JSON")
        }
        record.normalize()
        try record.validate()
        return record
    }

    /// Reads a record from the JSON file at `path`, as ``decode(json:)`` does.
    public static func load(from path: String) throws(EMRTDError) -> CitizenRecord {
        guard let data = FileManager.default.contents(atPath: path) else { throw EMRTDError(.io, "cannot read the record \(path)") }
        return try decode(json: [UInt8](data))
    }

    /// The record as pretty-printed JSON with sorted keys, as ``decode(json:)`` reads it.
    public var encodedJSON: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return [UInt8]((try? encoder.encode(self)) ?? Data()) + [0x0A]
    }

    mutating func normalize() {
        func nfc(_ s: String) -> String { s.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespaces) }
        personalID = nfc(personalID); fullName = nfc(fullName); dateOfBirth = nfc(dateOfBirth); sex = nfc(sex)
        nationality = nfc(nationality); ethnicity = nfc(ethnicity); religion = nfc(religion)
        placeOfOrigin = nfc(placeOfOrigin); placeOfResidence = nfc(placeOfResidence); identifyingMarks = nfc(identifyingMarks)
        dateOfIssue = nfc(dateOfIssue); dateOfExpiry = nfc(dateOfExpiry); fatherName = nfc(fatherName); motherName = nfc(motherName)
        spouseName = spouseName.map(nfc); oldIDNumber = oldIDNumber.map(nfc); field16 = field16.map(nfc)
    }

    /// Every field checked; the first problem found is thrown, naming the field.
    public func validate() throws(EMRTDError) {
        func fail(_ field: String, _ why: String) -> EMRTDError { EMRTDError(.recordInvalid, "record field \"\(field)\" \(why)") }
        do {
            try CCCD.validatePersonalID(personalID)
        } catch {
            throw fail("personalID", "must be the 12-digit personal ID number (\(error.message))")
        }
        for (name, value) in [("fullName", fullName), ("nationality", nationality), ("ethnicity", ethnicity), ("religion", religion),
                              ("placeOfOrigin", placeOfOrigin), ("placeOfResidence", placeOfResidence),
                              ("fatherName", fatherName), ("motherName", motherName)] where value.isEmpty {
            throw fail(name, "is empty")
        }
        guard fullName.split(separator: " ").count >= 2 else { throw fail("fullName", "needs a family name and a given name") }
        guard sex == "Nam" || sex == "Nữ" else { throw fail("sex", "must be \"Nam\" or \"Nữ\"") }
        for (name, value) in [("dateOfBirth", dateOfBirth), ("dateOfIssue", dateOfIssue)] where Self.date(value) == nil {
            throw fail(name, "must be a date dd/mm/yyyy, not \"\(value)\"")
        }
        if dateOfExpiry != Self.noExpiry && Self.date(dateOfExpiry) == nil {
            throw fail("dateOfExpiry", "must be a date dd/mm/yyyy or \"\(Self.noExpiry)\"")
        }
        if let old = oldIDNumber, !(old.count == 9 && old.allSatisfy { $0.isASCII && $0.isNumber }) {
            throw fail("oldIDNumber", "must be 9 digits")
        }
        for (name, value) in [("personalID", personalID), ("dateOfBirth", dateOfBirth), ("dateOfIssue", dateOfIssue), ("oldIDNumber", oldIDNumber ?? "")]
        where !value.allSatisfy(\.isASCII) {
            throw fail(name, "must be ASCII (it is written as a PrintableString)")
        }
        _ = try mrz()
    }

    /// `dd/mm/yyyy` as (day, month, year), or nil.
    static func date(_ text: String) -> (Int, Int, Int)? {
        let parts = text.split(separator: "/")
        guard parts.count == 3, parts[0].count == 2, parts[1].count == 2, parts[2].count == 4,
              let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]),
              (1...12).contains(m), (1900...2199).contains(y)
        else { return nil }
        let days = [31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return (1...days).contains(d) ? (d, m, y) : nil
    }

    /// YYMMDD for the MRZ.
    static func mrzDate(_ text: String) -> String? {
        guard let (d, m, y) = date(text) else { return nil }
        return String(format: "%02d%02d%02d", y % 100, m, d)
    }

    /// The TD1 MRZ this record gives: the CCCD layout, names transliterated, expiry 991231 when none.
    public func mrz() throws(EMRTDError) -> MRZ {
        guard let dob = Self.mrzDate(dateOfBirth) else { throw EMRTDError(.recordInvalid, "record field \"dateOfBirth\" is not a date") }
        let doe = dateOfExpiry == Self.noExpiry ? "991231" : (Self.mrzDate(dateOfExpiry) ?? "")
        let words = fullName.split(separator: " ").map(String.init)
        do {
            return try MRZBuilder.cccd(
                personalID: personalID, dateOfBirth: dob, sex: sex == "Nam" ? .male : .female, dateOfExpiry: doe,
                surname: words[0], givenNames: words.dropFirst().joined(separator: " "))
        } catch {
            throw EMRTDError(.recordInvalid, "the record does not make a valid MRZ: \(error.message)")
        }
    }

    /// The DG13 content, in the CCCD layout.
    public var dg13: DG13.Record {
        DG13.Record(
            personalIDNumber: personalID, fullName: fullName, dateOfBirth: dateOfBirth, sex: sex, nationality: nationality,
            ethnicity: ethnicity, religion: religion, placeOfOrigin: placeOfOrigin, placeOfResidence: placeOfResidence,
            identifyingMarks: identifyingMarks, dateOfIssue: dateOfIssue, dateOfExpiry: dateOfExpiry,
            fatherName: fatherName, motherName: motherName, spouseName: spouseName, oldIDNumber: oldIDNumber, field16: field16)
    }
}
