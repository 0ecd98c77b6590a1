// Cipher and CMAC contexts keyed once and used for many messages: a secure messaging session runs
// every APDU under the same two keys, and OpenSSL's per-call set-up (context allocation, key
// schedule, provider look-up) cost three to six times the cipher itself on 224 bytes (`cccd bench`).
// The contexts hold the key schedule; `EVP_CIPHER_CTX_free` and `EVP_MAC_CTX_free` cleanse it.

internal import CCCDOpenSSL
public import EMRTDCore

/// A block cipher keyed once, for one direction: each call resets only the IV. Padding is the
/// caller's (ISO/IEC 9797-1 method 2 in secure messaging), never PKCS#7.
///
/// Not for concurrent use, hence not `Sendable`: one context is one OpenSSL `EVP_CIPHER_CTX`, whose
/// IV every call resets. An owner that is a value (`SecureMessaging`) makes its own ``copy()`` before
/// using one that another copy of it shares.
public final class KeyedCipher {
    /// The ciphers secure messaging uses.
    public enum Mode: Sendable {
        /// 3DES (two or three keys) in CBC mode.
        case tripleDESCBC
        /// AES in CBC mode.
        case aesCBC
        /// AES in ECB mode (one block at a time: the secure messaging IV, E(K, SSC)).
        case aesECB
    }

    private let context: OpaquePointer
    private let blockSize: Int
    private let ivLength: Int
    private let name: String
    /// Kept to make a fresh copy (``copy()``); the context holds its own schedule.
    private let key: SecretBytes
    private let mode: Mode
    private let encrypting: Bool

    /// A context for `mode` under `key`, encrypting or decrypting.
    public init(_ mode: Mode, key: SecretBytes, encrypt: Bool) throws(EMRTDError) {
        // The names (and key length checks) of the one-shot calls, so both paths run the same cipher.
        switch mode {
        case .tripleDESCBC: name = try LegacyCiphers.TripleDES.cbcName(key.count)
        case .aesCBC: name = try AESCipher.cipherName(keyLength: key.count, mode: "CBC")
        case .aesECB: name = try AESCipher.cipherName(keyLength: key.count, mode: "ECB")
        }
        ERR_clear_error()
        let cached = OpenSSL.Fetched.ciphers[name]
        guard let cipher = cached?.pointer ?? EVP_CIPHER_fetch(nil, name, nil) else { throw OpenSSL.failure("EVP_CIPHER_fetch(\(name))") }
        defer { if cached == nil { EVP_CIPHER_free(cipher) } }
        guard let context = EVP_CIPHER_CTX_new() else { throw OpenSSL.failure("EVP_CIPHER_CTX_new") }
        let ok = key.withUnsafeBytes { k in
            EVP_CipherInit_ex2(context, cipher, k.bindMemory(to: UInt8.self).baseAddress, nil, encrypt ? 1 : 0, nil) == 1
                && EVP_CIPHER_CTX_set_padding(context, 0) == 1
        }
        guard ok else {
            EVP_CIPHER_CTX_free(context)
            throw OpenSSL.failure("EVP_CipherInit_ex2(\(name))")
        }
        self.context = context
        blockSize = Int(EVP_CIPHER_get_block_size(cipher))
        ivLength = Int(EVP_CIPHER_get_iv_length(cipher))
        self.key = key
        self.mode = mode
        encrypting = encrypt
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// A separate context with the same key and direction.
    public func copy() throws(EMRTDError) -> KeyedCipher { try KeyedCipher(mode, key: key, encrypt: encrypting) }

    /// Runs `input` (whole blocks) through the cipher from `iv` (empty for ECB; zero IV when empty for CBC).
    public func callAsFunction(iv: [UInt8] = [], _ input: [UInt8]) throws(EMRTDError) -> [UInt8] {
        guard input.count % blockSize == 0, input.count <= Int(Int32.max) - blockSize else {
            throw EMRTDError(.invalidInputLength, "\(name) input must be whole \(blockSize)-byte blocks, got \(input.count) bytes")
        }
        let vector = ivLength == 0 ? [] : (iv.isEmpty ? [UInt8](repeating: 0, count: ivLength) : iv)
        guard vector.count == ivLength else {
            throw EMRTDError(.invalidInputLength, "\(name) needs a \(ivLength)-byte IV, got \(iv.count) bytes")
        }
        var ok = false
        var produced: Int32 = 0
        // Written in place (no zero fill, no trimming): this runs for every APDU of a session.
        let out = [UInt8](unsafeUninitializedCapacity: input.count + blockSize) { o, count in
            var length: Int32 = 0, final: Int32 = 0
            ok = vector.withUnsafeBufferPointer { v in
                input.withUnsafeBufferPointer { i in
                    EVP_CipherInit_ex2(context, nil, nil, ivLength > 0 ? v.baseAddress : nil, encrypting ? 1 : 0, nil) == 1
                        && (i.count == 0 || EVP_CipherUpdate(context, o.baseAddress, &length, i.baseAddress, Int32(i.count)) == 1)
                        && EVP_CipherFinal_ex(context, o.baseAddress! + Int(length), &final) == 1
                }
            }
            produced = ok ? length + final : 0
            count = Int(produced)
        }
        // No ERR_clear_error before the call (see OpenSSL.lastFailure): the newest error is this call's.
        guard ok else { throw OpenSSL.lastFailure("EVP_CipherUpdate(\(name))") }
        guard Int(produced) == input.count else {
            throw EMRTDError(.cryptoFailure, "\(name) produced \(produced) bytes for \(input.count) bytes of input")
        }
        return out
    }
}

/// AES-CMAC (NIST SP 800-38B) keyed once: each call re-initializes the context with the key it
/// already holds (`EVP_MAC_init` with no key). Not for concurrent use, like ``KeyedCipher``.
public final class KeyedCMAC {
    private let context: OpaquePointer
    private let key: SecretBytes

