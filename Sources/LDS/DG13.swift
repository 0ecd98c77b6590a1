public import EMRTDCore
import EMRTDASN1
public import SwiftASN1
import ISO7816

/// DG13 of the Vietnamese citizen ID card (CCCD): the holder's personal data in Vietnamese.
///
/// ```
/// 6D L
///   30 L
///     02 01 01                 version 1
///     06 06 28 D3 16 01 00 08  OID 1.0.10646.1.0.8
///     31 L                     SET of fields
///       30 L { 02 01 n  value(s) }      one per field n = 1 ... 16
/// ```
///
/// | n | field | type seen |
/// |---|---|---|
/// | 1 | personal ID number (12 digits) | PrintableString |
/// | 2 | full name | UTF8String |
/// | 3 | date of birth dd/mm/yyyy | PrintableString |
/// | 4 | sex ("Nam" / "Nữ") | UTF8String |
/// | 5 | nationality | UTF8String |
/// | 6 | ethnicity | UTF8String |
/// | 7 | religion | UTF8String |
/// | 8 | place of origin | UTF8String |
/// | 9 | place of residence | UTF8String |
/// | 10 | identifying marks | UTF8String |
/// | 11 | date of issue dd/mm/yyyy | PrintableString |
/// | 12 | date of expiry dd/mm/yyyy or text | UTF8String |
/// | 13 | father, then mother: `30 { 0C father } 30 { 0C mother }` | SEQUENCE × 2 |
/// | 14 | spouse; no value (`30 03 02 01 0E`) when none | UTF8String or empty |
/// | 15 | old ID number (9 digits), may be absent | PrintableString |
/// | 16 | 16 characters of unconfirmed meaning | PrintableString |
///
/// Lengths may use the long form anywhere. Fields with unknown numbers are kept; each field keeps
/// its raw bytes, and ``raw`` is the file as read (hash it, never a re-encoding).
public struct DG13: Hashable, Sendable {
    /// The string types accepted in values: PrintableString (13), UTF8String (0C), IA5String (16).
    public enum StringType: UInt8, Sendable, Hashable {
        case printable = 0x13
        case utf8 = 0x0C
        case ia5 = 0x16
    }

    /// One `30 { 02 n, value(s) }` element of the field set.
    public struct Field: Hashable, Sendable {
        /// The field number n.
        public let index: Int
        /// The text values in order; strings nested in SEQUENCEs (field 13) are flattened.
        public let values: [String]
        /// The field's encoding, `30 L 02 01 n …`, as read.
        public let raw: [UInt8]

        /// Builds a field: each value encoded as `type`, or, with `wrapEach`, each in its own SEQUENCE
        /// (the layout of field 13). Types that cannot hold a value fall back to UTF8String.
        public init(index: Int, values: [String], type: StringType = .utf8, wrapEach: Bool = false) {
            self.index = index
            self.values = values
            var children = [TLV(tag: 0x02, value: DG13.integerBytes(index))]
            for v in values {
                let t: StringType = DG13.canEncode(v, as: type) ? type : .utf8
                let s = TLV(tag: TLVTag(UInt32(t.rawValue)), value: Array(v.utf8))
                children.append(wrapEach ? TLV(tag: 0x30, children: [s]) : s)
            }
            raw = TLV(tag: 0x30, children: children).raw
        }

        init(index: Int, values: [String], raw: [UInt8]) {
            self.index = index
            self.values = values
            self.raw = raw
        }

        /// The first value, if any.
        public var text: String? { values.first }
    }

    /// The Vietnamese-data OID 1.0.10646.1.0.8 (ISO/IEC 10646 UTF-8 level).
    public static let contentOID: ASN1ObjectIdentifier = "1.0.10646.1.0.8"

    /// The version number (1 on every card seen).
    public let version: Int
    /// The OID before the field set (``contentOID`` on every card seen).
    public let oid: ASN1ObjectIdentifier
    /// All fields, in file order, including unknown numbers.
    public let fields: [Field]
    /// The file's bytes.
    public let raw: [UInt8]

    // MARK: Parsing

    /// Parses DG13 as read. Throws `dg13.unexpected-layout` naming what differs from the layout above
    /// (unknown field numbers are kept, not an error).
    public init(_ bytes: [UInt8]) throws(EMRTDError) {
        let outer = try LDSParsing.outer(bytes, tag: 0x6D, file: "DG13")
        let top = try outer.children()
        guard top.count == 1, top[0].tag == 0x30 else {
            throw Self.layout("6D must hold exactly one SEQUENCE (30), found \(top.map(\.tag.description))")
        }
        let parts = try top[0].children()
        guard parts.count == 3, parts[0].tag == 0x02, parts[1].tag == 0x06, parts[2].tag == 0x31 else {
            throw Self.layout("the SEQUENCE must hold INTEGER, OID, SET (02 06 31), found \(parts.map(\.tag.description))")
        }
        guard let v = Self.smallInteger(parts[0].value) else {
            throw Self.layout("the version is not a small non-negative INTEGER (\(parts[0].value.hex))")
        }
        version = v
        oid = try ASN1ObjectIdentifier(contentBytes: parts[1].value)
        var fields: [Field] = []
        for element in try parts[2].children() {
            fields.append(try Self.parseField(element))
        }
        self.fields = fields
        raw = bytes
    }

