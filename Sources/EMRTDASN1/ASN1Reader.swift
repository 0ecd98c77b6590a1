// The project's one ASN.1 layer: swift-asn1 parses (BER or DER), and these small readers turn its
// node tree into values. Every parser of a DER/BER structure (certificates, CRLs, CMS SignedData,
// SecurityInfos, SubjectPublicKeyInfo, keys) reads through here, so every failure is an
// ``EMRTDError`` with the code its caller chose and the name of the element being read, and none
// traps: swift-asn1 bounds every length, caps nesting at 50 and rejects trailing bytes.

public import EMRTDCore
package import Foundation
package import SwiftASN1

extension EMRTDError.Code {
    /// A structure is not valid ASN.1 of its type (SecurityInfos of DG14 and EF.CardAccess, the
    /// SubjectPublicKeyInfo of DG15, an object identifier).
    public static let asn1Invalid = Self("asn1.invalid")
}

/// Reads swift-asn1 nodes into values, throwing ``EMRTDError`` with ``code``.
package struct ASN1Reader: Sendable {
    /// Which encoding rules ``parse(_:what:)`` enforces.
    package enum Rules: Sendable {
        /// BER: indefinite lengths, segmented strings and non-minimal lengths accepted (CMS, LDS).
        case ber
        /// DER: definite, minimal lengths only (X.509, keys).
        case der
    }

    /// The code of every error this reader throws.
    package let code: EMRTDError.Code
    package let rules: Rules

    package init(_ code: EMRTDError.Code, rules: Rules = .ber) {
        self.code = code
        self.rules = rules
    }

    package func fail(_ message: String) -> EMRTDError { EMRTDError(code, message) }

    // MARK: Parsing

    /// The one element `bytes` encode; trailing bytes, truncation and nesting deeper than 50 throw.
    package func parse(_ bytes: ArraySlice<UInt8>, what: @autoclosure () -> String) throws(EMRTDError) -> ASN1Node {
        guard !bytes.isEmpty else { throw fail("\(what()) is empty") }
        do {
            switch rules {
            case .ber: return try BER.parse(bytes)
            case .der: return try DER.parse(bytes)
            }
        } catch {
            throw fail("\(what()) is not valid \(rules == .ber ? "BER" : "DER"): \(errorDescription(error))")
        }
    }

    package func parse(_ bytes: [UInt8], what: @autoclosure () -> String) throws(EMRTDError) -> ASN1Node {
        try parse(bytes[...], what: what())
    }

    // MARK: Structure

    /// The elements of a constructed node with the given identifier.
    package func children(_ node: ASN1Node, _ identifier: ASN1Identifier, what: @autoclosure () -> String) throws(EMRTDError) -> [ASN1Node] {
        guard node.identifier == identifier else {
            throw fail("\(what()): expected \(name(identifier)), found \(name(node.identifier))")
        }
        guard case .constructed(let nodes) = node.content else {
            throw fail("\(what()) is primitive where a constructed value was expected")
        }
        // swift-asn1's collection is a Sequence of unknown count: Array(nodes) would grow 1, 2, 4, 8
        // (four allocations for a SignerInfo); most structures here have at most eight elements.
        var out: [ASN1Node] = []
        out.reserveCapacity(8)
        for child in nodes { out.append(child) }
        return out
    }

    /// The elements of a constructed node, to be read in order (``ASN1Fields``).
    package func fields(_ node: ASN1Node, _ identifier: ASN1Identifier, what: @autoclosure () -> String) throws(EMRTDError) -> ASN1Fields {
        ASN1Fields(reader: self, what: what(), nodes: try children(node, identifier, what: what()))
    }

    /// The one element inside `[n] EXPLICIT`.
    package func explicit(_ node: ASN1Node, tag n: UInt, what: @autoclosure () -> String) throws(EMRTDError) -> ASN1Node {
        let inner = try children(node, .context(n), what: what())
        guard inner.count == 1, let only = inner.first else {
            throw fail("\(what()) [\(n)] must hold one element, holds \(inner.count)")
        }
        return only
    }

    /// The contents of a primitive node with the given identifier.
    package func primitive(_ node: ASN1Node, _ identifier: ASN1Identifier, what: @autoclosure () -> String) throws(EMRTDError) -> ArraySlice<UInt8> {
        guard node.identifier == identifier else {
            throw fail("\(what()): expected \(name(identifier)), found \(name(node.identifier))")
        }
        guard case .primitive(let bytes) = node.content else {
            throw fail("\(what()) is constructed where a primitive value was expected")
        }
        return bytes
    }

    // MARK: Values

    package func oid(_ node: ASN1Node, what: @autoclosure () -> String) throws(EMRTDError) -> ASN1ObjectIdentifier {
        _ = try primitive(node, .objectIdentifier, what: what())
        do {
            return try ASN1ObjectIdentifier(berEncoded: node)
        } catch {
            throw fail("\(what()) is not a valid OBJECT IDENTIFIER: \(errorDescription(error))")
        }
    }

    /// INTEGER content octets as encoded (two's complement, possibly not minimal); never empty.
    package func integerBytes(_ node: ASN1Node, what: @autoclosure () -> String) throws(EMRTDError) -> [UInt8] {
        let bytes = try primitive(node, .integer, what: what())
        guard !bytes.isEmpty else { throw fail("\(what()) is an empty INTEGER") }
        return Array(bytes)
    }

    /// The magnitude of an INTEGER that must not be negative: big-endian, no leading zero bytes,
    /// `[0]` for zero.
    package func unsignedInteger(_ node: ASN1Node, what: @autoclosure () -> String) throws(EMRTDError) -> [UInt8] {
        let bytes = try integerBytes(node, what: what())
        guard bytes[0] & 0x80 == 0 else { throw fail("\(what()) is negative") }
        return integerMagnitude(bytes)
    }

    /// A (signed) INTEGER that fits in an `Int`.
    package func int(_ node: ASN1Node, what: @autoclosure () -> String) throws(EMRTDError) -> Int {
        // Read in place (versions and numbers are read per document; no copy of the octets).
        let bytes = try primitive(node, .integer, what: what())
        guard !bytes.isEmpty else { throw fail("\(what()) is an empty INTEGER") }
        guard bytes.count <= 8 else { throw fail("\(what()) is too large (\(bytes.count) bytes)") }
        var value: Int = bytes[bytes.startIndex] & 0x80 != 0 ? -1 : 0
        for b in bytes { value = value << 8 | Int(b) }
        return value
    }

    /// A non-negative INTEGER below 2^56 (versions, counts, identifiers).
    package func nonNegativeInt(_ node: ASN1Node, what: @autoclosure () -> String) throws(EMRTDError) -> Int {
        let magnitude = try unsignedInteger(node, what: what())
        guard magnitude.count <= 7 else { throw fail("\(what()) is too large (\(magnitude.count) bytes)") }
        return magnitude.reduce(0) { $0 << 8 | Int($1) }
    }

    /// A BOOLEAN (under BER any non-zero octet is TRUE; DER wants FF).
    package func boolean(_ node: ASN1Node, what: @autoclosure () -> String) throws(EMRTDError) -> Bool {
        let bytes = try primitive(node, .boolean, what: what())
        guard bytes.count == 1, let value = bytes.first else { throw fail("\(what()) is not a one-octet BOOLEAN") }
        return value != 0
    }

    /// An OCTET STRING's value. Under BER a constructed (segmented) string is the concatenation of
    /// its segments (X.690 8.7.3); DER allows only the primitive form.
    package func octetString(_ node: ASN1Node, what: @autoclosure () -> String) throws(EMRTDError) -> [UInt8] {
        guard node.identifier == .octetString else {
            throw fail("\(what()): expected OCTET STRING, found \(name(node.identifier))")
        }
        switch node.content {
        case .primitive(let bytes):
            return Array(bytes)
        case .constructed(let parts):
            guard rules == .ber else { throw fail("\(what()) is a constructed OCTET STRING, which DER does not allow") }
            var out: [UInt8] = []
            for part in parts {
                out += try octetString(part, what: "\(what()) segment")
            }
            return out
        }
    }

    /// The bytes of a BIT STRING of whole bytes (its unused-bits octet 00).
    package func bitString(_ node: ASN1Node, what: @autoclosure () -> String) throws(EMRTDError) -> ArraySlice<UInt8> {
        let bytes = try primitive(node, .bitString, what: what())
        guard let unused = bytes.first else { throw fail("\(what()) is an empty BIT STRING") }
        guard unused == 0 else { throw fail("\(what()) has \(unused) unused bits where whole bytes are required") }
        return bytes.dropFirst()
    }

    /// The text of a character string (``directoryString(_:)``).
    package func string(_ node: ASN1Node, what: @autoclosure () -> String) throws(EMRTDError) -> String {
        guard let text = directoryString(node) else {
            throw fail("\(what()): expected a character string, found \(name(node.identifier))")
        }
        return text
    }

    /// The text of a character string: UTF8String, PrintableString, IA5String, VisibleString,
    /// NumericString, TeletexString (read as Latin-1), BMPString (UTF-16BE), UniversalString
    /// (UTF-32BE); nil for any other type or undecodable contents.
    package func directoryString(_ node: ASN1Node) -> String? {
        guard node.identifier.tagClass == .universal, case .primitive(let bytes) = node.content else { return nil }
        switch node.identifier {
        case .utf8String:
            return String(validating: bytes, as: UTF8.self)
        case .numericString, .printableString, .ia5String, .visibleString, .teletexString:
            // ASCII (these types' whole repertoire but TeletexString's) decodes as UTF-8 in one pass;
            // other octets are Latin-1, scalar by scalar.
            if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case .bmpString:
            guard bytes.count % 2 == 0 else { return nil }
            let units = stride(from: bytes.startIndex, to: bytes.endIndex, by: 2).map {
                UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1])
            }
            return String(validating: units, as: UTF16.self)
        case .universalString:
            guard bytes.count % 4 == 0 else { return nil }
            var scalars = String.UnicodeScalarView()
            for i in stride(from: bytes.startIndex, to: bytes.endIndex, by: 4) {
                guard let scalar = Unicode.Scalar(bytes[i..<(i + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }) else {
                    return nil
                }
                scalars.append(scalar)
            }
            return String(scalars)
        default:
            return nil
        }
    }

    /// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`.
    package func algorithm(_ node: ASN1Node, what: @autoclosure () -> String) throws(EMRTDError) -> AlgorithmIdentifier {
        let parts = try children(node, .sequence, what: what())
        guard let first = parts.first, parts.count <= 2 else {
            throw fail("\(what()) must have 1 or 2 elements, has \(parts.count)")
        }
        return AlgorithmIdentifier(
            algorithm: try oid(first, what: "\(what()).algorithm"),
            parameters: parts.count > 1 ? Array(parts[1].encodedBytes) : nil
        )
    }

    /// A `Time` (UTCTime or GeneralizedTime) as a date (``ASN1Time``).
    package func time(_ node: ASN1Node, what: @autoclosure () -> String) throws(EMRTDError) -> Date {
        guard case .primitive(let bytes) = node.content,
              node.identifier == .utcTime || node.identifier == .generalizedTime
        else { throw fail("\(what()) is neither a UTCTime nor a GeneralizedTime") }
        guard let date = ASN1Time.date(Array(bytes), generalized: node.identifier == .generalizedTime) else {
            throw fail("\(what()) is not a valid time")
        }
        return date
    }

    /// An identifier as X.690 names it (`SEQUENCE`, `[0]`, `[APPLICATION 23]`, …).
    package func name(_ identifier: ASN1Identifier) -> String { ASN1Reader.name(identifier) }

    package static func name(_ identifier: ASN1Identifier) -> String {
        switch identifier.tagClass {
        case .contextSpecific: return "[\(identifier.tagNumber)]"
        case .application: return "[APPLICATION \(identifier.tagNumber)]"
        case .private: return "[PRIVATE \(identifier.tagNumber)]"
        case .universal: break
        }
        let names: [UInt: String] = [
            1: "BOOLEAN", 2: "INTEGER", 3: "BIT STRING", 4: "OCTET STRING", 5: "NULL", 6: "OBJECT IDENTIFIER",
            10: "ENUMERATED", 12: "UTF8String", 16: "SEQUENCE", 17: "SET", 18: "NumericString", 19: "PrintableString",
            20: "TeletexString", 22: "IA5String", 23: "UTCTime", 24: "GeneralizedTime", 26: "VisibleString",
            28: "UniversalString", 30: "BMPString",
        ]
        return names[identifier.tagNumber] ?? "[UNIVERSAL \(identifier.tagNumber)]"
    }
}

