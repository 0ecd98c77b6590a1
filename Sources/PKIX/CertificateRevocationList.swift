// X.509 v2 CRLs (RFC 5280, 5): a CSCA's list of revoked document signer (and CSCA) certificates,
// ICAO Doc 9303 Part 12, 7.

public import EMRTDCore
public import Cryptography
import EMRTDASN1
public import Foundation
public import SwiftASN1

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
        /// `revocationDate`: when the certificate was revoked.
        public let revocationDate: Date
    }

    /// The DER encoding.
    public var der: [UInt8] { storage.der }
    /// `issuer` (RFC 5280 5.1.2.3): the CSCA that issued and signed the CRL.
    ///
    /// ```
    /// TBSCertList ::= SEQUENCE {
    ///     version Version OPTIONAL, signature AlgorithmIdentifier, issuer Name,
    ///     thisUpdate Time, nextUpdate Time OPTIONAL,
    ///     revokedCertificates SEQUENCE OF SEQUENCE {
    ///         userCertificate CertificateSerialNumber, revocationDate Time,
    ///         crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
    ///     crlExtensions [0] EXPLICIT Extensions OPTIONAL }
    /// ```
    public var issuer: X509Name { storage.issuer }
    /// `thisUpdate` (RFC 5280 5.1.2.4): when this CRL was issued.
    public var thisUpdate: Date { storage.thisUpdate }
    /// `nextUpdate` (RFC 5280 5.1.2.5): when the next CRL is due; nil when absent. A CRL past it is
    /// out of date, but still applied.
    public var nextUpdate: Date? { storage.nextUpdate }
    /// The revoked certificates, in order.
    public var entries: [Entry] { storage.entries }
    /// The serial numbers of ``entries``.
    public var revokedSerialNumbers: Set<[UInt8]> { storage.revokedSerialNumbers }
    /// The keyIdentifier of the CRL's authority key identifier extension.
    public var authorityKeyIdentifier: [UInt8]? { storage.authorityKeyIdentifier }
    /// The cRLNumber extension (big-endian, without leading zeros).
    public var crlNumber: [UInt8]? { storage.crlNumber }
    /// The OID of the CRL's signature algorithm.
    public var signatureAlgorithm: ASN1ObjectIdentifier { signed.algorithm }
    /// The signature scheme, or nil when the algorithm is not supported (then ``isSignedBy(_:)`` throws).
    public var signatureScheme: SignatureScheme? { signed.scheme }

    private var signed: SignedPart { storage.signed }

    /// Every field, in one object: one retain per copy, not one per field (see `X509Certificate`).
    private let storage: Storage

    /// Decodes a DER CRL. Throws ``EMRTDError/Code/malformedCRL``.
    public init(der: [UInt8]) throws(EMRTDError) {
        do {
            storage = try Storage(parsing: der)
        } catch {
            throw error.code == .malformedCRL ? error : EMRTDError(.malformedCRL, "invalid CRL: \(error.message)")
        }
    }


    /// Every CRL in a file: one DER CRL, or PEM text with `X509 CRL` blocks.
    public static func parse(fileContents: [UInt8]) throws(EMRTDError) -> [CertificateRevocationList] {
        try objects(in: fileContents, labels: ["X509 CRL"], code: .malformedCRL) {
            (der: [UInt8]) throws(EMRTDError) in try CertificateRevocationList(der: der)
        }
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
        try signed.isSigned(by: key, what: "CRL")
    }

    /// The PEM text (`-----BEGIN X509 CRL-----`).
    public var pem: String { PKIPEM.encode(label: "X509 CRL", der: der) }

    /// The issuer and the number of revoked certificates, for logs.
    public var description: String { "CRL(issuer: \(issuer), \(entries.count) revoked)" }

    /// Equal when the DER encodings are.
    public static func == (lhs: CertificateRevocationList, rhs: CertificateRevocationList) -> Bool { lhs.storage === rhs.storage || lhs.der == rhs.der }
    /// Hashes the DER encoding, as `==` compares it.
    public func hash(into hasher: inout Hasher) { hasher.combine(der) }
}

extension CertificateRevocationList {
    /// The parsed fields (see `storage`). Immutable once made, hence `Sendable`.
    final class Storage: Sendable {
        let der: [UInt8]
        let issuer: X509Name
        let thisUpdate: Date
        let nextUpdate: Date?
        let entries: [CertificateRevocationList.Entry]
        let revokedSerialNumbers: Set<[UInt8]>
        let authorityKeyIdentifier: [UInt8]?
        let crlNumber: [UInt8]?
        let signed: SignedPart

        init(parsing der: [UInt8]) throws(EMRTDError) {
            let r = ASN1Reader(.malformedCRL, rules: .der)
            let envelope = try SignedPart.envelope(der, r, what: "CRL", tbs: "tbsCertList")
            var fields = try r.fields(envelope.tbs, .sequence, what: "tbsCertList")
            if let version = fields.nextIfPresent(.integer) {
                guard try r.nonNegativeInt(version, what: "version") <= 1 else { throw EMRTDError(.malformedCRL, "unknown CRL version") }
            }
            let innerAlgorithm = try fields.next(.sequence, "signature")
            issuer = try X509Name(node: try fields.next(.sequence, "issuer"))
            thisUpdate = try r.time(try fields.next("thisUpdate"), what: "thisUpdate")
            if let next = fields.peek, next.identifier == .utcTime || next.identifier == .generalizedTime {
                nextUpdate = try r.time(try fields.next("nextUpdate"), what: "nextUpdate")
            } else {
                nextUpdate = nil
            }
            var entries: [CertificateRevocationList.Entry] = []
            if let revoked = fields.nextIfPresent(.sequence) {
                for item in try r.children(revoked, .sequence, what: "revokedCertificates") {
                    var entry = try r.fields(item, .sequence, what: "revoked certificate")
                    let serial = try serialNumberBytes(try entry.next(.integer, "userCertificate"), r)
                    let date = try r.time(try entry.next("revocationDate"), what: "revocationDate")
                    _ = entry.nextIfPresent(.sequence)  // crlEntryExtensions
                    try entry.finish()
                    entries.append(CertificateRevocationList.Entry(serialNumber: serial, revocationDate: date))
                }
            }
            var aki: [UInt8]? = nil, number: [UInt8]? = nil
            if let wrapped = fields.nextIfPresent(.context(0)) {
                for ext in try readExtensions(try r.explicit(wrapped, tag: 0, what: "crlExtensions"), r) {
                    switch ext.oid {
                    case ExtensionOID.authorityKeyIdentifier: aki = try authorityKeyIdentifierValue(ext.value, r)
                    case ExtensionOID.crlNumber:
                        number = try r.unsignedInteger(try r.parse(ext.value, what: "cRLNumber"), what: "cRLNumber")
                    default: break
                    }
                }
            }
            try fields.finish()

            self.entries = entries
            revokedSerialNumbers = Set(entries.map(\.serialNumber))
            authorityKeyIdentifier = aki
            crlNumber = number
            signed = envelope.signedPart(inner: innerAlgorithm)
            self.der = der
        }
    }
}

