public import EMRTDCore
public import EMRTDASN1
public import SwiftASN1

extension ASN1Reader {
    /// The reader of SecurityInfos and SubjectPublicKeyInfo: failures are `asn1.invalid`.
    static let lds = ASN1Reader(.asn1Invalid)
}

/// The protocols a chip supports, as listed in EF.CardAccess, EF.CardSecurity and DG14
/// (BSI TR-03110-3 A.1, ICAO Doc 9303-11 9.2).
///
/// ```
/// SecurityInfos ::= SET OF SecurityInfo
/// SecurityInfo ::= SEQUENCE {
///     protocol      OBJECT IDENTIFIER,
///     requiredData  ANY DEFINED BY protocol,
///     optionalData  ANY DEFINED BY protocol OPTIONAL }
/// ```
public struct SecurityInfos: Hashable, Sendable {
    /// Every SecurityInfo in file order; unrecognised protocols are kept as ``SecurityInfo/unknown(_:raw:)``.
    public let infos: [SecurityInfo]
    /// The SET as read.
    public let raw: [UInt8]

    /// Parses the SET (the whole of EF.CardAccess, or the value of DG14's 6E).
    public static func parse(_ bytes: [UInt8]) throws(EMRTDError) -> SecurityInfos {
        let r = ASN1Reader.lds
        let root = try r.parse(bytes, what: "SecurityInfos")
        var infos: [SecurityInfo] = []
        for node in try r.children(root, .set, what: "SecurityInfos") {
            infos.append(try SecurityInfo(node: node))
        }
        return SecurityInfos(infos: infos, raw: bytes)
    }

    init(infos: [SecurityInfo], raw: [UInt8]) {
        self.infos = infos
        self.raw = raw
    }

    /// The PACEInfos: one per PACE protocol and parameter set the chip offers.
    public var paceInfos: [PACEInfo] { infos.compactMap { if case .pace(let i) = $0 { i } else { nil } } }
    /// The PACEDomainParameterInfos: PACE domain parameters that are not a standardized parameter ID.
    public var paceDomainParameterInfos: [PACEDomainParameterInfo] {
        infos.compactMap { if case .paceDomainParameters(let i) = $0 { i } else { nil } }
    }
    /// The ChipAuthenticationInfos: the Chip Authentication protocols, one per key.
    public var chipAuthenticationInfos: [ChipAuthenticationInfo] {
        infos.compactMap { if case .chipAuthentication(let i) = $0 { i } else { nil } }
    }
    /// The ChipAuthenticationDomainParameterInfos: the domain parameters of Chip Authentication keys.
    public var chipAuthenticationDomainParameterInfos: [ChipAuthenticationDomainParameterInfo] {
        infos.compactMap { if case .chipAuthenticationDomainParameters(let i) = $0 { i } else { nil } }
    }
    /// The ChipAuthenticationPublicKeyInfos: the chip's static Chip Authentication keys.
    public var chipAuthenticationPublicKeyInfos: [ChipAuthenticationPublicKeyInfo] {
        infos.compactMap { if case .chipAuthenticationPublicKey(let i) = $0 { i } else { nil } }
    }
    /// The TerminalAuthenticationInfos: present when DG3 and DG4 need Terminal Authentication.
    public var terminalAuthenticationInfos: [TerminalAuthenticationInfo] {
        infos.compactMap { if case .terminalAuthentication(let i) = $0 { i } else { nil } }
    }
    /// The ActiveAuthenticationInfos: present when Active Authentication uses ECDSA.
    public var activeAuthenticationInfos: [ActiveAuthenticationInfo] {
        infos.compactMap { if case .activeAuthentication(let i) = $0 { i } else { nil } }
    }

    // MARK: Protocol names

    /// `id-PACE` (0.4.0.127.0.7.2.2.4, BSI TR-03110-3 A.1): the arc of every PACE protocol OID.
    public static let idPACE = KnownOID.idPACE
    static let idCA = KnownOID.idCA
    static let idPK = KnownOID.idPK
    static let idTA = KnownOID.idTA
    static let idAA = KnownOID.idAA
    static let ecdsaPlain = KnownOID.ecdsaPlainSignatures

