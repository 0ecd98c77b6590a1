// Object identifiers: swift-asn1's `ASN1ObjectIdentifier` is the toolkit's one OID type (written as
// literals, `"0.4.0.127.0.7.2.2.4"` or `[2, 5, 4, 3]`); this file adds what eMRTD code needs of it
// and the one table of the OIDs that more than one module uses, with their names.

public import EMRTDCore
public import SwiftASN1

extension ASN1ObjectIdentifier {
    /// Decodes the content octets of an OBJECT IDENTIFIER (X.690 8.19, tag and length left out), as
    /// MSE:Set AT's DO'80' and DG13 carry them. Throws ``EMRTDError/Code/asn1Invalid``.
    public init(contentBytes: some Collection<UInt8>) throws(EMRTDError) {
        let reader = ASN1Reader(.asn1Invalid, rules: .der)
        guard !contentBytes.isEmpty else { throw reader.fail("an empty object identifier") }
        self = try reader.oid(try reader.parse(DERWriter.primitive(.objectIdentifier, contentBytes), what: "object identifier"), what: "object identifier")
    }

    /// The content octets (without tag and length).
    public var contentBytes: [UInt8] {
        let encoded = DERWriter.oid(self)
        // 06, then a short length or 8x and x length octets.
        let lengthOctets = encoded[1] < 0x80 ? 1 : 1 + Int(encoded[1] & 0x7F)
        return Array(encoded.dropFirst(1 + lengthOctets))
    }

    /// True if `prefix` is this OID or an ancestor of it.
    public func hasPrefix(_ prefix: ASN1ObjectIdentifier) -> Bool {
        let own = oidComponents, other = prefix.oidComponents
        return own.count >= other.count && own.starts(with: other)
    }

    /// The arcs after `prefix`; nil when `prefix` is not this OID or an ancestor.
    public func arcs(after prefix: ASN1ObjectIdentifier) -> [UInt]? {
        let own = oidComponents, other = prefix.oidComponents
        guard own.count >= other.count, own.starts(with: other) else { return nil }
        return Array(own.dropFirst(other.count))
    }

