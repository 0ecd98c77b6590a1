// X.509 v3 certificates (RFC 5280) as eMRTD PKI uses them (ICAO Doc 9303 Part 12): CSCA, link
// and document signer certificates.
//
// Certificates come from chips, master lists and files: the parser bounds-checks everything and
// throws on malformed input. Signatures are verified directly with the issuer's key (never by
// OpenSSL chain building, which refuses the explicit EC parameters many eMRTD certificates carry).

public import EMRTDCore
public import Cryptography
import EMRTDASN1
public import Foundation
public import SwiftASN1

extension EMRTDError.Code {
    /// A certificate could not be decoded.
    public static let malformedCertificate = Self("x509.certificate-malformed")
}

/// A parsed X.509 certificate. Two certificates are equal when their DER encodings are. (Not
/// `Certificate`, which swift-certificates' `X509` module declares.)
public struct X509Certificate: Sendable, Hashable, CustomStringConvertible {
    /// The key usage extension's bits (RFC 5280, 4.2.1.3).
    public struct KeyUsage: OptionSet, Sendable, Hashable {
        /// The named bits, bit n of the BIT STRING as `1 << n`:
        ///
        /// ```
        /// KeyUsage ::= BIT STRING {
        ///     digitalSignature (0), nonRepudiation (1), keyEncipherment (2),
        ///     dataEncipherment (3), keyAgreement (4), keyCertSign (5),
        ///     cRLSign (6), encipherOnly (7), decipherOnly (8) }
        /// ```
        public let rawValue: UInt16
        /// The usage with these bits.
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        /// `digitalSignature (0)`: verifying signatures other than on certificates and CRLs; a Document
        /// Signer's only usage (ICAO 9303-12 7).
        public static let digitalSignature = KeyUsage(rawValue: 1 << 0)
        /// `nonRepudiation (1)`, called contentCommitment in recent editions of X.509.
        public static let nonRepudiation = KeyUsage(rawValue: 1 << 1)
        /// `keyEncipherment (2)`: enciphering private or secret keys (RSA key transport).
        public static let keyEncipherment = KeyUsage(rawValue: 1 << 2)
        /// `dataEncipherment (3)`: enciphering user data directly.
        public static let dataEncipherment = KeyUsage(rawValue: 1 << 3)
        /// `keyAgreement (4)`: key agreement, e.g. Diffie-Hellman.
        public static let keyAgreement = KeyUsage(rawValue: 1 << 4)
        /// `keyCertSign (5)`: verifying signatures on certificates; a CSCA's usage, with cA set.
        public static let keyCertSign = KeyUsage(rawValue: 1 << 5)
        /// `cRLSign (6)`: verifying signatures on CRLs; a CSCA's other usage.
        public static let cRLSign = KeyUsage(rawValue: 1 << 6)
        /// `encipherOnly (7)`: with keyAgreement, the key may only encipher.
        public static let encipherOnly = KeyUsage(rawValue: 1 << 7)
        /// `decipherOnly (8)`: with keyAgreement, the key may only decipher.
        public static let decipherOnly = KeyUsage(rawValue: 1 << 8)
    }

    /// The DER encoding.
    public var der: [UInt8] { storage.der }
    /// 1, 2 or 3.
    public var version: Int { storage.version }
    /// The serial number: the INTEGER's big-endian contents without leading zero bytes (`[0]` for zero).
    public var serialNumber: [UInt8] { storage.serialNumber }
    /// `issuer Name` (RFC 5280 4.1.2.4): the CA that signed the certificate; a DSC's CSCA.
    public var issuer: X509Name { storage.issuer }
    /// `subject Name` (RFC 5280 4.1.2.6): whom the key belongs to; the issuer itself for a CSCA root
    /// or link certificate.
    public var subject: X509Name { storage.subject }
    /// Start of the validity period (RFC 5280 4.1.2.5):
    ///
    /// ```
    /// Validity ::= SEQUENCE { notBefore Time, notAfter Time }
    /// Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }
    /// ```
    public var notBefore: Date { storage.notBefore }
    /// End of the validity period, inclusive.
    public var notAfter: Date { storage.notAfter }
    /// The subject's key (EC keys with explicit domain parameters included).
    public var publicKey: PublicKey { storage.publicKey }
    /// The OID of the certificate's signature algorithm.
    public var signatureAlgorithm: ASN1ObjectIdentifier { signed.algorithm }
    /// The signature scheme, or nil when the algorithm is not supported (then ``isSignedBy(_:)`` throws).
    public var signatureScheme: SignatureScheme? { signed.scheme }
    /// The subject key identifier extension's value.
    public var subjectKeyIdentifier: [UInt8]? { storage.subjectKeyIdentifier }
    /// The keyIdentifier of the authority key identifier extension.
    public var authorityKeyIdentifier: [UInt8]? { storage.authorityKeyIdentifier }
    /// True when basic constraints say cA.
    public var isCA: Bool { storage.isCA }
    /// The basic constraints' pathLenConstraint.
    public var pathLengthConstraint: Int? { storage.pathLengthConstraint }
    /// The key usage extension, nil when absent (no restriction).
    public var keyUsage: KeyUsage? { storage.keyUsage }
    /// The OIDs of the extensions present, in order.
    public var extensionOIDs: [ASN1ObjectIdentifier] { storage.extensionOIDs }
    /// Critical extensions this type does not interpret (the caller decides what they mean).
    public var unhandledCriticalExtensions: [ASN1ObjectIdentifier] { storage.unhandledCriticalExtensions }

