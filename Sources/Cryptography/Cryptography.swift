// The public API of the Cryptography module: the primitives ICAO Doc 9303 Part 11 needs for
// BAC, PACE and secure messaging. The OpenSSL calls behind them live in OpenSSLBackend.swift.
//
// All inputs are plain byte arrays; every length an algorithm depends on is checked and a wrong
// one throws an `EMRTDError`, never traps.

public import EMRTDCore

extension EMRTDError.Code {
    /// OpenSSL reported a failure; the message carries its error text.
    public static let cryptoFailure = Self("crypto.failed")
    /// A key had a length the algorithm does not accept.
    public static let invalidKeyLength = Self("crypto.key-length")
    /// Data or an IV had a length the operation does not accept (e.g. not a whole number of blocks).
    public static let invalidInputLength = Self("crypto.input-length")
    /// ISO/IEC 9797-1 padding method 2 was malformed.
    public static let invalidPadding = Self("crypto.padding")
}

// MARK: - Hashing

/// A SHA-1 or SHA-2 hash function (FIPS 180-4).
///
/// Doc 9303 uses SHA-1 in BAC key derivation (Part 11, 9.7.1 and 4.3.2), SHA-1/SHA-256 in the KDF
/// for AES keys, and any of these for data group hashes in the document security object (Part 10).
public struct HashAlgorithm: Hashable, Sendable, CustomStringConvertible {
    /// The conventional name, e.g. `SHA-256`.
    public let name: String
    /// Output length in bytes.
    public let digestLength: Int
    // The name OpenSSL 3's default provider fetches it by.
    private let opensslName: String

    private init(name: String, opensslName: String, digestLength: Int) {
        self.name = name
        self.opensslName = opensslName
        self.digestLength = digestLength
    }

    /// SHA-1: BAC key derivation (Doc 9303 Part 11, 9.7.1) and the KDF for 3DES and AES-128 keys.
    public static let sha1 = HashAlgorithm(name: "SHA-1", opensslName: "SHA1", digestLength: 20)
    /// SHA-224, for data group hashes and signatures.
    public static let sha224 = HashAlgorithm(name: "SHA-224", opensslName: "SHA2-224", digestLength: 28)
    /// SHA-256: the KDF for AES-192 and AES-256 keys (Doc 9303 Part 11, 9.7.1), and the usual data
    /// group hash of a document security object.
    public static let sha256 = HashAlgorithm(name: "SHA-256", opensslName: "SHA2-256", digestLength: 32)
    /// SHA-384, for data group hashes and signatures.
    public static let sha384 = HashAlgorithm(name: "SHA-384", opensslName: "SHA2-384", digestLength: 48)
    /// SHA-512, for data group hashes and signatures (e.g. brainpoolP512r1 CSCA keys).
    public static let sha512 = HashAlgorithm(name: "SHA-512", opensslName: "SHA2-512", digestLength: 64)

    /// The digest of `data`.
    public func hash(_ data: [UInt8]) -> [UInt8] {
        OpenSSL.digest(opensslName, length: digestLength, data)
    }

    /// The first `length` bytes (all by default) of the digest of a secret, computed from and into
    /// wipeable storage: the BAC key seed, PACE's password from the MRZ.
    public func hash(secret: SecretBytes, prefix length: Int? = nil) -> SecretBytes {
        let digest = SecretBytes(count: digestLength) { out in
            secret.withUnsafeBytes { OpenSSL.digest(opensslName, length: digestLength, parts: [$0], into: out) }
        }
        guard let length, length < digestLength else { return digest }
        return SecretBytes(count: length) { out in
            digest.withUnsafeBytes { out.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
        }
    }

    /// The conventional name, e.g. `SHA-256`.
    public var description: String { name }
}

// MARK: - Weak algorithms (BAC and 3DES secure messaging)

/// Algorithms that are weak by today's standards but that Doc 9303 still mandates for Basic Access
/// Control and 3DES secure messaging (Part 11, 4.3 and 9.8). Use them only for that. (Not named
/// `Insecure`, which is swift-crypto's namespace for its weak hashes.)
public enum LegacyCiphers {
    /// Two- or three-key Triple-DES (EDE), no padding.
    ///
    /// A 16-byte key is keying option 2 (K1‖K2, with K3 = K1) as Doc 9303 Part 11, 9.8.6.1 uses it;
    /// a 24-byte key is keying option 1.
    public enum TripleDES {
        /// The DES block: 8 bytes, also the length of the 3DES send sequence counter.
        public static let blockSize = 8