    static let paceMappings: [UInt: String] = [1: "DH-GM", 2: "ECDH-GM", 3: "DH-IM", 4: "ECDH-IM", 6: "ECDH-CAM"]
    static let caKeyAgreements: [UInt: String] = [1: "DH", 2: "ECDH"]
    static let ciphers: [UInt: String] = [
        1: "3DES-CBC-CBC", 2: "AES-CBC-CMAC-128", 3: "AES-CBC-CMAC-192", 4: "AES-CBC-CMAC-256",
    ]
    static let plainHashes: [UInt: String] = [1: "SHA1", 2: "SHA224", 3: "SHA256", 4: "SHA384", 5: "SHA512", 6: "RIPEMD160"]

    /// The identifier of TR-03110 / Doc 9303 for a protocol OID, e.g. "id-PACE-ECDH-GM-AES-CBC-CMAC-128",
    /// "id-CA-ECDH-AES-CBC-CMAC-128", "id-PK-ECDH", "id-TA", "id-AA"; nil if unknown.
    public static func protocolName(_ oid: ASN1ObjectIdentifier) -> String? {
        func tail(_ prefix: ASN1ObjectIdentifier) -> [UInt]? { oid.arcs(after: prefix) }
        if let t = tail(idPACE) {
            guard let m = t.first.flatMap({ paceMappings[$0] }) else { return nil }
            if t.count == 1 { return "id-PACE-\(m)" }
            if t.count == 2, let cipher = ciphers[t[1]] { return "id-PACE-\(m)-\(cipher)" }
            return nil
        }
        if let t = tail(idCA) {
            guard let k = t.first.flatMap({ caKeyAgreements[$0] }) else { return nil }
            if t.count == 1 { return "id-CA-\(k)" }
            if t.count == 2, let cipher = ciphers[t[1]] { return "id-CA-\(k)-\(cipher)" }
            return nil
        }
        if let t = tail(idPK), t.count == 1, let k = caKeyAgreements[t[0]] { return "id-PK-\(k)" }
        if oid == idTA { return "id-TA" }
        if oid == idAA { return "id-AA" }
        if let t = tail(ecdsaPlain), t.count == 1, let h = plainHashes[t[0]] { return "ecdsa-plain-\(h)" }
        return nil
    }

    /// Names of the standardized domain parameters of TR-03110-3 table 4 / Doc 9303-11 table 6.
    public static func standardDomainParameterName(_ id: Int) -> String? {
        switch id {
        case 0: "1024-bit MODP Group with 160-bit Prime Order Subgroup"
        case 1: "2048-bit MODP Group with 224-bit Prime Order Subgroup"
        case 2: "2048-bit MODP Group with 256-bit Prime Order Subgroup"
        case 8: "NIST P-192 (secp192r1)"
        case 9: "brainpoolP192r1"
        case 10: "NIST P-224 (secp224r1)"
        case 11: "brainpoolP224r1"
        case 12: "NIST P-256 (secp256r1)"
        case 13: "brainpoolP256r1"
        case 14: "brainpoolP320r1"
        case 15: "NIST P-384 (secp384r1)"
        case 16: "brainpoolP384r1"
        case 17: "brainpoolP512r1"
        case 18: "NIST P-521 (secp521r1)"
        default: nil
        }
    }
}

/// Key agreement of PACE and Chip Authentication.
public enum KeyAgreement: String, Sendable, Hashable {
    case dh = "DH", ecdh = "ECDH"
}

/// PACE mapping.
public enum PACEMapping: String, Sendable, Hashable {
    case generic = "GM", integrated = "IM", chipAuthentication = "CAM"
}

