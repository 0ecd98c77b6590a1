import EMRTDCore
import SwiftASN1

/// Small, total accessors over swift-asn1's node tree. Every failure becomes `asn1.invalid` with the
/// name of the element being read, so a message says *what* was malformed.
enum ASN1Read {
    static func parse(_ bytes: [UInt8], what: String) throws(EMRTDError) -> ASN1Node {
        do {
            return try BER.parse(bytes)
        } catch {
            throw EMRTDError(.asn1Invalid, "\(what) is not valid BER: \(error)")
        }
    }

    static func children(_ node: ASN1Node, _ identifier: ASN1Identifier, what: String) throws(EMRTDError) -> [ASN1Node] {
        guard node.identifier == identifier else {
            throw EMRTDError(.asn1Invalid, "\(what): expected \(identifier), found \(node.identifier)")
        }
        guard case .constructed(let nodes) = node.content else {
            throw EMRTDError(.asn1Invalid, "\(what) is not constructed")
        }
        return Array(nodes)
    }

    static func primitive(_ node: ASN1Node, _ identifier: ASN1Identifier, what: String) throws(EMRTDError) -> [UInt8] {
        guard node.identifier == identifier else {
            throw EMRTDError(.asn1Invalid, "\(what): expected \(identifier), found \(node.identifier)")
        }
        guard case .primitive(let bytes) = node.content else {
            throw EMRTDError(.asn1Invalid, "\(what) is constructed where a primitive value was expected")
        }
        return Array(bytes)
    }

    static func oid(_ node: ASN1Node, what: String) throws(EMRTDError) -> OID {
        let bytes = try primitive(node, .objectIdentifier, what: what)
        do {
            return try OID(contentBytes: bytes)
        } catch {
            throw EMRTDError(.asn1Invalid, "\(what): \(error.message)")
        }
    }

    /// INTEGER content bytes.
    static func integerBytes(_ node: ASN1Node, what: String) throws(EMRTDError) -> [UInt8] {
        let bytes = try primitive(node, .integer, what: what)
        guard !bytes.isEmpty else { throw EMRTDError(.asn1Invalid, "\(what) is an empty INTEGER") }
        return bytes
    }

    /// A non-negative INTEGER that fits in an `Int`.
    static func int(_ node: ASN1Node, what: String) throws(EMRTDError) -> Int {
        let bytes = try integerBytes(node, what: what)
        guard bytes[0] & 0x80 == 0 else { throw EMRTDError(.asn1Invalid, "\(what) is negative") }
        let magnitude = bytes.drop { $0 == 0 }
        guard magnitude.count <= 7 else { throw EMRTDError(.asn1Invalid, "\(what) is too large (\(bytes.count) bytes)") }
        return magnitude.reduce(0) { $0 << 8 | Int($1) }
    }

    /// Bit length of an unsigned big-endian magnitude (leading zero bytes ignored).
    static func bitLength(_ bytes: [UInt8]) -> Int {
        let magnitude = bytes.drop { $0 == 0 }
        guard let first = magnitude.first else { return 0 }
        return (magnitude.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }

    static func raw(_ node: ASN1Node) -> [UInt8] { Array(node.encodedBytes) }
}