    static func layout(_ problem: String) -> EMRTDError {
        EMRTDError(.dg13UnexpectedLayout, "DG13: \(problem)")
    }

    static func parseField(_ element: TLV) throws(EMRTDError) -> Field {
        guard element.tag == 0x30 else {
            throw layout("a field must be a SEQUENCE (30), found tag \(element.tag)")
        }
        let items = try element.children()
        guard let first = items.first, first.tag == 0x02, let index = smallInteger(first.value), index > 0 else {
            throw layout("a field must start with its number, INTEGER 1 or more (\(element.raw.prefix(8).hex))")
        }
        let known = (1...16).contains(index)
        var values: [String] = []
        for item in items.dropFirst() {
            try collect(item, field: index, strict: known, depth: 1, into: &values)
        }
        return Field(index: index, values: values, raw: element.raw)
    }

    /// Appends the strings of `tlv`, descending into SEQUENCEs. In known fields anything else is an error;
    /// in unknown fields it is skipped (the raw bytes keep it).
    static func collect(
        _ tlv: TLV, field: Int, strict: Bool, depth: Int, into values: inout [String]
    ) throws(EMRTDError) {
        switch tlv.tag {
        case 0x0C, 0x13, 0x16:
            guard let s = String(validating: tlv.value, as: UTF8.self) else {
                throw layout("field \(field) holds a string (tag \(tlv.tag)) that is not valid UTF-8")
            }
            values.append(s)
        case 0x30:
            guard depth < 4 else { throw layout("field \(field) nests SEQUENCEs more than 3 deep") }
            for child in try tlv.children() {
                try collect(child, field: field, strict: strict, depth: depth + 1, into: &values)
            }
        default:
            if strict {
                throw layout("field \(field) holds tag \(tlv.tag) where a string or SEQUENCE was expected")
            }
        }
    }

