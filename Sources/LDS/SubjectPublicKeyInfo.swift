public import EMRTDCore
import EMRTDASN1
public import SwiftASN1

/// A public key as X.509 encodes it; DG15 holds one (Active Authentication) and DG14 holds one per
/// Chip Authentication key.
///
/// ```
/// SubjectPublicKeyInfo ::= SEQUENCE {
///     algorithm         AlgorithmIdentifier,   -- SEQUENCE { algorithm OID, parameters ANY OPTIONAL }
///     subjectPublicKey  BIT STRING }
/// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }          -- RFC 8017
/// ECParameters ::= SEQUENCE { version INTEGER, fieldID SEQUENCE { fieldType OID, prime INTEGER },
///                             curve Curve, base ECPoint, order INTEGER, cofactor INTEGER OPTIONAL }  -- RFC 3279
/// EC parameters ::= CHOICE { ECParameters, namedCurve OID, implicitlyCA NULL }
/// DH DomainParameters ::= SEQUENCE { p INTEGER, g INTEGER, q INTEGER, ... }      -- RFC 3279 / PKCS #3
/// ```
public struct SubjectPublicKeyInfo: Hashable, Sendable {
    /// The key's algorithm: rsaEncryption, id-ecPublicKey, id-PK-ECDH, id-PK-DH, dhpublicnumber, …
    public let algorithm: ASN1ObjectIdentifier
    /// The contents of subjectPublicKey (an EC point, an encoded RSAPublicKey, a DH INTEGER).
    public let publicKey: [UInt8]
    /// What the parameters and key say about size and curve.
    public let details: Details
    /// The exact encoding read.
    public let raw: [UInt8]

    /// What the key says about its size, by algorithm: the RSA modulus size and public exponent
    /// (`RSAPublicKey`), the EC curve, the bits of the DH prime p.
    public enum Details: Hashable, Sendable {
        case rsa(modulusBits: Int, publicExponent: [UInt8])
        case ec(EllipticCurve)
        case dh(primeBits: Int)
        /// An algorithm this type does not look into.
        case other
    }

    /// The curve of an EC key.
    public struct EllipticCurve: Hashable, Sendable {
        /// The named curve, when the parameters name one.
        public let namedCurve: ASN1ObjectIdentifier?
        /// True when the parameters spell the curve out (common in eMRTD PKI and Chip Authentication keys).
        public let hasExplicitParameters: Bool
        /// Bits of the field prime: from the explicit prime, or from the named curve when known.
        public let fieldBits: Int?

        /// "brainpoolP256r1", "secp256r1", … for known named curves.
        public var name: String? { namedCurve.flatMap { oid in KnownOID.namedCurves.first { $0.oid == oid }?.name } }
    }

    /// "rsaEncryption", "id-ecPublicKey", "id-PK-ECDH", "id-PK-DH", "dhpublicnumber", or the dotted OID.
    public var algorithmName: String { algorithm.knownName ?? algorithm.description }

    /// Parses a DER/BER SubjectPublicKeyInfo.
    public static func parse(_ bytes: [UInt8]) throws(EMRTDError) -> SubjectPublicKeyInfo {
        try SubjectPublicKeyInfo(node: ASN1Reader.lds.parse(bytes, what: "SubjectPublicKeyInfo"))
    }

