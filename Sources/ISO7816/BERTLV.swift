// BER-TLV data objects as used by ISO/IEC 7816-4 (clause 6.3) and ICAO Doc 9303 LDS files,
// following the basic encoding rules of ISO/IEC 8825-1 (X.690).
//
// The parser is total: every input, however malformed, yields either objects or an `EMRTDError`.
// Lengths are checked against the bytes actually present before anything is copied, so a header
// claiming megabytes in a short input fails at once without allocating.

public import EMRTDCore

extension EMRTDError.Code {
    /// The input ends inside a tag or length field, or before the value its length announces.
    public static let tlvTruncated = Self("tlv.truncated")
    /// A length field uses more than four bytes (or the reserved first byte FF): no LDS object is that large.
    public static let tlvLengthOverflow = Self("tlv.length-overflow")
    /// The indefinite length form (first length byte 80), which ISO/IEC 7816-4 does not allow.
    public static let tlvIndefiniteLength = Self("tlv.indefinite-length")
    /// Constructed objects nest deeper than ``BERTLV/maximumDepth``.
    public static let tlvDepthExceeded = Self("tlv.depth-exceeded")
    /// Bytes follow the single object that was expected.
    public static let tlvTrailingData = Self("tlv.trailing-data")
    /// A tag longer than four bytes, or a multi-byte tag with a non-minimal (leading 80) subsequent byte.
    public static let tlvInvalidTag = Self("tlv.invalid-tag")
}

// MARK: - Tag

/// A BER-TLV tag: the identifier octets, kept big-endian in a `UInt32` as they are written in
/// specifications (`0x5F1F` for the MRZ, `0x7F61` for the biometric information group, `0x6D` for DG13).
///
/// ```
/// first byte:  b8 b7 = class, b6 = constructed, b5..b1 = number (11111 = more bytes follow)
/// next bytes:  b8 = another byte follows, b7..b1 = next 7 bits of the tag number
/// ```
public struct TLVTag: Hashable, Sendable, RawRepresentable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The tag bytes, big-endian, without leading zero bytes (tag `00` is `0`).
    public let rawValue: UInt32

    /// A tag from its identifier octets, big-endian (`0x5F1F`), taken as given.
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The same, unlabelled: `TLVTag(0x7F61)`.
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    /// A tag written as a literal where a `TLVTag` is expected: `tlv.child(0x5F1F)`.
    public init(integerLiteral value: UInt32) { self.rawValue = value }

    /// The class, from bits 8 and 7 of the first byte.
    public enum Class: UInt8, Sendable, Hashable {
        case universal = 0, application = 1, contextSpecific = 2, `private` = 3
    }

    /// Number of bytes of the encoded tag (1 to 4).
    public var byteCount: Int {
        switch rawValue {
        case 0...0xFF: 1
        case 0x100...0xFFFF: 2
        case 0x1_0000...0xFF_FFFF: 3
        default: 4
        }
    }

    /// The tag bytes as they appear on the wire.
    public var encoded: [UInt8] {
        let n = byteCount
        return (0..<n).map { i in UInt8(truncatingIfNeeded: rawValue >> (8 * UInt32(n - 1 - i))) }
    }

    private var firstByte: UInt8 { UInt8(truncatingIfNeeded: rawValue >> (8 * UInt32(byteCount - 1))) }

    /// Bit 6 of the first byte: the value is itself a concatenation of BER-TLV objects.
    public var isConstructed: Bool { firstByte & 0x20 != 0 }

    /// The class, from bits 8-7 of the first byte (X.690 8.1.2.2): `5F1F` is application, `A1`
    /// context-specific.
    public var tagClass: Class { Class(rawValue: firstByte >> 6)! }

    /// The tag number (bits 5..1 of a one-byte tag, or the base-128 number in the following bytes).
    public var number: UInt32 {
        let bytes = encoded
        if bytes.count == 1 { return UInt32(bytes[0] & 0x1F) }
        return bytes.dropFirst().reduce(0) { $0 << 7 | UInt32($1 & 0x7F) }
    }

    /// Uppercase hex of the tag bytes, e.g. `5F1F`.
    public var description: String { encoded.hex }

    /// Parses a concatenation of tags with no lengths or values, as in a tag list (`5C`) of EF.COM or DG11.
    public static func parseList(_ bytes: [UInt8]) throws(EMRTDError) -> [TLVTag] {
        var tags: [TLVTag] = []
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let (tag, count) = try BERTLV.readTag(bytes[offset...])
            tags.append(tag)
            offset += count
        }
        return tags
    }
}

// MARK: - Data object

