// Signature schemes of eMRTD PKI (ICAO Doc 9303 Part 12): what a certificate, a CRL, a SOD's
// SignerInfo or an Active Authentication response is signed with, and the mapping from the X.509 /
// CMS AlgorithmIdentifier OIDs.

public import EMRTDCore

extension EMRTDError.Code {
    /// A signature did not verify.
    public static let signatureInvalid = Self("crypto.signature")
    /// The signature scheme does not fit the key (e.g. ECDSA with an RSA key).
    public static let signatureKeyMismatch = Self("crypto.signature-key-mismatch")
    /// An algorithm identifier (OID or parameters) this toolkit does not support.
    public static let unsupportedAlgorithm = Self("crypto.unsupported-algorithm")
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
    ///   - oid: the algorithm OID's arcs.
    ///   - parameters: the DER of the `parameters` field (the whole TLV), or nil when absent.
    ///   - digest: the digest algorithm from context, for OIDs that name only the key type
    ///     (`rsaEncryption`, `id-ecPublicKey` as some SignerInfos use them).
    ///
    /// Supported: sha1/224/256/384/512WithRSAEncryption, rsaEncryption (with `digest`),
    /// id-RSASSA-PSS (RFC 4055 parameters, MGF1 only, trailer field 1), ecdsa-with-SHA1/224/256/384/512,
    /// BSI TR-03111 ecdsa-plain-SHA1/224/256/384/512, id-ecPublicKey (with `digest`).
    public static func fromAlgorithmIdentifier(
        oid: [UInt], parameters: [UInt8]?, digest: HashAlgorithm? = nil
    ) throws(EMRTDError) -> SignatureScheme {
        let name = oid.map(String.init).joined(separator: ".")
        func needDigest() throws(EMRTDError) -> HashAlgorithm {
            guard let digest else {
                throw EMRTDError(
                    .unsupportedAlgorithm, "signature algorithm \(name) names no hash, and none was given from context")
            }
            return digest
        }
        switch oid {
        case OIDs.rsaEncryption: return .rsaPKCS1v15(try needDigest())
        case OIDs.ecPublicKey: return .ecdsa(try needDigest(), encoding: .der)
        case OIDs.rsassaPSS: return try parsePSSParameters(parameters)
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
            return PKIDER.sequence([PKIDER.oid(oid)])
        case .rsaPKCS1v15(let h):
            let oid = OIDs.signatureOIDs.first { $0.kind == .pkcs1 && $0.hash == h }!.oid
            return PKIDER.sequence([PKIDER.oid(oid), PKIDER.nullValue])
        case .rsaPSS(let h, let m, let s):
            var fields: [[UInt8]] = []
            if h != .sha1 { fields.append(PKIDER.tlv(PKIDER.context(0, constructed: true), OIDs.hashIdentifier(h))) }
            if m != .sha1 {
                let mgf = PKIDER.sequence([PKIDER.oid(OIDs.mgf1), OIDs.hashIdentifier(m)])
                fields.append(PKIDER.tlv(PKIDER.context(1, constructed: true), mgf))
            }
            if s != 20 { fields.append(PKIDER.tlv(PKIDER.context(2, constructed: true), PKIDER.integer(max(s, 0)))) }
            return PKIDER.sequence([PKIDER.oid(OIDs.rsassaPSS), PKIDER.sequence(fields)])
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
        let node = try PKIDER.single(parameters)
        guard node.tag == PKIDER.sequence else {
            throw EMRTDError(.unsupportedAlgorithm, "RSASSA-PSS parameters are not a SEQUENCE")
        }
        var fields = node.children()
        if let h = try fields.readIfPresent(PKIDER.context(0, constructed: true)) {
            hash = try OIDs.hash(fromIdentifier: try PKIDER.single(h.contents))
        }
        if let m = try fields.readIfPresent(PKIDER.context(1, constructed: true)) {
            var mgf = try PKIDER.single(m.contents).children()
            let mgfOID = try mgf.read().objectIdentifier()
            guard mgfOID == OIDs.mgf1 else {
                throw EMRTDError(
                    .unsupportedAlgorithm,
                    "RSASSA-PSS mask generation \(mgfOID.map(String.init).joined(separator: ".")) is not MGF1")
            }
            mgf1Hash = try OIDs.hash(fromIdentifier: try mgf.read())
            try mgf.finish("the MGF1 parameters")
        }
        if let s = try fields.readIfPresent(PKIDER.context(2, constructed: true)) {
            salt = try PKIDER.single(s.contents).smallInteger()
            guard salt <= 1024 else { throw EMRTDError(.unsupportedAlgorithm, "RSASSA-PSS salt length \(salt) is absurd") }
        }
        if let t = try fields.readIfPresent(PKIDER.context(3, constructed: true)) {
            let trailer = try PKIDER.single(t.contents).smallInteger()
            guard trailer == 1 else {
                throw EMRTDError(.unsupportedAlgorithm, "RSASSA-PSS trailer field \(trailer) (only 1 is defined)")
            }
        }
        try fields.finish("the RSASSA-PSS parameters")
        return .rsaPSS(hash: hash, mgf1Hash: mgf1Hash, saltLength: salt)
    }
}

/// Object identifiers of the signature and hash algorithms.
enum OIDs {
    static let rsaEncryption: [UInt] = [1, 2, 840, 113549, 1, 1, 1]
    static let rsassaPSS: [UInt] = [1, 2, 840, 113549, 1, 1, 10]
    static let mgf1: [UInt] = [1, 2, 840, 113549, 1, 1, 8]
    static let ecPublicKey: [UInt] = [1, 2, 840, 10045, 2, 1]
    static let primeField: [UInt] = [1, 2, 840, 10045, 1, 1]