/// Cipher and MAC of the secure messaging a protocol sets up.
public enum SessionCipher: String, Sendable, Hashable {
    case tripleDES = "3DES-CBC-CBC"
    case aes128 = "AES-CBC-CMAC-128"
    case aes192 = "AES-CBC-CMAC-192"
    case aes256 = "AES-CBC-CMAC-256"

    /// Key length in bits (112 for two-key 3DES).
    public var keyBits: Int {
        switch self {
        case .tripleDES: 112
        case .aes128: 128
        case .aes192: 192
        case .aes256: 256
        }
    }

    init?(code: UInt) {
        switch code {
        case 1: self = .tripleDES
        case 2: self = .aes128
        case 3: self = .aes192
        case 4: self = .aes256
        default: return nil
        }
    }
}

/// One SecurityInfo, recognised by its protocol OID.
public enum SecurityInfo: Hashable, Sendable {
    case pace(PACEInfo)
    case paceDomainParameters(PACEDomainParameterInfo)
    case chipAuthentication(ChipAuthenticationInfo)
    case chipAuthenticationDomainParameters(ChipAuthenticationDomainParameterInfo)
    case chipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo)
    case terminalAuthentication(TerminalAuthenticationInfo)
    case activeAuthentication(ActiveAuthenticationInfo)
    /// A protocol this library does not interpret (EFDIRInfo, CardInfoLocator, privileged terminal …).
    case unknown(ASN1ObjectIdentifier, raw: [UInt8])

    /// `protocol OBJECT IDENTIFIER`, the first element of every SecurityInfo.
    public var protocolOID: ASN1ObjectIdentifier {
        switch self {
        case .pace(let i): i.protocolOID
        case .paceDomainParameters(let i): i.protocolOID
        case .chipAuthentication(let i): i.protocolOID
        case .chipAuthenticationDomainParameters(let i): i.protocolOID
        case .chipAuthenticationPublicKey(let i): i.protocolOID
        case .terminalAuthentication(let i): i.protocolOID
        case .activeAuthentication(let i): i.protocolOID
        case .unknown(let oid, _): oid
        }
    }

    /// The SEQUENCE as read.
    public var raw: [UInt8] {
        switch self {
        case .pace(let i): i.raw
        case .paceDomainParameters(let i): i.raw
        case .chipAuthentication(let i): i.raw
        case .chipAuthenticationDomainParameters(let i): i.raw
        case .chipAuthenticationPublicKey(let i): i.raw
        case .terminalAuthentication(let i): i.raw
        case .activeAuthentication(let i): i.raw
        case .unknown(_, let raw): raw
        }
    }

    /// ``SecurityInfos/protocolName(_:)`` or the dotted OID.
    public var protocolName: String { SecurityInfos.protocolName(protocolOID) ?? protocolOID.description }

    init(node: ASN1Node) throws(EMRTDError) {
        let r = ASN1Reader.lds
        let parts = try r.children(node, .sequence, what: "SecurityInfo")
        guard parts.count >= 2 else {
            throw EMRTDError(.asn1Invalid, "SecurityInfo must have a protocol and required data, has \(parts.count) elements")
        }
        let oid = try r.oid(parts[0], what: "SecurityInfo.protocol")
        let raw = Array(node.encodedBytes)
        let required = parts[1]
        let optional = parts.count > 2 ? parts[2] : nil
        let name = SecurityInfos.protocolName(oid)
        let depth = oid.oidComponents.count
        // Known protocols must have their exact shape; a longer SEQUENCE is tolerated only for unknown ones.
        func checkCount(_ max: Int) throws(EMRTDError) {
            guard parts.count <= max else {
                throw EMRTDError(.asn1Invalid, "\(name ?? oid.description) has \(parts.count) elements, at most \(max) allowed")
            }
        }
        func optionalInt(_ what: String) throws(EMRTDError) -> Int? {
            guard let optional else { return nil }
            return try r.nonNegativeInt(optional, what: "\(name ?? "SecurityInfo").\(what)")
        }
        let label = name ?? oid.description

        if name != nil, oid.hasPrefix(SecurityInfos.idPACE) {
            try checkCount(3)
            if depth == SecurityInfos.idPACE.oidComponents.count + 2 {
                self = .pace(PACEInfo(
                    protocolOID: oid, version: try r.nonNegativeInt(required, what: "\(label).version"),
                    parameterID: try optionalInt("parameterId"), raw: raw))
            } else {
                self = .paceDomainParameters(PACEDomainParameterInfo(
                    protocolOID: oid, domainParameter: try r.algorithm(required, what: "\(label).domainParameter"),
                    parameterID: try optionalInt("parameterId"), raw: raw))
            }
        } else if name != nil, oid.hasPrefix(SecurityInfos.idCA) {
            try checkCount(3)
            if depth == SecurityInfos.idCA.oidComponents.count + 2 {
                self = .chipAuthentication(ChipAuthenticationInfo(
                    protocolOID: oid, version: try r.nonNegativeInt(required, what: "\(label).version"),
                    keyID: try optionalInt("keyId"), raw: raw))
            } else {
                self = .chipAuthenticationDomainParameters(ChipAuthenticationDomainParameterInfo(
                    protocolOID: oid, domainParameter: try r.algorithm(required, what: "\(label).domainParameter"),
                    keyID: try optionalInt("keyId"), raw: raw))
            }
        } else if name != nil, oid.hasPrefix(SecurityInfos.idPK) {
            try checkCount(3)
            self = .chipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo(
                protocolOID: oid, publicKey: try SubjectPublicKeyInfo(node: required),
                keyID: try optionalInt("keyId"), raw: raw))
        } else if oid == SecurityInfos.idTA {
            try checkCount(3)
            var fileID: [UInt8]? = nil
            if let optional {
                // efCVCA FileID ::= SEQUENCE { fid OCTET STRING (SIZE(2)), sfid OCTET STRING (SIZE(1)) OPTIONAL }
                let f = try r.children(optional, .sequence, what: "id-TA.efCVCA")
                guard let fid = f.first else { throw EMRTDError(.asn1Invalid, "id-TA.efCVCA is empty") }
                fileID = Array(try r.primitive(fid, .octetString, what: "id-TA.efCVCA.fid"))
            }
            self = .terminalAuthentication(TerminalAuthenticationInfo(
                protocolOID: oid, version: try r.nonNegativeInt(required, what: "id-TA.version"), efCVCAFileID: fileID,
                raw: raw))
        } else if oid == SecurityInfos.idAA {
            try checkCount(3)
            self = .activeAuthentication(ActiveAuthenticationInfo(
                protocolOID: oid, version: try r.nonNegativeInt(required, what: "id-AA.version"),
                signatureAlgorithm: try optional.map { n throws(EMRTDError) in
                    try r.oid(n, what: "id-AA.signatureAlgorithm")
                }, raw: raw))
        } else {
            self = .unknown(oid, raw: raw)
        }
    }
}