    /// Non-negative INTEGER content of at most 4 bytes, else nil.
    static func smallInteger(_ bytes: [UInt8]) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 4, bytes[0] & 0x80 == 0 else { return nil }
        return bytes.reduce(0) { $0 << 8 | Int($1) }
    }

    static func integerBytes(_ n: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var v = max(n, 0)
        repeat {
            bytes.insert(UInt8(v & 0xFF), at: 0)
            v >>= 8
        } while v > 0
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return bytes
    }

    static func canEncode(_ s: String, as type: StringType) -> Bool {
        switch type {
        case .utf8: return true
        case .ia5: return s.utf8.allSatisfy { $0 < 0x80 }
        case .printable:
            // X.680 41.4: A-Z a-z 0-9 space ' ( ) + , - . / : = ?
            return s.utf8.allSatisfy { c in
                (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) || (0x30...0x39).contains(c)
                    || " '()+,-./:=?".utf8.contains(c)
            }
        }
    }

    // MARK: Encoding

    /// Builds DG13 from fields (each written as its ``Field/raw``), version 1 and ``contentOID``.
    public init(fields: [Field]) {
        self.version = 1
        self.oid = Self.contentOID
        self.fields = fields
        self.raw = Self.encode(fields: fields)
    }

    /// Builds DG13 from a record in the CCCD layout.
    public init(record: Record) {
        self.init(fields: record.fields)
    }

    /// `6D { 30 { 02 01 01, 06 OID, 31 { fields } } }` with minimal lengths.
    public static func encode(fields: [Field]) -> [UInt8] {
        let set = TLV(tag: 0x31, value: fields.flatMap(\.raw))
        let body = TLV(
            tag: 0x30,
            children: [TLV(tag: 0x02, value: [0x01]), TLV(tag: 0x06, value: contentOID.contentBytes), set])
        return TLV(tag: 0x6D, children: [body]).raw
    }

    // MARK: Access

    /// The first field with number `index`.
    public func field(_ index: Int) -> Field? { fields.first { $0.index == index } }

    private func text(_ index: Int) -> String? { field(index)?.values.first }

    /// Field 1, the 12-digit personal ID number (số định danh cá nhân).
    public var personalIDNumber: String? { text(1) }
    /// Field 2, full name, in Vietnamese with diacritics.
    public var fullName: String? { text(2) }
    /// Field 3, date of birth, `dd/mm/yyyy`.
    public var dateOfBirth: String? { text(3) }
    /// Field 4, sex: `Nam` (male) or `Nữ` (female).
    public var sex: String? { text(4) }
    /// Field 5, nationality, e.g. `Việt Nam`.
    public var nationality: String? { text(5) }
    /// Field 6, ethnicity (dân tộc).
    public var ethnicity: String? { text(6) }
    /// Field 7, religion (tôn giáo).
    public var religion: String? { text(7) }
    /// Field 8, place of origin (quê quán).
    public var placeOfOrigin: String? { text(8) }
    /// Field 9, place of residence (nơi thường trú).
    public var placeOfResidence: String? { text(9) }
    /// Field 10, identifying marks (đặc điểm nhận dạng).
    public var identifyingMarks: String? { text(10) }
    /// Field 11, date of issue, `dd/mm/yyyy`.
    public var dateOfIssue: String? { text(11) }
    /// Field 12, date of expiry, `dd/mm/yyyy`, or text such as `Không thời hạn` (no expiry).
    public var dateOfExpiry: String? { text(12) }
    /// First value of field 13.
    public var fatherName: String? { text(13) }
    /// Second value of field 13 (parsers that read field 13 as one SEQUENCE lose it).
    public var motherName: String? {
        guard let values = field(13)?.values, values.count > 1 else { return nil }
        return values[1]
    }
    /// Nil when field 14 is empty or absent.
    public var spouseName: String? { text(14) }
    /// Nil when field 15 is absent (cards issued without an older ID number).
    public var oldIDNumber: String? { text(15) }
    /// Field 16, 16 characters whose meaning is not confirmed; kept as read.
    public var field16: String? { text(16) }

    /// The known fields as a record (missing text becomes "").
    public var record: Record {
        Record(
            personalIDNumber: personalIDNumber ?? "", fullName: fullName ?? "", dateOfBirth: dateOfBirth ?? "",
            sex: sex ?? "", nationality: nationality ?? "", ethnicity: ethnicity ?? "", religion: religion ?? "",
            placeOfOrigin: placeOfOrigin ?? "", placeOfResidence: placeOfResidence ?? "",
            identifyingMarks: identifyingMarks ?? "", dateOfIssue: dateOfIssue ?? "",
            dateOfExpiry: dateOfExpiry ?? "", fatherName: fatherName ?? "", motherName: motherName ?? "",
            spouseName: spouseName, oldIDNumber: oldIDNumber, field16: field16)
    }

    /// The 16 fields of the CCCD layout, for building a DG13.
    public struct Record: Hashable, Sendable {
        /// Field 1, the 12-digit personal ID number.
        public var personalIDNumber: String
        /// Field 2, full name.
        public var fullName: String
        /// Field 3, date of birth, `dd/mm/yyyy`.
        public var dateOfBirth: String
        /// Field 4, sex: `Nam` or `Nữ`.
        public var sex: String
        /// Field 5, nationality.
        public var nationality: String
        /// Field 6, ethnicity.
        public var ethnicity: String
        /// Field 7, religion.
        public var religion: String
        /// Field 8, place of origin.
        public var placeOfOrigin: String
        /// Field 9, place of residence.
        public var placeOfResidence: String
        /// Field 10, identifying marks.
        public var identifyingMarks: String
        /// Field 11, date of issue, `dd/mm/yyyy`.
        public var dateOfIssue: String
        /// Field 12, date of expiry, `dd/mm/yyyy` or text.
        public var dateOfExpiry: String
        /// Field 13, first value: the father's name.
        public var fatherName: String
        /// Field 13, second value: the mother's name.
        public var motherName: String
        /// Nil: field 14 is written without a value.
        public var spouseName: String?
        /// Nil: field 15 is left out.
        public var oldIDNumber: String?
        /// Nil: field 16 is left out.
        public var field16: String?

        /// A record in the CCCD layout; nationality is `Việt Nam` unless given, fields 14 to 16 empty or left out.
        public init(
            personalIDNumber: String, fullName: String, dateOfBirth: String, sex: String,
            nationality: String = "Việt Nam", ethnicity: String, religion: String, placeOfOrigin: String,
            placeOfResidence: String, identifyingMarks: String, dateOfIssue: String, dateOfExpiry: String,
            fatherName: String, motherName: String, spouseName: String? = nil, oldIDNumber: String? = nil,
            field16: String? = nil
        ) {
            self.personalIDNumber = personalIDNumber
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
        }

        /// The fields in the CCCD layout: types as seen on cards (PrintableString where the text allows).
        public var fields: [Field] {
            var f: [Field] = [
                Field(index: 1, values: [personalIDNumber], type: .printable),
                Field(index: 2, values: [fullName]),
                Field(index: 3, values: [dateOfBirth], type: .printable),
                Field(index: 4, values: [sex]),
                Field(index: 5, values: [nationality]),
                Field(index: 6, values: [ethnicity]),
                Field(index: 7, values: [religion]),
                Field(index: 8, values: [placeOfOrigin]),
                Field(index: 9, values: [placeOfResidence]),
                Field(index: 10, values: [identifyingMarks]),
                Field(index: 11, values: [dateOfIssue], type: .printable),
                Field(index: 12, values: [dateOfExpiry]),
                Field(index: 13, values: [fatherName, motherName], wrapEach: true),
                Field(index: 14, values: spouseName.map { $0.isEmpty ? [] : [$0] } ?? []),
            ]
            if let oldIDNumber { f.append(Field(index: 15, values: [oldIDNumber], type: .printable)) }
            if let field16 { f.append(Field(index: 16, values: [field16], type: .printable)) }
            return f
        }
    }
}
