public import Cryptography
public import EMRTDCore
public import ISO7816
public import LDS
public import MRZ
public import SecureMessaging
import SwiftASN1

extension EMRTDError.Code {
    /// The chip refused the PACE password (wrong MRZ, CAN, PIN or PUK).
    public static let paceAuthenticationFailed = Self("pace.authentication-failed")
    /// The chip's PACE answer did not verify (its token, a public key): a faulty or hostile chip.
    public static let paceInvalidResponse = Self("pace.invalid-response")
    /// A PACE step failed with an unexpected status word.
    public static let paceFailed = Self("pace.failed")
    /// The protocol, mapping, cipher or domain parameters are not ones PACE defines.
    public static let paceUnsupported = Self("pace.unsupported")
}

/// Password Authenticated Connection Establishment (ICAO Doc 9303 Part 11 section 4.4; BSI
/// TR-03110-2 section 3.2), terminal side.
///
/// ```
/// MSE:Set AT   80 protocol OID, 83 password reference, 84 domain parameter ID
/// GA 1         IC -> PCD  z = E(Kπ, s)                     Kπ = KDF(password, 3)
/// GA 2 (map)   GM/CAM: PK.Map exchange, G' = s·G + SK.Map·PK.Map;   IM: t, G' = Map(R(s, t))
/// GA 3         ephemeral key agreement on G': K = KA(SK.DH, PK.DH)
/// GA 4         T.PCD = MAC(KSmac, 7F49{06 OID, 86|84 PK.DH.IC}); IC -> PCD T.IC [, 8A E(KSenc, CA.IC) for CAM]
/// ```
public enum PACE {
    /// What EF.CardAccess's PACEInfo selects: mapping, key agreement, cipher and domain parameters.
    public struct Configuration: Sendable, Hashable, CustomStringConvertible {
        /// The mapping of the nonce to the ephemeral generator (ICAO 9303-11 4.4.3.3): Generic, Integrated,
        /// or Chip Authentication Mapping (Generic Mapping, then the chip proves its static key).
        public enum Mapping: Sendable, Hashable { case generic, integrated, chipAuthentication }
        /// Diffie-Hellman (domain parameters 0-2) or elliptic curve Diffie-Hellman (8-18).
        public enum KeyAgreement: Sendable, Hashable { case dh, ecdh }

        /// How the nonce is mapped.
        public let mapping: Mapping
        /// DH or ECDH.
        public let keyAgreement: KeyAgreement
        /// The cipher of Kπ, of the nonce and of secure messaging: 3DES or AES-128/192/256.
        public let cipher: KeyDerivation.Cipher
        /// The standardized domain parameter ID (ICAO 9303-11 Table 6), sent in MSE:Set AT tag 84.
        public let parameterID: Int
        /// The protocol OID, as the content bytes of its DER encoding.
        public let protocolOID: [UInt8]
        /// The protocol's name, e.g. `id-PACE-ECDH-GM-AES-CBC-CMAC-128`.
        public let protocolName: String

        /// The configuration a PACEInfo announces, or an error naming what is not supported.
        public init(_ info: PACEInfo) throws(EMRTDError) {
            guard let mapping = info.mapping, let agreement = info.keyAgreement, let cipher = info.cipher else {
                throw EMRTDError(.paceUnsupported, "\(info.protocolName) is not a PACE protocol this reader knows")
            }
            guard let parameterID = info.parameterID else {
                throw EMRTDError(.paceUnsupported, "\(info.protocolName) uses proprietary domain parameters (no standardized parameter ID)")
            }
            switch (mapping, agreement, cipher) {
            case (.chipAuthentication, .dh, _):
                throw EMRTDError(.paceUnsupported, "PACE-CAM is defined for ECDH only")
            case (.chipAuthentication, _, .tripleDES):
                throw EMRTDError(.paceUnsupported, "PACE-CAM is defined with AES only")
            default: break
            }
            switch (agreement, parameterID) {
            case (.dh, 0...2), (.ecdh, 8...18): break
            default:
                throw EMRTDError(.paceUnsupported, "domain parameter \(parameterID) does not fit \(info.protocolName)")
            }
            self.mapping = switch mapping {
            case .generic: .generic
            case .integrated: .integrated
            case .chipAuthentication: .chipAuthentication
            }
            self.keyAgreement = agreement == .dh ? .dh : .ecdh
            self.cipher = switch cipher {
            case .tripleDES: .tripleDES
            case .aes128: .aes128
            case .aes192: .aes192
            case .aes256: .aes256
            }
            self.parameterID = parameterID
            self.protocolOID = info.protocolOID.contentBytes
            self.protocolName = info.protocolName
        }