    private var signed: SignedPart { storage.signed }

    /// Every field, in one object: a certificate is copied into every verification's context and
    /// result (its signer, its CSCA), and a struct of twenty reference-counted fields cost twenty
    /// retains and releases per copy (they showed in the profile of passive authentication).
    private let storage: Storage

    // MARK: Parsing

    /// Decodes a DER certificate. Throws ``EMRTDError/Code/malformedCertificate`` (or
    /// ``EMRTDError/Code/invalidKey`` for an undecodable subject key).
    public init(der: [UInt8]) throws(EMRTDError) {
        do {
            storage = try Storage(parsing: der)
        } catch {
            switch error.code {
            case .malformedCertificate, .invalidKey: throw error
            default: throw EMRTDError(.malformedCertificate, "invalid certificate: \(error.message)")
            }
        }
    }


    /// Every certificate in a file: one DER certificate, or PEM text with one or more
    /// `CERTIFICATE` blocks (other blocks are skipped). Throws when there is none or one is malformed.
    public static func parse(fileContents: [UInt8]) throws(EMRTDError) -> [X509Certificate] {
        try objects(in: fileContents, labels: ["CERTIFICATE", "X509 CERTIFICATE"], code: .malformedCertificate) {
            (der: [UInt8]) throws(EMRTDError) in try X509Certificate(der: der)
        }
    }

    // MARK: Checks

    /// True when the issuer and subject names are equal (by value): a CSCA root or link certificate.
    public var isSelfIssued: Bool { issuer == subject }

    /// True when `date` is within [notBefore, notAfter].
    public func isValid(at date: Date) -> Bool { notBefore <= date && date <= notAfter }

    /// True when this certificate's signature verifies with `key` (its issuer's public key).
    ///
    /// The signature is checked over the exact TBS bytes read. False when it does not verify, or
    /// when the outer signature algorithm differs from the one inside the TBS. Throws
    /// ``EMRTDError/Code/unsupportedAlgorithm`` for an unsupported algorithm and
    /// ``EMRTDError/Code/signatureKeyMismatch`` when `key` is of the wrong type for it.
    public func isSignedBy(_ key: PublicKey) throws(EMRTDError) -> Bool {
        try signed.isSigned(by: key, what: "certificate")
    }

    /// The PEM text (`-----BEGIN CERTIFICATE-----`).
    public var pem: String { PKIPEM.encode(label: "CERTIFICATE", der: der) }

    /// Subject, issuer and serial number (hex), for logs.
    public var description: String { "Certificate(subject: \(subject), issuer: \(issuer), serial: \(serialNumber.hex))" }

    /// Equal when the DER encodings are.
    public static func == (lhs: X509Certificate, rhs: X509Certificate) -> Bool { lhs.storage === rhs.storage || lhs.der == rhs.der }
    /// Hashes the DER encoding's length and its last 64 bytes (the signature, unique to the
    /// certificate), in one buffer: consistent with `==`, without hashing a kilobyte byte by byte.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(der.count)
        der.withUnsafeBytes { hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: $0.suffix(64))) }
    }
}