/// A PACE protocol the chip offers, with its domain parameters by ID (ICAO Doc 9303-11 9.2,
/// BSI TR-03110-3 A.1).
///
/// ```
/// PACEInfo ::= SEQUENCE { protocol OID (id-PACE-…), version INTEGER, parameterId INTEGER OPTIONAL }
/// ```
public struct PACEInfo: Hashable, Sendable {
    /// `protocol`: id-PACE-DH-GM-AES-CBC-CMAC-128 and the like, naming key agreement, mapping and cipher.
    public let protocolOID: ASN1ObjectIdentifier
    /// `version INTEGER`: 2 for PACE as Doc 9303 Part 11 specifies it.
    public let version: Int
    /// A standardized domain parameter ID (0-31) or a key to a PACEDomainParameterInfo.
    public let parameterID: Int?
    /// The SEQUENCE as read.
    public let raw: [UInt8]

    /// e.g. "id-PACE-ECDH-GM-AES-CBC-CMAC-128".
    public var protocolName: String { SecurityInfos.protocolName(protocolOID) ?? protocolOID.description }
    /// DH or ECDH, from the mapping arc of `protocolOID`; nil for an unknown arc.
    public var keyAgreement: KeyAgreement? {
        switch mappingCode { case 1, 3: .dh; case 2, 4, 6: .ecdh; default: nil }
    }
    /// Generic, integrated or Chip Authentication mapping, from `protocolOID`; nil for an unknown arc.
    public var mapping: PACEMapping? {
        switch mappingCode { case 1, 2: .generic; case 3, 4: .integrated; case 6: .chipAuthentication; default: nil }
    }
    /// The secure messaging PACE sets up, from the last arc of `protocolOID`.
    public var cipher: SessionCipher? { protocolOID.oidComponents.last.flatMap { SessionCipher(code: $0) } }
    /// e.g. "brainpoolP256r1" for parameter ID 13.
    public var standardDomainParameterName: String? { parameterID.flatMap(SecurityInfos.standardDomainParameterName) }