        /// 3DES in CBC mode. `plaintext` must be a whole number of 8-byte blocks (pad it first with
        /// ``ISO9797Padding/pad(_:blockSize:)``). Doc 9303 BAC and 3DES SM use a zero IV.
        public static func encryptCBC(
            key: [UInt8], iv: [UInt8] = [UInt8](repeating: 0, count: 8), _ plaintext: [UInt8]
        ) throws(EMRTDError) -> [UInt8] {
            try encryptCBC(key: SecretBytes(key), iv: iv, plaintext)
        }

        /// 3DES-CBC encryption under a key held in wipeable storage (a session or access key).
        public static func encryptCBC(
            key: SecretBytes, iv: [UInt8] = [UInt8](repeating: 0, count: 8), _ plaintext: [UInt8]
        ) throws(EMRTDError) -> [UInt8] {
            let name = try cbcName(key.count)
            return try key.withUnsafeBytes { (k) throws(EMRTDError) in try OpenSSL.cipher(name, key: k, iv: iv, encrypt: true, plaintext) }
        }

        /// Inverse of ``encryptCBC(key:iv:_:)``; the result still carries its padding.
        public static func decryptCBC(
            key: [UInt8], iv: [UInt8] = [UInt8](repeating: 0, count: 8), _ ciphertext: [UInt8]
        ) throws(EMRTDError) -> [UInt8] {
            try decryptCBC(key: SecretBytes(key), iv: iv, ciphertext)
        }

        /// 3DES-CBC decryption under a key held in wipeable storage.
        public static func decryptCBC(
            key: SecretBytes, iv: [UInt8] = [UInt8](repeating: 0, count: 8), _ ciphertext: [UInt8]
        ) throws(EMRTDError) -> [UInt8] {
            let name = try cbcName(key.count)
            return try key.withUnsafeBytes { (k) throws(EMRTDError) in try OpenSSL.cipher(name, key: k, iv: iv, encrypt: false, ciphertext) }
        }

        /// Encrypts exactly one 8-byte block.
        public static func encryptECB(key: [UInt8], _ block: [UInt8]) throws(EMRTDError) -> [UInt8] {
            guard block.count == blockSize else {
                throw EMRTDError(.invalidInputLength, "3DES ECB takes one 8-byte block, got \(block.count) bytes")
            }
            let name = key.count == 24 ? "DES-EDE3-ECB" : "DES-EDE-ECB"
            try checkKey(key.count)
            return try SecretBytes(key).withUnsafeBytes { (k) throws(EMRTDError) in try OpenSSL.cipher(name, key: k, iv: [], encrypt: true, block) }
        }

        private static func checkKey(_ count: Int) throws(EMRTDError) {
            guard count == 16 || count == 24 else {
                throw EMRTDError(.invalidKeyLength, "3DES needs a 16- or 24-byte key, got \(count) bytes")
            }
        }

        /// The OpenSSL name of 3DES-CBC for a key of `count` bytes (two or three keys).
        static func cbcName(_ count: Int) throws(EMRTDError) -> String {
            try checkKey(count)
            return count == 24 ? "DES-EDE3-CBC" : "DES-EDE-CBC"
        }
    }

    /// The "retail MAC": ISO/IEC 9797-1 MAC algorithm 3 with DES, as Doc 9303 Part 11, 9.8.6.2 uses
    /// for BAC mutual authentication and 3DES secure messaging (8-byte MAC, 16-byte key K1‖K2).
    public enum RetailMAC {
        /// The 8-byte MAC of `message` under `key` (16 bytes).
        ///
        /// - Parameter padded: when true (the default), ISO/IEC 9797-1 padding method 2 is applied
        ///   first; when false `message` must already be a non-empty whole number of 8-byte blocks.
        public static func mac(key: [UInt8], _ message: [UInt8], padded: Bool = true) throws(EMRTDError) -> [UInt8] {
            try mac(key: SecretBytes(key), message, padded: padded)
        }

