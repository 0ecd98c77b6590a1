import Cryptography
import EMRTDASN1
import EMRTDCore
import Foundation
import Testing
import PKIX

// A test PKI as `cccd pki init` makes it: CSCA → DSC and a CRL, for each key type.

struct PKICase: Sendable, CustomTestStringConvertible {
    let name: String
    let spec: PrivateKey.KeySpec
    let scheme: SignatureScheme
    var testDescription: String { name }
}

private let pkiCases: [PKICase] = [
    .init(name: "brainpoolP256r1", spec: .ec(curve: "brainpoolP256r1"), scheme: .ecdsa(.sha256, encoding: .der)),
    .init(name: "P-256", spec: .ec(curve: "prime256v1"), scheme: .ecdsa(.sha256, encoding: .der)),
    .init(name: "RSA-2048 PKCS#1", spec: .rsa(bits: 2048), scheme: .rsaPKCS1v15(.sha256)),
    .init(name: "RSA-2048 PSS", spec: .rsa(bits: 2048), scheme: .rsaPSS(hash: .sha256, mgf1Hash: .sha256, saltLength: 32)),
]

@Test(arguments: pkiCases)
func cscaDSCChainAndCRL(_ pki: PKICase) throws {
    let cscaKey = try PrivateKey.generate(pki.spec)
    let dscKey = try PrivateKey.generate(pki.spec)
    let cscaName = X509Name(country: "VN", organization: "Bộ Công an", commonName: "CSCA Vietnam Test", serialNumber: "1")
    let dscName = X509Name(country: "VN", organization: "Bộ Công an", organizationalUnit: "C06", commonName: "DSC 1")
    let start = utc(2024, 1, 1), cscaEnd = utc(2039, 1, 1), dscEnd = utc(2029, 1, 1, 12, 30, 15)

    let csca = try CertificateBuilder(
        subject: cscaName, serialNumber: [0x01], notBefore: start, notAfter: cscaEnd,
        publicKey: cscaKey.publicKey, isCA: true, pathLength: 0, keyUsage: [.keyCertSign, .cRLSign]
    ).sign(with: cscaKey, scheme: pki.scheme)
    var dscBuilder = CertificateBuilder(
        subject: dscName, issuer: csca.subject, serialNumber: [0x80, 0x00, 0x01], notBefore: start, notAfter: dscEnd,
        publicKey: dscKey.publicKey, keyUsage: [.digitalSignature], authorityKeyIdentifier: csca.subjectKeyIdentifier)
    let dsc = try dscBuilder.sign(with: cscaKey, scheme: pki.scheme)

    // What was built reads back.
    #expect(csca.version == 3 && dsc.version == 3)
    #expect(csca.isSelfIssued && !dsc.isSelfIssued)
    #expect(csca.isCA && csca.pathLengthConstraint == 0 && !dsc.isCA && dsc.pathLengthConstraint == nil)
    #expect(csca.keyUsage == [.keyCertSign, .cRLSign] && dsc.keyUsage == [.digitalSignature])
    #expect(csca.subject.description == "serialNumber=1, CN=CSCA Vietnam Test, O=Bộ Công an, C=VN")
    #expect(dsc.issuer == csca.subject && dsc.subject == dscName)
    #expect(dsc.serialNumber == [0x80, 0x00, 0x01])
    #expect(csca.notBefore == start && csca.notAfter == cscaEnd && dsc.notAfter == dscEnd)
    #expect(csca.subjectKeyIdentifier == cscaKey.publicKey.keyIdentifier)
    #expect(csca.subjectKeyIdentifier == HashAlgorithm.sha1.hash(bitStringContents(cscaKey.publicKey.subjectPublicKeyInfo)))
    #expect(csca.authorityKeyIdentifier == nil)
    #expect(dsc.authorityKeyIdentifier == csca.subjectKeyIdentifier)
    #expect(dsc.publicKey == dscKey.publicKey)
    #expect(csca.signatureScheme == pki.scheme && dsc.signatureScheme == pki.scheme)
    #expect(csca.unhandledCriticalExtensions.isEmpty)

    // Links: the CSCA signed itself and the DSC; the DSC signed neither.
    #expect(try csca.isSignedBy(cscaKey.publicKey))
    #expect(try dsc.isSignedBy(cscaKey.publicKey))
    #expect(try !dsc.isSignedBy(dscKey.publicKey))
    #expect(try !csca.isSignedBy(dscKey.publicKey))

    // Validity.
    #expect(dsc.isValid(at: utc(2025, 6, 1)))
    #expect(!dsc.isValid(at: utc(2023, 12, 31, 23, 59, 59)))
    #expect(dsc.isValid(at: dscEnd) && !dsc.isValid(at: dscEnd.addingTimeInterval(1)))

    // Tampering: one byte of the signature, one byte of the TBS.
    var signatureFlipped = dsc.der
    signatureFlipped[signatureFlipped.count - 3] ^= 0x01
    #expect(try !X509Certificate(der: signatureFlipped).isSignedBy(cscaKey.publicKey))
    var tbsFlipped = dsc.der
    let label = Array("DSC 1".utf8)
    let at = try #require((0..<(tbsFlipped.count - label.count)).first { Array(tbsFlipped[$0..<($0 + label.count)]) == label })
    tbsFlipped[at + 4] = UInt8(ascii: "2")
    let renamed = try X509Certificate(der: tbsFlipped)
    #expect(renamed.subject.commonName == "DSC 2")
    #expect(try !renamed.isSignedBy(cscaKey.publicKey))

    // The CRL: the DSC is revoked, another DSC of the same CSCA is not.
    let revokedAt = utc(2025, 3, 4, 5, 6, 7)
    let crl = try CRLBuilder(
        issuer: csca.subject, thisUpdate: utc(2025, 3, 5), nextUpdate: utc(2025, 6, 5),
        revoked: [(serialNumber: dsc.serialNumber, date: revokedAt), (serialNumber: [0x00, 0x12, 0x34], date: revokedAt)],
        authorityKeyIdentifier: csca.subjectKeyIdentifier, crlNumber: 7
    ).sign(with: cscaKey, scheme: pki.scheme)
    #expect(try crl.isSignedBy(cscaKey.publicKey))
    #expect(try !crl.isSignedBy(dscKey.publicKey))
    #expect(crl.issuer == csca.subject)
    #expect(crl.thisUpdate == utc(2025, 3, 5) && crl.nextUpdate == utc(2025, 6, 5))
    #expect(crl.crlNumber == [7])
    #expect(crl.authorityKeyIdentifier == csca.subjectKeyIdentifier)
    #expect(crl.entries.map(\.serialNumber) == [[0x80, 0x00, 0x01], [0x12, 0x34]])
    #expect(crl.entries.allSatisfy { $0.revocationDate == revokedAt })
    #expect(crl.isRevoked(dsc))
    dscBuilder.serialNumber = [0x02]
    let otherDSC = try dscBuilder.sign(with: cscaKey, scheme: pki.scheme)
    #expect(!crl.isRevoked(otherDSC))
    // Same serial, another issuer: not revoked by this CRL.
    dscBuilder.serialNumber = dsc.serialNumber
    dscBuilder.issuer = X509Name(country: "VN", commonName: "Another CSCA")
    #expect(!crl.isRevoked(try dscBuilder.sign(with: cscaKey, scheme: pki.scheme)))
    var crlFlipped = crl.der
    crlFlipped[crlFlipped.count - 2] ^= 0x80
    #expect(try !CertificateRevocationList(der: crlFlipped).isSignedBy(cscaKey.publicKey))

    // PEM output reads back, several certificates in one file included.
    #expect(csca.pem.hasPrefix("-----BEGIN CERTIFICATE-----\n") && csca.pem.hasSuffix("-----END CERTIFICATE-----\n"))
    #expect(try X509Certificate.parse(fileContents: Array((csca.pem + "\n" + dsc.pem).utf8)) == [csca, dsc])
    #expect(try CertificateRevocationList.parse(fileContents: Array(crl.pem.utf8)) == [crl])
    #expect(try X509Certificate(der: csca.der) == csca)
}

