public import EMRTDCore
public import ISO7816
public import MRZ
public import SecureMessaging
import Cryptography

extension EMRTDError.Code {
    /// The chip refused the BAC cryptogram (6300): the MRZ key is wrong.
    public static let bacAuthenticationFailed = Self("bac.authentication-failed")
    /// The chip refused BAC itself (6985, 6A88): PACE-only documents answer so.
    public static let bacRefused = Self("bac.refused")
    /// The chip's BAC answer did not verify (MAC, nonce echo): a faulty or hostile chip.
    public static let bacInvalidResponse = Self("bac.invalid-response")
    /// GET CHALLENGE or EXTERNAL AUTHENTICATE failed with an unexpected status word.
    public static let bacFailed = Self("bac.failed")
}

/// Basic Access Control (ICAO Doc 9303 Part 11 section 4.3, worked example in Appendix D).
///
/// ```
/// Kseed  = SHA-1(MRZ information)[0..15]           Kenc = KDF(Kseed, 1)   Kmac = KDF(Kseed, 2)
/// IFD -> IC  GET CHALLENGE                          IC -> IFD  RND.IC (8)
/// S = RND.IFD || RND.IC || K.IFD;  E.IFD = 3DES(Kenc, S);  M.IFD = MAC(Kmac, E.IFD)
/// IFD -> IC  EXTERNAL AUTHENTICATE E.IFD || M.IFD   IC -> IFD  E.IC || M.IC
/// R = RND.IC || RND.IFD || K.IC;  KSseed = K.IFD xor K.IC;  SSC = RND.IC[4..7] || RND.IFD[4..7]
/// ```
/// The MRZ key has little entropy on a CCCD (birth date and ID are guessable): BAC is access
/// control, never proof that the holder is present.
public enum BAC {
    /// The document basic access keys derived from the MRZ.
    public struct AccessKeys: Sendable {
        /// Kseed: the first 16 bytes of SHA-1 of the MRZ information (document number, date of birth and
        /// date of expiry, each with its check digit).
        public let seed: SecretBytes
        /// Kenc = KDF(Kseed, 1), the 3DES key of the EXTERNAL AUTHENTICATE cryptograms (ICAO 9303-11 9.7.1).
        public let encryption: SecretBytes
        /// Kmac = KDF(Kseed, 2), the retail MAC key of the cryptograms.
        public let mac: SecretBytes
    }

    /// What a completed BAC produced: the secure messaging session, and (for vector suites and
    /// diagnostics; redacted in descriptions) the session keys and initial counter.
    public struct Session: Sendable {
        /// The 3DES secure messaging that protects every later APDU (ICAO 9303-11 9.8).
        public let secureMessaging: SecureMessaging
        /// KSenc = KDF(KSseed, 1), with KSseed = K.IFD xor K.IC.
        public let sessionEncryptionKey: SecretBytes
        /// KSmac = KDF(KSseed, 2).
        public let sessionMACKey: SecretBytes
        /// The initial send sequence counter: RND.IC[4..7] || RND.IFD[4..7].
        public let sendSequenceCounter: [UInt8]
    }

    /// The document basic access keys of an MRZ key (ICAO 9303-11 4.3.2): Kseed, then Kenc and Kmac.
    public static func accessKeys(for key: MRZKey) -> AccessKeys {
        // Kseed: the first 16 bytes of SHA-1 of the MRZ information (Doc 9303-11 9.7.2), kept
        // wipeable from the digest on, as are the keys derived from it.
        let seed = HashAlgorithm.sha1.hash(secret: SecretBytes(utf8: key.keySeedInput), prefix: 16)
        return AccessKeys(
            seed: seed,
            encryption: KeyDerivation.derive(secret: seed, purpose: .encryption, cipher: .tripleDES),
            mac: KeyDerivation.derive(secret: seed, purpose: .mac, cipher: .tripleDES)
        )
    }

    /// Runs BAC with the chip and returns a secure channel over `connection`.
    public static func establish(
        on connection: any APDUChannel,
        key: MRZKey,
        random: RandomSource = .system
    ) throws(EMRTDError) -> SecureChannel {
        let session = try authenticate(on: connection, keys: accessKeys(for: key), random: random)
        return SecureChannel(underlying: connection, session: session.secureMessaging)
    }

