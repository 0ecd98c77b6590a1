public import Cryptography
public import EMRTDCore
public import ISO7816
public import LDS
public import SwiftASN1

extension EMRTDError.Code {
    /// Active Authentication could not run (no DG15, an unsupported key or algorithm).
    public static let aaUnsupported = Self("aa.unsupported")
    /// The chip's Active Authentication signature does not verify with DG15's key.
    public static let aaFailed = Self("aa.failed")
}

/// Active Authentication (ICAO Doc 9303 Part 11 section 6.1): the chip signs the terminal's
/// challenge with the private key whose public half DG15 holds.
///
/// ```
/// INTERNAL AUTHENTICATE  00 88 00 00 08 RND.IFD 00   ->  signature
/// RSA:   ISO/IEC 9796-2 digital signature scheme 1: s^e mod n = 6A || M1 || H(M1 || RND.IFD) || BC
///        (or a two-byte trailer hh CC naming the hash)
/// ECDSA: plain r || s over RND.IFD, hash from DG14's ActiveAuthenticationInfo (BSI TR-03111)
/// ```
public enum ActiveAuthentication {
    /// How the chip signs: from DG15's key and, for ECDSA, DG14's ActiveAuthenticationInfo.
    public struct Configuration: Sendable {
        /// The chip's Active Authentication public key, from DG15 (RSA or EC).
        public let publicKey: PublicKey
        /// The ECDSA hash; `nil` for RSA (the signature names its hash).
        public let ecdsaHash: HashAlgorithm?

        /// A configuration from its parts; ``ActiveAuthentication/configuration(dg15:dg14:)`` reads it from
        /// the chip's files.
        public init(publicKey: PublicKey, ecdsaHash: HashAlgorithm?) {
            self.publicKey = publicKey
            self.ecdsaHash = ecdsaHash
        }

        /// The length of a whole signature: the RSA modulus, or r || s for plain ECDSA.
        var signatureLength: Int? {
            switch publicKey.kind {
            case .rsa(let bits): (bits + 7) / 8
            case .ec(_, _, let bits): 2 * ((bits + 7) / 8)
            case .other: nil
            }
        }
    }

    /// The configuration DG15 and DG14 announce (ICAO 9303-11 6.1): an RSA key needs DG15 alone; an EC key
    /// needs DG14's ActiveAuthenticationInfo (9.2.9) to name the signature algorithm. Throws
    /// `aa.unsupported`.
    ///
    /// ```
    /// ActiveAuthenticationInfo ::= SEQUENCE {
    ///     protocol id-AA, version INTEGER, signatureAlgorithm OBJECT IDENTIFIER }
    /// ```
    public static func configuration(dg15: DG15, dg14: DG14?) throws(EMRTDError) -> Configuration {
        let key: PublicKey
        do {
            key = try PublicKey(subjectPublicKeyInfo: dg15.publicKey.raw)
        } catch {
            throw EMRTDError(.aaUnsupported, "DG15's public key cannot be used: \(error.message)")
        }
        switch key.kind {
        case .rsa:
            return Configuration(publicKey: key, ecdsaHash: nil)
        case .ec:
            // ICAO: an ECDSA Active Authentication key needs an ActiveAuthenticationInfo in DG14.
            guard let info = dg14?.securityInfos.activeAuthenticationInfos.first else {
                throw EMRTDError(.aaUnsupported, "DG15 holds an EC key but DG14 has no ActiveAuthenticationInfo naming its signature algorithm")
            }
            guard let algorithm = info.signatureAlgorithm, let hash = ecdsaHash(algorithm) else {
                throw EMRTDError(.aaUnsupported, "Active Authentication signature algorithm \(info.signatureAlgorithm?.description ?? "(none)") is not supported")
            }
            return Configuration(publicKey: key, ecdsaHash: hash)
        default:
            throw EMRTDError(.aaUnsupported, "DG15's key is neither RSA nor EC")
        }
    }

    /// ecdsa-plain-SHA* (BSI TR-03111, 0.4.0.127.0.7.1.1.4.1.x) and ecdsa-with-SHA* (X9.62).
    public static func ecdsaHash(_ oid: ASN1ObjectIdentifier) -> HashAlgorithm? {
        guard case .ecdsa(let hash, _)? = try? SignatureScheme.fromAlgorithmIdentifier(oid: oid, parameters: nil) else {
            return nil
        }
        return hash
    }

