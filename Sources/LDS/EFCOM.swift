public import EMRTDCore
public import ISO7816

/// EF.COM: LDS version and the list of data groups present (ICAO Doc 9303-10, 4.6.1).
///
/// ```
/// 60 L
///   5F01 04  LDS version "aabb" (e.g. "0107" = 1.7)
///   5F36 06  Unicode version "aabbcc" (e.g. "040000")
///   5C   L   tag list: one tag per data group present (61 = DG1, 75 = DG2, …)
/// ```
public struct EFCOM: Hashable, Sendable {
    /// The 4 digits as stored, e.g. "0107".
    public let ldsVersion: String
    /// The 6 digits as stored, e.g. "040000".
    public let unicodeVersion: String
    /// Tags of 5C in file order, including any tag that names no known data group.
    public let dataGroupTags: [TLVTag]
    /// The exact bytes of the file.
    public let raw: [UInt8]

    /// The data groups listed, in file order (unknown tags left out).
    public var dataGroups: [LDSFile] { dataGroupTags.compactMap { LDSFile(tag: $0) } }

    /// "1.7" from "0107".
    public var ldsVersionString: String {
        guard ldsVersion.count == 4, let major = Int(ldsVersion.prefix(2)), let minor = Int(ldsVersion.suffix(2))
        else { return ldsVersion }
        return "\(major).\(minor)"
    }

    /// Parses EF.COM as read. Throws `lds.unexpected-tag` when it does not start with 60, and
    /// `lds.missing-field` when 5F01, 5F36 or 5C is missing.
    public init(_ bytes: [UInt8]) throws(EMRTDError) {
        let file = try LDSParsing.outer(bytes, tag: 0x60, file: "EF.COM")
        let children = try file.children()
        guard let version = children.first(where: { $0.tag == 0x5F01 }) else {
            throw EMRTDError(.ldsMissingField, "EF.COM has no LDS version (5F01)")
        }
        guard let unicode = children.first(where: { $0.tag == 0x5F36 }) else {
            throw EMRTDError(.ldsMissingField, "EF.COM has no Unicode version (5F36)")
        }
        guard let list = children.first(where: { $0.tag == 0x5C }) else {
            throw EMRTDError(.ldsMissingField, "EF.COM has no data group tag list (5C)")
        }
        ldsVersion = try LDSParsing.utf8(version.value, what: "EF.COM LDS version (5F01)")
        unicodeVersion = try LDSParsing.utf8(unicode.value, what: "EF.COM Unicode version (5F36)")
        dataGroupTags = try TLVTag.parseList(list.value)
        raw = bytes
    }

    /// Builds EF.COM listing `dataGroups` (their tags, in the order given).
    public init(ldsVersion: String = "0107", unicodeVersion: String = "040000", dataGroups: [LDSFile]) {
        self.ldsVersion = ldsVersion
        self.unicodeVersion = unicodeVersion
        self.dataGroupTags = dataGroups.compactMap(\.tag)
        self.raw = TLV(
            tag: 0x60,
            children: [
                TLV(tag: 0x5F01, value: Array(ldsVersion.utf8)),
                TLV(tag: 0x5F36, value: Array(unicodeVersion.utf8)),
                TLV(tag: 0x5C, value: dataGroupTags.flatMap(\.encoded)),
            ]
        ).raw
    }
}