    /// A CMAC context under an AES key of 16, 24 or 32 bytes.
    public init(aesKey key: SecretBytes) throws(EMRTDError) {
        let name = try AESCipher.cipherName(keyLength: key.count, mode: "CBC")
        ERR_clear_error()
        guard let mac = OpenSSL.Fetched.cmac?.pointer else { throw OpenSSL.failure("EVP_MAC_fetch(CMAC)") }
        guard let context = EVP_MAC_CTX_new(mac) else { throw OpenSSL.failure("EVP_MAC_CTX_new") }
        let ok = key.withUnsafeBytes { k in
            cccd_cmac_init(context, name, k.bindMemory(to: UInt8.self).baseAddress, k.count) == 1
        }
        guard ok else {
            EVP_MAC_CTX_free(context)
            throw OpenSSL.failure("EVP_MAC_init(CMAC, \(name))")
        }
        self.context = context
        self.key = key
    }

    deinit { EVP_MAC_CTX_free(context) }

    /// A separate context with the same key.
    public func copy() throws(EMRTDError) -> KeyedCMAC { try KeyedCMAC(aesKey: key) }

    /// The full 16-byte CMAC of `message`.
    public func callAsFunction(_ message: [UInt8]) throws(EMRTDError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        var length = 0
        let ok = message.withUnsafeBufferPointer { m in
            out.withUnsafeMutableBufferPointer { o in
                EVP_MAC_init(context, nil, 0, nil) == 1
                    && (m.count == 0 || EVP_MAC_update(context, m.baseAddress, m.count) == 1)
                    && EVP_MAC_final(context, o.baseAddress, &length, o.count) == 1
            }
        }
        guard ok else { throw OpenSSL.lastFailure("EVP_MAC_final(CMAC)") }
        guard length == 16 else { throw EMRTDError(.cryptoFailure, "CMAC produced \(length) bytes, expected 16") }
        return out
    }
}
