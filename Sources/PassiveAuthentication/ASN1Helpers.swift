import EMRTDCore
import Foundation
import LDS
import SwiftASN1

/// Small, total readers over swift-asn1's node tree (BER: indefinite lengths accepted, nesting capped
/// at 50, trailing bytes rejected by `BER.parse`). Every failure is an ``EMRTDError`` with the code the
/// caller chose and the name of the element being read.
struct ASN1Reader {
    let code: EMRTDError.Code

    static let cms = ASN1Reader(code: .cmsMalformed)
    static let sod = ASN1Reader(code: .sodMalformed)
    static let masterList = ASN1Reader(code: .masterListMalformed)

    func fail(_ message: String) -> EMRTDError { EMRTDError(code, message) }

    func parse(_ bytes: ArraySlice<UInt8>, what: String) throws(EMRTDError) -> ASN1Node {
        guard !bytes.isEmpty else { throw fail("\(what) is empty") }
        do {
            return try BER.parse(bytes)
        } catch {
            throw fail("\(what) is not valid BER: \(errorDescription(error))")
        }
    }

    func children(_ node: ASN1Node, _ identifier: ASN1Identifier, what: String) throws(EMRTDError) -> [ASN1Node] {
        guard node.identifier == identifier else {
            throw fail("\(what): expected \(identifier), found \(node.identifier)")
        }
        guard case .constructed(let nodes) = node.content else {
            throw fail("\(what) is primitive where a constructed value was expected")
        }
        return Array(nodes)
    }

    func primitive(_ node: ASN1Node, _ identifier: ASN1Identifier, what: String) throws(EMRTDError) -> ArraySlice<UInt8> {
        guard node.identifier == identifier else {
            throw fail("\(what): expected \(identifier), found \(node.identifier)")
        }
        guard case .primitive(let bytes) = node.content else {
            throw fail("\(what) is constructed where a primitive value was expected")
        }
        return bytes
    }

    func oid(_ node: ASN1Node, what: String) throws(EMRTDError) -> OID {
        let bytes = try primitive(node, .objectIdentifier, what: what)
        do {
            return try OID(contentBytes: Array(bytes))
        } catch {
            throw fail("\(what): \(error.message)")
        }
    }

    /// A (signed) INTEGER that fits in an `Int`.
    func int(_ node: ASN1Node, what: String) throws(EMRTDError) -> Int {
        let bytes = try primitive(node, .integer, what: what)
        guard let first = bytes.first else { throw fail("\(what) is an empty INTEGER") }
        guard bytes.count <= 8 else { throw fail("\(what) is too large (\(bytes.count) bytes)") }
        var value: Int = first & 0x80 != 0 ? -1 : 0
        for b in bytes { value = value << 8 | Int(b) }
        return value
    }

    /// INTEGER content octets (two's complement, as encoded).
    func integerBytes(_ node: ASN1Node, what: String) throws(EMRTDError) -> [UInt8] {
        let bytes = try primitive(node, .integer, what: what)
        guard !bytes.isEmpty else { throw fail("\(what) is an empty INTEGER") }
        return Array(bytes)
    }

    /// OCTET STRING value; under BER a constructed (segmented) string is the concatenation of its
    /// segments (X.690 8.7.3).
    func octetString(_ node: ASN1Node, what: String) throws(EMRTDError) -> [UInt8] {
        guard node.identifier == .octetString else {
            throw fail("\(what): expected OCTET STRING, found \(node.identifier)")
        }
        switch node.content {
        case .primitive(let bytes):
            return Array(bytes)
        case .constructed(let parts):
            var out: [UInt8] = []
            for part in parts {
                out += try octetString(part, what: "\(what) segment")
            }
            return out
        }
    }

    /// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`.
    func algorithm(_ node: ASN1Node, what: String) throws(EMRTDError) -> CryptographicMessageSyntax.AlgorithmIdentifier {
        let parts = try children(node, .sequence, what: what)
        guard let first = parts.first, parts.count <= 2 else {
            throw fail("\(what) must have 1 or 2 elements, has \(parts.count)")
        }
        return CryptographicMessageSyntax.AlgorithmIdentifier(
            algorithm: try oid(first, what: "\(what).algorithm"),
            parameters: parts.count > 1 ? Array(parts[1].encodedBytes) : nil
        )
    }

