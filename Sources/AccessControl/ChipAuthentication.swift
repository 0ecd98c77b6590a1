public import Cryptography
import EMRTDASN1
public import EMRTDCore
import ISO7816
public import LDS
public import SecureMessaging
import SwiftASN1

extension EMRTDError.Code {
    /// Chip Authentication could not run (no usable key in DG14, an unsupported protocol).
    public static let caUnsupported = Self("ca.unsupported")
    /// The chip refused Chip Authentication, or secure messaging with the new keys failed: the chip
    /// does not hold the private key DG14 announces.
    public static let caFailed = Self("ca.failed")
}

/// Chip Authentication version 1 (ICAO Doc 9303 Part 11 section 6.2; BSI TR-03110-1 section 3.4):
/// an ephemeral-static key agreement with the chip's key from DG14, after which secure messaging
/// restarts with keys only the genuine chip can derive.
///
/// ```
/// 3DES:  MSE:Set KAT   00 22 41 A6  91 PK.PCD [84 keyId]
/// AES:   MSE:Set AT    00 22 41 A4  80 OID [84 keyId];  GENERAL AUTHENTICATE 7C { 80 PK.PCD }
/// K = KA(SK.PCD, PK.IC);  KSenc = KDF(K, 1);  KSmac = KDF(K, 2);  SSC = 0
/// ```
public enum ChipAuthentication {
    /// What DG14 says: the protocol (key agreement and cipher), the chip's public key and its group.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// The protocol OID (`id-CA-DH-*` or `id-CA-ECDH-*`) as the content bytes of its DER encoding, as
        /// MSE:Set AT carries it in tag 80.
        public let protocolOID: [UInt8]
        /// The protocol's name, e.g. `id-CA-ECDH-AES-CBC-CMAC-128`, or its dotted OID.
        public let protocolName: String
        /// The cipher of secure messaging after Chip Authentication: 3DES or AES, from the OID's last arc
        /// (3DES when DG14 has no ChipAuthenticationInfo).
        public let cipher: KeyDerivation.Cipher
        /// `keyId` of the ChipAuthenticationPublicKeyInfo, sent in tag 84 to select the key; nil when absent.
        public let keyID: Int?
        /// PK.IC, encoded as PACE encodes keys (uncompressed point, or the padded DH value).
        public let chipPublicKey: [UInt8]
        let domain: PACEDomain

        /// The protocol's name and the key ID, e.g. `id-CA-ECDH-AES-CBC-CMAC-128 (key 1)`.
        public var description: String { protocolName + (keyID.map { " (key \($0))" } ?? "") }