        /// A configuration from its parts (for the virtual chip's test matrix).
        public init(mapping: Mapping, keyAgreement: KeyAgreement, cipher: KeyDerivation.Cipher, parameterID: Int) throws(EMRTDError) {
            let m: UInt = switch (mapping, keyAgreement) {
            case (.generic, .dh): 1
            case (.generic, .ecdh): 2
            case (.integrated, .dh): 3
            case (.integrated, .ecdh): 4
            case (.chipAuthentication, .ecdh): 6
            case (.chipAuthentication, .dh): 0
            }
            let c: UInt = switch cipher {
            case .tripleDES: 1
            case .aes128: 2
            case .aes192: 3
            case .aes256: 4
            }
            let oid = SecurityInfos.idPACE.appending(m, c)
            try self.init(PACEInfo(protocolOID: oid, version: 2, parameterID: parameterID))
        }

        /// The PACEInfo that announces this configuration.
        public var paceInfo: PACEInfo {
            // Re-parsing our own encoding cannot fail.
            (try? PACEInfo(protocolOID: ASN1ObjectIdentifier(contentBytes: protocolOID), version: 2, parameterID: parameterID))!
        }

        /// The protocol's name and its domain parameters, e.g. `id-PACE-ECDH-GM-AES-CBC-CMAC-128 with
        /// brainpoolP256r1`.
        public var description: String {
            "\(protocolName) with \(SecurityInfos.standardDomainParameterName(parameterID) ?? "parameter \(parameterID)")"
        }

        var secureMessaging: SecureMessaging.Algorithm { cipher == .tripleDES ? .tripleDES : .aes }
        /// The length of the chip's nonce s: whole cipher blocks, and as long as Integrated Mapping's
        /// pseudo-random function takes (ICAO 9303-11 4.4.3.3.2: 128 bits, 256 for AES-192/256).
        var nonceLength: Int { cipher == .aes192 || cipher == .aes256 ? 32 : 16 }
        var blockSize: Int { cipher == .tripleDES ? 8 : 16 }
    }

    /// The PACE password.
    public enum Password: Sendable, CustomStringConvertible {
        case mrz(MRZKey)
        /// The CAN's digits as characters, in wipeable storage.
        case can(SecretBytes)
        case pin(SecretBytes)
        case puk(SecretBytes)

        /// The password reference of MSE:Set AT (ICAO 9303-11 4.4.4.1).
        public var reference: UInt8 {
            switch self {
            case .mrz: return 1
            case .can: return 2
            case .pin: return 3
            case .puk: return 4
            }
        }

        /// The bytes Kπ is derived from: SHA-1 of the MRZ information, or the digits as characters.
        var secret: SecretBytes {
            switch self {
            case .mrz(let key): return HashAlgorithm.sha1.hash(secret: SecretBytes(utf8: key.keySeedInput))
            case .can(let s), .pin(let s), .puk(let s): return s
            }
        }

        /// Which password, `MRZ`, `CAN`, `PIN` or `PUK`, never its value.
        public var name: String {
            switch self {
            case .mrz: return "MRZ"
            case .can: return "CAN"
            case .pin: return "PIN"
            case .puk: return "PUK"
            }
        }

        /// `PACE password (CAN)`: the kind, never the value.
        public var description: String { "PACE password (\(name))" }
    }

    /// What the terminal chooses at random. Production leaves every value `nil` (fresh randomness);
    /// vector suites inject the published values.
    public struct Ephemerals: Sendable {
        /// SK.Map.PCD, the terminal's mapping key (Generic and Chip Authentication Mapping).
        public var mappingPrivateKey: [UInt8]?
        /// t, the terminal's nonce of Integrated Mapping (ICAO 9303-11 4.4.3.3.2).
        public var nonceT: [UInt8]?
        /// SK.DH.PCD, the terminal's ephemeral key agreement key on the mapped generator.
        public var agreementPrivateKey: [UInt8]?
        /// Chosen ephemerals; those left nil are drawn at random.
        public init(mappingPrivateKey: [UInt8]? = nil, nonceT: [UInt8]? = nil, agreementPrivateKey: [UInt8]? = nil) {
            self.mappingPrivateKey = mappingPrivateKey
            self.nonceT = nonceT
            self.agreementPrivateKey = agreementPrivateKey
        }
    }

