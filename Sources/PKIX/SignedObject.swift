import Cryptography
import EMRTDASN1
import EMRTDCore
import SwiftASN1

/// What certificates and CRLs share (RFC 5280: `SEQUENCE { tbs, signatureAlgorithm, signatureValue }`):
/// the signature is checked over the exact TBS bytes read, with the issuer's key given directly,
/// so explicit EC parameters work where OpenSSL's chain builder refuses them.
struct SignedPart: Sendable, Hashable {
    /// The outer signature algorithm.
    let algorithm: ASN1ObjectIdentifier
    let scheme: SignatureScheme?
    let tbs: ArraySlice<UInt8>
    let value: [UInt8]
    /// The inner (TBS) algorithm equals the outer one, as RFC 5280 requires.
    let fieldsConsistent: Bool

    /// The two fields after the TBS: `signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING`.
    struct Outer {
        let encodedAlgorithm: ArraySlice<UInt8>
        let algorithm: AlgorithmIdentifier
        /// The scheme ``algorithm`` names, nil when it is not supported.
        let scheme: SignatureScheme?
        /// The signature's bytes.
        let value: [UInt8]
        /// The BIT STRING is whole bytes.
        let wholeBytes: Bool

        /// Reads the two fields, and checks that nothing follows them.
        init(_ fields: inout ASN1Fields, _ r: ASN1Reader) throws(EMRTDError) {
            let algorithmNode = try fields.next(.sequence, "signatureAlgorithm")
            let bits = try r.primitive(try fields.next(.bitString, "signatureValue"), .bitString, what: "signatureValue")
            try fields.finish()
            encodedAlgorithm = algorithmNode.encodedBytes
            algorithm = try r.algorithm(algorithmNode, what: "signatureAlgorithm")
            scheme = try? SignatureScheme.fromAlgorithmIdentifier(oid: algorithm.algorithm, parameters: algorithm.parameters)
            wholeBytes = bits.first == 0
            value = Array(bits.dropFirst())
        }

        /// The signature field inside the TBS is the same AlgorithmIdentifier, byte for byte, and
        /// the signature is whole bytes.
        func isConsistent(with inner: ASN1Node) -> Bool {
            wholeBytes && Array(inner.encodedBytes) == Array(encodedAlgorithm)
        }
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
