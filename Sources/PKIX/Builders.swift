// Issuing certificates and CRLs for the project's test PKI (`cccd pki init`: a CSCA, a DSC and a
// CRL), in the profile of ICAO Doc 9303 Part 12: v3 certificates with key identifiers, key usage
// and (for CSCAs) basic constraints; v2 CRLs with an authority key identifier and a CRL number.

public import EMRTDCore
public import Cryptography
import EMRTDASN1
public import Foundation
import SwiftASN1

/// The contents of a certificate to sign.
public struct CertificateBuilder: Sendable {
    /// The subject's name (ICAO 9303-12: with the countryName of the issuing State).
    public var subject: X509Name
    /// The issuer's name; the subject's for a self-signed CSCA.
    public var issuer: X509Name
    /// A positive serial number, big-endian (leading zeros are dropped when encoding).
    public var serialNumber: [UInt8]
    /// Start of the validity period.
    public var notBefore: Date
    /// End of the validity period, inclusive; not before ``notBefore``.
    public var notAfter: Date
    /// The subject's public key.
    public var publicKey: PublicKey
    /// Basic constraints cA (a critical extension, written only for CAs).
    public var isCA: Bool
    /// The basic constraints' pathLenConstraint (only with `isCA`).
    public var pathLength: Int?
    /// The key usage (a critical extension), or nil to leave it out.
    public var keyUsage: X509Certificate.KeyUsage?
    /// The subject key identifier; by default SHA-1 of the public key bits (RFC 5280 method 1).
    public var subjectKeyIdentifier: [UInt8]?
    /// The authority key identifier (the issuer's subject key identifier), or nil to leave it out.
    public var authorityKeyIdentifier: [UInt8]?

    /// A certificate to sign: `issuer` nil makes it self-issued (a CSCA), and the subject key identifier
    /// is computed from `publicKey` (RFC 5280 4.2.1.2, method 1).
    public init(
        subject: X509Name, issuer: X509Name? = nil, serialNumber: [UInt8],
        notBefore: Date, notAfter: Date, publicKey: PublicKey, isCA: Bool = false, pathLength: Int? = nil,
        keyUsage: X509Certificate.KeyUsage? = nil, authorityKeyIdentifier: [UInt8]? = nil
    ) {
        self.subject = subject
        self.issuer = issuer ?? subject
        self.serialNumber = serialNumber
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.publicKey = publicKey
        self.isCA = isCA
        self.pathLength = pathLength
        self.keyUsage = keyUsage
        self.subjectKeyIdentifier = publicKey.keyIdentifier
        self.authorityKeyIdentifier = authorityKeyIdentifier
    }

    /// The DER `TBSCertificate` that ``sign(with:scheme:)`` signs.
    public func tbsCertificate(scheme: SignatureScheme) throws(EMRTDError) -> [UInt8] {
        guard serialNumber.contains(where: { $0 != 0 }) else {
            throw EMRTDError(.invalidArgument, "a certificate serial number must be positive")
        }
        guard notBefore <= notAfter else { throw EMRTDError(.invalidArgument, "notBefore is after notAfter") }
        if let pathLength, pathLength < 0 || !isCA {
            throw EMRTDError(.invalidArgument, "a path length constraint needs a CA and must not be negative")
        }
        var extensions: [[UInt8]] = []
        if isCA {
            var constraints = [DERWriter.boolean(true)]
            if let pathLength { constraints.append(DERWriter.integer(pathLength)) }
            extensions.append(encodeExtension(ExtensionOID.basicConstraints, critical: true, DERWriter.sequence(constraints)))
        }
        if let keyUsage { extensions.append(encodeExtension(ExtensionOID.keyUsage, critical: true, encodeKeyUsage(keyUsage))) }
        if let subjectKeyIdentifier {
            extensions.append(encodeExtension(ExtensionOID.subjectKeyIdentifier, critical: false, DERWriter.octetString(subjectKeyIdentifier)))
        }
        if let authorityKeyIdentifier {
            let value = DERWriter.sequence([DERWriter.primitive(.context(0), authorityKeyIdentifier)])
            extensions.append(encodeExtension(ExtensionOID.authorityKeyIdentifier, critical: false, value))
        }
        var fields: [[UInt8]] = [
            DERWriter.explicit(0, DERWriter.integer(2)),
            DERWriter.unsignedInteger(serialNumber),
            scheme.algorithmIdentifier,
            issuer.der,
            DERWriter.sequence([DERWriter.time(notBefore), DERWriter.time(notAfter)]),
            subject.der,
            publicKey.subjectPublicKeyInfo,
        ]
        if !extensions.isEmpty {
            fields.append(DERWriter.explicit(3, DERWriter.sequence(extensions)))
        }
        return DERWriter.sequence(fields)
    }

