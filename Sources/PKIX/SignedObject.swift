import Cryptography
import EMRTDCore

/// What certificates and CRLs share (RFC 5280: `SEQUENCE { tbs, signatureAlgorithm, signatureValue }`):
/// the signature is checked over the exact TBS bytes read, with the issuer's key given directly,
/// so explicit EC parameters work where OpenSSL's chain builder refuses them.
struct SignedPart: Sendable, Hashable {
    /// The outer signature algorithm, as OID arcs.
    let algorithm: [UInt]
    let scheme: SignatureScheme?
    let tbs: ArraySlice<UInt8>
    let value: [UInt8]
    /// The inner (TBS) algorithm equals the outer one, as RFC 5280 requires.
    let fieldsConsistent: Bool

    /// True when the signature verifies with `key`; false when it does not or when the two
    /// algorithm fields differ. Throws for an unsupported algorithm or a key of the wrong type.
    func isSigned(by key: PublicKey, what: String) throws(EMRTDError) -> Bool {
        guard let scheme else {
            throw EMRTDError(.unsupportedAlgorithm, "unsupported \(what) signature algorithm \(algorithm.map(String.init).joined(separator: "."))")
        }
        guard fieldsConsistent else { return false }
        return try key.isValidSignature(value, for: Array(tbs), scheme: scheme)
    }
}