    private var mappingCode: UInt? {
        let c = protocolOID.oidComponents
        return c.count == SecurityInfos.idPACE.oidComponents.count + 2 ? c[c.count - 2] : nil
    }
}

/// Domain parameters for PACE that a standardized parameter ID does not cover (ICAO Doc 9303-11
/// 9.2, BSI TR-03110-3 A.1).
///
/// ```
/// PACEDomainParameterInfo ::= SEQUENCE { protocol OID (id-PACE-DH-GM …), domainParameter AlgorithmIdentifier,
///                                        parameterId INTEGER OPTIONAL }
/// ```
public struct PACEDomainParameterInfo: Hashable, Sendable {
    /// `protocol`: id-PACE-DH-GM, id-PACE-ECDH-GM, id-PACE-DH-IM, id-PACE-ECDH-IM or id-PACE-ECDH-CAM.
    public let protocolOID: ASN1ObjectIdentifier
    /// `domainParameter`: explicit DH or EC domain parameters, or standardizedDomainParameters with an ID.
    public let domainParameter: AlgorithmIdentifier
    /// `parameterId`: tells several sets apart; a PACEInfo's parameterId refers to one.
    public let parameterID: Int?
    /// The SEQUENCE as read.
    public let raw: [UInt8]
}

/// A Chip Authentication protocol the chip offers, and for which key (ICAO Doc 9303-11 9.2, BSI TR-03110-3 A.1).
///
/// ```
/// ChipAuthenticationInfo ::= SEQUENCE { protocol OID (id-CA-…), version INTEGER, keyId INTEGER OPTIONAL }
/// ```
public struct ChipAuthenticationInfo: Hashable, Sendable {
    /// `protocol`: id-CA-ECDH-AES-CBC-CMAC-128 and the like, naming key agreement and cipher.
    public let protocolOID: ASN1ObjectIdentifier
    /// `version INTEGER`: 1 in Doc 9303; BSI TR-03110 also defines 2.
    public let version: Int
    /// `keyId`: the ChipAuthenticationPublicKeyInfo this protocol uses, when the chip has more than one key.
    public let keyID: Int?
    /// The SEQUENCE as read.
    public let raw: [UInt8]

    /// e.g. "id-CA-ECDH-AES-CBC-CMAC-128".
    public var protocolName: String { SecurityInfos.protocolName(protocolOID) ?? protocolOID.description }
    /// DH or ECDH, from the second-to-last arc of `protocolOID`.
    public var keyAgreement: KeyAgreement? {
        let c = protocolOID.oidComponents
        guard c.count >= 2 else { return nil }
        switch c[c.count - 2] { case 1: return .dh; case 2: return .ecdh; default: return nil }
    }
    /// The secure messaging Chip Authentication sets up, from the last arc of `protocolOID`.
    public var cipher: SessionCipher? { protocolOID.oidComponents.last.flatMap { SessionCipher(code: $0) } }
}

