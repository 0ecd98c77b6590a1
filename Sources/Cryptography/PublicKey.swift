// Public keys of eMRTD PKI: CSCA and DSC keys from certificates, the Active Authentication key of
// DG15. Every key and signature comes from an untrusted source (a chip, a file), so decoding and
// verification never trap: a malformed key throws, a malformed signature simply does not verify.
//
// OpenSSL 3 decodes EC keys with explicit domain parameters (common in eMRTD certificates) but
// refuses them in chain building; signatures are verified here directly, so such keys work.

public import EMRTDCore
internal import CCCDOpenSSL
import EMRTDASN1
import SwiftASN1

extension EMRTDError.Code {
    /// A public or private key could not be decoded or is not usable.
    public static let invalidKey = Self("crypto.invalid-key")
}

/// Owns one `EVP_PKEY`. Keys are never modified after they are built, and OpenSSL 3 allows
/// concurrent signing and verification with one key, so sharing it between threads is safe.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer
    init(taking pointer: OpaquePointer) { self.pointer = pointer }
    deinit { EVP_PKEY_free(pointer) }
}

/// A public key decoded from an X.509 `SubjectPublicKeyInfo`: RSA (also RSASSA-PSS-restricted),
/// EC over a named curve or with explicit domain parameters, or another type OpenSSL knows.
///
/// Two keys are equal when their `SubjectPublicKeyInfo` encodings are.
public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
    /// What kind of key this is.
    public enum Kind: Sendable, Hashable {
        /// RSA; `modulusBits` is the bit length of n.
        case rsa(modulusBits: Int)
        /// EC over a prime field. `curve` is the standard name (`brainpoolP256r1`, `secp256r1`, …)
        /// when the parameters name or spell out a known curve; `explicitParameters` is true when
        /// the key carries its domain parameters explicitly.
        case ec(curve: String?, explicitParameters: Bool, fieldBits: Int)
        /// Any other key type, by OpenSSL's name for it (`ED25519`, `DSA`, …).
        case other(String)
    }

    let key: EVPKey
    /// The DER `SubjectPublicKeyInfo` the key was decoded from.
    public let subjectPublicKeyInfo: [UInt8]
    /// RSA with its modulus size, EC with its curve, or another type by OpenSSL's name.
    public let kind: Kind
    /// EC: the byte length of the group order (plain signatures are twice this). RSA: the modulus length.
    let componentSize: Int
    /// True for an RSASSA-PSS key (id-RSASSA-PSS), which OpenSSL uses only with PSS.
    let isPSSOnly: Bool

    /// The underlying `EVP_PKEY`, valid while this value is alive (use `withExtendedLifetime`).
    package var evpPointer: OpaquePointer { key.pointer }

    // MARK: Decoding

    /// Decodes a DER `SubjectPublicKeyInfo`.
    ///
    /// EC keys with explicit domain parameters are accepted; when the parameters are those of a
    /// standard curve, ``kind`` names it. Throws ``EMRTDError/Code/invalidKey`` for anything that
    /// is not a well-formed key (trailing bytes included).
    public init(subjectPublicKeyInfo der: [UInt8]) throws(EMRTDError) {
        func invalid(_ why: String) -> EMRTDError { EMRTDError(.invalidKey, "invalid SubjectPublicKeyInfo: \(why)") }
        // Our own look at the structure: the algorithm, and explicit EC parameters if any.
        var explicitCurve: (name: String?, bits: ArraySlice<UInt8>)? = nil
        do throws(EMRTDError) {
            let r = ASN1Reader.keys
            var outer = try r.fields(try r.parse(der, what: "the key"), .sequence, what: "SubjectPublicKeyInfo")
            let algorithm = try r.algorithm(try outer.next(.sequence, "algorithm"), what: "AlgorithmIdentifier")
            let bits = try r.primitive(try outer.next(.bitString, "subjectPublicKey"), .bitString, what: "subjectPublicKey")
            try outer.finish()
            if algorithm.algorithm == KnownOID.ecPublicKey, let parameters = algorithm.parameters,
               let node = try? r.parse(parameters, what: "ECParameters"), node.identifier == .sequence
            {
                explicitCurve = (Self.standardCurveName(explicitParameters: node), bits)
            }
        } catch {
            throw invalid(error.message)
        }

        ERR_clear_error()
        var decoded = Self.decode(der)
        if decoded == nil, let explicitCurve, let name = explicitCurve.name, let oid = ECCurveOIDs.oid(name) {
            // The parameters are a standard curve's: decode the same point on the named curve.
            ERR_clear_error()
            let named = DERWriter.sequence([
                DERWriter.algorithm(KnownOID.ecPublicKey, parameters: DERWriter.oid(oid)),
                DERWriter.primitive(.bitString, explicitCurve.bits),
            ])
            decoded = Self.decode(named)
        }
        guard let pkey = decoded else {
            let reason = OpenSSL.failure("d2i_PUBKEY").message
            throw invalid(reason)
        }
        ERR_clear_error()
        let key = EVPKey(taking: pkey)
        self.key = key
        self.subjectPublicKeyInfo = der

        if EVP_PKEY_is_a(pkey, "RSA") == 1 || EVP_PKEY_is_a(pkey, "RSA-PSS") == 1 {
            let bits = Int(EVP_PKEY_get_bits(pkey))
            guard bits >= 256 else { throw invalid("an RSA modulus of \(bits) bits") }
            kind = .rsa(modulusBits: bits)
            componentSize = (bits + 7) / 8
            isPSSOnly = EVP_PKEY_is_a(pkey, "RSA-PSS") == 1
        } else if EVP_PKEY_is_a(pkey, "EC") == 1 {
            let orderBits = Int(EVP_PKEY_get_bits(pkey))
            guard orderBits > 0 else { throw invalid("an EC key without a usable group") }
            let curve: String?
            if let explicitCurve {
                curve = explicitCurve.name
            } else {
                curve = Self.groupName(pkey).map(ECCurveOIDs.canonicalName)
            }
            var fieldBits = orderBits
            var p: OpaquePointer? = nil
            if discardingOpenSSLErrors({ EVP_PKEY_get_bn_param(pkey, "p", &p) == 1 }), let p {
                fieldBits = BigNum(taking: p).bitCount
            }
            kind = .ec(curve: curve, explicitParameters: explicitCurve != nil, fieldBits: fieldBits)
            componentSize = (orderBits + 7) / 8
            isPSSOnly = false
        } else {
            let name = EVP_PKEY_get0_type_name(pkey).map { String(cString: $0) } ?? "unknown"
            kind = .other(name)
            componentSize = 0
            isPSSOnly = false
        }
    }

    /// The EC public key `point` (uncompressed, `04 ‖ X ‖ Y`) on `group`: with the named-curve OID
    /// when `group` is a standard curve with its standard generator, with explicit parameters otherwise.
    public static func ec(point: [UInt8], group: ECGroup) throws(EMRTDError) -> PublicKey {
        let checked = try group.point(point)
        let parameters: [UInt8]
        if let oid = ECCurveOIDs.oid(group.name), let standard = try? ECGroup.named(group.name), standard == group {
            parameters = DERWriter.oid(oid)
        } else {
            parameters = DERWriter.sequence([
                DERWriter.integer(1),
                DERWriter.sequence([DERWriter.oid(KnownOID.primeField), DERWriter.unsignedInteger(group.prime)]),
                DERWriter.sequence([DERWriter.octetString(group.a), DERWriter.octetString(group.b)]),
                DERWriter.octetString(group.generator.encoded),
                DERWriter.unsignedInteger(group.order),
                DERWriter.unsignedInteger(group.cofactor),
            ])
        }
        let spki = DERWriter.sequence([
            DERWriter.algorithm(KnownOID.ecPublicKey, parameters: parameters),
            DERWriter.bitString(checked.encoded),
        ])
        return try PublicKey(subjectPublicKeyInfo: spki)
    }

    /// The type and size: `PublicKey(RSA 2048 bits)`, `PublicKey(EC brainpoolP256r1, explicit parameters)`.
    public var description: String {
        switch kind {
        case .rsa(let bits): "PublicKey(RSA \(bits) bits\(isPSSOnly ? ", PSS only" : ""))"
        case .ec(let curve, let explicit, let bits):
            "PublicKey(EC \(curve ?? "unnamed \(bits)-bit curve")\(explicit ? ", explicit parameters" : ""))"
        case .other(let name): "PublicKey(\(name))"
        }
    }

    /// Equal when the `SubjectPublicKeyInfo` encodings are.
    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool { lhs.subjectPublicKeyInfo == rhs.subjectPublicKeyInfo }
    /// Hashes the `SubjectPublicKeyInfo` encoding, as `==` compares it.
    public func hash(into hasher: inout Hasher) { hasher.combine(subjectPublicKeyInfo) }

    // MARK: Verification

    /// True when `signature` is a valid signature of `message` under this key with `scheme`.
    ///
    /// A signature that does not verify — wrong value, wrong length, malformed DER, r or s out of
    /// range — gives false. Throws only when the scheme does not fit the key (ECDSA with an RSA key,
    /// PKCS#1 v1.5 with an RSASSA-PSS key, a negative salt length) or OpenSSL cannot set up.
    public func isValidSignature(
        _ signature: [UInt8], for message: [UInt8], scheme: SignatureScheme
    ) throws(EMRTDError) -> Bool {
        try check(scheme)
        guard let encoded = opensslSignature(signature, scheme) else { return false }
        ERR_clear_error()
        guard let mdContext = EVP_MD_CTX_new() else { throw OpenSSL.failure("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(mdContext) }
        var pctx: OpaquePointer? = nil
        guard EVP_DigestVerifyInit_ex(mdContext, &pctx, scheme.hash.evpName, nil, nil, key.pointer, nil) == 1,
              let pctx
        else { throw OpenSSL.failure("EVP_DigestVerifyInit_ex(\(scheme))") }
        try Self.configure(pctx, scheme)
        let result = withBytes(encoded) { s, sLen in
            withBytes(message) { m, mLen in EVP_DigestVerify(mdContext, s, sLen, m, mLen) }
        }
        // A signature that does not verify leaves reasons in the queue; they are not errors here.
        ERR_clear_error()
        return result == 1
    }

    /// True when `signature` is a valid signature, under this key with `scheme`, of a message whose
    /// hash is `digest` (computed by the caller with `scheme`'s hash: CMS signed attributes).
    /// Throws ``EMRTDError/Code/invalidInputLength`` when `digest` is not that hash's length.
    public func isValidSignature(
        _ signature: [UInt8], forDigest digest: [UInt8], scheme: SignatureScheme
    ) throws(EMRTDError) -> Bool {
        try check(scheme)
        guard digest.count == scheme.hash.digestLength else {
            throw EMRTDError(
                .invalidInputLength, "a \(scheme.hash) digest has \(scheme.hash.digestLength) bytes, got \(digest.count)")
        }
        guard let encoded = opensslSignature(signature, scheme) else { return false }
        ERR_clear_error()
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, key.pointer, nil) else {
            throw OpenSSL.failure("EVP_PKEY_CTX_new_from_pkey")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_verify_init(ctx) == 1 else { throw OpenSSL.failure("EVP_PKEY_verify_init") }
        guard let md = EVP_MD_fetch(nil, scheme.hash.evpName, nil) else {
            throw OpenSSL.failure("EVP_MD_fetch(\(scheme.hash))")
        }
        defer { EVP_MD_free(md) }
        try Self.configure(ctx, scheme, digest: md)
        let result = withBytes(encoded) { s, sLen in
            withBytes(digest) { d, dLen in EVP_PKEY_verify(ctx, s, sLen, d, dLen) }
        }
        ERR_clear_error()
        return result == 1
    }

    /// The raw RSA public operation `s^e mod n`, without any padding check, left-padded to the
    /// modulus length: the first step of verifying an ISO/IEC 9796-2 Active Authentication signature.
    ///
    /// Throws ``EMRTDError/Code/signatureKeyMismatch`` for a non-RSA key and
    /// ``EMRTDError/Code/invalidInputLength`` when `signature` is empty, longer than the modulus
    /// or not below it.
    public func rsaRecover(_ signature: [UInt8]) throws(EMRTDError) -> [UInt8] {
        guard case .rsa = kind, !isPSSOnly else {
            throw EMRTDError(.signatureKeyMismatch, "raw RSA needs an RSA key, this is \(self)")
        }
        return try rawRSA(key, signature, size: componentSize, operation: .publicKey)
    }

    // MARK: Internals

    /// Throws unless `scheme` can be used with this key.
    func check(_ scheme: SignatureScheme) throws(EMRTDError) {
        switch (scheme, kind) {
        case (.ecdsa, .ec), (.rsaPSS, .rsa): break
        case (.rsaPKCS1v15, .rsa) where !isPSSOnly: break
        default: throw EMRTDError(.signatureKeyMismatch, "\(scheme) cannot be used with \(self)")
        }
        if case .rsaPSS(_, _, let salt) = scheme, salt < 0 || salt > componentSize {
            throw EMRTDError(.invalidArgument, "RSA-PSS salt length \(salt) is out of range")
        }
    }

    /// The signature as OpenSSL verifies it (DER for ECDSA); nil when it cannot be valid.
    private func opensslSignature(_ signature: [UInt8], _ scheme: SignatureScheme) -> [UInt8]? {
        guard !signature.isEmpty else { return nil }
        guard case .ecdsa(_, .plain) = scheme else { return signature }
        guard signature.count == 2 * componentSize else { return nil }
        let r = signature[..<componentSize], s = signature[componentSize...]
        return DERWriter.sequence([DERWriter.unsignedInteger(r), DERWriter.unsignedInteger(s)])
    }

    /// Sets the RSA padding, PSS salt length and MGF1 hash of a signing or verification context
    /// (and the digest, for the pre-hashed path).
    static func configure(_ ctx: OpaquePointer, _ scheme: SignatureScheme, digest: OpaquePointer? = nil) throws(EMRTDError) {
        if let digest {
            guard EVP_PKEY_CTX_set_signature_md(ctx, digest) == 1 else {
                throw OpenSSL.failure("EVP_PKEY_CTX_set_signature_md(\(scheme.hash))")
            }
        }
        switch scheme {
        case .ecdsa:
            return
        case .rsaPKCS1v15:
            guard EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 else {
                throw OpenSSL.failure("EVP_PKEY_CTX_set_rsa_padding(PKCS1)")
            }
        case .rsaPSS(_, let mgf1Hash, let salt):
            guard EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 else {
                throw OpenSSL.failure("EVP_PKEY_CTX_set_rsa_padding(PSS)")
            }
            guard EVP_PKEY_CTX_set_rsa_mgf1_md_name(ctx, mgf1Hash.evpName, nil) == 1 else {
                throw OpenSSL.failure("EVP_PKEY_CTX_set_rsa_mgf1_md_name(\(mgf1Hash))")
            }
            guard EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, Int32(salt)) == 1 else {
                throw OpenSSL.failure("EVP_PKEY_CTX_set_rsa_pss_saltlen(\(salt))")
            }
        }
    }

    /// d2i_PUBKEY of the whole of `der`; nil when OpenSSL refuses it or leaves bytes over.
    private static func decode(_ der: [UInt8]) -> OpaquePointer? {
        guard !der.isEmpty, der.count <= Int(Int32.max) else { return nil }
        return der.withUnsafeBufferPointer { buf -> OpaquePointer? in
            var p: UnsafePointer<UInt8>? = buf.baseAddress
            guard let key = d2i_PUBKEY(nil, &p, Int(buf.count)) else { return nil }
            guard let p, p - buf.baseAddress! == buf.count else {
                EVP_PKEY_free(key)
                return nil
            }
            return key
        }
    }

    /// OpenSSL's name of a key's named curve.
    private static func groupName(_ pkey: OpaquePointer) -> String? {
        var buffer = [CChar](repeating: 0, count: 80)
        var length = 0
        let ok = discardingOpenSSLErrors {
            EVP_PKEY_get_utf8_string_param(pkey, "group", &buffer, buffer.count, &length) == 1
        }
        guard ok else { return nil }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The name of the standard curve explicit `ECParameters` describe, or nil when they describe
    /// another curve or cannot be read (OpenSSL may still decode the key).
    private static func standardCurveName(explicitParameters node: ASN1Node) -> String? {
        let r = ASN1Reader.keys
        do throws(EMRTDError) {
            var fields = try r.fields(node, .sequence, what: "ECParameters")
            _ = try fields.next(.integer, "version")
            var fieldID = try r.fields(try fields.next(.sequence, "fieldID"), .sequence, what: "FieldID")
            guard try r.oid(try fieldID.next("fieldType"), what: "fieldType") == KnownOID.primeField else { return nil }
            let prime = try r.unsignedInteger(try fieldID.next("prime"), what: "prime")
            var curve = try r.fields(try fields.next(.sequence, "curve"), .sequence, what: "Curve")
            let a = try r.octetString(try curve.next("a"), what: "a"), b = try r.octetString(try curve.next("b"), what: "b")
            let base = try r.octetString(try fields.next("base"), what: "base")
            let order = try r.unsignedInteger(try fields.next("order"), what: "order")
            var cofactor: [UInt8] = [1]
            if let node = fields.nextIfPresent(.integer) { cofactor = try r.unsignedInteger(node, what: "cofactor") }
            let group = try ECGroup.explicit(prime: prime, a: a, b: b, generator: base, order: order, cofactor: cofactor)
            return group.parameterID == nil ? nil : group.name
        } catch {
            return nil
        }
    }
}

extension ASN1Reader {
    /// The reader of keys (SubjectPublicKeyInfo, PKCS #8): failures are `crypto.invalid-key`.
    static let keys = ASN1Reader(.invalidKey, rules: .der)
}

/// The OIDs of the named curves (RFC 5480, RFC 5639) under the names ``ECGroup`` uses.
enum ECCurveOIDs {
    static func oid(_ name: String) -> ASN1ObjectIdentifier? { KnownOID.namedCurves.first { $0.name == name }?.oid }

    /// ECGroup's name for an OpenSSL curve name (`prime256v1` → `secp256r1`); others unchanged.
    static func canonicalName(_ opensslName: String) -> String {
        switch opensslName {
        case "prime256v1", "P-256": "secp256r1"
        case "prime192v1", "P-192": "secp192r1"
        case "P-224": "secp224r1"
        case "P-384": "secp384r1"
        case "P-521": "secp521r1"
        default: opensslName
        }
    }

    /// The name OpenSSL generates keys on for ECGroup's name.
    static func opensslName(_ name: String) -> String {
        switch name {
        case "secp256r1": "prime256v1"
        case "secp192r1": "prime192v1"
        default: name
        }
    }
}

/// Calls `body` with a pointer to `bytes` (never nil, even when `bytes` is empty) and its count.
func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
    if bytes.isEmpty {
        var dummy: UInt8 = 0
        return withUnsafePointer(to: &dummy) { body($0, 0) }
    }
    return bytes.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
}