extension X509Certificate {
    /// The parsed fields (see `storage`). Immutable once made, hence `Sendable`.
    final class Storage: Sendable {
        let der: [UInt8]
        let version: Int
        let serialNumber: [UInt8]
        let issuer: X509Name
        let subject: X509Name
        let notBefore: Date
        let notAfter: Date
        let publicKey: PublicKey
        let subjectKeyIdentifier: [UInt8]?
        let authorityKeyIdentifier: [UInt8]?
        let isCA: Bool
        let pathLengthConstraint: Int?
        let keyUsage: X509Certificate.KeyUsage?
        let extensionOIDs: [ASN1ObjectIdentifier]
        let unhandledCriticalExtensions: [ASN1ObjectIdentifier]
        let signed: SignedPart

        init(parsing der: [UInt8]) throws(EMRTDError) {
            let r = ASN1Reader.certificate
            let envelope = try SignedPart.envelope(der, r, what: "certificate", tbs: "tbsCertificate")
            var fields = try r.fields(envelope.tbs, .sequence, what: "tbsCertificate")
            if let explicitVersion = fields.nextIfPresent(.context(0)) {
                version = try r.nonNegativeInt(try r.explicit(explicitVersion, tag: 0, what: "version"), what: "version") + 1
                guard (1...3).contains(version) else {
                    throw EMRTDError(.malformedCertificate, "unknown certificate version \(version)")
                }
            } else {
                version = 1
            }
            serialNumber = try serialNumberBytes(try fields.next(.integer, "serialNumber"), r)
            let innerAlgorithm = try fields.next(.sequence, "signature")
            issuer = try X509Name(node: try fields.next(.sequence, "issuer"))
            var validity = try r.fields(try fields.next(.sequence, "validity"), .sequence, what: "validity")
            notBefore = try r.time(try validity.next("notBefore"), what: "notBefore")
            notAfter = try r.time(try validity.next("notAfter"), what: "notAfter")
            try validity.finish()
            subject = try X509Name(node: try fields.next(.sequence, "subject"))
            let spki = try fields.next(.sequence, "subjectPublicKeyInfo")
            _ = fields.nextIfPresent(.context(1))  // issuerUniqueID
            _ = fields.nextIfPresent(.context(2))  // subjectUniqueID
            var extensions: [Extension] = []
            if let wrapped = fields.nextIfPresent(.context(3)) {
                extensions = try readExtensions(try r.explicit(wrapped, tag: 3, what: "extensions"), r)
            }
            try fields.finish()

            signed = envelope.signedPart(inner: innerAlgorithm)
            publicKey = try PublicKey(subjectPublicKeyInfo: Array(spki.encodedBytes))

            var ski: [UInt8]? = nil, aki: [UInt8]? = nil, ca = false, pathLength: Int? = nil, usage: X509Certificate.KeyUsage? = nil
            var unhandled: [ASN1ObjectIdentifier] = []
            for ext in extensions {
                switch ext.oid {
                case ExtensionOID.subjectKeyIdentifier:
                    ski = try r.octetString(try r.parse(ext.value, what: "subjectKeyIdentifier"), what: "subjectKeyIdentifier")
                case ExtensionOID.authorityKeyIdentifier:
                    aki = try authorityKeyIdentifierValue(ext.value, r)
                case ExtensionOID.basicConstraints:
                    var constraints = try r.fields(
                        try r.parse(ext.value, what: "basicConstraints"), .sequence, what: "basicConstraints")
                    if let flag = constraints.nextIfPresent(.boolean) { ca = try r.boolean(flag, what: "cA") }
                    if let length = constraints.nextIfPresent(.integer) {
                        pathLength = try r.nonNegativeInt(length, what: "pathLenConstraint")
                    }
                    try constraints.finish()
                case ExtensionOID.keyUsage:
                    usage = try keyUsageValue(ext.value, r)
                default:
                    if ext.critical { unhandled.append(ext.oid) }
                }
            }
            if version < 3 && !extensions.isEmpty {
                throw EMRTDError(.malformedCertificate, "a version \(version) certificate with extensions")
            }
            subjectKeyIdentifier = ski
            authorityKeyIdentifier = aki
            isCA = ca
            pathLengthConstraint = pathLength
            keyUsage = usage
            extensionOIDs = extensions.map(\.oid)
            unhandledCriticalExtensions = unhandled
            self.der = der
        }
    }
}

