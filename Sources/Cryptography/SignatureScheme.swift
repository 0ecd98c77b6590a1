// Signature schemes of eMRTD PKI (ICAO Doc 9303 Part 12): what a certificate, a CRL, a SOD's
// SignerInfo or an Active Authentication response is signed with, and the mapping from the X.509 /
// CMS AlgorithmIdentifier OIDs.

public import EMRTDCore
import EMRTDASN1
public import SwiftASN1

extension EMRTDError.Code {
    /// A signature did not verify.
    public static let signatureInvalid = Self("crypto.signature")
    /// The signature scheme does not fit the key (e.g. ECDSA with an RSA key).
    public static let signatureKeyMismatch = Self("crypto.signature-key-mismatch")
    /// An algorithm identifier (OID or parameters) this toolkit does not support.
    public static let unsupportedAlgorithm = Self("crypto.unsupported-algorithm")
    /// A DER encoding (of a key, a signature parameter block, a signature …) was malformed.
    public static let malformedDER = Self("crypto.malformed-der")
}

/// How an ECDSA signature's two integers are encoded.
public enum ECDSASignatureEncoding: Sendable, Hashable {
    /// `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (X9.62; X.509, CMS).
    case der
    /// `r ‖ s`, each left-padded to the size of the group order (BSI TR-03111 plain format; ICAO
    /// Active Authentication with ECDSA; IEEE P1363).
    case plain
}

/// A signature algorithm with all its parameters.
public enum SignatureScheme: Sendable, Hashable, CustomStringConvertible {
    /// ECDSA with the message hashed by the given function.
    case ecdsa(HashAlgorithm, encoding: ECDSASignatureEncoding)
    /// RSASSA-PKCS1-v1_5 (RFC 8017, 8.2).
    case rsaPKCS1v15(HashAlgorithm)
    /// RSASSA-PSS (RFC 8017, 8.1) with MGF1; `saltLength` is in bytes and is checked exactly when verifying.
    case rsaPSS(hash: HashAlgorithm, mgf1Hash: HashAlgorithm, saltLength: Int)

    /// The hash the message is digested with.
    public var hash: HashAlgorithm {
        switch self {
        case .ecdsa(let h, _), .rsaPKCS1v15(let h), .rsaPSS(let h, _, _): h
        }
    }

    /// The scheme in words: `ECDSA with SHA-256`, `RSA-PSS with SHA-256, MGF1 with SHA-256, salt 32`.
    public var description: String {
        switch self {
        case .ecdsa(let h, .der): "ECDSA with \(h)"
        case .ecdsa(let h, .plain): "ECDSA (plain) with \(h)"
        case .rsaPKCS1v15(let h): "RSA PKCS#1 v1.5 with \(h)"
        case .rsaPSS(let h, let m, let s): "RSA-PSS with \(h), MGF1 with \(m), salt \(s)"
        }
    }

    // MARK: Algorithm identifiers

    /// The scheme an X.509 or CMS `AlgorithmIdentifier` names.
    ///
    /// - Parameters:
    ///   - oid: the algorithm OID.
    ///   - parameters: the DER of the `parameters` field (the whole TLV), or nil when absent.
    ///   - digest: the digest algorithm from context, for OIDs that name only the key type
    ///     (`rsaEncryption`, `id-ecPublicKey` as some SignerInfos use them).
    ///
    /// Supported: sha1/224/256/384/512WithRSAEncryption, rsaEncryption (with `digest`),
    /// id-RSASSA-PSS (RFC 4055 parameters, MGF1 only, trailer field 1), ecdsa-with-SHA1/224/256/384/512,
    /// BSI TR-03111 ecdsa-plain-SHA1/224/256/384/512, id-ecPublicKey (with `digest`).
    public static func fromAlgorithmIdentifier(
        oid: ASN1ObjectIdentifier, parameters: [UInt8]?, digest: HashAlgorithm? = nil
    ) throws(EMRTDError) -> SignatureScheme {
        // The OID's text only for an error (formatting it showed in the profile of every document).
        var name: String { oid.description }
        func needDigest() throws(EMRTDError) -> HashAlgorithm {
            guard let digest else {
                throw EMRTDError(
                    .unsupportedAlgorithm, "signature algorithm \(name) names no hash, and none was given from context")
            }
            return digest
        }
        switch oid {
        case KnownOID.rsaEncryption: return .rsaPKCS1v15(try needDigest())
        case KnownOID.ecPublicKey: return .ecdsa(try needDigest(), encoding: .der)
        case KnownOID.rsassaPSS: return try parsePSSParameters(parameters)
        default: break
        }
        if let entry = OIDs.signatureOIDs.first(where: { $0.oid == oid }) {
            switch entry.kind {
            case .pkcs1: return .rsaPKCS1v15(entry.hash)
            case .ecdsa: return .ecdsa(entry.hash, encoding: .der)
            case .ecdsaPlain: return .ecdsa(entry.hash, encoding: .plain)
            }
        }
        throw EMRTDError(.unsupportedAlgorithm, "unsupported signature algorithm \(name)")
    }