/// The elements of a constructed node read front to back: a SEQUENCE with OPTIONAL fields.
package struct ASN1Fields {
    package let reader: ASN1Reader
    /// The name of the whole, for messages.
    package let what: String
    private var rest: ArraySlice<ASN1Node>

    init(reader: ASN1Reader, what: String, nodes: [ASN1Node]) {
        self.reader = reader
        self.what = what
        self.rest = nodes[...]
    }

    package var isAtEnd: Bool { rest.isEmpty }
    /// The next element, not consumed.
    package var peek: ASN1Node? { rest.first }

    /// The next element, whatever it is.
    package mutating func next(_ field: String) throws(EMRTDError) -> ASN1Node {
        guard let node = rest.popFirst() else { throw reader.fail("\(what) ends before its \(field)") }
        return node
    }

    /// The next element, which must have `identifier`.
    package mutating func next(_ identifier: ASN1Identifier, _ field: String) throws(EMRTDError) -> ASN1Node {
        let node = try next(field)
        guard node.identifier == identifier else {
            throw reader.fail("\(what).\(field): expected \(reader.name(identifier)), found \(reader.name(node.identifier))")
        }
        return node
    }

    /// The next element when it has `identifier` (an OPTIONAL field present); nil, nothing consumed, otherwise.
    package mutating func nextIfPresent(_ identifier: ASN1Identifier) -> ASN1Node? {
        guard rest.first?.identifier == identifier else { return nil }
        return rest.popFirst()
    }

    /// Throws unless every element was read.
    package func finish() throws(EMRTDError) {
        guard rest.isEmpty else { throw reader.fail("\(what) has \(rest.count) unexpected trailing element(s)") }
    }
}