    /// Signs the certificate with the issuer's key. Throws when the scheme does not fit the key.
    public func sign(with key: PrivateKey, scheme: SignatureScheme) throws(EMRTDError) -> X509Certificate {
        try X509Certificate(der: signedEncoding(try tbsCertificate(scheme: scheme), key, scheme))
    }
}

/// The contents of a CRL to sign.
public struct CRLBuilder: Sendable {
    /// The CSCA issuing the CRL.
    public var issuer: X509Name
    /// `thisUpdate`: when the CRL is issued.
    public var thisUpdate: Date
    /// `nextUpdate`: when the next CRL is due, or nil to leave it out (RFC 5280 5.1.2.5 requires it).
    public var nextUpdate: Date?
    /// Revoked certificates: serial number (big-endian) and revocation date.
    public var revoked: [(serialNumber: [UInt8], date: Date)]
    /// The issuer's subject key identifier, or nil to leave the extension out.
    public var authorityKeyIdentifier: [UInt8]?
    /// The cRLNumber, or nil to leave it out.
    public var crlNumber: Int?

    /// A CRL to sign; by default it revokes nothing and has cRLNumber 1.
    public init(
        issuer: X509Name, thisUpdate: Date, nextUpdate: Date?,
        revoked: [(serialNumber: [UInt8], date: Date)] = [], authorityKeyIdentifier: [UInt8]? = nil, crlNumber: Int? = 1
    ) {
        self.issuer = issuer
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.revoked = revoked
        self.authorityKeyIdentifier = authorityKeyIdentifier
        self.crlNumber = crlNumber
    }

    /// The DER `TBSCertList` that ``sign(with:scheme:)`` signs.
    public func tbsCertList(scheme: SignatureScheme) throws(EMRTDError) -> [UInt8] {
        if let crlNumber, crlNumber < 0 { throw EMRTDError(.invalidArgument, "a CRL number must not be negative") }
        var fields: [[UInt8]] = [DERWriter.integer(1), scheme.algorithmIdentifier, issuer.der, DERWriter.time(thisUpdate)]
        if let nextUpdate { fields.append(DERWriter.time(nextUpdate)) }
        if !revoked.isEmpty {
            var entries: [[UInt8]] = []
            for entry in revoked {
                guard entry.serialNumber.contains(where: { $0 != 0 }) else {
                    throw EMRTDError(.invalidArgument, "a revoked serial number must be positive")
                }
                entries.append(DERWriter.sequence([DERWriter.unsignedInteger(entry.serialNumber), DERWriter.time(entry.date)]))
            }
            fields.append(DERWriter.sequence(entries))
        }
        var extensions: [[UInt8]] = []
        if let authorityKeyIdentifier {
            let value = DERWriter.sequence([DERWriter.primitive(.context(0), authorityKeyIdentifier)])
            extensions.append(encodeExtension(ExtensionOID.authorityKeyIdentifier, critical: false, value))
        }
        if let crlNumber { extensions.append(encodeExtension(ExtensionOID.crlNumber, critical: false, DERWriter.integer(crlNumber))) }
        if !extensions.isEmpty {
            fields.append(DERWriter.explicit(0, DERWriter.sequence(extensions)))
        }
        return DERWriter.sequence(fields)
    }

    /// Signs the CRL with the issuer's key.
    public func sign(with key: PrivateKey, scheme: SignatureScheme) throws(EMRTDError) -> CertificateRevocationList {
        try CertificateRevocationList(der: signedEncoding(try tbsCertList(scheme: scheme), key, scheme))
    }
}

/// `SEQUENCE { tbs, signatureAlgorithm, signatureValue }` with the signature of `tbs` (RFC 5280 4.1, 5.1).
private func signedEncoding(_ tbs: [UInt8], _ key: PrivateKey, _ scheme: SignatureScheme) throws(EMRTDError) -> [UInt8] {
    DERWriter.sequence([tbs, scheme.algorithmIdentifier, DERWriter.bitString(try key.signature(for: tbs, scheme: scheme))])
}

private func encodeExtension(_ oid: ASN1ObjectIdentifier, critical: Bool, _ value: [UInt8]) -> [UInt8] {
    var parts = [DERWriter.oid(oid)]
    if critical { parts.append(DERWriter.boolean(true)) }
    parts.append(DERWriter.octetString(value))
    return DERWriter.sequence(parts)
}

/// A DER BIT STRING of the named bits (trailing zero bits removed, RFC 5280 / X.690 11.2.2).
private func encodeKeyUsage(_ usage: X509Certificate.KeyUsage) -> [UInt8] {
    let bits = (0..<9).filter { usage.contains(X509Certificate.KeyUsage(rawValue: 1 << UInt16($0))) }
    guard let highest = bits.last else { return DERWriter.bitString([]) }
    var bytes = [UInt8](repeating: 0, count: highest / 8 + 1)
    for bit in bits { bytes[bit / 8] |= 0x80 >> UInt8(bit % 8) }
    let unused = UInt8(7 - highest % 8)
    return DERWriter.bitString(bytes, unusedBits: unused)
}