    /// The DER `AlgorithmIdentifier` of this scheme, as a certificate or CRL names it: parameters
    /// NULL for PKCS#1 v1.5, absent for ECDSA, RSASSA-PSS-params (defaults omitted) for PSS. Plain
    /// ECDSA gives the BSI TR-03111 ecdsa-plain OIDs.
    public var algorithmIdentifier: [UInt8] {
        switch self {
        case .ecdsa(let h, let encoding):
            let kind: OIDs.Kind = encoding == .der ? .ecdsa : .ecdsaPlain
            let oid = OIDs.signatureOIDs.first { $0.kind == kind && $0.hash == h }!.oid
            return DERWriter.algorithm(oid, parameters: nil)
        case .rsaPKCS1v15(let h):
            let oid = OIDs.signatureOIDs.first { $0.kind == .pkcs1 && $0.hash == h }!.oid
            return DERWriter.algorithm(oid, parameters: DERWriter.null)
        case .rsaPSS(let h, let m, let s):
            var fields: [[UInt8]] = []
            if h != .sha1 { fields.append(DERWriter.explicit(0, h.algorithmIdentifier)) }
            if m != .sha1 {
                fields.append(DERWriter.explicit(1, DERWriter.algorithm(KnownOID.mgf1, parameters: m.algorithmIdentifier)))
            }
            if s != 20 { fields.append(DERWriter.explicit(2, DERWriter.integer(max(s, 0)))) }
            return DERWriter.algorithm(KnownOID.rsassaPSS, parameters: DERWriter.sequence(fields))
        }
    }

    /// RSASSA-PSS-params (RFC 4055, 3.1): hashAlgorithm [0] default SHA-1, maskGenAlgorithm [1]
    /// default MGF1 with SHA-1, saltLength [2] default 20, trailerField [3] default 1.
    private static func parsePSSParameters(_ parameters: [UInt8]?) throws(EMRTDError) -> SignatureScheme {
        var hash = HashAlgorithm.sha1, mgf1Hash = HashAlgorithm.sha1, salt = 20
        guard let parameters else {
            // Absent parameters are not allowed by RFC 4055 for signatures, but mean the defaults.
            return .rsaPSS(hash: hash, mgf1Hash: mgf1Hash, saltLength: salt)
        }
        let r = ASN1Reader.cryptography
        let node = try r.parse(parameters, what: "the RSASSA-PSS parameters")
        guard node.identifier == .sequence else {
            throw EMRTDError(.unsupportedAlgorithm, "RSASSA-PSS parameters are not a SEQUENCE")
        }
        var fields = try r.fields(node, .sequence, what: "RSASSA-PSS-params")
        if let h = fields.nextIfPresent(.context(0)) {
            hash = try HashAlgorithm(identifier: try r.explicit(h, tag: 0, what: "hashAlgorithm"))
        }
        if let m = fields.nextIfPresent(.context(1)) {
            let mgf = try r.algorithm(try r.explicit(m, tag: 1, what: "maskGenAlgorithm"), what: "maskGenAlgorithm")
            guard mgf.algorithm == KnownOID.mgf1 else {
                throw EMRTDError(.unsupportedAlgorithm, "RSASSA-PSS mask generation \(mgf.algorithm) is not MGF1")
            }
            guard let mgfParameters = mgf.parameters else { throw r.fail("MGF1 without its hash") }
            mgf1Hash = try HashAlgorithm(identifier: try r.parse(mgfParameters, what: "the MGF1 hash"))
        }
        if let s = fields.nextIfPresent(.context(2)) {
            salt = try r.nonNegativeInt(try r.explicit(s, tag: 2, what: "saltLength"), what: "saltLength")
            guard salt <= 1024 else { throw EMRTDError(.unsupportedAlgorithm, "RSASSA-PSS salt length \(salt) is absurd") }
        }
        if let t = fields.nextIfPresent(.context(3)) {
            let trailer = try r.nonNegativeInt(try r.explicit(t, tag: 3, what: "trailerField"), what: "trailerField")
            guard trailer == 1 else {
                throw EMRTDError(.unsupportedAlgorithm, "RSASSA-PSS trailer field \(trailer) (only 1 is defined)")
            }
        }
        try fields.finish()
        return .rsaPSS(hash: hash, mgf1Hash: mgf1Hash, saltLength: salt)
    }
}