/// DER details of what the builders write.
@Test func builderEncodings() throws {
    let key = try PrivateKey.generate(.ec(curve: "secp256r1"))
    let name = X509Name(country: "VN", commonName: "CSCA")
    // Dates from 2050 on are GeneralizedTime, before that UTCTime (RFC 5280, 4.1.2.5).
    let certificate = try CertificateBuilder(
        subject: name, serialNumber: [0x00, 0x00, 0xFF], notBefore: utc(1999, 12, 31, 23, 59, 59), notAfter: utc(2050, 1, 1),
        publicKey: key.publicKey, isCA: true, keyUsage: [.keyCertSign, .cRLSign, .decipherOnly]
    ).sign(with: key, scheme: .ecdsa(.sha384, encoding: .der))
    #expect(certificate.notBefore == utc(1999, 12, 31, 23, 59, 59))
    #expect(certificate.notAfter == utc(2050, 1, 1))
    #expect(contains(certificate.der, [0x17, 0x0D] + Array("991231235959Z".utf8)))
    #expect(contains(certificate.der, [0x18, 0x0F] + Array("20500101000000Z".utf8)))
    #expect(certificate.serialNumber == [0xFF])
    #expect(contains(certificate.der, [0x02, 0x02, 0x00, 0xFF]))
    #expect(certificate.keyUsage == [.keyCertSign, .cRLSign, .decipherOnly])
    #expect(certificate.pathLengthConstraint == nil && certificate.isCA)
    // keyUsage keyCertSign|cRLSign is the BIT STRING 03 02 01 06 (one unused bit).
    let plain = try CertificateBuilder(
        subject: name, serialNumber: [1], notBefore: utc(2024, 1, 1), notAfter: utc(2025, 1, 1),
        publicKey: key.publicKey, isCA: true, keyUsage: [.keyCertSign, .cRLSign]
    ).sign(with: key, scheme: .ecdsa(.sha256, encoding: .der))
    #expect(contains(plain.der, [0x04, 0x04, 0x03, 0x02, 0x01, 0x06]))
    #expect(try plain.isSignedBy(key.publicKey))
    // ECDSA with SHA-384 and SHA-512, and BSI plain signatures, verify too.
    for scheme in [SignatureScheme.ecdsa(.sha512, encoding: .der), .ecdsa(.sha256, encoding: .plain)] {
        let c = try CertificateBuilder(subject: name, serialNumber: [2], notBefore: utc(2024, 1, 1), notAfter: utc(2025, 1, 1), publicKey: key.publicKey)
            .sign(with: key, scheme: scheme)
        #expect(c.signatureScheme == scheme)
        #expect(try c.isSignedBy(key.publicKey))
    }
    // Invalid builder input throws.
    #expect(throws: EMRTDError.self) {
        try CertificateBuilder(subject: name, serialNumber: [0], notBefore: utc(2024, 1, 1), notAfter: utc(2025, 1, 1), publicKey: key.publicKey)
            .sign(with: key, scheme: .ecdsa(.sha256, encoding: .der))
    }
    #expect(throws: EMRTDError.self) {
        try CertificateBuilder(subject: name, serialNumber: [1], notBefore: utc(2026, 1, 1), notAfter: utc(2025, 1, 1), publicKey: key.publicKey)
            .sign(with: key, scheme: .ecdsa(.sha256, encoding: .der))
    }
    #expect(throws: EMRTDError.self) {
        try CertificateBuilder(subject: name, serialNumber: [1], notBefore: utc(2024, 1, 1), notAfter: utc(2025, 1, 1), publicKey: key.publicKey)
            .sign(with: key, scheme: .rsaPKCS1v15(.sha256))
    }
    // A CRL with nothing revoked and no nextUpdate.
    let empty = try CRLBuilder(issuer: name, thisUpdate: utc(2024, 2, 29), nextUpdate: nil, crlNumber: nil)
        .sign(with: key, scheme: .ecdsa(.sha256, encoding: .der))
    #expect(empty.entries.isEmpty && empty.nextUpdate == nil && empty.crlNumber == nil && empty.authorityKeyIdentifier == nil)
    #expect(empty.thisUpdate == utc(2024, 2, 29))
    #expect(try empty.isSignedBy(key.publicKey))
    #expect(!empty.isRevoked(plain))
}

private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard haystack.count >= needle.count else { return false }
    return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<($0 + needle.count)]) == needle }
}

/// The subjectPublicKey bits of a SubjectPublicKeyInfo (without the unused-bits byte).
private func bitStringContents(_ spki: [UInt8]) -> [UInt8] {
    let r = ASN1Reader(.malformedDER, rules: .der)
    guard let fields = try? r.children(try r.parse(spki, what: "SubjectPublicKeyInfo"), .sequence, what: "SubjectPublicKeyInfo"),
          fields.count == 2, let bits = try? r.bitString(fields[1], what: "subjectPublicKey") else { return [] }
    return Array(bits)
}