    /// The name of a known OID (``KnownOID/names``), e.g. `sha256WithRSAEncryption`; nil otherwise.
    package var knownName: String? { KnownOID.names[self] }
}

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY DEFINED BY algorithm OPTIONAL }`
/// (RFC 5280 4.1.1.2): what X.509, CMS and SecurityInfos name an algorithm with.
public struct AlgorithmIdentifier: Hashable, Sendable, CustomStringConvertible {
    /// `algorithm OBJECT IDENTIFIER`, e.g. id-sha256, ecdsa-with-SHA256, id-ecPublicKey.
    public let algorithm: ASN1ObjectIdentifier
    /// The parameters' encoding as read (e.g. `05 00` for NULL), nil when absent.
    public let parameters: [UInt8]?

    /// An identifier with its parameters' encoding (the whole TLV, e.g. `05 00`), or nil to leave them out.
    public init(algorithm: ASN1ObjectIdentifier, parameters: [UInt8]?) {
        self.algorithm = algorithm
        self.parameters = parameters
    }

    /// The DER encoding.
    public var encoded: [UInt8] { DERWriter.algorithm(algorithm, parameters: parameters) }

    /// The algorithm's name and OID (`SHA-256 (2.16.840.1.101.3.4.2.1)`), or the OID alone.
    public var description: String { KnownOID.describe(algorithm) }
}

/// The object identifiers more than one module uses, by the name their specification gives them.
package enum KnownOID {
    // MARK: Keys (RFC 3279, RFC 5480, RFC 4055)

    package static let rsaEncryption: ASN1ObjectIdentifier = "1.2.840.113549.1.1.1"
    package static let rsassaPSS: ASN1ObjectIdentifier = "1.2.840.113549.1.1.10"
    package static let mgf1: ASN1ObjectIdentifier = "1.2.840.113549.1.1.8"
    package static let ecPublicKey: ASN1ObjectIdentifier = "1.2.840.10045.2.1"
    package static let primeField: ASN1ObjectIdentifier = "1.2.840.10045.1.1"
    package static let dhPublicNumber: ASN1ObjectIdentifier = "1.2.840.10046.2.1"
    package static let dhKeyAgreement: ASN1ObjectIdentifier = "1.2.840.113549.1.3.1"

    // MARK: Hashes (NIST, OIW)

    package static let sha1: ASN1ObjectIdentifier = "1.3.14.3.2.26"
    package static let sha224: ASN1ObjectIdentifier = "2.16.840.1.101.3.4.2.4"
    package static let sha256: ASN1ObjectIdentifier = "2.16.840.1.101.3.4.2.1"
    package static let sha384: ASN1ObjectIdentifier = "2.16.840.1.101.3.4.2.2"
    package static let sha512: ASN1ObjectIdentifier = "2.16.840.1.101.3.4.2.3"

    // MARK: BSI TR-03110-3 / ICAO Doc 9303-11 protocols

    /// `id-PACE` (bsi-de protocols smartcard 4).
    package static let idPACE: ASN1ObjectIdentifier = "0.4.0.127.0.7.2.2.4"
    /// `id-CA`.
    package static let idCA: ASN1ObjectIdentifier = "0.4.0.127.0.7.2.2.3"
    /// `id-PK`, the Chip Authentication public keys.
    package static let idPK: ASN1ObjectIdentifier = "0.4.0.127.0.7.2.2.1"
    package static let idPKDH: ASN1ObjectIdentifier = "0.4.0.127.0.7.2.2.1.1"
    package static let idPKECDH: ASN1ObjectIdentifier = "0.4.0.127.0.7.2.2.1.2"
    /// `id-TA`.
    package static let idTA: ASN1ObjectIdentifier = "0.4.0.127.0.7.2.2.2"
    /// `id-AA` (ICAO 9303-11 9.2.9).
    package static let idAA: ASN1ObjectIdentifier = "2.23.136.1.1.5"
    /// `standardizedDomainParameters` (TR-03110-3 A.2.1.1).
    package static let standardizedDomainParameters: ASN1ObjectIdentifier = "0.4.0.127.0.7.1.2"
    /// `ecdsa-plain-signatures` (BSI TR-03111 5.2.1): `ecdsa-plain-SHA1` is this + 1, … SHA512 + 5.
    package static let ecdsaPlainSignatures: ASN1ObjectIdentifier = "0.4.0.127.0.7.1.1.4.1"

    // MARK: Named curves (RFC 5480, RFC 5639)

    /// Each named curve: its name as ``ECGroup`` spells it, its OID, and the bits of its prime.
    package static let namedCurves: [(name: String, oid: ASN1ObjectIdentifier, fieldBits: Int)] = [
        ("secp192r1", "1.2.840.10045.3.1.1", 192), ("secp224r1", "1.3.132.0.33", 224),
        ("secp256r1", "1.2.840.10045.3.1.7", 256), ("secp384r1", "1.3.132.0.34", 384),
        ("secp521r1", "1.3.132.0.35", 521),
        ("brainpoolP160r1", "1.3.36.3.3.2.8.1.1.1", 160), ("brainpoolP192r1", "1.3.36.3.3.2.8.1.1.3", 192),
        ("brainpoolP224r1", "1.3.36.3.3.2.8.1.1.5", 224), ("brainpoolP256r1", "1.3.36.3.3.2.8.1.1.7", 256),
        ("brainpoolP320r1", "1.3.36.3.3.2.8.1.1.9", 320), ("brainpoolP384r1", "1.3.36.3.3.2.8.1.1.11", 384),
        ("brainpoolP512r1", "1.3.36.3.3.2.8.1.1.13", 512),
    ]

    // MARK: Names

    /// Readable names of the algorithm and content-type OIDs eMRTD PKI uses.
    package static let names: [ASN1ObjectIdentifier: String] = [
        sha1: "SHA-1", sha224: "SHA-224", sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512",
        rsaEncryption: "rsaEncryption", rsassaPSS: "RSASSA-PSS", ecPublicKey: "id-ecPublicKey",
        dhPublicNumber: "dhpublicnumber", dhKeyAgreement: "dhKeyAgreement", idPKECDH: "id-PK-ECDH", idPKDH: "id-PK-DH",
        "1.2.840.113549.1.1.5": "sha1WithRSAEncryption", "1.2.840.113549.1.1.14": "sha224WithRSAEncryption",
        "1.2.840.113549.1.1.11": "sha256WithRSAEncryption", "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
        "1.2.840.10045.4.1": "ecdsa-with-SHA1", "1.2.840.10045.4.3.1": "ecdsa-with-SHA224",
        "1.2.840.10045.4.3.2": "ecdsa-with-SHA256", "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
        "1.2.840.113549.1.7.1": "id-data", "1.2.840.113549.1.7.2": "id-signedData",
        "1.2.840.113549.1.7.3": "id-envelopedData", "1.2.840.113549.1.7.4": "id-signedAndEnvelopedData",
        "1.2.840.113549.1.7.5": "id-digestedData",
        "2.23.136.1.1.1": "id-icao-mrtd-security-ldsSecurityObject", "2.23.136.1.1.2": "id-icao-cscaMasterList",
        "0.4.0.127.0.7.3.2.1": "id-SecurityObject",
    ]

    /// `name (dotted)` for a known OID, the dotted OID otherwise.
    package static func describe(_ oid: ASN1ObjectIdentifier) -> String {
        names[oid].map { "\($0) (\(oid))" } ?? oid.description
    }
}

extension ASN1ObjectIdentifier {
    /// This OID with `arcs` after it (`idPACE.appending(2, 2)`).
    public func appending(_ arcs: UInt...) -> ASN1ObjectIdentifier { appending(contentsOf: arcs) }

    /// This OID with `arcs` after it.
    public func appending(contentsOf arcs: [UInt]) -> ASN1ObjectIdentifier {
        do {
            return try ASN1ObjectIdentifier(elements: oidComponents + arcs)
        } catch {
            // An OID has at least two components, so one with more arcs is always valid.
            preconditionFailure("extending \(self) by \(arcs) failed: \(error)")
        }
    }
}