extension ASN1Reader {
    /// The reader of the DER this module reads itself (signature parameters, signatures).
    static let cryptography = ASN1Reader(.malformedDER, rules: .der)
}

/// The signature algorithm OIDs and the hash each names.
enum OIDs {
    enum Kind { case pkcs1, ecdsa, ecdsaPlain }

    static let signatureOIDs: [(oid: ASN1ObjectIdentifier, hash: HashAlgorithm, kind: Kind)] = [
        ("1.2.840.113549.1.1.5", .sha1, .pkcs1),
        ("1.2.840.113549.1.1.14", .sha224, .pkcs1),
        ("1.2.840.113549.1.1.11", .sha256, .pkcs1),
        ("1.2.840.113549.1.1.12", .sha384, .pkcs1),
        ("1.2.840.113549.1.1.13", .sha512, .pkcs1),
        ("1.2.840.10045.4.1", .sha1, .ecdsa),
        ("1.2.840.10045.4.3.1", .sha224, .ecdsa),
        ("1.2.840.10045.4.3.2", .sha256, .ecdsa),
        ("1.2.840.10045.4.3.3", .sha384, .ecdsa),
        ("1.2.840.10045.4.3.4", .sha512, .ecdsa),
        // BSI TR-03111, 5.2.1: ecdsa-plain-signatures 0.4.0.127.0.7.1.1.4.1
        ("0.4.0.127.0.7.1.1.4.1.1", .sha1, .ecdsaPlain),
        ("0.4.0.127.0.7.1.1.4.1.2", .sha224, .ecdsaPlain),
        ("0.4.0.127.0.7.1.1.4.1.3", .sha256, .ecdsaPlain),
        ("0.4.0.127.0.7.1.1.4.1.4", .sha384, .ecdsaPlain),
        ("0.4.0.127.0.7.1.1.4.1.5", .sha512, .ecdsaPlain),
    ]
}

extension HashAlgorithm {
    private static let oids: [(oid: ASN1ObjectIdentifier, hash: HashAlgorithm)] = [
        (KnownOID.sha1, .sha1), (KnownOID.sha224, .sha224), (KnownOID.sha256, .sha256),
        (KnownOID.sha384, .sha384), (KnownOID.sha512, .sha512),
    ]

    /// The hash a digest `AlgorithmIdentifier` OID names (NIST, OIW), nil when not one of these.
    package init?(oid: ASN1ObjectIdentifier) {
        guard let hash = Self.oids.first(where: { $0.oid == oid })?.hash else { return nil }
        self = hash
    }

    /// The digest `AlgorithmIdentifier` OID.
    package var oid: ASN1ObjectIdentifier { Self.oids.first { $0.hash == self }!.oid }

    /// `AlgorithmIdentifier` of this hash, parameters NULL (as RFC 4055 recommends for PSS).
    package var algorithmIdentifier: [UInt8] { DERWriter.algorithm(oid, parameters: DERWriter.null) }

    /// The hash a `HashAlgorithm` AlgorithmIdentifier names (parameters absent or NULL).
    init(identifier node: ASN1Node) throws(EMRTDError) {
        let r = ASN1Reader.cryptography
        let identifier = try r.algorithm(node, what: "the hash AlgorithmIdentifier")
        if let parameters = identifier.parameters, parameters != DERWriter.null {
            throw r.fail("the parameters of the hash AlgorithmIdentifier are not NULL")
        }
        guard let hash = HashAlgorithm(oid: identifier.algorithm) else {
            throw EMRTDError(.unsupportedAlgorithm, "unsupported hash algorithm \(identifier.algorithm)")
        }
        self = hash
    }
}

extension HashAlgorithm {
    /// The name OpenSSL knows this hash by (for digest and MGF1 parameters).
    var evpName: String {
        switch digestLength {
        case 20: "SHA1"
        case 28: "SHA224"
        case 32: "SHA256"
        case 48: "SHA384"
        default: "SHA512"
        }
    }
}