extension PublicKey {
    /// The key identifier of RFC 5280, 4.2.1.2, method 1: SHA-1 of the subjectPublicKey BIT STRING
    /// (without its unused-bits byte).
    public var keyIdentifier: [UInt8] {
        let r = ASN1Reader.certificate
        if let spki = try? r.children(try r.parse(subjectPublicKeyInfo, what: "SubjectPublicKeyInfo"), .sequence, what: "SubjectPublicKeyInfo"),
           spki.count == 2, case .primitive(let bits) = spki[1].content, spki[1].identifier == .bitString, !bits.isEmpty
        {
            return HashAlgorithm.sha1.hash(Array(bits.dropFirst()))
        }
        return HashAlgorithm.sha1.hash(subjectPublicKeyInfo)
    }
}

extension ASN1Reader {
    /// The reader of certificates: failures are `x509.certificate-malformed`.
    static let certificate = ASN1Reader(.malformedCertificate, rules: .der)
}

// MARK: - Shared parsing

enum ExtensionOID {
    static let subjectKeyIdentifier: ASN1ObjectIdentifier = "2.5.29.14"
    static let keyUsage: ASN1ObjectIdentifier = "2.5.29.15"
    static let basicConstraints: ASN1ObjectIdentifier = "2.5.29.19"
    static let crlNumber: ASN1ObjectIdentifier = "2.5.29.20"
    static let authorityKeyIdentifier: ASN1ObjectIdentifier = "2.5.29.35"
}

struct Extension {
    let oid: ASN1ObjectIdentifier
    let critical: Bool
    /// The contents of extnValue (the DER of the extension's value).
    let value: [UInt8]
}

/// `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension`,
/// `Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }`.
func readExtensions(_ node: ASN1Node, _ r: ASN1Reader) throws(EMRTDError) -> [Extension] {
    var out: [Extension] = []
    for item in try r.children(node, .sequence, what: "extensions") {
        var fields = try r.fields(item, .sequence, what: "Extension")
        let oid = try r.oid(try fields.next("extnID"), what: "extnID")
        let critical = try fields.nextIfPresent(.boolean).map { (n: ASN1Node) throws(EMRTDError) in try r.boolean(n, what: "critical") } ?? false
        let value = try r.octetString(try fields.next("extnValue"), what: "extnValue")
        try fields.finish()
        guard !out.contains(where: { $0.oid == oid }) else {
            throw EMRTDError(.malformedCertificate, "extension \(oid) appears twice")
        }
        out.append(Extension(oid: oid, critical: critical, value: value))
    }
    return out
}

/// A serial number INTEGER's contents without leading zero bytes.
func serialNumberBytes(_ node: ASN1Node, _ r: ASN1Reader) throws(EMRTDError) -> [UInt8] {
    integerMagnitude(try r.integerBytes(node, what: "serialNumber"))
}

/// `AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, … }`.
func authorityKeyIdentifierValue(_ value: [UInt8], _ r: ASN1Reader) throws(EMRTDError) -> [UInt8]? {
    var fields = try r.fields(try r.parse(value, what: "authorityKeyIdentifier"), .sequence, what: "authorityKeyIdentifier")
    let keyID = fields.nextIfPresent(.context(0))
    _ = fields.nextIfPresent(.context(1))  // authorityCertIssuer
    _ = fields.nextIfPresent(.context(2))  // authorityCertSerialNumber
    try fields.finish()
    return try keyID.map { (n: ASN1Node) throws(EMRTDError) in Array(try r.primitive(n, .context(0), what: "keyIdentifier")) }
}

private func keyUsageValue(_ value: [UInt8], _ r: ASN1Reader) throws(EMRTDError) -> X509Certificate.KeyUsage {
    let contents = try r.primitive(try r.parse(value, what: "keyUsage"), .bitString, what: "keyUsage")
    guard let unused = contents.first, unused < 8 else { throw EMRTDError(.malformedCertificate, "keyUsage is not a BIT STRING") }
    let bytes = Array(contents.dropFirst())
    var usage = X509Certificate.KeyUsage()
    for bit in 0..<9 where bit / 8 < bytes.count && bytes[bit / 8] & (0x80 >> UInt8(bit % 8)) != 0 {
        usage.insert(X509Certificate.KeyUsage(rawValue: 1 << UInt16(bit)))
    }
    return usage
}
