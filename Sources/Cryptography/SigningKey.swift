public import EMRTDCore
import EMRTDASN1

/// A private key that signs: one in memory (``PrivateKey``, OpenSSL), or one that never leaves a
/// hardware security module (a PKCS #11 token). EF.SOD, EF.CardSecurity and certificates are signed
/// through this protocol, so where the key lives is the caller's choice.
public protocol SigningKey: Sendable, CustomStringConvertible {
    /// The matching public key.
    var publicKey: PublicKey { get }
    /// Signs `message` (the whole message: the key hashes it with `scheme`'s hash) with `scheme`.
    func signature(for message: [UInt8], scheme: SignatureScheme) throws(EMRTDError) -> [UInt8]
}

extension PrivateKey: SigningKey {}

/// ECDSA-Sig-Value (RFC 3279 / X9.62) conversions.
public enum ECDSASignature {
    /// `r ‖ s` (as PKCS #11 and ISO/IEC 7816 give it, each half the same length) as DER:
    ///
    /// ```
    /// ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }
    /// ```
    public static func der(fromPlain plain: [UInt8]) throws(EMRTDError) -> [UInt8] {
        guard !plain.isEmpty, plain.count % 2 == 0 else {
            throw EMRTDError(.cryptoFailure, "an ECDSA signature r ‖ s of \(plain.count) bytes (an even length is needed)")
        }
        let half = plain.count / 2
        return DERWriter.sequence([DERWriter.unsignedInteger(plain[..<half]), DERWriter.unsignedInteger(plain[half...])])
    }
}
