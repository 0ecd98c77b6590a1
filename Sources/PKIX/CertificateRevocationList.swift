// X.509 v2 CRLs (RFC 5280, 5): a CSCA's list of revoked document signer (and CSCA) certificates,
// ICAO Doc 9303 Part 12, 7.

public import EMRTDCore
public import Cryptography
public import Foundation

extension EMRTDError.Code {
    /// A CRL could not be decoded.
    public static let malformedCRL = Self("x509.crl-malformed")
}

/// A parsed certificate revocation list. Two CRLs are equal when their DER encodings are.
public struct CertificateRevocationList: Sendable, Hashable, CustomStringConvertible {
    /// One revoked certificate.
    public struct Entry: Sendable, Hashable {
        /// The serial number, without leading zero bytes (as ``X509Certificate/serialNumber``).
        public let serialNumber: [UInt8]
        public let revocationDate: Date
    }

    /// The DER encoding.
    public let der: [UInt8]
    public let issuer: X509Name
    public let thisUpdate: Date
    public let nextUpdate: Date?
    /// The revoked certificates, in order.
    public let entries: [Entry]
    /// The serial numbers of ``entries``.
    public let revokedSerialNumbers: Set<[UInt8]>
    /// The keyIdentifier of the CRL's authority key identifier extension.
    public let authorityKeyIdentifier: [UInt8]?
    /// The cRLNumber extension (big-endian, without leading zeros).
    public let crlNumber: [UInt8]?
    /// The OID of the CRL's signature algorithm.
    public let signatureAlgorithm: [UInt]
    /// The signature scheme, or nil when the algorithm is not supported (then ``isSignedBy(_:)`` throws).
    public let signatureScheme: SignatureScheme?

    private let tbsRange: Range<Int>
    private let signatureValue: [UInt8]
    private let signatureFieldsConsistent: Bool

    /// Decodes a DER CRL. Throws ``EMRTDError/Code/malformedCRL``.
    public init(der: [UInt8]) throws(EMRTDError) {
        do {
            try self.init(parsing: der)
        } catch {
            throw error.code == .malformedCRL ? error : EMRTDError(.malformedCRL, "invalid CRL: \(error.message)")
        }
    }

    private init(parsing der: [UInt8]) throws(EMRTDError) {
        let outer = try PKIDER.single(der)
        guard outer.tag == PKIDER.sequence else { throw EMRTDError(.malformedCRL, "a CRL is not a SEQUENCE") }
        var list = outer.children()
        let tbs = try list.read(PKIDER.sequence, "tbsCertList")
        let outerAlgorithm = try list.read(PKIDER.sequence, "signatureAlgorithm")
        let signatureBits = try list.read(PKIDER.bitString, "signatureValue")
        try list.finish("the CRL")

        var fields = tbs.children()
        if let version = try fields.readIfPresent(PKIDER.integer) {
            guard try version.smallInteger() <= 1 else { throw EMRTDError(.malformedCRL, "unknown CRL version") }
        }
        let innerAlgorithm = try fields.read(PKIDER.sequence, "signature")
        issuer = try X509Name(node: try fields.read(PKIDER.sequence, "issuer"))
        thisUpdate = try ASN1Time.parse(try fields.read(), "thisUpdate")
        if let tag = fields.nextTag, tag == PKIDER.utcTime || tag == PKIDER.generalizedTime {
            nextUpdate = try ASN1Time.parse(try fields.read(), "nextUpdate")
        } else {
            nextUpdate = nil
        }
        var entries: [Entry] = []
        if let revoked = try fields.readIfPresent(PKIDER.sequence) {
            var reader = revoked.children()
            while !reader.isAtEnd {
                var entry = try reader.read(PKIDER.sequence, "revoked certificate").children()
                let serial = try serialNumberBytes(try entry.read(PKIDER.integer, "userCertificate"))
                let date = try ASN1Time.parse(try entry.read(), "revocationDate")
                _ = try entry.readIfPresent(PKIDER.sequence)  // crlEntryExtensions
                try entry.finish("a revoked certificate entry")
                entries.append(Entry(serialNumber: serial, revocationDate: date))
            }
        }
        var aki: [UInt8]? = nil, number: [UInt8]? = nil
        if let wrapped = try fields.readIfPresent(PKIDER.context(0, constructed: true)) {
            for ext in try readExtensions(try PKIDER.single(wrapped.contents)) {
                switch ext.oid {
                case ExtensionOID.authorityKeyIdentifier: aki = try authorityKeyIdentifierValue(ext.value)
                case ExtensionOID.crlNumber: number = try PKIDER.single(ext.value).unsignedInteger()
                default: break
                }
            }
        }
        try fields.finish("tbsCertList")

        self.entries = entries
        revokedSerialNumbers = Set(entries.map(\.serialNumber))
        authorityKeyIdentifier = aki
        crlNumber = number
        let (algorithmOID, parameters) = try algorithmIdentifier(outerAlgorithm)
        signatureAlgorithm = algorithmOID
        signatureScheme = try? SignatureScheme.fromAlgorithmIdentifier(oid: algorithmOID, parameters: parameters)
        signatureFieldsConsistent = Array(innerAlgorithm.encoded) == Array(outerAlgorithm.encoded)
            && signatureBits.contents.first == 0
        signatureValue = Array(signatureBits.contents.dropFirst())
        tbsRange = tbs.encoded.startIndex..<tbs.encoded.endIndex
        self.der = der
    }

    /// Every CRL in a file: one DER CRL, or PEM text with `X509 CRL` blocks.
    public static func parse(fileContents: [UInt8]) throws(EMRTDError) -> [CertificateRevocationList] {
        guard PKIPEM.looksLikePEM(fileContents) else { return [try CertificateRevocationList(der: fileContents)] }
        let blocks = try PKIPEM.blocks(String(decoding: fileContents, as: UTF8.self)).filter { $0.label == "X509 CRL" }
        guard !blocks.isEmpty else { throw EMRTDError(.malformedCRL, "no X509 CRL block in the PEM text") }
        var out: [CertificateRevocationList] = []
        for block in blocks { out.append(try CertificateRevocationList(der: block.der)) }
        return out
    }

    /// True when `certificate` is listed: its issuer is this CRL's issuer (by value) and its serial
    /// number is among ``revokedSerialNumbers``. Says nothing about whether the CRL is authentic:
    /// check ``isSignedBy(_:)`` with the CSCA's key first.
    public func isRevoked(_ certificate: X509Certificate) -> Bool {
        certificate.issuer == issuer && revokedSerialNumbers.contains(certificate.serialNumber)
    }

    /// True when the CRL's signature verifies with `key`. False when it does not (or when the outer
    /// signature algorithm differs from the TBS's); throws for an unsupported algorithm or a key of
    /// the wrong type.
    public func isSignedBy(_ key: PublicKey) throws(EMRTDError) -> Bool {
        try SignedPart(
            algorithm: signatureAlgorithm, scheme: signatureScheme, tbs: der[tbsRange], value: signatureValue,
            fieldsConsistent: signatureFieldsConsistent
        ).isSigned(by: key, what: "CRL")
    }

    /// The PEM text (`-----BEGIN X509 CRL-----`).
    public var pem: String { PKIPEM.encode(label: "X509 CRL", der: der) }

    public var description: String { "CRL(issuer: \(issuer), \(entries.count) revoked)" }

    public static func == (lhs: CertificateRevocationList, rhs: CertificateRevocationList) -> Bool { lhs.der == rhs.der }
    public func hash(into hasher: inout Hasher) { hasher.combine(der) }
}
