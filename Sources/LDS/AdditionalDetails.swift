public import EMRTDCore
public import ISO7816

/// One text field of DG11 or DG12.
public struct DetailField: Hashable, Sendable {
    /// The data object's tag, e.g. 5F0E.
    public let tag: TLVTag
    /// The field's name in Doc 9303-10, e.g. "full name"; "tag XXXX" for tags the specification does not define.
    public let name: String
    /// The value as text: UTF-8 for text fields, YYYYMMDD for dates (also when stored as 4 BCD bytes),
    /// nil for binary fields (images) or bytes that are not UTF-8.
    public let text: String?
    /// The value bytes as stored.
    public let value: [UInt8]

    /// A field as the DG11 and DG12 parsers build it.
    public init(tag: TLVTag, name: String, text: String?, value: [UInt8]) {
        self.tag = tag
        self.name = name
        self.text = text
        self.value = value
    }
}

/// The parser shared by DG11 and DG12: a tag list (5C), then data objects, some of them repeated
/// inside an A0 template with a count (02).
enum DetailFields {
    static func parse(
        _ bytes: [UInt8], tag: TLVTag, file: String, names: [TLVTag: String], dates: Set<TLVTag>,
        binary: Set<TLVTag>
    ) throws(EMRTDError) -> (tags: [TLVTag], fields: [DetailField]) {
        let outer = try LDSParsing.outer(bytes, tag: tag, file: file)
        var tags: [TLVTag] = []
        var fields: [DetailField] = []
        var sawList = false
        for child in try outer.children() {
            switch child.tag {
            case 0x5C:
                sawList = true
                tags = try TLVTag.parseList(child.value)
            case 0xA0:
                // Template of repeated objects (other names 5F0F, other persons 5F1A): count 02, then the objects.
                for item in try child.children() where item.tag != 0x02 {
                    fields.append(field(item, names: names, dates: dates, binary: binary))
                }
            default:
                fields.append(field(child, names: names, dates: dates, binary: binary))
            }
        }
        guard sawList else { throw EMRTDError(.ldsMissingField, "\(file) has no tag list (5C)") }
        return (tags, fields)
    }

    static func field(_ tlv: TLV, names: [TLVTag: String], dates: Set<TLVTag>, binary: Set<TLVTag>) -> DetailField {
        let name = names[tlv.tag] ?? "tag \(tlv.tag)"
        var text: String? = nil
        if !binary.contains(tlv.tag) {
            if dates.contains(tlv.tag), tlv.value.count == 4, let bcd = bcdDigits(tlv.value) {
                // Older chips store dates as 4 BCD bytes (Doc 9303 allowed both until LDS 1.7).
                text = bcd
            } else {
                text = String(validating: tlv.value, as: UTF8.self)
            }
        }
        return DetailField(tag: tlv.tag, name: name, text: text, value: tlv.value)
    }

    /// "20120304" from 20 12 03 04; nil if any nibble is not a decimal digit or the bytes are ASCII digits.
    static func bcdDigits(_ bytes: [UInt8]) -> String? {
        if bytes.allSatisfy({ (0x30...0x39).contains($0) }) { return nil }
        var s = ""
        for b in bytes {
            let hi = b >> 4, lo = b & 0x0F
            guard hi < 10, lo < 10 else { return nil }
            s += "\(hi)\(lo)"
        }
        return s
    }

    static func checkBuildable(_ tags: [TLVTag]) throws(EMRTDError) {
        for t in tags where t == 0x5C || t == 0xA0 || t.isConstructed {
            throw EMRTDError(.invalidArgument, "tag \(t) cannot be a text field")
        }
    }

