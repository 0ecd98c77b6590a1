// Private keys: the test PKI's CSCA and DSC keys (`cccd pki init`), and the chip side of Active
// Authentication, PACE-CAM and Chip Authentication in the virtual chip.

public import EMRTDCore
internal import CCCDOpenSSL
import EMRTDASN1

/// An RSA or EC private key. Its description never shows key material; its PKCS #8 encoding is
/// kept in storage that is zeroed when the last copy goes away.
public struct PrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// A key to generate.
    public enum KeySpec: Sendable, Hashable {
        /// EC on a standard curve, by any name ``ECGroup/named(_:)`` accepts: `brainpoolP256r1`,
        /// `brainpoolP384r1`, `brainpoolP512r1`, `secp256r1`/`prime256v1`/`P-256`, `secp384r1`, `secp521r1`, …
        case ec(curve: String)
        /// RSA with public exponent 65537; `bits` from 1024 to 8192.
        case rsa(bits: Int)
    }

    let key: EVPKey
    private let encoded: SecretBytes
    /// The matching public key.
    public let publicKey: PublicKey

    /// The underlying `EVP_PKEY`, valid while this value is alive (use `withExtendedLifetime`).
    package var evpPointer: OpaquePointer { key.pointer }

    // MARK: Creating

    /// A fresh key from OpenSSL's DRBG.
    public static func generate(_ spec: KeySpec) throws(EMRTDError) -> PrivateKey {
        ERR_clear_error()
        let type: String
        switch spec {
        case .ec: type = "EC"
        case .rsa(let bits):
            guard (1024...8192).contains(bits) else {
                throw EMRTDError(.invalidArgument, "RSA keys of \(bits) bits are not supported (1024 to 8192)")
            }
            type = "RSA"
        }
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, type, nil) else {
            throw OpenSSL.failure("EVP_PKEY_CTX_new_from_name(\(type))")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_keygen_init(ctx) == 1 else { throw OpenSSL.failure("EVP_PKEY_keygen_init") }
        switch spec {
        case .ec(let curve):
            let name = ECCurveOIDs.opensslName(try ECGroup.named(curve).name)
            guard EVP_PKEY_CTX_set_group_name(ctx, name) == 1 else {
                throw OpenSSL.failure("EVP_PKEY_CTX_set_group_name(\(name))")
            }
        case .rsa(let bits):
            guard EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, Int32(bits)) == 1 else {
                throw OpenSSL.failure("EVP_PKEY_CTX_set_rsa_keygen_bits(\(bits))")
            }
        }
        var pkey: OpaquePointer? = nil
        guard EVP_PKEY_generate(ctx, &pkey) == 1, let pkey else { throw OpenSSL.failure("EVP_PKEY_generate") }
        return try PrivateKey(EVPKey(taking: pkey))
    }

    /// Decodes a DER private key: PKCS #8 `PrivateKeyInfo` (also the traditional SEC 1
    /// `ECPrivateKey` and PKCS #1 `RSAPrivateKey`). Encrypted keys are refused.
    public init(pkcs8 der: [UInt8]) throws(EMRTDError) {
        func invalid(_ why: String) -> EMRTDError { EMRTDError(.invalidKey, "invalid private key: \(why)") }
        do throws(EMRTDError) {
            let r = ASN1Reader.keys
            let fields = try r.children(try r.parse(der, what: "the private key"), .sequence, what: "the private key")
            guard fields.first?.identifier == .integer else {
                throw invalid("not an unencrypted private key (encrypted keys are not supported)")
            }
        } catch {
            throw error.code == .invalidKey ? error : invalid(error.message)
        }
        ERR_clear_error()
        let pkey = der.withUnsafeBufferPointer { buf -> OpaquePointer? in
            var p: UnsafePointer<UInt8>? = buf.baseAddress
            guard let key = d2i_AutoPrivateKey(nil, &p, buf.count) else { return nil }
            guard let p, p - buf.baseAddress! == buf.count else {
                EVP_PKEY_free(key)
                return nil
            }
            return key
        }
        guard let pkey else { throw invalid(OpenSSL.failure("d2i_AutoPrivateKey").message) }
        try self.init(EVPKey(taking: pkey))
    }

    /// Decodes the first private key block of PEM text: `PRIVATE KEY` (PKCS #8), `EC PRIVATE KEY`
    /// or `RSA PRIVATE KEY`. Other blocks (such as `EC PARAMETERS`) are skipped.
    public init(pem: String) throws(EMRTDError) {
        let labels = ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"]
        let blocks = try PKIPEM.blocks(pem)
        guard let block = blocks.first(where: { labels.contains($0.label) }) else {
            if blocks.contains(where: { $0.label == "ENCRYPTED PRIVATE KEY" }) {
                throw EMRTDError(.invalidKey, "encrypted private keys are not supported")
            }
            throw EMRTDError(.malformedPEM, "no PRIVATE KEY block in the PEM text")
        }
        try self.init(pkcs8: block.der)
    }

    init(_ key: EVPKey) throws(EMRTDError) {
        ERR_clear_error()
        guard let info = EVP_PKEY2PKCS8(key.pointer) else { throw OpenSSL.failure("EVP_PKEY2PKCS8") }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        let length = i2d_PKCS8_PRIV_KEY_INFO(info, nil)
        guard length > 0 else { throw OpenSSL.failure("i2d_PKCS8_PRIV_KEY_INFO") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buf -> Int32 in
            var p = buf.baseAddress
            return i2d_PKCS8_PRIV_KEY_INFO(info, &p)
        }
        guard written == length else { throw OpenSSL.failure("i2d_PKCS8_PRIV_KEY_INFO") }
        let secret = SecretBytes(der)
        der.withUnsafeMutableBufferPointer { buf in
            for i in buf.indices { buf[i] = 0 }
        }

        let publicLength = i2d_PUBKEY(key.pointer, nil)
        guard publicLength > 0 else { throw OpenSSL.failure("i2d_PUBKEY") }
        var spki = [UInt8](repeating: 0, count: Int(publicLength))
        let publicWritten = spki.withUnsafeMutableBufferPointer { buf -> Int32 in
            var p = buf.baseAddress
            return i2d_PUBKEY(key.pointer, &p)
        }
        guard publicWritten == publicLength else { throw OpenSSL.failure("i2d_PUBKEY") }

        self.key = key
        self.encoded = secret
        self.publicKey = try PublicKey(subjectPublicKeyInfo: spki)
    }

    // MARK: Encodings

    /// The unencrypted PKCS #8 `PrivateKeyInfo`. Secret: store it only where a key belongs.
    /// An export: the caller's copy is the caller's to protect.
    public var pkcs8: [UInt8] { encoded.withUnsafeBytes { Array($0) } }

    /// ``pkcs8`` as PEM (`-----BEGIN PRIVATE KEY-----`).
    public var pem: String { PKIPEM.encode(label: "PRIVATE KEY", der: pkcs8) }

    /// The public key's type and size, marked redacted: `PrivateKey(EC secp256r1, redacted)`.
    public var description: String { "PrivateKey(\(publicKey.description.dropFirst("PublicKey(".count).dropLast()), redacted)" }
    /// Redacted like `description`.
    public var debugDescription: String { description }

    // MARK: Operations

    /// Signs `message` with `scheme`: ECDSA (DER or plain r ‖ s), RSA PKCS#1 v1.5 or RSA-PSS with
    /// the scheme's MGF1 hash and salt length. Throws when the scheme does not fit the key.
    public func signature(for message: [UInt8], scheme: SignatureScheme) throws(EMRTDError) -> [UInt8] {
        try publicKey.check(scheme)
        ERR_clear_error()
        guard let mdContext = EVP_MD_CTX_new() else { throw OpenSSL.failure("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(mdContext) }
        var pctx: OpaquePointer? = nil
        guard EVP_DigestSignInit_ex(mdContext, &pctx, scheme.hash.evpName, nil, nil, key.pointer, nil) == 1,
              let pctx
        else { throw OpenSSL.failure("EVP_DigestSignInit_ex(\(scheme))") }
        try PublicKey.configure(pctx, scheme)
        let maximum = Int(EVP_PKEY_get_size(key.pointer))
        guard maximum > 0 else { throw OpenSSL.failure("EVP_PKEY_get_size") }
        var out = [UInt8](repeating: 0, count: maximum)
        var length = maximum
        let ok = withBytes(message) { m, mLen in
            out.withUnsafeMutableBufferPointer { EVP_DigestSign(mdContext, $0.baseAddress, &length, m, mLen) == 1 }
        }
        guard ok, length <= maximum else { throw OpenSSL.failure("EVP_DigestSign(\(scheme))") }
        out.removeSubrange(length...)
        guard case .ecdsa(_, .plain) = scheme else { return out }
        return try plainSignature(fromDER: out)
    }

    /// The raw RSA private operation `m^d mod n` (no padding), left-padded to the modulus length:
    /// the chip side of ISO/IEC 9796-2 Active Authentication. `input` must be below the modulus.
    public func rsaPrivateRaw(_ input: [UInt8]) throws(EMRTDError) -> [UInt8] {
        guard case .rsa = publicKey.kind, !publicKey.isPSSOnly else {
            throw EMRTDError(.signatureKeyMismatch, "raw RSA needs an RSA key, this is \(self)")
        }
        return try rawRSA(key, input, size: publicKey.componentSize, operation: .privateKey)
    }

    /// For an EC key, the private scalar, big-endian, left-padded to the length of the group order
    /// (for PACE-CAM and Chip Authentication); nil for other keys. Secret.
    public var ecPrivateScalar: [UInt8]? {
        guard case .ec = publicKey.kind else { return nil }
        var bn: OpaquePointer? = nil
        let ok = discardingOpenSSLErrors { EVP_PKEY_get_bn_param(key.pointer, "priv", &bn) == 1 }
        guard ok, let bn else { return nil }
        let scalar = BigNum(taking: bn)
        scalar.setConstantTime()
        return try? scalar.bytes(padded: publicKey.componentSize)
    }

    /// An ECDSA-Sig-Value as r ‖ s, each padded to the order length.
    private func plainSignature(fromDER der: [UInt8]) throws(EMRTDError) -> [UInt8] {
        let reader = ASN1Reader.cryptography
        var fields = try reader.fields(try reader.parse(der, what: "ECDSA-Sig-Value"), .sequence, what: "ECDSA-Sig-Value")
        let r = try reader.unsignedInteger(try fields.next("r"), what: "r")
        let s = try reader.unsignedInteger(try fields.next("s"), what: "s")
        try fields.finish()
        let size = publicKey.componentSize
        guard r.count <= size, s.count <= size else {
            throw EMRTDError(.cryptoFailure, "an ECDSA signature integer is longer than the group order")
        }
        return leftPad(r, size) + leftPad(s, size)
    }
}