    /// The result of a completed PACE run.
    public struct Session: Sendable {
        /// The configuration that ran.
        public let configuration: Configuration
        /// The secure messaging (SSC starting at zero) that protects every later APDU (ICAO 9303-11 9.8).
        public let secureMessaging: SecureMessaging
        /// KSenc = KDF(K, 1), K being the shared secret of the key agreement (GA 3).
        public let sessionEncryptionKey: SecretBytes
        /// KSmac = KDF(K, 2).
        public let sessionMACKey: SecretBytes
        /// PK.Map.IC, for Chip Authentication Mapping.
        public let chipMappingPublicKey: [UInt8]?
        /// CA.IC decrypted from DO'8A' (PACE-CAM). It proves the chip only once checked against the
        /// chip's static key, and that key counts only after passive authentication.
        public let chipAuthenticationData: [UInt8]?
        /// PK.DH.IC, the chip's ephemeral public key (Chip Authentication and Terminal Authentication use it).
        public let chipEphemeralPublicKey: [UInt8]
    }

    /// Runs PACE and returns a secure channel over `connection`.
    public static func establish(
        on connection: any APDUChannel,
        password: Password,
        configuration: Configuration,
        ephemerals: Ephemerals = Ephemerals()
    ) throws(EMRTDError) -> (channel: SecureChannel, session: Session) {
        let session = try authenticate(on: connection, password: password, configuration: configuration, ephemerals: ephemerals)
        return (SecureChannel(underlying: connection, session: session.secureMessaging), session)
    }

    /// The protocol itself.
    public static func authenticate(
        on connection: any APDUChannel,
        password: Password,
        configuration config: Configuration,
        ephemerals: Ephemerals = Ephemerals()
    ) throws(EMRTDError) -> Session {
        // MSE:Set AT (ICAO 9303-11 4.4.4.1): the parameter ID is sent (INTEROP: chips need it).
        let setAT = TLV(tag: 0x80, value: config.protocolOID).encoded()
            + TLV(tag: 0x83, value: [password.reference]).encoded()
            + TLV(tag: 0x84, value: [UInt8(config.parameterID)]).encoded()
        let mse = try connection.send(CommandAPDU(ins: 0x22, p1: 0xC1, p2: 0xA4, data: setAT))
        guard mse.statusWord.isSuccess else {
            throw EMRTDError(.paceFailed, "MSE:Set AT for \(config.protocolName) with the \(password.name): the chip answered \(mse.statusWord)")
        }

        let kPi = KeyDerivation.derive(secret: password.secret, purpose: .password, cipher: config.cipher)
        let domain = try PACEDomain.standard(parameterID: config.parameterID)

        // GA 1: the encrypted nonce.
        let z = try generalAuthenticate(connection, step: 1, [], expect: 0x80, password: password)
        guard !z.isEmpty, z.count % config.blockSize == 0 else {
            throw EMRTDError(.paceInvalidResponse, "the encrypted nonce has \(z.count) bytes, not whole cipher blocks")
        }
        let s = try decrypt(z, key: kPi, cipher: config.cipher)

        // GA 2: mapping.
        let mapped: PACEDomain
        var chipMapKey: [UInt8]? = nil
        switch config.mapping {
        case .generic, .chipAuthentication:
            let skMap: [UInt8]
            if let given = ephemerals.mappingPrivateKey { skMap = given } else { skMap = try domain.generatePrivateKey() }
            let pkMap = try domain.publicKey(skMap)
            let pkMapIC = try generalAuthenticate(connection, step: 2, TLV(tag: 0x81, value: pkMap).encoded(), expect: 0x82, password: password)
            guard pkMapIC != pkMap else {
                throw EMRTDError(.paceInvalidResponse, "the chip's mapping public key equals the terminal's")
            }
            do {
                mapped = try domain.genericMapping(nonce: s, privateKey: skMap, peerPublicKey: pkMapIC)
            } catch {
                throw EMRTDError(.paceInvalidResponse, "the chip's mapping public key is not valid: \(error.message)")
            }
            chipMapKey = pkMapIC
        case .integrated:
            let t: [UInt8]
            if let given = ephemerals.nonceT { t = given } else { t = try SecureRandom.bytes(config.cipher.keyLength) }
            _ = try generalAuthenticate(connection, step: 2, TLV(tag: 0x81, value: t).encoded(), expect: nil, password: password)
            mapped = try domain.integratedMapping(nonce: s, t: t, cipher: config.cipher)
        }

        // GA 3: key agreement on the mapped generator.
        let skDH: [UInt8]
        if let given = ephemerals.agreementPrivateKey { skDH = given } else { skDH = try mapped.generatePrivateKey() }
        let pkDH = try mapped.publicKey(skDH)
        let pkDHIC = try generalAuthenticate(connection, step: 3, TLV(tag: 0x83, value: pkDH).encoded(), expect: 0x84, password: password)
        guard pkDHIC != pkDH else {
            throw EMRTDError(.paceInvalidResponse, "the chip's ephemeral public key equals the terminal's")
        }
        let k: [UInt8]
        do {
            k = try mapped.sharedSecret(skDH, pkDHIC)
        } catch {
            throw EMRTDError(.paceInvalidResponse, "the chip's ephemeral public key is not valid: \(error.message)")
        }
        let ksEnc = SecretBytes(KeyDerivation.derive(secret: k, purpose: .encryption, cipher: config.cipher))
        let ksMac = SecretBytes(KeyDerivation.derive(secret: k, purpose: .mac, cipher: config.cipher))

        // GA 4: mutual authentication with tokens over the other side's ephemeral key.
        let tPCD = try token(macKey: ksMac, config: config, publicKey: pkDHIC, domain: mapped)
        let answer = try generalAuthenticate(connection, step: 4, TLV(tag: 0x85, value: tPCD).encoded(), expect: nil, password: password)
        let objects = try dynamicObjects(answer)
        guard let tIC = objects.first(where: { $0.tag.rawValue == 0x86 })?.value else {
            throw EMRTDError(.paceInvalidResponse, "the chip's last GENERAL AUTHENTICATE answer has no authentication token (86)")
        }
        let expected = try token(macKey: ksMac, config: config, publicKey: pkDH, domain: mapped)
        guard constantTimeEquals(tIC, expected) else {
            throw EMRTDError(.paceInvalidResponse, "the chip's authentication token does not verify")
        }

        var caData: [UInt8]? = nil
        if config.mapping == .chipAuthentication {
            guard let encrypted = objects.first(where: { $0.tag.rawValue == 0x8A })?.value else {
                throw EMRTDError(.paceInvalidResponse, "PACE-CAM: the chip sent no encrypted chip authentication data (8A)")
            }
            caData = try decryptChipAuthenticationData(encrypted, key: ksEnc, config: config)
        }
        let ssc = [UInt8](repeating: 0, count: config.blockSize)
        let sm = try SecureMessaging(algorithm: config.secureMessaging, encryptionKey: ksEnc, macKey: ksMac, sendSequenceCounter: ssc)
        return Session(
            configuration: config, secureMessaging: sm, sessionEncryptionKey: ksEnc, sessionMACKey: ksMac,
            chipMappingPublicKey: chipMapKey, chipAuthenticationData: caData, chipEphemeralPublicKey: pkDHIC
        )
    }