    enum Kind { case pkcs1, ecdsa, ecdsaPlain }

    static let signatureOIDs: [(oid: [UInt], hash: HashAlgorithm, kind: Kind)] = [
        ([1, 2, 840, 113549, 1, 1, 5], .sha1, .pkcs1),
        ([1, 2, 840, 113549, 1, 1, 14], .sha224, .pkcs1),
        ([1, 2, 840, 113549, 1, 1, 11], .sha256, .pkcs1),
        ([1, 2, 840, 113549, 1, 1, 12], .sha384, .pkcs1),
        ([1, 2, 840, 113549, 1, 1, 13], .sha512, .pkcs1),
        ([1, 2, 840, 10045, 4, 1], .sha1, .ecdsa),
        ([1, 2, 840, 10045, 4, 3, 1], .sha224, .ecdsa),
        ([1, 2, 840, 10045, 4, 3, 2], .sha256, .ecdsa),
        ([1, 2, 840, 10045, 4, 3, 3], .sha384, .ecdsa),
        ([1, 2, 840, 10045, 4, 3, 4], .sha512, .ecdsa),
        // BSI TR-03111, 5.2.1: ecdsa-plain-signatures 0.4.0.127.0.7.1.1.4.1
        ([0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 1], .sha1, .ecdsaPlain),
        ([0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 2], .sha224, .ecdsaPlain),
        ([0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 3], .sha256, .ecdsaPlain),
        ([0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 4], .sha384, .ecdsaPlain),
        ([0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 5], .sha512, .ecdsaPlain),
    ]

    static let hashOIDs: [(oid: [UInt], hash: HashAlgorithm)] = [
        ([1, 3, 14, 3, 2, 26], .sha1),
        ([2, 16, 840, 1, 101, 3, 4, 2, 4], .sha224),
        ([2, 16, 840, 1, 101, 3, 4, 2, 1], .sha256),
        ([2, 16, 840, 1, 101, 3, 4, 2, 2], .sha384),
        ([2, 16, 840, 1, 101, 3, 4, 2, 3], .sha512),
    ]

    /// `AlgorithmIdentifier` of a hash, parameters NULL (as RFC 4055 recommends for PSS).
    static func hashIdentifier(_ h: HashAlgorithm) -> [UInt8] {
        PKIDER.sequence([PKIDER.oid(hashOIDs.first { $0.hash == h }!.oid), PKIDER.nullValue])
    }

    /// The hash a `HashAlgorithm` AlgorithmIdentifier names (parameters absent or NULL).
    static func hash(fromIdentifier node: PKIDER.Node) throws(EMRTDError) -> HashAlgorithm {
        guard node.tag == PKIDER.sequence else { throw PKIDER.error("a hash AlgorithmIdentifier is not a SEQUENCE") }
        var fields = node.children()
        let oid = try fields.read().objectIdentifier()
        if let parameters = try fields.readIfPresent(PKIDER.null) {
            guard parameters.contents.isEmpty else { throw PKIDER.error("NULL with contents") }
        }
        try fields.finish("the hash AlgorithmIdentifier")
        guard let hash = hashOIDs.first(where: { $0.oid == oid })?.hash else {
            throw EMRTDError(
                .unsupportedAlgorithm, "unsupported hash algorithm \(oid.map(String.init).joined(separator: "."))")
        }
        return hash
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