    /// A printable / UTF-8 / IA5 / visible string's text.
    func string(_ node: ASN1Node, what: String) throws(EMRTDError) -> String {
        let allowed: [ASN1Identifier] = [.printableString, .utf8String, .ia5String, .visibleString]
        guard allowed.contains(node.identifier), case .primitive(let bytes) = node.content else {
            throw fail("\(what): expected a character string, found \(node.identifier)")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// UTCTime (YYMMDDhhmm[ss]Z) or GeneralizedTime (YYYYMMDDhhmmss[.f]Z) as a `Date`, nil if the text
    /// is not one of these forms.
    func time(_ node: ASN1Node) -> Date? {
        guard case .primitive(let bytes) = node.content else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.hasSuffix("Z") else { return nil }
        var digits = Array(text.dropLast())
        if let dot = digits.firstIndex(of: ".") { digits = Array(digits[..<dot]) }
        guard digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        let n = digits.compactMap { $0.wholeNumberValue }
        func num(_ from: Int, _ count: Int) -> Int { n[from..<from + count].reduce(0) { $0 * 10 + $1 } }
        var c = DateComponents()
        c.timeZone = TimeZone(identifier: "UTC")
        var i: Int
        if node.identifier == .utcTime {
            guard n.count == 10 || n.count == 12 else { return nil }
            let yy = num(0, 2)
            c.year = yy >= 50 ? 1900 + yy : 2000 + yy
            i = 2
        } else if node.identifier == .generalizedTime {
            guard n.count == 14 else { return nil }
            c.year = num(0, 4)
            i = 4
        } else {
            return nil
        }
        c.month = num(i, 2); c.day = num(i + 2, 2); c.hour = num(i + 4, 2); c.minute = num(i + 6, 2)
        i += 8
        c.second = n.count >= i + 2 ? num(i, 2) : 0
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: c)
    }
}

extension ASN1Identifier {
    static func context(_ n: UInt) -> ASN1Identifier {
        ASN1Identifier(tagWithNumber: n, tagClass: .contextSpecific)
    }
}

// MARK: - DER

/// A small DER writer: enough for EF.SOD, attributes and test fixtures.
enum DER {
    static func length(_ n: Int) -> [UInt8] {
        if n < 0x80 { return [UInt8(n)] }
        var bytes: [UInt8] = []
        var v = n
        while v > 0 {
            bytes.insert(UInt8(v & 0xFF), at: 0)
            v >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    static func tlv(_ tag: [UInt8], _ content: [UInt8]) -> [UInt8] { tag + length(content.count) + content }
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] { tlv([tag], content) }

    static func sequence(_ parts: [[UInt8]]) -> [UInt8] { tlv(0x30, parts.flatMap { $0 }) }

    /// SET OF: DER orders the element encodings (X.690 11.6).
    static func setOf(_ parts: [[UInt8]]) -> [UInt8] {
        tlv(0x31, parts.sorted { $0.lexicographicallyPrecedes($1) }.flatMap { $0 })
    }

    static func integer(_ value: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var v = value
        repeat {
            bytes.insert(UInt8(truncatingIfNeeded: v), at: 0)
            v >>= 8
        } while !(v == 0 && bytes[0] & 0x80 == 0) && !(v == -1 && bytes[0] & 0x80 != 0)
        return tlv(0x02, bytes)
    }

    /// INTEGER from content octets already in two's complement form.
    static func integer(contentBytes: [UInt8]) -> [UInt8] { tlv(0x02, contentBytes) }

    static func oid(_ oid: OID) -> [UInt8] { tlv(0x06, oid.contentBytes) }
    static func octetString(_ bytes: [UInt8]) -> [UInt8] { tlv(0x04, bytes) }
    static func printableString(_ text: String) -> [UInt8] { tlv(0x13, Array(text.utf8)) }
    static let null: [UInt8] = [0x05, 0x00]

    /// UTCTime for 1950-2049, GeneralizedTime otherwise (RFC 5280 4.1.2.5).
    static func time(_ date: Date) -> [UInt8] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ v: Int?) -> String { String(format: "%02d", v ?? 0) }
        let year = c.year ?? 2000
        let rest = two(c.month) + two(c.day) + two(c.hour) + two(c.minute) + two(c.second) + "Z"
        if (1950..<2050).contains(year) {
            return tlv(0x17, Array((two(year % 100) + rest).utf8))
        }
        return tlv(0x18, Array((String(format: "%04d", year) + rest).utf8))
    }

    /// `AlgorithmIdentifier` with optional parameters (already encoded).
    static func algorithm(_ oid: OID, parameters: [UInt8]?) -> [UInt8] {
        sequence([DER.oid(oid)] + (parameters.map { [$0] } ?? []))
    }

    /// Re-encodes a BER node with definite, minimal lengths (the identifier octets are kept). This is
    /// what DER asks of lengths; other BER freedoms (segmented strings, SET order) are left as read.
    static func reencode(_ node: ASN1Node) -> [UInt8] {
        let identifier = identifierOctets(node.encodedBytes)
        switch node.content {
        case .primitive(let bytes):
            return tlv(identifier, Array(bytes))
        case .constructed(let children):
            return tlv(identifier, children.flatMap { reencode($0) })
        }
    }

    /// The identifier octets at the start of an encoding (one byte, or the high-tag-number form).
    static func identifierOctets(_ encoded: ArraySlice<UInt8>) -> [UInt8] {
        guard let first = encoded.first else { return [] }
        guard first & 0x1F == 0x1F else { return [first] }
        var out: [UInt8] = [first]
        for b in encoded.dropFirst() {
            out.append(b)
            if b & 0x80 == 0 { break }
        }
        return out
    }

    /// True if every length in the encoding of `node` is definite (no end-of-contents octets).
    static func hasDefiniteLengths(_ node: ASN1Node) -> Bool {
        let id = identifierOctets(node.encodedBytes)
        let lengthIndex = node.encodedBytes.startIndex + id.count
        guard lengthIndex < node.encodedBytes.endIndex, node.encodedBytes[lengthIndex] != 0x80 else { return false }
        if case .constructed(let children) = node.content {
            return children.allSatisfy { hasDefiniteLengths($0) }
        }
        return true
    }
}

/// Magnitude of an INTEGER given as content octets: leading zero bytes removed, so `00 8A` and `8A`
/// (a non-minimal and a minimal encoding of one positive serial) compare equal.
func integerMagnitude(_ bytes: [UInt8]) -> [UInt8] {
    let trimmed = Array(bytes.drop { $0 == 0 })
    return trimmed.isEmpty ? [0] : trimmed
}