    // MARK: - Pieces shared with the chip side


    /// One GENERAL AUTHENTICATE of the chain; returns the value of the expected data object.
    static func generalAuthenticate(
        _ connection: any APDUChannel, step: Int, _ data: [UInt8], expect tag: UInt32?, password: Password
    ) throws(EMRTDError) -> [UInt8] {
        let last = step == 4
        // 2048-bit DH public keys do not fit short APDUs: ask for an extended answer where the card takes one.
        let ne = connection.supportsExtendedLength ? CommandAPDU.maximumExtendedNe : CommandAPDU.maximumShortNe
        let command = CommandAPDU(cla: last ? 0x00 : 0x10, ins: 0x86, p1: 0, p2: 0, data: TLV(tag: 0x7C, value: data).encoded(), ne: ne)
        let response = try connection.send(command)
        let sw = response.statusWord
        guard sw.isSuccess else {
            if sw == .authenticationFailed || sw.sw1 == 0x63 || sw == .securityStatusNotSatisfied {
                throw EMRTDError(
                    .paceAuthenticationFailed,
                    "the chip refused PACE with the \(password.name) (\(sw)): check the \(password.name == "MRZ" ? "document number, date of birth and date of expiry" : password.name)"
                )
            }
            throw EMRTDError(.paceFailed, "GENERAL AUTHENTICATE step \(step): the chip answered \(sw)")
        }
        if step == 4 { return response.data }
        guard let tag else { return [] }
        let objects = try dynamicObjects(response.data)
        guard let value = objects.first(where: { $0.tag.rawValue == tag })?.value else {
            throw EMRTDError(.paceInvalidResponse, "GENERAL AUTHENTICATE step \(step): the answer lacks data object \(Hex.encode([UInt8(tag)]))")
        }
        return value
    }