/// One BER-TLV data object: a tag, a definite length and a value.
///
/// ```
/// TLV ::= tag (1-4 bytes) || length (1 byte < 80, or 81..84 followed by 1..4 bytes) || value
/// ```
///
/// A parsed object keeps ``raw``, the exact bytes read (header included), because hashes in the
/// security object are computed over what the chip sent, never over a re-encoding. Equality and
/// hashing compare ``tag`` and ``value`` only, so an object read with a non-minimal length equals
/// the same object built in code.
public struct TLV: Sendable, Hashable, CustomStringConvertible {
    /// The tag, as read or given.
    public let tag: TLVTag
    /// The value field; for a constructed tag, the encodings of the children one after another.
    public let value: [UInt8]
    /// The exact encoding: as read when parsed, ``encoded()`` when built.
    public let raw: [UInt8]

    /// A primitive or constructed object with the given value bytes, minimally encoded.
    public init(tag: TLVTag, value: [UInt8]) {
        self.tag = tag
        self.value = value
        self.raw = tag.encoded + BERTLV.encodeLength(value.count) + value
    }

    /// A constructed object whose value is the concatenation of `children` (each in its ``raw`` form).
    public init(tag: TLVTag, children: [TLV]) {
        self.init(tag: tag, value: children.flatMap(\.raw))
    }

    init(tag: TLVTag, value: [UInt8], raw: [UInt8]) {
        self.tag = tag
        self.value = value
        self.raw = raw
    }

    /// Bytes taken by the tag and length fields in ``raw``.
    public var headerLength: Int { raw.count - value.count }

    /// The minimal definite-length encoding of tag and value (may differ from ``raw`` for BER input).
    public func encoded() -> [UInt8] {
        tag.encoded + BERTLV.encodeLength(value.count) + value
    }

    /// The value parsed as a concatenation of data objects (one level).
    public func children() throws(EMRTDError) -> [TLV] {
        try BERTLV.parseAll(value)
    }

    /// The first child with the given tag, or nil.
    public func child(_ tag: TLVTag) throws(EMRTDError) -> TLV? {
        try children().first { $0.tag == tag }
    }

    /// Tag, value length and up to 32 value bytes in hex.
    public var description: String {
        let shown = value.prefix(32).hex
        return "\(tag) [\(value.count)] \(shown)\(value.count > 32 ? "…" : "")"
    }

    /// Equal when the tags and the values are, whatever length encoding either ``raw`` used.
    public static func == (lhs: TLV, rhs: TLV) -> Bool { lhs.tag == rhs.tag && lhs.value == rhs.value }
    /// Hashes tag and value, as `==` compares them.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(tag)
        hasher.combine(value)
    }
}

// MARK: - Parser and encoder

/// Parsing and encoding of BER-TLV per ISO/IEC 7816-4 and ISO/IEC 8825-1, definite lengths only.
public enum BERTLV {
    /// Deepest nesting of constructed objects that ``validate(_:)`` walks. LDS files nest at most
    /// 5 levels (DG2: 75 / 7F61 / 7F60 / A1 / 80); the margin tolerates vendor extensions.
    public static let maximumDepth = 16

    /// Exactly one object; anything after it is `tlv.trailing-data`.
    public static func parse(_ bytes: [UInt8]) throws(EMRTDError) -> TLV {
        let (tlv, consumed) = try parsePrefix(bytes[...])
        guard consumed == bytes.count else {
            throw EMRTDError(
                .tlvTrailingData,
                "\(bytes.count - consumed) bytes follow the data object \(tlv.tag) (\(consumed) bytes)")
        }
        return tlv
    }

    /// A concatenation of objects (possibly empty).
    public static func parseAll(_ bytes: [UInt8]) throws(EMRTDError) -> [TLV] {
        var result: [TLV] = []
        var offset = 0
        while offset < bytes.count {
            let (tlv, consumed) = try parsePrefix(bytes[offset...])
            result.append(tlv)
            offset += consumed
        }
        return result
    }

    /// The first object of `bytes` and how many bytes it took; the rest is left alone.
    public static func parsePrefix(_ bytes: ArraySlice<UInt8>) throws(EMRTDError) -> (TLV, Int) {
        let header = try readHeader(bytes)
        let available = bytes.count - header.headerLength
        guard header.valueLength <= available else {
            throw EMRTDError(
                .tlvTruncated,
                "data object \(header.tag) announces \(header.valueLength) value bytes but only \(available) follow")
        }
        let start = bytes.startIndex
        let total = header.headerLength + header.valueLength
        let raw = Array(bytes[start..<start + total])
        let value = Array(raw[header.headerLength...])
        return (TLV(tag: header.tag, value: value, raw: raw), total)
    }