    static func encode(tag: TLVTag, fields: [(TLVTag, String)], repeated: TLVTag) -> [UInt8] {
        var children: [TLV] = [TLV(tag: 0x5C, value: fields.map(\.0).reduce(into: [TLVTag]()) { list, t in
            if !list.contains(t) { list.append(t) }
        }.flatMap(\.encoded))]
        let singles = fields.filter { $0.0 != repeated }
        let repeats = fields.filter { $0.0 == repeated }
        for (t, s) in singles { children.append(TLV(tag: t, value: Array(s.utf8))) }
        if !repeats.isEmpty {
            var count = [UInt8]()
            var n = repeats.count
            repeat {
                count.insert(UInt8(n & 0xFF), at: 0)
                n >>= 8
            } while n > 0
            if count[0] & 0x80 != 0 { count.insert(0, at: 0) }
            children.append(
                TLV(tag: 0xA0, children: [TLV(tag: 0x02, value: count)] + repeats.map { TLV(tag: $0.0, value: Array($0.1.utf8)) })
            )
        }
        return TLV(tag: tag, children: children).raw
    }
}

/// DG11, additional personal details (ICAO Doc 9303-10, 4.7.11). All fields optional.
///
/// ```
/// 6B L
///   5C L   tag list
///   5F0E   full name (primary and secondary identifier, '<<' separated)
///   A0 L { 02 01 n, 5F0F other name × n }
///   5F10 personal number     5F2B full date of birth (YYYYMMDD)   5F11 place of birth
///   5F42 permanent address   5F12 telephone   5F13 profession     5F14 title
///   5F15 personal summary    5F16 proof of citizenship (image)    5F17 other valid TD numbers
///   5F18 custody information
/// ```
public struct DG11: Hashable, Sendable {
    static let names: [TLVTag: String] = [
        0x5F0E: "full name", 0x5F0F: "other name", 0x5F10: "personal number", 0x5F2B: "full date of birth",
        0x5F11: "place of birth", 0x5F42: "address", 0x5F12: "telephone", 0x5F13: "profession",
        0x5F14: "title", 0x5F15: "personal summary", 0x5F16: "proof of citizenship",
        0x5F17: "other valid TD numbers", 0x5F18: "custody information",
    ]

    /// Tags announced in 5C.
    public let tagList: [TLVTag]
    /// The data objects in file order (objects of the A0 template flattened, its count left out).
    public let fields: [DetailField]
    /// The exact bytes of the file, as the SOD hashes them.
    public let raw: [UInt8]

    /// Parses DG11 as read. Throws `lds.unexpected-tag` when it does not start with 6B, and
    /// `lds.missing-field` without the tag list 5C.
    public init(_ bytes: [UInt8]) throws(EMRTDError) {
        (tagList, fields) = try DetailFields.parse(
            bytes, tag: 0x6B, file: "DG11", names: Self.names, dates: [0x5F2B], binary: [0x5F16])
        raw = bytes
    }

    /// Encodes text fields (repeat 5F0F for several other names; they go into an A0 template).
    /// Throws `argument.invalid` for the structural tags 5C and A0 or a constructed tag.
    public init(fields: [(tag: TLVTag, text: String)]) throws(EMRTDError) {
        try DetailFields.checkBuildable(fields.map(\.tag))
        self = try DG11(DetailFields.encode(tag: 0x6B, fields: fields.map { ($0.tag, $0.text) }, repeated: 0x5F0F))
    }

    /// Text of the first field with `tag`.
    public func text(_ tag: TLVTag) -> String? { fields.first { $0.tag == tag }?.text }

