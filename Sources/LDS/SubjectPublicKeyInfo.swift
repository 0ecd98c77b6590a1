public import EMRTDCore
import SwiftASN1

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
    public let algorithm: OID
    /// The contents of subjectPublicKey (an EC point, an encoded RSAPublicKey, a DH INTEGER).
    public let publicKey: [UInt8]
    /// What the parameters and key say about size and curve.
    public let details: Details
    /// The exact encoding read.
    public let raw: [UInt8]

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
        public let namedCurve: OID?
        /// True when the parameters spell the curve out (common in eMRTD PKI and Chip Authentication keys).
        public let hasExplicitParameters: Bool
        /// Bits of the field prime: from the explicit prime, or from the named curve when known.
        public let fieldBits: Int?

        /// "brainpoolP256r1", "secp256r1", … for known named curves.
        public var name: String? { namedCurve.flatMap { SubjectPublicKeyInfo.curves[$0]?.name } }
    }

    static let rsaEncryption: OID = "1.2.840.113549.1.1.1"
    static let ecPublicKey: OID = "1.2.840.10045.2.1"
    static let pkECDH: OID = "0.4.0.127.0.7.2.2.1.2"
    static let pkDH: OID = "0.4.0.127.0.7.2.2.1.1"
    static let dhPublicNumber: OID = "1.2.840.10046.2.1"
    static let dhKeyAgreement: OID = "1.2.840.113549.1.3.1"

    static let curves: [OID: (name: String, bits: Int)] = [
        "1.2.840.10045.3.1.1": ("secp192r1", 192), "1.3.132.0.33": ("secp224r1", 224),
        "1.2.840.10045.3.1.7": ("secp256r1", 256), "1.3.132.0.34": ("secp384r1", 384),
        "1.3.132.0.35": ("secp521r1", 521),
        "1.3.36.3.3.2.8.1.1.1": ("brainpoolP160r1", 160), "1.3.36.3.3.2.8.1.1.3": ("brainpoolP192r1", 192),
        "1.3.36.3.3.2.8.1.1.5": ("brainpoolP224r1", 224), "1.3.36.3.3.2.8.1.1.7": ("brainpoolP256r1", 256),
        "1.3.36.3.3.2.8.1.1.9": ("brainpoolP320r1", 320), "1.3.36.3.3.2.8.1.1.11": ("brainpoolP384r1", 384),
        "1.3.36.3.3.2.8.1.1.13": ("brainpoolP512r1", 512),
    ]

    /// "rsaEncryption", "id-ecPublicKey", "id-PK-ECDH", "id-PK-DH", "dhpublicnumber", or the dotted OID.
    public var algorithmName: String {
        switch algorithm {
        case Self.rsaEncryption: "rsaEncryption"
        case Self.ecPublicKey: "id-ecPublicKey"
        case Self.pkECDH: "id-PK-ECDH"
        case Self.pkDH: "id-PK-DH"
        case Self.dhPublicNumber: "dhpublicnumber"
        case Self.dhKeyAgreement: "dhKeyAgreement"
        default: algorithm.description
        }
    }

    /// Parses a DER/BER SubjectPublicKeyInfo.
    public static func parse(_ bytes: [UInt8]) throws(EMRTDError) -> SubjectPublicKeyInfo {
        try SubjectPublicKeyInfo(node: ASN1Read.parse(bytes, what: "SubjectPublicKeyInfo"))
    }

    init(node: ASN1Node) throws(EMRTDError) {
        let what = "SubjectPublicKeyInfo"
        let parts = try ASN1Read.children(node, .sequence, what: what)
        guard parts.count == 2 else {
            throw EMRTDError(.asn1Invalid, "\(what) must have 2 elements, has \(parts.count)")
        }
        let algorithmParts = try ASN1Read.children(parts[0], .sequence, what: "\(what).algorithm")
        guard let algorithmNode = algorithmParts.first, algorithmParts.count <= 2 else {
            throw EMRTDError(.asn1Invalid, "\(what).algorithm must have 1 or 2 elements, has \(algorithmParts.count)")
        }
        algorithm = try ASN1Read.oid(algorithmNode, what: "\(what).algorithm.algorithm")
        let parameters = algorithmParts.count > 1 ? algorithmParts[1] : nil

        let bitString = try ASN1Read.primitive(parts[1], .bitString, what: "\(what).subjectPublicKey")
        guard let unused = bitString.first, unused == 0 else {
            throw EMRTDError(.asn1Invalid, "\(what).subjectPublicKey must be whole bytes (unused-bits octet 00)")
        }
        publicKey = Array(bitString.dropFirst())
        raw = ASN1Read.raw(node)

        switch algorithm {
        case Self.rsaEncryption:
            let keyNode = try ASN1Read.parse(publicKey, what: "RSAPublicKey")
            let ints = try ASN1Read.children(keyNode, .sequence, what: "RSAPublicKey")
            guard ints.count == 2 else {
                throw EMRTDError(.asn1Invalid, "RSAPublicKey must have 2 INTEGERs, has \(ints.count)")
            }
            let modulus = try ASN1Read.integerBytes(ints[0], what: "RSAPublicKey.modulus")
            let exponent = try ASN1Read.integerBytes(ints[1], what: "RSAPublicKey.publicExponent")
            // Read as unsigned: some issued keys (the BSI 2008 test passport's) omit the leading 00 of
            // a modulus whose top bit is set, and the chip's signatures still verify with it.
            details = .rsa(modulusBits: ASN1Read.bitLength(modulus), publicExponent: Array(exponent.drop { $0 == 0 }))
        case Self.ecPublicKey, Self.pkECDH:
            details = .ec(try Self.curve(parameters))
        case Self.pkDH, Self.dhPublicNumber, Self.dhKeyAgreement:
            guard let parameters else { throw EMRTDError(.asn1Invalid, "DH key without domain parameters") }
            let ints = try ASN1Read.children(parameters, .sequence, what: "DH domain parameters")
            guard let p = ints.first else { throw EMRTDError(.asn1Invalid, "DH domain parameters are empty") }
            details = .dh(primeBits: ASN1Read.bitLength(try ASN1Read.integerBytes(p, what: "DH prime p")))
        default:
            details = .other
        }
    }

    static func curve(_ parameters: ASN1Node?) throws(EMRTDError) -> EllipticCurve {
        guard let parameters else {
            // implicitlyCA by omission: the curve is known only from elsewhere.
            return EllipticCurve(namedCurve: nil, hasExplicitParameters: false, fieldBits: nil)
        }
        switch parameters.identifier {
        case .objectIdentifier:
            let oid = try ASN1Read.oid(parameters, what: "EC named curve")
            return EllipticCurve(namedCurve: oid, hasExplicitParameters: false, fieldBits: curves[oid]?.bits)
        case .null:
            return EllipticCurve(namedCurve: nil, hasExplicitParameters: false, fieldBits: nil)
        case .sequence:
            let parts = try ASN1Read.children(parameters, .sequence, what: "ECParameters")
            guard parts.count >= 5 else {
                throw EMRTDError(.asn1Invalid, "ECParameters must have at least 5 elements, has \(parts.count)")
            }
            let field = try ASN1Read.children(parts[1], .sequence, what: "ECParameters.fieldID")
            guard field.count == 2 else {
                throw EMRTDError(.asn1Invalid, "ECParameters.fieldID must have 2 elements, has \(field.count)")
            }
            let fieldType = try ASN1Read.oid(field[0], what: "ECParameters.fieldID.fieldType")
            var bits: Int? = nil
            if fieldType == "1.2.840.10045.1.1" {  // prime-field: parameters = the prime p
                bits = ASN1Read.bitLength(try ASN1Read.integerBytes(field[1], what: "ECParameters prime"))
            }
            return EllipticCurve(namedCurve: nil, hasExplicitParameters: true, fieldBits: bits)
        default:
            throw EMRTDError(.asn1Invalid, "EC parameters are neither a named curve, explicit parameters nor NULL")
        }
    }
}