    /// Tag and length of the object at the start of `bytes`, without requiring its value to be present:
    /// a file reader learns a file's total size (`headerLength + valueLength`) from its first bytes.
    public static func readHeader(_ bytes: [UInt8]) throws(EMRTDError) -> (
        tag: TLVTag, headerLength: Int, valueLength: Int
    ) {
        try readHeader(bytes[...])
    }

    /// The same for a slice (indices need not start at 0).
    public static func readHeader(_ bytes: ArraySlice<UInt8>) throws(EMRTDError) -> (
        tag: TLVTag, headerLength: Int, valueLength: Int
    ) {
        let (tag, tagLength) = try readTag(bytes)
        let lengthStart = bytes.startIndex + tagLength
        guard lengthStart < bytes.endIndex else {
            throw EMRTDError(.tlvTruncated, "input ends after tag \(tag), before its length")
        }
        let first = bytes[lengthStart]
        if first < 0x80 {
            return (tag, tagLength + 1, Int(first))
        }
        if first == 0x80 {
            throw EMRTDError(.tlvIndefiniteLength, "data object \(tag) uses the indefinite length form (80), not allowed here")
        }
        let count = Int(first & 0x7F)
        guard count <= 4 else {
            throw EMRTDError(
                .tlvLengthOverflow, "data object \(tag) has a \(count)-byte length field (first byte \([first].hex)); at most 4 are supported")
        }
        guard bytes.endIndex - (lengthStart + 1) >= count else {
            throw EMRTDError(.tlvTruncated, "input ends inside the \(count)-byte length of data object \(tag)")
        }
        var length = 0
        for b in bytes[(lengthStart + 1)..<(lengthStart + 1 + count)] {
            length = length << 8 | Int(b)
        }
        return (tag, tagLength + 1 + count, length)
    }

    /// Minimal definite length: `00`-`7F`, or `81`-`84` followed by 1-4 bytes.
    /// `n` must be between 0 and `UInt32.max` (lengths of arrays in memory always are).
    public static func encodeLength(_ n: Int) -> [UInt8] {
        precondition(n >= 0 && UInt64(n) <= UInt64(UInt32.max), "BER-TLV length out of range: \(n)")
        if n < 0x80 { return [UInt8(n)] }
        var bytes: [UInt8] = []
        var v = n
        while v > 0 {
            bytes.insert(UInt8(v & 0xFF), at: 0)
            v >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    /// Checks that `bytes` is one object whose constructed descendants all parse, to ``maximumDepth``.
    /// Primitive values are not looked into.
    @discardableResult
    public static func validate(_ bytes: [UInt8]) throws(EMRTDError) -> TLV {
        let tlv = try parse(bytes)
        try validate(tlv)
        return tlv
    }

    /// Walks every constructed descendant of `tlv` (which itself counts as depth 1).
    public static func validate(_ tlv: TLV) throws(EMRTDError) {
        try validate(tlv, depth: 1)
    }

    private static func validate(_ tlv: TLV, depth: Int) throws(EMRTDError) {
        guard depth <= maximumDepth else {
            throw EMRTDError(.tlvDepthExceeded, "data objects nest deeper than \(maximumDepth) levels (at tag \(tlv.tag))")
        }
        guard tlv.tag.isConstructed else { return }
        for child in try tlv.children() {
            try validate(child, depth: depth + 1)
        }
    }

    /// Reads one tag at the start of `bytes`; returns it and its byte count.
    static func readTag(_ bytes: ArraySlice<UInt8>) throws(EMRTDError) -> (TLVTag, Int) {
        var i = bytes.startIndex
        guard i < bytes.endIndex else { throw EMRTDError(.tlvTruncated, "input ends where a tag was expected") }
        var raw = UInt32(bytes[i])
        i += 1
        guard raw & 0x1F == 0x1F else { return (TLVTag(rawValue: raw), 1) }
        var count = 1
        while true {
            guard i < bytes.endIndex else {
                throw EMRTDError(.tlvTruncated, "input ends inside the multi-byte tag starting \(TLVTag(rawValue: raw))")
            }
            let b = bytes[i]
            if count == 1 && b == 0x80 {
                throw EMRTDError(.tlvInvalidTag, "multi-byte tag \([UInt8(raw), b].hex)… has a non-minimal tag number (leading 80)")
            }
            raw = raw << 8 | UInt32(b)
            i += 1
            count += 1
            if b & 0x80 == 0 { return (TLVTag(rawValue: raw), count) }
            guard count < 4 else {
                throw EMRTDError(.tlvInvalidTag, "tag \(TLVTag(rawValue: raw)) is longer than 4 bytes")
            }
        }
    }
}
