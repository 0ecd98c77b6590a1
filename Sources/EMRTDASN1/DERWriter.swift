// Writing DER with swift-asn1's serializer: identifiers and lengths as X.690 10 wants them, integers
// minimal, SET OF sorted. Each function returns one element's encoding, so structures read as the
// grammar they encode: `sequence([integer(1), algorithm(oid, parameters: null), octetString(d)])`.

package import Foundation
package import SwiftASN1

/// DER encodings of single elements (for EF.SOD, certificates, CRLs, keys, SecurityInfos, tests).
package enum DERWriter {
    /// A primitive element: `identifier`, length, `contents`.
    package static func primitive(_ identifier: ASN1Identifier, _ contents: some Sequence<UInt8>) -> [UInt8] {
        var serializer = DER.Serializer()
        serializer.appendPrimitiveNode(identifier: identifier) { $0.append(contentsOf: contents) }
        return serializer.serializedBytes
    }

    /// A constructed element holding `parts` (each already encoded), in the order given.
    package static func constructed(_ identifier: ASN1Identifier, _ parts: [[UInt8]]) -> [UInt8] {
        var serializer = DER.Serializer()
        serializer.appendConstructedNode(identifier: identifier) { inner in
            for part in parts { inner.serializeRawBytes(part) }
        }
        return serializer.serializedBytes
    }

    package static func sequence(_ parts: [[UInt8]]) -> [UInt8] { constructed(.sequence, parts) }

    /// SET OF: DER orders the element encodings (X.690 11.6).
    package static func set(of parts: [[UInt8]]) -> [UInt8] {
        constructed(.set, parts.sorted { $0.lexicographicallyPrecedes($1) })
    }

    /// `[n] EXPLICIT` around one encoded element.
    package static func explicit(_ n: UInt, _ element: [UInt8]) -> [UInt8] { constructed(.context(n), [element]) }

    /// INTEGER, two's complement, minimal.
    package static func integer(_ value: Int) -> [UInt8] {
        serialized { try $0.serialize(value) }
    }

    /// A non-negative INTEGER from big-endian magnitude bytes: leading zeros dropped, one added when
    /// the top bit is set (zero is `02 01 00`).
    package static func unsignedInteger(_ magnitude: some Collection<UInt8>) -> [UInt8] {
        serialized { try $0.serialize(ArraySlice(magnitude.drop { $0 == 0 })) }
    }

    /// INTEGER with content octets already in two's complement form (as read), unchanged.
    package static func integer(contentBytes: [UInt8]) -> [UInt8] { primitive(.integer, contentBytes) }

    package static func boolean(_ value: Bool) -> [UInt8] { serialized { try $0.serialize(value) } }

    package static let null: [UInt8] = [0x05, 0x00]

    package static func oid(_ oid: ASN1ObjectIdentifier) -> [UInt8] { serialized { try $0.serialize(oid) } }

    package static func octetString(_ bytes: some Sequence<UInt8>) -> [UInt8] { primitive(.octetString, bytes) }

    /// A BIT STRING: `unusedBits` (0 to 7) of the last byte are not part of it.
    package static func bitString(_ bytes: [UInt8], unusedBits: UInt8 = 0) -> [UInt8] {
        primitive(.bitString, [unusedBits] + bytes)
    }

    package static func printableString(_ text: String) -> [UInt8] { primitive(.printableString, text.utf8) }
    package static func utf8String(_ text: String) -> [UInt8] { primitive(.utf8String, text.utf8) }

    /// `Time`, whole seconds, UTC: UTCTime for 1950 through 2049, GeneralizedTime otherwise (RFC 5280 4.1.2.5).
    package static func time(_ date: Date) -> [UInt8] {
        let (text, generalized) = ASN1Time.text(date)
        return primitive(generalized ? .generalizedTime : .utcTime, text.utf8)
    }

    /// `AlgorithmIdentifier` with the parameters' encoding, or none.
    package static func algorithm(_ oid: ASN1ObjectIdentifier, parameters: [UInt8]?) -> [UInt8] {
        sequence([DERWriter.oid(oid)] + (parameters.map { [$0] } ?? []))
    }

    /// A parsed node again, with definite, minimal lengths (identifiers kept): what DER asks of
    /// lengths. Other BER freedoms (segmented strings, SET order) stay as read.
    package static func reencoded(_ node: ASN1Node) -> [UInt8] {
        var serializer = DER.Serializer()
        serializer.serialize(node)
        return serializer.serializedBytes
    }

    /// Runs a swift-asn1 serialization of a value of ours (an integer, a boolean, an OID); those
    /// never throw, the protocol only lets them.
    private static func serialized(_ body: (inout DER.Serializer) throws -> Void) -> [UInt8] {
        var serializer = DER.Serializer()
        do {
            try body(&serializer)
        } catch {
            preconditionFailure("swift-asn1 could not serialize a plain value: \(error)")
        }
        return serializer.serializedBytes
    }
}
