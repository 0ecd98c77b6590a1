import Cryptography
import EMRTDASN1
import EMRTDCore
import SwiftASN1

/// What certificates and CRLs share (RFC 5280: `SEQUENCE { tbs, signatureAlgorithm, signatureValue }`):
/// the signature is checked over the exact TBS bytes read, with the issuer's key given directly,
/// so explicit EC parameters work where OpenSSL's chain builder refuses them.
struct SignedPart: Sendable {
    /// The outer signature algorithm.
    let algorithm: ASN1ObjectIdentifier
    /// The scheme ``algorithm`` names, nil when it is not supported.
    let scheme: SignatureScheme?
    /// The TBS element's encoding as read.
    let tbs: ArraySlice<UInt8>
    let value: [UInt8]
    /// The inner (TBS) algorithm equals the outer one, byte for byte, as RFC 5280 requires, and the
    /// signature BIT STRING is whole bytes.
    let fieldsConsistent: Bool

    /// The three fields of a signed object read, before its TBS is.
    struct Envelope {
        /// The TBS element, for the caller to read.
        let tbs: ASN1Node
        let algorithmNode: ASN1Node
        let algorithm: AlgorithmIdentifier
        let bits: ArraySlice<UInt8>

        /// The signed part, once the TBS's own signature field (`inner`) is known.
        func signedPart(inner: ASN1Node) -> SignedPart {
            SignedPart(
                algorithm: algorithm.algorithm,
                scheme: try? SignatureScheme.fromAlgorithmIdentifier(oid: algorithm.algorithm, parameters: algorithm.parameters),
                tbs: tbs.encodedBytes, value: Array(bits.dropFirst()),
                fieldsConsistent: bits.first == 0 && Array(inner.encodedBytes) == Array(algorithmNode.encodedBytes))
        }
    }

    /// Reads `SEQUENCE { tbs SEQUENCE, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }`.
    static func envelope(_ der: [UInt8], _ r: ASN1Reader, what: String, tbs: String) throws(EMRTDError) -> Envelope {
        var fields = try r.fields(try r.parse(der, what: "the \(what)"), .sequence, what: what)
        let tbsNode = try fields.next(.sequence, tbs)
        let algorithmNode = try fields.next(.sequence, "signatureAlgorithm")
        let bits = try r.primitive(try fields.next(.bitString, "signatureValue"), .bitString, what: "signatureValue")
        try fields.finish()
        return Envelope(
            tbs: tbsNode, algorithmNode: algorithmNode, algorithm: try r.algorithm(algorithmNode, what: "signatureAlgorithm"),
            bits: bits)
    }

    /// True when the signature verifies with `key`; false when it does not or when the two
    /// algorithm fields differ. Throws for an unsupported algorithm or a key of the wrong type.
    func isSigned(by key: PublicKey, what: String) throws(EMRTDError) -> Bool {
        guard let scheme else {
            throw EMRTDError(.unsupportedAlgorithm, "unsupported \(what) signature algorithm \(algorithm)")
        }
        guard fieldsConsistent else { return false }
        return try key.isValidSignature(value, for: Array(tbs), scheme: scheme)
    }
}

/// Every object of a file: the file as one DER encoding, or each PEM block with one of `labels`
/// (other blocks skipped). Throws `code` when PEM text has no such block.
func objects<Object>(
    in fileContents: [UInt8], labels: [String], code: EMRTDError.Code, _ decode: ([UInt8]) throws(EMRTDError) -> Object
) throws(EMRTDError) -> [Object] {
    guard PKIPEM.looksLikePEM(fileContents) else { return [try decode(fileContents)] }
    let blocks = try PKIPEM.blocks(String(decoding: fileContents, as: UTF8.self)).filter { labels.contains($0.label) }
    guard !blocks.isEmpty else { throw EMRTDError(code, "no \(labels[0]) block in the PEM text") }
    var out: [Object] = []
    for block in blocks { out.append(try decode(block.der)) }
    return out
}