/// The domain parameters of a Chip Authentication key (ICAO Doc 9303-11 9.2, BSI TR-03110-3 A.1).
///
/// ```
/// ChipAuthenticationDomainParameterInfo ::= SEQUENCE { protocol OID (id-CA-DH | id-CA-ECDH),
///     domainParameter AlgorithmIdentifier, keyId INTEGER OPTIONAL }
/// ```
public struct ChipAuthenticationDomainParameterInfo: Hashable, Sendable {
    /// `protocol`: id-CA-DH or id-CA-ECDH.
    public let protocolOID: ASN1ObjectIdentifier
    /// `domainParameter`: the domain parameters of a Chip Authentication key.
    public let domainParameter: AlgorithmIdentifier
    /// `keyId`: the key these parameters belong to, when the chip has more than one.
    public let keyID: Int?
    /// The SEQUENCE as read.
    public let raw: [UInt8]
}

/// A static Chip Authentication public key of the chip (ICAO Doc 9303-11 9.2, BSI TR-03110-3 A.1).
///
/// ```
/// ChipAuthenticationPublicKeyInfo ::= SEQUENCE { protocol OID (id-PK-DH | id-PK-ECDH),
///     chipAuthenticationPublicKey SubjectPublicKeyInfo, keyId INTEGER OPTIONAL }
/// ```
public struct ChipAuthenticationPublicKeyInfo: Hashable, Sendable {
    /// `protocol`: id-PK-DH or id-PK-ECDH.
    public let protocolOID: ASN1ObjectIdentifier
    /// `chipAuthenticationPublicKey`: the chip's static key with its domain parameters.
    public let publicKey: SubjectPublicKeyInfo
    /// `keyId`: names the key when the chip has more than one; ChipAuthenticationInfo refers to it.
    public let keyID: Int?
    /// The SEQUENCE as read.
    public let raw: [UInt8]

    /// DH for id-PK-DH, ECDH for id-PK-ECDH.
    public var keyAgreement: KeyAgreement? {
        switch protocolOID.oidComponents.last { case 1: .dh; case 2: .ecdh; default: nil }
    }
}

/// Terminal Authentication, which guards DG3 and DG4 (ICAO Doc 9303-11 9.2, BSI TR-03110-3 A.1).
///
/// ```
/// TerminalAuthenticationInfo ::= SEQUENCE { protocol id-TA, version INTEGER, efCVCA FileID OPTIONAL }
/// ```
public struct TerminalAuthenticationInfo: Hashable, Sendable {
    /// `protocol`: id-TA (0.4.0.127.0.7.2.2.2).
    public let protocolOID: ASN1ObjectIdentifier
    /// `version INTEGER`: the Terminal Authentication version, 1 or 2.
    public let version: Int
    /// fid of EF.CVCA when given.
    public let efCVCAFileID: [UInt8]?
    /// The SEQUENCE as read.
    public let raw: [UInt8]
}

/// How the chip signs in Active Authentication (ICAO Doc 9303-11 9.2).
///
/// ```
/// ActiveAuthenticationInfo ::= SEQUENCE { protocol id-AA, version INTEGER, signatureAlgorithm OID }
/// ```
/// Present when Active Authentication uses ECDSA: the plain signature's hash (ecdsa-plain-SHA256 …).
public struct ActiveAuthenticationInfo: Hashable, Sendable {
    /// `protocol`: id-AA (2.23.136.1.1.5).
    public let protocolOID: ASN1ObjectIdentifier
    /// `version INTEGER`: 1.
    public let version: Int
    /// `signatureAlgorithm`: the ecdsa-plain-… OID that names the hash of the ECDSA signature.
    public let signatureAlgorithm: ASN1ObjectIdentifier?
    /// The SEQUENCE as read.
    public let raw: [UInt8]

    /// e.g. "ecdsa-plain-SHA256".
    public var signatureAlgorithmName: String? { signatureAlgorithm.flatMap(SecurityInfos.protocolName) }
}