        /// The retail MAC under a key held in wipeable storage (BAC's Kmac, a session's KSmac).
        public static func mac(key: SecretBytes, _ message: [UInt8], padded: Bool = true) throws(EMRTDError) -> [UInt8] {
            guard key.count == 16 else {
                throw EMRTDError(.invalidKeyLength, "the retail MAC needs a 16-byte key, got \(key.count) bytes")
            }
            let data = padded ? ISO9797Padding.pad(message, blockSize: 8) : message
            guard !data.isEmpty, data.count % 8 == 0 else {
                throw EMRTDError(
                    .invalidInputLength,
                    "retail MAC input must be a non-empty multiple of 8 bytes, got \(data.count)")
            }
            let zero = [UInt8](repeating: 0, count: 8)

            // Single-DES CBC with K1 over every block but the last. 3DES-EDE with K1‖K1 is exactly
            // single DES (E_K1∘D_K1∘E_K1 = E_K1), which keeps us in OpenSSL 3's default provider:
            // plain "DES-CBC" lives only in the legacy provider.
            var chain = zero
            if data.count > 8 {
                let k1k1 = SecretBytes(count: 16) { out in
                    key.withUnsafeBytes { k in
                        out.copyMemory(from: UnsafeRawBufferPointer(rebasing: k[0..<8]))
                        UnsafeMutableRawBufferPointer(rebasing: out[8..<16]).copyMemory(from: UnsafeRawBufferPointer(rebasing: k[0..<8]))
                    }
                }
                let head = try LegacyCiphers.TripleDES.encryptCBC(key: k1k1, iv: zero, Array(data[..<(data.count - 8)]))
                chain = Array(head.suffix(8))
            }
            // Last block: E_K1, then the output transformation D_K2 and E_K1 — together that is one
            // 2-key 3DES-EDE encryption with K1‖K2, chained from the previous block.
            return try LegacyCiphers.TripleDES.encryptCBC(key: key, iv: chain, Array(data.suffix(8)))
        }
    }
}

// MARK: - Padding

/// ISO/IEC 9797-1 padding method 2 (Doc 9303 Part 11, 9.8.6.1 and 9.8.6.2): a mandatory `0x80`
/// byte, then zero bytes up to a multiple of the block size.
public enum ISO9797Padding {
    /// `data` followed by `0x80` and as many `0x00` as make its length a multiple of `blockSize`.
    /// A full block is added when `data` is already aligned. `blockSize` must be positive.
    public static func pad(_ data: [UInt8], blockSize: Int) -> [UInt8] {
        precondition(blockSize > 0, "block size must be positive")
        var out = data
        out.append(0x80)
        let remainder = out.count % blockSize
        if remainder != 0 { out.append(contentsOf: repeatElement(0, count: blockSize - remainder)) }
        return out
    }

    /// Removes method-2 padding: trailing zero bytes and exactly one `0x80` before them.
    ///
    /// Throws when no `0x80` ends the data after the zeros. Secure messaging verifies the MAC before
    /// it decrypts and unpads, so this need not be constant-time.
    public static func unpad(_ data: [UInt8]) throws(EMRTDError) -> [UInt8] {
        guard let last = data.lastIndex(where: { $0 != 0 }), data[last] == 0x80 else {
            throw EMRTDError(.invalidPadding, "ISO/IEC 9797-1 method 2 padding not found")
        }
        return Array(data[..<last])
    }
}

// MARK: - AES

/// AES (FIPS 197) without padding, for PACE nonce decryption (Doc 9303 Part 11, 4.4.3.3) and AES
/// secure messaging (9.8.6.1, with IV = E(KSenc, SSC)). Keys are 16, 24 or 32 bytes. (Not named
/// `AES`, which is swift-crypto's.)
public enum AESCipher {
    /// The AES block: 16 bytes, also the length of the AES send sequence counter.
    public static let blockSize = 16

