import Cryptography
import EMRTDCore

/// The group a PACE run computes in: an elliptic curve or a MODP group with a prime-order
/// subgroup, with the current generator (the static one, then the mapped one).
///
/// Public keys travel encoded: an uncompressed point `04 || X || Y` for ECDH, the public value
/// left-padded to the prime's length for DH (ICAO 9303-11 4.4.4, BSI TR-03110-3 D.3.4).
enum PACEDomain: Sendable {
    case ec(ECGroup)
    case dh(DHGroup)

    static func standard(parameterID: Int) throws(EMRTDError) -> PACEDomain {
        switch parameterID {
        case 0...2: return .dh(try DHGroup.standard(parameterID: parameterID))
        case 8...18: return .ec(try ECGroup.standard(parameterID: parameterID))
        default:
            throw EMRTDError(.paceUnsupported, "PACE standardized domain parameter \(parameterID) is not defined (0-2, 8-18 are)")
        }
    }

    /// The tag of a public key inside the 7F49 public key data object of the authentication token.
    var publicKeyTag: UInt32 { if case .ec = self { return 0x86 } else { return 0x84 } }

    func generatePrivateKey() throws(EMRTDError) -> [UInt8] {
        switch self {
        case .ec(let g): return try g.generatePrivateKey()
        case .dh(let g): return try g.generatePrivateKey()
        }
    }

    func publicKey(_ privateKey: [UInt8]) throws(EMRTDError) -> [UInt8] {
        switch self {
        case .ec(let g): return try g.publicKey(privateKey).encoded
        case .dh(let g): return try g.publicKey(privateKey)
        }
    }

    /// Checks a public key received from the other side; throws if it is not a valid group element.
    func validate(_ publicKey: [UInt8]) throws(EMRTDError) {
        switch self {
        case .ec(let g): _ = try g.point(publicKey)
        case .dh(let g): try g.validatePublicKey(publicKey)
        }
    }

    /// Key agreement: the x-coordinate of sk·PK (ECDH), or PK^sk mod p (DH), padded.
    func sharedSecret(_ privateKey: [UInt8], _ peer: [UInt8]) throws(EMRTDError) -> [UInt8] {
        switch self {
        case .ec(let g): return try g.sharedSecret(privateKey, g.point(peer))
        case .dh(let g): return try g.sharedSecret(privateKey, peer)
        }
    }

    /// Generic Mapping (ICAO 9303-11 4.4.3.3.1): G' = s·G + H with H = sk·PK (the full point),
    /// or g' = g^s · h mod p with h = PK^sk.
    func genericMapping(nonce s: [UInt8], privateKey: [UInt8], peerPublicKey: [UInt8]) throws(EMRTDError) -> PACEDomain {
        switch self {
        case .ec(let g):
            let h = try g.multiply(g.point(peerPublicKey), privateKey)
            let mapped = try g.add(g.multiplyGenerator(s), h)
            return .ec(try g.withGenerator(mapped))
        case .dh(let g):
            try g.validatePublicKey(peerPublicKey)
            let h = try g.power(peerPublicKey, privateKey)
            let mapped = try g.multiply(g.power(g.generator, s), h)
            return .dh(try g.withGenerator(mapped))
        }
    }

    /// Integrated Mapping (ICAO 9303-11 4.4.3.3.2): the generator is the encoding of R(s, t).
    func integratedMapping(nonce s: [UInt8], t: [UInt8], cipher: KeyDerivation.Cipher) throws(EMRTDError) -> PACEDomain {
        switch self {
        case .ec(let g): return .ec(try g.withGenerator(IntegratedMapping.map(s: s, t: t, cipher: cipher, ecGroup: g)))
        case .dh(let g): return .dh(try g.withGenerator(IntegratedMapping.map(s: s, t: t, cipher: cipher, dhGroup: g)))
        }
    }
}