    /// The protocol itself, on explicit access keys.
    public static func authenticate(
        on connection: any APDUChannel,
        keys: AccessKeys,
        random: RandomSource = .system
    ) throws(EMRTDError) -> Session {
        let challenge = try connection.send(CommandAPDU(ins: 0x84, p1: 0, p2: 0, ne: 8))
        guard challenge.statusWord.isSuccess else {
            throw EMRTDError(.bacFailed, "GET CHALLENGE: the chip answered \(challenge.statusWord)")
        }
        guard challenge.data.count == 8 else {
            throw EMRTDError(.bacInvalidResponse, "GET CHALLENGE returned \(challenge.data.count) bytes, not 8")
        }
        let rndIC = challenge.data
        let rndIFD = try random.bytes(8)
        let kIFD = try random.bytes(16)

        let eIFD = try LegacyCiphers.TripleDES.encryptCBC(key: keys.encryption, rndIFD + rndIC + kIFD)
        let mIFD = try LegacyCiphers.RetailMAC.mac(key: keys.mac, eIFD)
        let answer = try connection.send(CommandAPDU(ins: 0x82, p1: 0, p2: 0, data: eIFD + mIFD, ne: 40))
        switch answer.statusWord {
        case .success:
            break
        case .authenticationFailed, .securityStatusNotSatisfied, .referenceDataNotUsable:
            throw EMRTDError(
                .bacAuthenticationFailed,
                "the chip refused Basic Access Control (\(answer.statusWord)): check the document number, date of birth and date of expiry"
            )
        case .conditionsNotSatisfied, StatusWord(rawValue: 0x6A88):
            // PACE-only documents (German passports from 2022, Dutch from 2023) refuse BAC itself
            // this way (CHIP-QUIRKS.md E3); a wrong key is 6300 on them.
            throw EMRTDError(
                .bacRefused,
                "the chip does not allow Basic Access Control (\(answer.statusWord)): a PACE-only document, or a wrong MRZ key; it needs PACE (its EF.CardAccess, or --can)"
            )
        default:
            throw EMRTDError(.bacFailed, "EXTERNAL AUTHENTICATE: the chip answered \(answer.statusWord)")
        }
        guard answer.data.count == 40 else {
            throw EMRTDError(.bacInvalidResponse, "EXTERNAL AUTHENTICATE returned \(answer.data.count) bytes, not 40")
        }
        let eIC = Array(answer.data[0..<32])
        let mIC = Array(answer.data[32..<40])
        guard constantTimeEquals(try LegacyCiphers.RetailMAC.mac(key: keys.mac, eIC), mIC) else {
            throw EMRTDError(.bacInvalidResponse, "the MAC of the chip's BAC cryptogram does not verify")
        }
        let r = try LegacyCiphers.TripleDES.decryptCBC(key: keys.encryption, eIC)
        guard constantTimeEquals(Array(r[0..<8]), rndIC), constantTimeEquals(Array(r[8..<16]), rndIFD) else {
            throw EMRTDError(.bacInvalidResponse, "the chip's BAC answer does not echo the nonces")
        }
        let kIC = Array(r[16..<32])
        return try makeSession(kIFD: kIFD, kIC: kIC, rndIC: rndIC, rndIFD: rndIFD)
    }

    static func makeSession(kIFD: [UInt8], kIC: [UInt8], rndIC: [UInt8], rndIFD: [UInt8]) throws(EMRTDError) -> Session {
        let seed = zip(kIFD, kIC).map { $0 ^ $1 }
        let ksEnc = SecretBytes(KeyDerivation.derive(secret: seed, purpose: .encryption, cipher: .tripleDES))
        let ksMac = SecretBytes(KeyDerivation.derive(secret: seed, purpose: .mac, cipher: .tripleDES))
        let ssc = Array(rndIC[4..<8] + rndIFD[4..<8])
        let sm = try SecureMessaging(algorithm: .tripleDES, encryptionKey: ksEnc, macKey: ksMac, sendSequenceCounter: ssc)
        return Session(secureMessaging: sm, sessionEncryptionKey: ksEnc, sessionMACKey: ksMac, sendSequenceCounter: ssc)
    }

    /// The chip's side of EXTERNAL AUTHENTICATE: verifies the terminal's cryptogram against the
    /// challenge it issued and returns its answer and the new session, or `nil` when the
    /// cryptogram does not verify (the chip then answers 6300).
    public static func respond(
        to commandData: [UInt8],
        challenge rndIC: [UInt8],
        keys: AccessKeys,
        random: RandomSource = .system
    ) throws(EMRTDError) -> (response: [UInt8], session: Session)? {
        guard commandData.count == 40, rndIC.count == 8 else { return nil }
        let eIFD = Array(commandData[0..<32])
        let mIFD = Array(commandData[32..<40])
        guard constantTimeEquals(try LegacyCiphers.RetailMAC.mac(key: keys.mac, eIFD), mIFD) else { return nil }
        let s = try LegacyCiphers.TripleDES.decryptCBC(key: keys.encryption, eIFD)
        guard constantTimeEquals(Array(s[8..<16]), rndIC) else { return nil }
        let rndIFD = Array(s[0..<8])
        let kIFD = Array(s[16..<32])
        let kIC = try random.bytes(16)
        let eIC = try LegacyCiphers.TripleDES.encryptCBC(key: keys.encryption, rndIC + rndIFD + kIC)
        let mIC = try LegacyCiphers.RetailMAC.mac(key: keys.mac, eIC)
        let session = try makeSession(kIFD: kIFD, kIC: kIC, rndIC: rndIC, rndIFD: rndIFD)
        return (eIC + mIC, session)
    }
}