    /// Sends INTERNAL AUTHENTICATE with `challenge` (8 random bytes by default) and verifies the answer.
    /// - Parameter extendedLength: whether extended length may be used (by default, when the
    ///   channel says the chip supports it).
    public static func perform(
        _ configuration: Configuration, over channel: any APDUChannel, challenge: [UInt8]? = nil,
        extendedLength: Bool? = nil
    ) throws(EMRTDError) {
        let rnd: [UInt8]
        if let challenge { rnd = challenge } else { rnd = try SecureRandom.bytes(8) }
        // A signature longer than 231 bytes does not fit a short response under secure messaging:
        // ask for it with extended length when the chip takes it (as jmrtd does), else rely on
        // response chaining (61xx). Chips answer the form they do not handle with nothing or with
        // a signature cut short (CHIP-QUIRKS.md G, D3): the other form is tried once.
        let expected = configuration.signatureLength
        let extended = extendedLength ?? channel.supportsExtendedLength
        let extendedFirst = (expected ?? 0) > 231 && extended
        var forms = extendedFirst ? [65536, 256] : [256]
        if !extendedFirst && extended { forms.append(65536) }
        var lastProblem = ""
        for ne in forms {
            let response = try channel.send(CommandAPDU(ins: 0x88, p1: 0, p2: 0, data: rnd, ne: ne))
            let sw = response.statusWord
            if ne > 256 && (sw.sw1 == 0x67 || sw == .wrongParameters) && forms.count > 1 {
                lastProblem = "the chip refused INTERNAL AUTHENTICATE with extended length (\(sw))"
                continue
            }
            guard sw.isSuccess else {
                throw EMRTDError(.aaFailed, "INTERNAL AUTHENTICATE: the chip answered \(sw)")
            }
            if response.data.isEmpty {
                lastProblem = "the chip answered INTERNAL AUTHENTICATE with no signature (Le \(ne))"
                continue
            }
            if let expected, response.data.count < expected {
                lastProblem = "the chip's signature was cut to \(response.data.count) of \(expected) bytes (Le \(ne))"
                continue
            }
            try verify(response.data, challenge: rnd, configuration: configuration)
            return
        }
        throw EMRTDError(.aaFailed, lastProblem)
    }

    /// Verifies the chip's `signature` over `challenge` (RND.IFD): plain ECDSA r || s with the
    /// configuration's hash, or ISO/IEC 9796-2 scheme 1 message recovery with the RSA key. Throws
    /// `aa.failed`.
    public static func verify(_ signature: [UInt8], challenge: [UInt8], configuration: Configuration) throws(EMRTDError) {
        if let hash = configuration.ecdsaHash {
            let ok = (try? configuration.publicKey.isValidSignature(signature, for: challenge, scheme: .ecdsa(hash, encoding: .plain))) ?? false
            guard ok else { throw EMRTDError(.aaFailed, "the chip's ECDSA signature over the challenge does not verify with DG15's key") }
            return
        }
        let recovered: [UInt8]
        do {
            recovered = try configuration.publicKey.rsaRecover(signature)
        } catch {
            throw EMRTDError(.aaFailed, "the chip's RSA signature is malformed: \(error.message)")
        }
        try checkISO9796(recovered, challenge: challenge)
    }

    /// ISO/IEC 9796-2 scheme 1, partial recovery: header 6A, recovered M1, H(M1 || M2), trailer.
    static func checkISO9796(_ m: [UInt8], challenge: [UInt8]) throws(EMRTDError) {
        func fail(_ why: String) -> EMRTDError { EMRTDError(.aaFailed, "Active Authentication: \(why)") }
        guard m.count >= 2 + 20 + 1 else { throw fail("the recovered message is too short") }
        let hash: HashAlgorithm
        let trailer: Int
        if m.last == 0xBC {
            hash = .sha1
            trailer = 1
        } else if m.last == 0xCC {
            trailer = 2
            switch m[m.count - 2] {
            case 0x33: hash = .sha1
            case 0x34: hash = .sha256
            case 0x35: hash = .sha512
            case 0x36: hash = .sha384
            case 0x38: hash = .sha224
            default: throw fail("unknown hash identifier \(Hex.encode([m[m.count - 2]])) in the trailer")
            }
        } else {
            throw fail("the recovered message has no ISO/IEC 9796-2 trailer (the key does not match)")
        }
        guard m[0] == 0x6A else { throw fail("the recovered message does not start with 6A (the key does not match)") }
        let end = m.count - trailer - hash.digestLength
        guard end > 1 else { throw fail("the recovered message is too short for its hash") }
        let m1 = Array(m[1..<end])
        let digest = Array(m[end..<(m.count - trailer)])
        guard constantTimeEquals(hash.hash(m1 + challenge), digest) else {
            throw fail("the signature does not cover this challenge (a replayed or forged answer)")
        }
    }

    /// The chip's side: sign `challenge` as the chip would (RSA ISO/IEC 9796-2 scheme 1 with
    /// SHA-1, or ECDSA plain with `ecdsaHash`).
    public static func sign(challenge: [UInt8], key: PrivateKey, ecdsaHash: HashAlgorithm?) throws(EMRTDError) -> [UInt8] {
        if let ecdsaHash {
            return try key.signature(for: challenge, scheme: .ecdsa(ecdsaHash, encoding: .plain))
        }
        guard case .rsa(let bits) = key.publicKey.kind else {
            throw EMRTDError(.aaUnsupported, "an RSA signature needs an RSA key")
        }
        let k = (bits + 7) / 8
        let m1 = try SecureRandom.bytes(k - 2 - HashAlgorithm.sha1.digestLength)
        // The representative starts 0110 1010, so it stays below any modulus of whole bytes.
        let message: [UInt8] = [0x6A] + m1 + HashAlgorithm.sha1.hash(m1 + challenge) + [0xBC]
        return try key.rsaPrivateRaw(message)
    }
}