        /// The elliptic curve of PK.IC (with its standard generator), or nil for a DH key.
        public var ecGroup: ECGroup? {
            if case .ec(let group) = domain { return group }
            return nil
        }
    }

    /// The Chip Authentication configuration DG14 announces: a ChipAuthenticationInfo and the
    /// public key with the same key ID (or the only one).
    public static func configuration(from securityInfos: SecurityInfos) throws(EMRTDError) -> Configuration {
        let keys = securityInfos.chipAuthenticationPublicKeyInfos
        guard !keys.isEmpty else { throw EMRTDError(.caUnsupported, "DG14 holds no Chip Authentication public key") }
        let infos = securityInfos.chipAuthenticationInfos
        for key in keys {
            let info = infos.first { $0.keyID == key.keyID || $0.keyID == nil || key.keyID == nil }
                ?? (infos.isEmpty ? nil : infos[0])
            // Without a ChipAuthenticationInfo, ICAO says: 3DES (CA version 1 as first specified).
            let oid = info?.protocolOID
            let cipher: KeyDerivation.Cipher
            switch oid?.oidComponents.last {
            case nil, 1: cipher = .tripleDES
            case 2: cipher = .aes128
            case 3: cipher = .aes192
            case 4: cipher = .aes256
            default: continue
            }
            let (domain, publicKey) = try resolve(key.publicKey)
            let agreement: KeyAgreement = if case .ec = domain { .ecdh } else { .dh }
            if let declared = info?.keyAgreement, declared != agreement { continue }
            let defaultOID: ASN1ObjectIdentifier = agreement == .ecdh ? "0.4.0.127.0.7.2.2.3.2.1" : "0.4.0.127.0.7.2.2.3.1.1"
            let protocolOID = oid ?? defaultOID
            return Configuration(
                protocolOID: protocolOID.contentBytes,
                protocolName: SecurityInfos.protocolName(protocolOID) ?? protocolOID.description,
                cipher: cipher, keyID: key.keyID, chipPublicKey: publicKey, domain: domain
            )
        }
        throw EMRTDError(.caUnsupported, "no Chip Authentication protocol of DG14 fits its public keys")
    }

    /// Runs Chip Authentication over the current secure channel and returns the channel with the
    /// new session keys. Whether the chip is genuine shows on the next protected command: only the
    /// holder of SK.IC can answer it.
    public static func perform(
        _ configuration: Configuration,
        over channel: SecureChannel,
        ephemeralPrivateKey: [UInt8]? = nil
    ) throws(EMRTDError) -> SecureChannel {
        let domain = configuration.domain
        let sk: [UInt8]
        if let ephemeralPrivateKey { sk = ephemeralPrivateKey } else { sk = try domain.generatePrivateKey() }
        let pk = try domain.publicKey(sk)
        let keyReference = configuration.keyID.map { TLV(tag: 0x84, value: minimalBytes($0)).encoded() } ?? []
        if configuration.cipher == .tripleDES {
            let data = TLV(tag: 0x91, value: pk).encoded() + keyReference
            let r = try channel.send(CommandAPDU(ins: 0x22, p1: 0x41, p2: 0xA6, data: data))
            guard r.statusWord.isSuccess else {
                throw EMRTDError(.caFailed, "MSE:Set KAT for Chip Authentication: the chip answered \(r.statusWord)")
            }
        } else {
            let data = TLV(tag: 0x80, value: configuration.protocolOID).encoded() + keyReference
            let set = try channel.send(CommandAPDU(ins: 0x22, p1: 0x41, p2: 0xA4, data: data))
            guard set.statusWord.isSuccess else {
                throw EMRTDError(.caFailed, "MSE:Set AT for Chip Authentication: the chip answered \(set.statusWord)")
            }
            let ga = try channel.send(CommandAPDU(
                ins: 0x86, p1: 0, p2: 0, data: TLV(tag: 0x7C, value: TLV(tag: 0x80, value: pk).encoded()).encoded(), ne: 256))
            guard ga.statusWord.isSuccess else {
                throw EMRTDError(.caFailed, "GENERAL AUTHENTICATE for Chip Authentication: the chip answered \(ga.statusWord)")
            }
        }
        let k: [UInt8]
        do {
            k = try domain.sharedSecret(sk, configuration.chipPublicKey)
        } catch {
            throw EMRTDError(.caFailed, "DG14's Chip Authentication key is not usable: \(error.message)")
        }
        let session = try sessionKeys(k, cipher: configuration.cipher)
        return SecureChannel(underlying: channel.underlying, session: session)
    }

    static func sessionKeys(_ k: [UInt8], cipher: KeyDerivation.Cipher) throws(EMRTDError) -> SecureMessaging {
        let enc = SecretBytes(KeyDerivation.derive(secret: k, purpose: .encryption, cipher: cipher))
        let mac = SecretBytes(KeyDerivation.derive(secret: k, purpose: .mac, cipher: cipher))
        let algorithm: SecureMessaging.Algorithm = cipher == .tripleDES ? .tripleDES : .aes
        return try SecureMessaging(
            algorithm: algorithm, encryptionKey: enc, macKey: mac,
            sendSequenceCounter: [UInt8](repeating: 0, count: algorithm == .tripleDES ? 8 : 16))
    }

    /// The chip's side: from the terminal's ephemeral public key (DO'91' of MSE:Set KAT, or DO'80'
    /// of the GENERAL AUTHENTICATE) and its static private key, the new secure messaging session.
    public static func chipSession(
        terminalPublicKey: [UInt8], chipPrivateKey: [UInt8], configuration: Configuration
    ) throws(EMRTDError) -> SecureMessaging {
        try configuration.domain.validate(terminalPublicKey)
        let k = try configuration.domain.sharedSecret(chipPrivateKey, terminalPublicKey)
        return try sessionKeys(k, cipher: configuration.cipher)
    }

    static func minimalBytes(_ v: Int) -> [UInt8] {
        var out: [UInt8] = []
        var x = v
        repeat { out.insert(UInt8(x & 0xFF), at: 0); x >>= 8 } while x > 0
        return out
    }

    // MARK: - Domain parameters of a Chip Authentication key

    /// The group and the public key of a ChipAuthenticationPublicKeyInfo: standardized domain
    /// parameters (0.4.0.127.0.7.1.2, INTEGER id), a named curve, explicit ECParameters, or DH
    /// DomainParameters { p, g, q }.
    static func resolve(_ spki: SubjectPublicKeyInfo) throws(EMRTDError) -> (PACEDomain, [UInt8]) {
        func fail(_ why: String) -> EMRTDError { EMRTDError(.caUnsupported, "DG14's Chip Authentication key: \(why)") }
        let r = ASN1Reader(.caUnsupported)
        let algorithm: [ASN1Node]
        do throws(EMRTDError) {
            let top = try r.children(try r.parse(spki.raw, what: "SubjectPublicKeyInfo"), .sequence, what: "SubjectPublicKeyInfo")
            guard top.count == 2 else { throw fail("not a SubjectPublicKeyInfo") }
            algorithm = try r.children(top[0], .sequence, what: "SubjectPublicKeyInfo.algorithm")
        } catch {
            throw fail(error.message)
        }
        guard let parameters = algorithm.dropFirst().first else { throw fail("no domain parameters") }
        let domain: PACEDomain
        if spki.algorithm == KnownOID.standardizedDomainParameters {
            guard parameters.identifier == .integer, let id = contents(parameters), id.count <= 2 else {
                throw fail("bad standardized parameter ID")
            }
            domain = try PACEDomain.standard(parameterID: id.reduce(0) { $0 << 8 | Int($1) })
        } else if case .ec(let curve) = spki.details {
            if let name = curve.name {
                domain = .ec(try ECGroup.named(name))
            } else if parameters.identifier == .sequence {
                domain = .ec(try explicitCurve(parameters, fail))
            } else {
                throw fail("unknown curve")
            }
        } else if parameters.identifier == .sequence {
            // DH: DomainParameters ::= SEQUENCE { p INTEGER, g INTEGER, q INTEGER, … }
            let values = ((try? r.children(parameters, .sequence, what: "DomainParameters")) ?? []).prefix(3).map { node in
                node.identifier == .integer ? contents(node) : nil
            }
            guard values.count == 3, let p = values[0], let g = values[1], let q = values[2] else { throw fail("bad DH parameters") }
            domain = .dh(try DHGroup.explicit(prime: integerMagnitude(p), subgroupOrder: integerMagnitude(q), generator: integerMagnitude(g)))
        } else {
            throw fail("algorithm \(spki.algorithm) is not a key agreement key")
        }
        var key = spki.publicKey
        if case .dh(let group) = domain {
            // The DH public value is an INTEGER inside the BIT STRING.
            guard let integer = try? r.parse(key, what: "the DH public value"), integer.identifier == .integer,
                  let bytes = contents(integer)
            else { throw fail("bad DH public value") }
            let value = integerMagnitude(bytes)
            guard value.count <= group.primeSize else { throw fail("DH public value longer than the prime") }
            key = [UInt8](repeating: 0, count: group.primeSize - value.count) + value
        }
        try domain.validate(key)
        return (domain, key)
    }

    /// ECParameters ::= SEQUENCE { version, fieldID { prime-field, p }, curve { a, b, seed? }, base, order, cofactor? }
    static func explicitCurve(_ parameters: ASN1Node, _ fail: (String) -> EMRTDError) throws(EMRTDError) -> ECGroup {
        func elements(_ node: ASN1Node) -> [ASN1Node] {
            if case .constructed(let nodes) = node.content { Array(nodes) } else { [] }
        }
        let parts = elements(parameters)
        guard parts.count >= 5 else { throw fail("ECParameters too short") }
        let field = elements(parts[1]), curve = elements(parts[2])
        guard field.count == 2, curve.count >= 2, parts[3].identifier == .octetString, parts[4].identifier == .integer,
              let prime = contents(field[1]), let a = contents(curve[0]), let b = contents(curve[1]),
              let base = contents(parts[3]), let order = contents(parts[4])
        else { throw fail("malformed ECParameters") }
        let p = integerMagnitude(prime)
        func pad(_ v: [UInt8]) -> [UInt8] { v.count >= p.count ? v : [UInt8](repeating: 0, count: p.count - v.count) + v }
        let cofactor = parts.count > 5 && parts[5].identifier == .integer ? contents(parts[5]).map(integerMagnitude) ?? [1] : [1]
        return try ECGroup.explicit(
            prime: p, a: pad(integerMagnitude(a)), b: pad(integerMagnitude(b)), generator: base, order: integerMagnitude(order), cofactor: cofactor)
    }

    /// The contents of a primitive node; nil for a constructed one.
    static func contents(_ node: ASN1Node) -> [UInt8]? {
        if case .primitive(let bytes) = node.content { Array(bytes) } else { nil }
    }
}