    /// 5F0E, full name in national characters: primary and secondary identifier separated by `<<`.
    public var fullName: String? { text(0x5F0E) }
    /// 5F0F, other names, in the order of the A0 template.
    public var otherNames: [String] { fields.filter { $0.tag == 0x5F0F }.compactMap(\.text) }
    /// 5F10, personal number.
    public var personalNumber: String? { text(0x5F10) }
    /// 5F2B, full date of birth, `YYYYMMDD`.
    public var fullDateOfBirth: String? { text(0x5F2B) }
    /// 5F11, place of birth; `<` separates its parts.
    public var placeOfBirth: String? { text(0x5F11) }
    /// 5F42, permanent address; `<` separates its parts.
    public var address: String? { text(0x5F42) }
    /// 5F12, telephone number.
    public var telephone: String? { text(0x5F12) }
    /// 5F13, profession.
    public var profession: String? { text(0x5F13) }
    /// 5F14, title.
    public var title: String? { text(0x5F14) }
    /// 5F15, personal summary.
    public var personalSummary: String? { text(0x5F15) }
    /// 5F17, other valid travel document numbers; `<` separates them.
    public var otherValidTDNumbers: String? { text(0x5F17) }
    /// 5F18, custody information.
    public var custodyInformation: String? { text(0x5F18) }
}

/// DG12, additional document details (ICAO Doc 9303-10, 4.7.12). All fields optional.
///
/// ```
/// 6C L
///   5C L   tag list
///   5F19 issuing authority   5F26 date of issue (YYYYMMDD)
///   A0 L { 02 01 n, 5F1A name of other person × n }
///   5F1B endorsements and observations   5F1C tax/exit requirements
///   5F1D image of front (binary)   5F1E image of rear (binary)
///   5F55 date and time of personalization (YYYYMMDDhhmmss)   5F56 serial number of personalization system
/// ```
public struct DG12: Hashable, Sendable {
    static let names: [TLVTag: String] = [
        0x5F19: "issuing authority", 0x5F26: "date of issue", 0x5F1A: "other person",
        0x5F1B: "endorsements and observations", 0x5F1C: "tax/exit requirements",
        0x5F1D: "image of front", 0x5F1E: "image of rear", 0x5F55: "personalization time",
        0x5F56: "personalization system serial number",
    ]

    /// Tags announced in 5C.
    public let tagList: [TLVTag]
    /// The data objects in file order (objects of the A0 template flattened, its count left out).
    public let fields: [DetailField]
    /// The exact bytes of the file, as the SOD hashes them.
    public let raw: [UInt8]

    /// Parses DG12 as read. Throws `lds.unexpected-tag` when it does not start with 6C, and
    /// `lds.missing-field` without the tag list 5C.
    public init(_ bytes: [UInt8]) throws(EMRTDError) {
        (tagList, fields) = try DetailFields.parse(
            bytes, tag: 0x6C, file: "DG12", names: Self.names, dates: [0x5F26], binary: [0x5F1D, 0x5F1E])
        raw = bytes
    }

    /// Encodes text fields (repeat 5F1A for several other persons; they go into an A0 template).
    /// Throws `argument.invalid` for the structural tags 5C and A0 or a constructed tag.
    public init(fields: [(tag: TLVTag, text: String)]) throws(EMRTDError) {
        try DetailFields.checkBuildable(fields.map(\.tag))
        self = try DG12(DetailFields.encode(tag: 0x6C, fields: fields.map { ($0.tag, $0.text) }, repeated: 0x5F1A))
    }

    /// Text of the first field with `tag`.
    public func text(_ tag: TLVTag) -> String? { fields.first { $0.tag == tag }?.text }

    /// 5F19, issuing authority.
    public var issuingAuthority: String? { text(0x5F19) }
    /// 5F26, date of issue, `YYYYMMDD`.
    public var dateOfIssue: String? { text(0x5F26) }
    /// 5F1A, names of other persons included in the document, in the order of the A0 template.
    public var otherPersons: [String] { fields.filter { $0.tag == 0x5F1A }.compactMap(\.text) }
    /// 5F1B, endorsements and observations.
    public var endorsements: String? { text(0x5F1B) }
    /// 5F1C, tax or exit requirements.
    public var taxOrExitRequirements: String? { text(0x5F1C) }
    /// 5F55, date and time of personalization, `YYYYMMDDhhmmss`.
    public var personalizationTime: String? { text(0x5F55) }
    /// 5F56, serial number of the personalization system.
    public var personalizationDeviceSerial: String? { text(0x5F56) }
}