extension ASN1Identifier {
    /// The context-specific tag `[n]` (constructed or primitive: the node's content tells).
    package static func context(_ n: UInt) -> ASN1Identifier {
        ASN1Identifier(tagWithNumber: n, tagClass: .contextSpecific)
    }

    /// The application tag `[APPLICATION n]`.
    package static func application(_ n: UInt) -> ASN1Identifier {
        ASN1Identifier(tagWithNumber: n, tagClass: .application)
    }
}

extension ASN1Node {
    /// True if every length in this node's encoding is definite (no end-of-contents octets): the
    /// bytes as read are then DER's as far as lengths go.
    package var hasDefiniteLengths: Bool {
        // X.690 8.1.3.2: only a constructed encoding may use the indefinite form.
        guard case .constructed(let children) = content else { return true }
        let bytes = encodedBytes
        var index = bytes.startIndex
        guard index < bytes.endIndex else { return false }
        if bytes[index] & 0x1F == 0x1F {  // high-tag-number form: skip the tag number's octets
            index += 1
            while index < bytes.endIndex, bytes[index] & 0x80 != 0 { index += 1 }
        }
        index += 1
        guard index < bytes.endIndex, bytes[index] != 0x80 else { return false }
        for child in children where !child.hasDefiniteLengths { return false }
        return true
    }
}

