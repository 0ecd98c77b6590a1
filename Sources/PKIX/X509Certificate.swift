// X.509 v3 certificates (RFC 5280) as eMRTD PKI uses them (ICAO Doc 9303 Part 12): CSCA, link
// and document signer certificates.
//
// Certificates come from chips, master lists and files: the parser bounds-checks everything and
// throws on malformed input. Signatures are verified directly with the issuer's key (never by
// OpenSSL chain building, which refuses the explicit EC parameters many eMRTD certificates carry).

public import EMRTDCore
public import Cryptography
public import Foundation

extension EMRTDError.Code {
    /// A certificate could not be decoded.
    public static let malformedCertificate = Self("x509.certificate-malformed")
}

/// A parsed X.509 certificate. Two certificates are equal when their DER encodings are. (Not
/// `Certificate`, which swift-certificates' `X509` module declares.)
public struct X509Certificate: Sendable, Hashable, CustomStringConvertible {
    /// The key usage extension's bits (RFC 5280, 4.2.1.3).
    public struct KeyUsage: OptionSet, Sendable, Hashable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        public static let digitalSignature = KeyUsage(rawValue: 1 << 0)
        public static let nonRepudiation = KeyUsage(rawValue: 1 << 1)
        public static let keyEncipherment = KeyUsage(rawValue: 1 << 2)
        public static let dataEncipherment = KeyUsage(rawValue: 1 << 3)
        public static let keyAgreement = KeyUsage(rawValue: 1 << 4)
        public static let keyCertSign = KeyUsage(rawValue: 1 << 5)
        public static let cRLSign = KeyUsage(rawValue: 1 << 6)
        public static let encipherOnly = KeyUsage(rawValue: 1 << 7)
        public static let decipherOnly = KeyUsage(rawValue: 1 << 8)
    }

    /// The DER encoding.
    public let der: [UInt8]
    /// 1, 2 or 3.
    public let version: Int
    /// The serial number: the INTEGER's big-endian contents without leading zero bytes (`[0]` for zero).
    public let serialNumber: [UInt8]
    public let issuer: X509Name
    public let subject: X509Name
    public let notBefore: Date
    public let notAfter: Date
    /// The subject's key (EC keys with explicit domain parameters included).
    public let publicKey: PublicKey
    /// The OID of the certificate's signature algorithm.
    public let signatureAlgorithm: [UInt]
    /// The signature scheme, or nil when the algorithm is not supported (then ``isSignedBy(_:)`` throws).
    public let signatureScheme: SignatureScheme?
    /// The subject key identifier extension's value.
    public let subjectKeyIdentifier: [UInt8]?
    /// The keyIdentifier of the authority key identifier extension.
    public let authorityKeyIdentifier: [UInt8]?
    /// True when basic constraints say cA.
    public let isCA: Bool
    /// The basic constraints' pathLenConstraint.
    public let pathLengthConstraint: Int?
    /// The key usage extension, nil when absent (no restriction).
    public let keyUsage: KeyUsage?
    /// The OIDs of the extensions present, in order.
    public let extensionOIDs: [[UInt]]
    /// Critical extensions this type does not interpret (the caller decides what they mean).
    public let unhandledCriticalExtensions: [[UInt]]

    private let tbsRange: Range<Int>
    private let signatureValue: [UInt8]
    /// The outer signatureAlgorithm equals the TBS's signature field and the BIT STRING is whole bytes.
    private let signatureFieldsConsistent: Bool

    // MARK: Parsing

    /// Decodes a DER certificate. Throws ``EMRTDError/Code/malformedCertificate`` (or
    /// ``EMRTDError/Code/invalidKey`` for an undecodable subject key).
    public init(der: [UInt8]) throws(EMRTDError) {
        do {
            try self.init(parsing: der)
        } catch {
            switch error.code {
            case .malformedCertificate, .invalidKey: throw error
            default: throw EMRTDError(.malformedCertificate, "invalid certificate: \(error.message)")
            }
        }
    }

    private init(parsing der: [UInt8]) throws(EMRTDError) {
        let outer = try PKIDER.single(der)
        guard outer.tag == PKIDER.sequence else { throw EMRTDError(.malformedCertificate, "a certificate is not a SEQUENCE") }
        var certificate = outer.children()
        let tbs = try certificate.read(PKIDER.sequence, "tbsCertificate")
        let outerAlgorithm = try certificate.read(PKIDER.sequence, "signatureAlgorithm")
        let signatureBits = try certificate.read(PKIDER.bitString, "signatureValue")
        try certificate.finish("the certificate")

        var fields = tbs.children()
        if let explicitVersion = try fields.readIfPresent(PKIDER.context(0, constructed: true)) {
            version = try PKIDER.single(explicitVersion.contents).smallInteger() + 1
            guard (1...3).contains(version) else {
                throw EMRTDError(.malformedCertificate, "unknown certificate version \(version)")
            }
        } else {
            version = 1
        }
        serialNumber = try serialNumberBytes(try fields.read(PKIDER.integer, "serialNumber"))
        let innerAlgorithm = try fields.read(PKIDER.sequence, "signature")
        issuer = try X509Name(node: try fields.read(PKIDER.sequence, "issuer"))
        var validity = try fields.read(PKIDER.sequence, "validity").children()
        notBefore = try ASN1Time.parse(try validity.read(), "notBefore")
        notAfter = try ASN1Time.parse(try validity.read(), "notAfter")
        try validity.finish("validity")
        subject = try X509Name(node: try fields.read(PKIDER.sequence, "subject"))
        let spki = try fields.read(PKIDER.sequence, "subjectPublicKeyInfo")
        _ = try fields.readIfPresent(PKIDER.context(1, constructed: false))  // issuerUniqueID
        _ = try fields.readIfPresent(PKIDER.context(2, constructed: false))  // subjectUniqueID
        var extensions: [Extension] = []
        if let wrapped = try fields.readIfPresent(PKIDER.context(3, constructed: true)) {
            extensions = try readExtensions(try PKIDER.single(wrapped.contents))
        }
        try fields.finish("tbsCertificate")

        let (algorithmOID, parameters) = try algorithmIdentifier(outerAlgorithm)
        signatureAlgorithm = algorithmOID
        signatureScheme = try? SignatureScheme.fromAlgorithmIdentifier(oid: algorithmOID, parameters: parameters)
        signatureFieldsConsistent = Array(innerAlgorithm.encoded) == Array(outerAlgorithm.encoded)
            && signatureBits.contents.first == 0
        signatureValue = Array(signatureBits.contents.dropFirst())
        publicKey = try PublicKey(subjectPublicKeyInfo: Array(spki.encoded))

        var ski: [UInt8]? = nil, aki: [UInt8]? = nil, ca = false, pathLength: Int? = nil, usage: KeyUsage? = nil
        var unhandled: [[UInt]] = []
        for ext in extensions {
            switch ext.oid {
            case ExtensionOID.subjectKeyIdentifier:
                ski = Array(try PKIDER.single(ext.value).octets())
            case ExtensionOID.authorityKeyIdentifier:
                aki = try authorityKeyIdentifierValue(ext.value)
            case ExtensionOID.basicConstraints:
                var constraints = try PKIDER.single(ext.value).children()
                if let flag = try constraints.readIfPresent(PKIDER.boolean) { ca = try flag.boolean() }
                if let length = try constraints.readIfPresent(PKIDER.integer) { pathLength = try length.smallInteger() }
                try constraints.finish("basicConstraints")
            case ExtensionOID.keyUsage:
                usage = try keyUsageValue(ext.value)
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
        let start = tbs.encoded.startIndex - der.startIndex
        tbsRange = start..<(start + tbs.encoded.count)
        self.der = der
    }

    /// Every certificate in a file: one DER certificate, or PEM text with one or more
    /// `CERTIFICATE` blocks (other blocks are skipped). Throws when there is none or one is malformed.
    public static func parse(fileContents: [UInt8]) throws(EMRTDError) -> [X509Certificate] {
        guard PKIPEM.looksLikePEM(fileContents) else { return [try X509Certificate(der: fileContents)] }
        let text = String(decoding: fileContents, as: UTF8.self)
        let blocks = try PKIPEM.blocks(text).filter { $0.label == "CERTIFICATE" || $0.label == "X509 CERTIFICATE" }
        guard !blocks.isEmpty else { throw EMRTDError(.malformedCertificate, "no CERTIFICATE block in the PEM text") }
        var out: [X509Certificate] = []
        for block in blocks { out.append(try X509Certificate(der: block.der)) }
        return out
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
        try SignedPart(
            algorithm: signatureAlgorithm, scheme: signatureScheme, tbs: der[tbsRange], value: signatureValue,
            fieldsConsistent: signatureFieldsConsistent
        ).isSigned(by: key, what: "certificate")
    }

    /// The PEM text (`-----BEGIN CERTIFICATE-----`).
    public var pem: String { PKIPEM.encode(label: "CERTIFICATE", der: der) }

    public var description: String { "Certificate(subject: \(subject), issuer: \(issuer), serial: \(serialNumber.hex))" }

    public static func == (lhs: X509Certificate, rhs: X509Certificate) -> Bool { lhs.der == rhs.der }
    public func hash(into hasher: inout Hasher) { hasher.combine(der) }
}

extension PublicKey {
    /// The key identifier of RFC 5280, 4.2.1.2, method 1: SHA-1 of the subjectPublicKey BIT STRING
    /// (without its unused-bits byte).
    public var keyIdentifier: [UInt8] {
        if let outer = try? PKIDER.single(subjectPublicKeyInfo) {
            var fields = outer.children()
            if (try? fields.read()) != nil, let bits = try? fields.read(), bits.tag == PKIDER.bitString, !bits.contents.isEmpty {
                return HashAlgorithm.sha1.hash(Array(bits.contents.dropFirst()))
            }
        }
        return HashAlgorithm.sha1.hash(subjectPublicKeyInfo)
    }
}

// MARK: - Shared parsing

enum ExtensionOID {
    static let subjectKeyIdentifier: [UInt] = [2, 5, 29, 14]
    static let keyUsage: [UInt] = [2, 5, 29, 15]
    static let basicConstraints: [UInt] = [2, 5, 29, 19]
    static let crlNumber: [UInt] = [2, 5, 29, 20]
    static let authorityKeyIdentifier: [UInt] = [2, 5, 29, 35]
}

struct Extension {
    let oid: [UInt]
    let critical: Bool
    /// The contents of extnValue (the DER of the extension's value).
    let value: ArraySlice<UInt8>
}

/// `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension`.
func readExtensions(_ node: PKIDER.Node) throws(EMRTDError) -> [Extension] {
    guard node.tag == PKIDER.sequence else { throw EMRTDError(.malformedCertificate, "extensions are not a SEQUENCE") }
    var out: [Extension] = []
    var reader = node.children()
    while !reader.isAtEnd {
        var fields = try reader.read(PKIDER.sequence, "Extension").children()
        let oid = try fields.read().objectIdentifier()
        let critical = try fields.readIfPresent(PKIDER.boolean)?.boolean() ?? false
        let value = try fields.read().octets()
        try fields.finish("Extension")
        guard !out.contains(where: { $0.oid == oid }) else {
            throw EMRTDError(.malformedCertificate, "extension \(oid.map(String.init).joined(separator: ".")) appears twice")
        }
        out.append(Extension(oid: oid, critical: critical, value: value))
    }
    return out
}

/// The OID and the parameters' DER (nil when absent) of an `AlgorithmIdentifier`.
func algorithmIdentifier(_ node: PKIDER.Node) throws(EMRTDError) -> ([UInt], [UInt8]?) {
    var fields = node.children()
    let oid = try fields.read().objectIdentifier()
    let parameters = fields.isAtEnd ? nil : Array(try fields.read().encoded)
    try fields.finish("AlgorithmIdentifier")
    return (oid, parameters)
}

/// A serial number INTEGER's contents without leading zero bytes.
func serialNumberBytes(_ node: PKIDER.Node) throws(EMRTDError) -> [UInt8] {
    guard !node.contents.isEmpty else { throw EMRTDError(.malformedCertificate, "an empty serial number") }
    let stripped = node.contents.drop { $0 == 0 }
    return stripped.isEmpty ? [0] : Array(stripped)
}

/// `AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, … }`.
func authorityKeyIdentifierValue(_ value: ArraySlice<UInt8>) throws(EMRTDError) -> [UInt8]? {
    let node = try PKIDER.single(value)
    guard node.tag == PKIDER.sequence else { throw EMRTDError(.malformedCertificate, "authorityKeyIdentifier is not a SEQUENCE") }
    var fields = node.children()
    let keyID = try fields.readIfPresent(PKIDER.context(0, constructed: false))
    _ = try fields.readIfPresent(PKIDER.context(1, constructed: true))
    _ = try fields.readIfPresent(PKIDER.context(2, constructed: false))
    try fields.finish("authorityKeyIdentifier")
    return keyID.map { Array($0.contents) }
}

private func keyUsageValue(_ value: ArraySlice<UInt8>) throws(EMRTDError) -> X509Certificate.KeyUsage {
    let node = try PKIDER.single(value)
    guard node.tag == PKIDER.bitString, let unused = node.contents.first, unused < 8 else {
        throw EMRTDError(.malformedCertificate, "keyUsage is not a BIT STRING")
    }
    let bytes = Array(node.contents.dropFirst())
    var usage = X509Certificate.KeyUsage()
    for bit in 0..<9 where bit / 8 < bytes.count && bytes[bit / 8] & (0x80 >> UInt8(bit % 8)) != 0 {
        usage.insert(X509Certificate.KeyUsage(rawValue: 1 << UInt16(bit)))
    }
    return usage
}