    /// The objects inside the dynamic authentication data template 7C.
    static func dynamicObjects(_ data: [UInt8]) throws(EMRTDError) -> [TLV] {
        do throws(EMRTDError) {
            let template = try BERTLV.parse(data)
            guard template.tag.rawValue == 0x7C else {
                throw EMRTDError(.paceInvalidResponse, "expected dynamic authentication data (7C), got \(template.tag)")
            }
            return try template.children()
        } catch {
            throw EMRTDError(.paceInvalidResponse, "malformed GENERAL AUTHENTICATE data: \(error.message)")
        }
    }

    static func decrypt(_ z: [UInt8], key: SecretBytes, cipher: KeyDerivation.Cipher) throws(EMRTDError) -> [UInt8] {
        cipher == .tripleDES
            ? try LegacyCiphers.TripleDES.decryptCBC(key: key, z)
            : try AESCipher.decryptCBC(key: key, iv: [UInt8](repeating: 0, count: 16), z)
    }

    static func encrypt(_ s: [UInt8], key: SecretBytes, cipher: KeyDerivation.Cipher) throws(EMRTDError) -> [UInt8] {
        cipher == .tripleDES
            ? try LegacyCiphers.TripleDES.encryptCBC(key: key, s)
            : try AESCipher.encryptCBC(key: key, iv: [UInt8](repeating: 0, count: 16), s)
    }

    /// The authentication token: MAC over the public key data object 7F49 { 06 OID, 86|84 PK }.
    static func token(macKey: SecretBytes, config: Configuration, publicKey: [UInt8], domain: PACEDomain) throws(EMRTDError) -> [UInt8] {
        let input = TLV(tag: 0x7F49, value: TLV(tag: 0x06, value: config.protocolOID).encoded()
            + TLV(tag: TLVTag(rawValue: domain.publicKeyTag), value: publicKey).encoded()).encoded()
        if config.cipher == .tripleDES {
            return try LegacyCiphers.RetailMAC.mac(key: macKey, input)
        }
        return Array(try AESCMAC.mac(key: macKey, input).prefix(8))
    }

    /// PACE-CAM (ICAO 9303-11 4.4.3.5): A.IC = E(KSenc, CA.IC) with IV = E(KSenc, -1), padded.
    static func decryptChipAuthenticationData(_ encrypted: [UInt8], key: SecretBytes, config: Configuration) throws(EMRTDError) -> [UInt8] {
        guard config.cipher != .tripleDES, !encrypted.isEmpty, encrypted.count % 16 == 0 else {
            throw EMRTDError(.paceInvalidResponse, "PACE-CAM: the encrypted chip authentication data is malformed")
        }
        let iv = try AESCipher.encryptECB(key: key, [UInt8](repeating: 0xFF, count: 16))
        let padded = try AESCipher.decryptCBC(key: key, iv: iv, encrypted)
        do {
            return try ISO9797Padding.unpad(padded)
        } catch {
            throw EMRTDError(.paceInvalidResponse, "PACE-CAM: the chip authentication data has invalid padding")
        }
    }

    static func encryptChipAuthenticationData(_ data: [UInt8], key: SecretBytes) throws(EMRTDError) -> [UInt8] {
        let iv = try AESCipher.encryptECB(key: key, [UInt8](repeating: 0xFF, count: 16))
        return try AESCipher.encryptCBC(key: key, iv: iv, ISO9797Padding.pad(data, blockSize: 16))
    }
}

extension PACE {
    /// PACE-CAM (ICAO 9303-11 4.4.3.5.2): the chip is genuine only if PK.Map.IC = CA.IC · PK.IC,
    /// with PK.IC the chip's static Chip Authentication key from DG14 or EF.CardSecurity. The
    /// answer counts only once passive authentication has proved that key.
    public static func verifyChipAuthenticationMapping(_ session: Session, chipPublicKey: [UInt8]) throws(EMRTDError) -> Bool {
        guard session.configuration.mapping == .chipAuthentication,
              let ca = session.chipAuthenticationData, let mapKey = session.chipMappingPublicKey
        else {
            throw EMRTDError(.paceUnsupported, "the session did not use Chip Authentication Mapping")
        }
        let group = try ECGroup.standard(parameterID: session.configuration.parameterID)
        let product = try group.multiply(group.point(chipPublicKey), ca)
        return constantTimeEquals(product.encoded, mapKey)
    }
}