    /// AES-CBC; `plaintext` must be a whole number of 16-byte blocks and `iv` 16 bytes.
    public static func encryptCBC(key: [UInt8], iv: [UInt8], _ plaintext: [UInt8]) throws(EMRTDError) -> [UInt8] {
        try encryptCBC(key: SecretBytes(key), iv: iv, plaintext)
    }

    /// AES-CBC under a key held in wipeable storage.
    public static func encryptCBC(key: SecretBytes, iv: [UInt8], _ plaintext: [UInt8]) throws(EMRTDError) -> [UInt8] {
        try run(key, "CBC", iv: iv, encrypt: true, plaintext)
    }

    /// Inverse of ``encryptCBC(key:iv:_:)-(SecretBytes,_,_)``.
    public static func decryptCBC(key: [UInt8], iv: [UInt8], _ ciphertext: [UInt8]) throws(EMRTDError) -> [UInt8] {
        try decryptCBC(key: SecretBytes(key), iv: iv, ciphertext)
    }

    /// AES-CBC decryption under a key held in wipeable storage.
    public static func decryptCBC(key: SecretBytes, iv: [UInt8], _ ciphertext: [UInt8]) throws(EMRTDError) -> [UInt8] {
        try run(key, "CBC", iv: iv, encrypt: false, ciphertext)
    }

    /// AES-ECB over a whole number of 16-byte blocks (one block computes the SM IV).
    public static func encryptECB(key: [UInt8], _ plaintext: [UInt8]) throws(EMRTDError) -> [UInt8] {
        try encryptECB(key: SecretBytes(key), plaintext)
    }

    /// AES-ECB under a key held in wipeable storage.
    public static func encryptECB(key: SecretBytes, _ plaintext: [UInt8]) throws(EMRTDError) -> [UInt8] {
        try run(key, "ECB", iv: [], encrypt: true, plaintext)
    }

    /// Inverse of ``encryptECB(key:_:)-(SecretBytes,_)``.
    public static func decryptECB(key: [UInt8], _ ciphertext: [UInt8]) throws(EMRTDError) -> [UInt8] {
        try run(SecretBytes(key), "ECB", iv: [], encrypt: false, ciphertext)
    }

    private static func run(_ key: SecretBytes, _ mode: String, iv: [UInt8], encrypt: Bool, _ input: [UInt8]) throws(EMRTDError) -> [UInt8] {
        let name = try cipherName(keyLength: key.count, mode: mode)
        return try key.withUnsafeBytes { (k) throws(EMRTDError) in try OpenSSL.cipher(name, key: k, iv: iv, encrypt: encrypt, input) }
    }

    static func cipherName(keyLength: Int, mode: String) throws(EMRTDError) -> String {
        guard keyLength == 16 || keyLength == 24 || keyLength == 32 else {
            throw EMRTDError(.invalidKeyLength, "AES needs a 16-, 24- or 32-byte key, got \(keyLength) bytes")
        }
        return "AES-\(keyLength * 8)-\(mode)"
    }

}

/// AES-CMAC (NIST SP 800-38B), the MAC of AES secure messaging and of the PACE authentication
/// token (Doc 9303 Part 11, 9.8.6.2 and 4.4.3.4).
public enum AESCMAC {
    /// The full 16-byte CMAC of `message`; Doc 9303 truncates it to the first 8 bytes.
    /// `key` is 16, 24 or 32 bytes.
    public static func mac(key: [UInt8], _ message: [UInt8]) throws(EMRTDError) -> [UInt8] {
        try mac(key: SecretBytes(key), message)
    }

    /// The CMAC under a key held in wipeable storage (KSmac, the PACE token key).
    public static func mac(key: SecretBytes, _ message: [UInt8]) throws(EMRTDError) -> [UInt8] {
        let name = try AESCipher.cipherName(keyLength: key.count, mode: "CBC")
        return try key.withUnsafeBytes { (k) throws(EMRTDError) in try OpenSSL.cmac(cipher: name, key: k, message) }
    }
}

// MARK: - Key derivation

/// The key derivation function of Doc 9303 Part 11, 9.7.1: `KDF(K, c) = H(K ‖ c)` with `c` a
/// 32-bit big-endian counter, truncated to the key length of the target cipher.
public enum KeyDerivation {
    /// The cipher the derived key is for; it fixes the hash and the output length.
    public enum Cipher: Sendable, Hashable {
        case tripleDES, aes128, aes192, aes256