/// Which exponent a raw RSA operation uses.
enum RawRSAOperation {
    /// `m^d mod n` (EVP_PKEY_decrypt without padding): the chip side of ISO/IEC 9796-2.
    case privateKey
    /// `s^e mod n` (EVP_PKEY_verify_recover without padding): the terminal side.
    case publicKey
}

/// Raw RSA (no padding) on `input`, which must have 1 to `size` bytes and be below the modulus;
/// the result is left-padded to `size`, the modulus length.
func rawRSA(_ key: EVPKey, _ input: [UInt8], size: Int, operation: RawRSAOperation) throws(EMRTDError) -> [UInt8] {
    guard !input.isEmpty, input.count <= size else {
        throw EMRTDError(.invalidInputLength, "an RSA input must have 1 to \(size) bytes, got \(input.count)")
    }
    ERR_clear_error()
    guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, key.pointer, nil) else {
        throw OpenSSL.failure("EVP_PKEY_CTX_new_from_pkey")
    }
    defer { EVP_PKEY_CTX_free(ctx) }
    let initialized = operation == .privateKey ? EVP_PKEY_decrypt_init(ctx) : EVP_PKEY_verify_recover_init(ctx)
    guard initialized == 1, EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1 else {
        throw OpenSSL.failure(operation == .privateKey ? "EVP_PKEY_decrypt_init" : "EVP_PKEY_verify_recover_init")
    }
    var out = [UInt8](repeating: 0, count: size + 16)
    var outLength = out.count
    let ok = withBytes(input) { i, iLen in
        out.withUnsafeMutableBufferPointer { buffer in
            operation == .privateKey
                ? EVP_PKEY_decrypt(ctx, buffer.baseAddress, &outLength, i, iLen) == 1
                : EVP_PKEY_verify_recover(ctx, buffer.baseAddress, &outLength, i, iLen) == 1
        }
    }
    guard ok, outLength <= size else {
        ERR_clear_error()
        throw EMRTDError(.invalidInputLength, "the RSA input is not below the modulus")
    }
    return leftPad(Array(out[..<outLength]), size)
}