    init(node: ASN1Node) throws(EMRTDError) {
        let what = "SubjectPublicKeyInfo"
        let r = ASN1Reader.lds
        let parts = try r.children(node, .sequence, what: what)
        guard parts.count == 2 else {
            throw EMRTDError(.asn1Invalid, "\(what) must have 2 elements, has \(parts.count)")
        }
        let algorithmParts = try r.children(parts[0], .sequence, what: "\(what).algorithm")
        guard let algorithmNode = algorithmParts.first, algorithmParts.count <= 2 else {
            throw EMRTDError(.asn1Invalid, "\(what).algorithm must have 1 or 2 elements, has \(algorithmParts.count)")
        }
        algorithm = try r.oid(algorithmNode, what: "\(what).algorithm.algorithm")
        let parameters = algorithmParts.count > 1 ? algorithmParts[1] : nil

        publicKey = Array(try r.bitString(parts[1], what: "\(what).subjectPublicKey"))
        raw = Array(node.encodedBytes)

        switch algorithm {
        case KnownOID.rsaEncryption:
            let keyNode = try r.parse(publicKey, what: "RSAPublicKey")
            let ints = try r.children(keyNode, .sequence, what: "RSAPublicKey")
            guard ints.count == 2 else {
                throw EMRTDError(.asn1Invalid, "RSAPublicKey must have 2 INTEGERs, has \(ints.count)")
            }
            let modulus = try r.integerBytes(ints[0], what: "RSAPublicKey.modulus")
            let exponent = try r.integerBytes(ints[1], what: "RSAPublicKey.publicExponent")
            // Read as unsigned: some issued keys (the BSI 2008 test passport's) omit the leading 00 of
            // a modulus whose top bit is set, and the chip's signatures still verify with it.
            details = .rsa(modulusBits: bitLength(modulus), publicExponent: Array(exponent.drop { $0 == 0 }))
        case KnownOID.ecPublicKey, KnownOID.idPKECDH:
            details = .ec(try Self.curve(parameters))
        case KnownOID.idPKDH, KnownOID.dhPublicNumber, KnownOID.dhKeyAgreement:
            guard let parameters else { throw EMRTDError(.asn1Invalid, "DH key without domain parameters") }
            let ints = try r.children(parameters, .sequence, what: "DH domain parameters")
            guard let p = ints.first else { throw EMRTDError(.asn1Invalid, "DH domain parameters are empty") }
            details = .dh(primeBits: bitLength(try r.integerBytes(p, what: "DH prime p")))
        default:
            details = .other
        }
    }

    static func curve(_ parameters: ASN1Node?) throws(EMRTDError) -> EllipticCurve {
        let r = ASN1Reader.lds
        guard let parameters else {
            // implicitlyCA by omission: the curve is known only from elsewhere.
            return EllipticCurve(namedCurve: nil, hasExplicitParameters: false, fieldBits: nil)
        }
        switch parameters.identifier {
        case .objectIdentifier:
            let oid = try r.oid(parameters, what: "EC named curve")
            let fieldBits = KnownOID.namedCurves.first { $0.oid == oid }?.fieldBits
            return EllipticCurve(namedCurve: oid, hasExplicitParameters: false, fieldBits: fieldBits)
        case .null:
            return EllipticCurve(namedCurve: nil, hasExplicitParameters: false, fieldBits: nil)
        case .sequence:
            let parts = try r.children(parameters, .sequence, what: "ECParameters")
            guard parts.count >= 5 else {
                throw EMRTDError(.asn1Invalid, "ECParameters must have at least 5 elements, has \(parts.count)")
            }
            let field = try r.children(parts[1], .sequence, what: "ECParameters.fieldID")
            guard field.count == 2 else {
                throw EMRTDError(.asn1Invalid, "ECParameters.fieldID must have 2 elements, has \(field.count)")
            }
            let fieldType = try r.oid(field[0], what: "ECParameters.fieldID.fieldType")
            var bits: Int? = nil
            if fieldType == KnownOID.primeField {  // prime-field: parameters = the prime p
                bits = bitLength(try r.integerBytes(field[1], what: "ECParameters prime"))
            }
            return EllipticCurve(namedCurve: nil, hasExplicitParameters: true, fieldBits: bits)
        default:
            throw EMRTDError(.asn1Invalid, "EC parameters are neither a named curve, explicit parameters nor NULL")
        }
    }
}

/// Bit length of an unsigned big-endian magnitude (leading zero bytes ignored).
private func bitLength(_ bytes: [UInt8]) -> Int {
    let magnitude = integerMagnitude(bytes)
    return (magnitude.count - 1) * 8 + (8 - magnitude[0].leadingZeroBitCount)
}