/// The magnitude of an INTEGER's content octets: leading zero bytes removed (`[0]` for zero), so
/// `00 8A` and `8A`, a non-minimal and a minimal encoding of one positive serial, compare equal.
package func integerMagnitude(_ bytes: some Collection<UInt8>) -> [UInt8] {
    let trimmed = Array(bytes.drop { $0 == 0 })
    return trimmed.isEmpty ? [0] : trimmed
}

/// What `error` says, fit for a message: swift-asn1's `ASN1Error` by its code and reason
/// (`truncatedASN1Field`, `invalidASN1Object: …`) without the source file and line its description
/// ends with (`SwiftASN1/ASN1.swift:202`); an ``EMRTDError`` by its description; any other error by
/// its description with such `File.swift:123` locations removed. Messages never show where in a
/// dependency an error was raised: every error of another library that reaches a message goes through here.
package func errorDescription(_ error: any Error) -> String {
    if let error = error as? EMRTDError { return error.description }
    let text = withoutSourceLocations(String(describing: error))
    guard let error = error as? ASN1Error else { return text }
    // "ASN1Error.<code>: <reason> <file>:<line>"; the reason may be empty.
    let prefix = "ASN1Error.\(error.code):"
    let reason = text.hasPrefix(prefix) ? text.dropFirst(prefix.count).trimmingPrefix(" ") : ""
    return reason.isEmpty ? "\(error.code)" : "\(error.code): \(reason)"
}

/// `text` without its words of the form `Name.swift:123` (punctuation around them included).
private func withoutSourceLocations(_ text: String) -> String {
    func isLocation(_ word: Substring) -> Bool {
        let trimmed = word.trimmingCharacters(in: .punctuationCharacters.subtracting(CharacterSet(charactersIn: ".:")))
        guard let colon = trimmed.lastIndex(of: ":") else { return false }
        let line = trimmed[trimmed.index(after: colon)...]
        return trimmed[..<colon].hasSuffix(".swift") && !line.isEmpty && line.allSatisfy(\.isASCII) && line.allSatisfy(\.isNumber)
    }
    return text.split(separator: " ").filter { !isLocation($0) }.joined(separator: " ")
}