        /// Length of the derived key in bytes.
        public var keyLength: Int {
            switch self {
            case .tripleDES, .aes128: 16
            case .aes192: 24
            case .aes256: 32
            }
        }
    }

    /// The counter `c` (Part 11, 9.7.1): 1 for KSenc/KEnc, 2 for KSmac/KMac, 3 for the PACE
    /// password key Kπ.
    public enum Purpose: UInt32, Sendable {
        case encryption = 1
        case mac = 2
        case password = 3
    }

    /// Derives a key from the shared `secret` (the BAC key seed, a PACE/CA shared secret, or the
    /// encoded password).
    ///
    /// 3DES and AES-128 use the first 16 bytes of SHA-1 (for 3DES with DES parity adjusted, as the
    /// App. D.1 example shows); AES-192 the first 24 and AES-256 all 32 bytes of SHA-256.
    public static func derive(secret: [UInt8], purpose: Purpose, cipher: Cipher) -> [UInt8] {
        derive(secret: SecretBytes(secret), purpose: purpose, cipher: cipher).withUnsafeBytes { Array($0) }
    }

    /// ``derive(secret:purpose:cipher:)-([UInt8],_,_)`` from and into wipeable storage: the secret,
    /// the digest and the key never pass through an array.
    public static func derive(secret: SecretBytes, purpose: Purpose, cipher: Cipher) -> SecretBytes {
        let c = purpose.rawValue
        let counter: [UInt8] = [UInt8(truncatingIfNeeded: c >> 24), UInt8(truncatingIfNeeded: c >> 16),
                                UInt8(truncatingIfNeeded: c >> 8), UInt8(truncatingIfNeeded: c)]
        let (name, length) = cipher == .tripleDES || cipher == .aes128 ? ("SHA1", 20) : ("SHA256", 32)
        let digest = SecretBytes(count: length) { out in
            secret.withUnsafeBytes { s in
                counter.withUnsafeBytes { c in OpenSSL.digest(name, length: length, parts: [s, c], into: out) }
            }
        }
        return SecretBytes(count: cipher.keyLength) { out in
            digest.withUnsafeBytes { d in out.copyMemory(from: UnsafeRawBufferPointer(rebasing: d[0..<cipher.keyLength])) }
            if cipher == .tripleDES {
                for i in out.indices { out[i] = adjustDESParity(out[i]) }
            }
        }
    }

    /// Sets the least significant bit of each byte so that every byte has an odd number of one bits
    /// (FIPS 46-3 DES key parity). DES ignores these bits; the spec examples show keys adjusted.
    public static func adjustDESParity(_ key: [UInt8]) -> [UInt8] {
        key.map(adjustDESParity)
    }

    /// One key byte with DES parity.
    static func adjustDESParity(_ byte: UInt8) -> UInt8 {
        let high = byte & 0xFE
        return high.nonzeroBitCount % 2 == 0 ? high | 1 : high
    }
}

// MARK: - Randomness and comparison

/// Cryptographically secure random bytes (OpenSSL's DRBG), for RND.IFD, K.IFD and PACE nonces.
public enum SecureRandom {
    /// `count` random bytes. Throws if `count` is negative or the generator fails (it is never
    /// silently replaced by a weaker source).
    public static func bytes(_ count: Int) throws(EMRTDError) -> [UInt8] {
        try OpenSSL.randomBytes(count)
    }
}

/// Compares MACs and authentication tokens without leaking, through timing, where they differ.
///
/// Arrays of different lengths are unequal (lengths are public); equal-length arrays are compared
/// with `CRYPTO_memcmp`, which always reads every byte.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    return OpenSSL.equalConstantTime(a, b)
}
