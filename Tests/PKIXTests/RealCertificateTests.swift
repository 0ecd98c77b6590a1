import Cryptography
import EMRTDCore
import Foundation
import Testing
import PKIX

// Real eMRTD certificates and CRLs (TestVectors/x509/SOURCES.md). Expected values were read with
// `openssl x509 -text` / `openssl crl -text` (and the master list with pyca/cryptography and
// `openssl dgst -verify` for the explicit-parameter keys) when the tests were written.

@Test func netherlandsCSCA() throws {
    let csca = try X509Certificate(der: try vectorBytes("x509/zienit_NL_CSCA_serial6_2021-2034.cer"))
    #expect(csca.version == 3)
    #expect(csca.serialNumber == [0x07, 0xA4])  // 1956
    #expect(csca.subject.description
        == "C=NL, O=Kingdom of the Netherlands, OU=Kingdom of the Netherlands, CN=CSCA NL, serialNumber=6")
    #expect(csca.issuer == csca.subject)
    #expect(csca.isSelfIssued)
    #expect(csca.subject.countryCode == "NL")
    #expect(csca.subject.commonName == "CSCA NL")
    #expect(csca.subject.values(of: X509Name.Attribute.serialNumber) == ["6"])
    #expect(csca.notBefore == utc(2021, 6, 21))
    #expect(csca.notAfter == utc(2034, 6, 30))
    #expect(csca.isValid(at: utc(2025, 1, 1)))
    #expect(!csca.isValid(at: utc(2021, 6, 20, 23, 59, 59)))
    #expect(!csca.isValid(at: utc(2034, 6, 30, 0, 0, 1)))
    #expect(csca.subjectKeyIdentifier == h("54DFE2961C6CF463DF081F7C707DA6990024E69B5A42770541ABC92FEC95A5A0"))
    #expect(csca.authorityKeyIdentifier == nil)
    #expect(csca.isCA)
    #expect(csca.pathLengthConstraint == 0)
    #expect(csca.keyUsage == [.keyCertSign, .cRLSign])
    #expect(csca.publicKey.kind == .rsa(modulusBits: 4096))
    #expect(csca.signatureScheme == .rsaPKCS1v15(.sha256))
    #expect(csca.unhandledCriticalExtensions.isEmpty)
    // Self-signed: verified directly with its own key.
    #expect(try csca.isSignedBy(csca.publicKey))
    // DER and PEM files parse to the same certificate.
    #expect(try X509Certificate.parse(fileContents: Array(csca.pem.utf8)) == [csca])
    #expect(try X509Certificate.parse(fileContents: try vectorBytes("x509/zienit_NL_CSCA_serial6_2021-2034.cer")) == [csca])
}

@Test func documentSignerCertificates() throws {
    // BSI TR-03105-5 reference data set: RSA-PSS signed DSC.
    let bsi = try X509Certificate(der: try vectorBytes("x509/bsi_tr03105_5_dsc_de_0142fd5cf927.cer"))
    #expect(bsi.serialNumber == h("0142FD5CF927"))
    #expect(bsi.issuer.description == "CN=HJP PB CS, OU=Country Signer, O=HJP Consulting, C=DE")
    #expect(bsi.subject.description == "CN=HJP PB DS, OU=Document Signer, O=HJP Consulting, C=DE")
    #expect(bsi.notBefore == utc(2013, 12, 16, 21, 43, 18))
    #expect(bsi.notAfter == utc(2014, 12, 11, 21, 43, 18))
    #expect(bsi.authorityKeyIdentifier == h("1E4D57560C12902366A8FDE11408A37F70EB7D65"))
    #expect(bsi.subjectKeyIdentifier == h("831C30BE878FDF57273010E5B38950E576F7B08A"))
    #expect(bsi.keyUsage == [.digitalSignature])
    #expect(!bsi.isCA)
    #expect(!bsi.isSelfIssued)
    #expect(bsi.publicKey.kind == .rsa(modulusBits: 2048))
    #expect(bsi.signatureScheme == .rsaPSS(hash: .sha256, mgf1Hash: .sha256, saltLength: 32))
    #expect(bsi.publicKey.keyIdentifier == bsi.subjectKeyIdentifier)

    // ETSI TR 103 200 prototype: RSA-PSS signed DSC.
    let etsi = try X509Certificate(der: try vectorBytes("x509/etsi_tr103200_dsc_de_0130846f2b3e.cer"))
    #expect(etsi.serialNumber == h("0130846F2B3E"))
    #expect(etsi.issuer.description == "CN=ETSI CS, OU=Country Signer, O=ETSI, C=DE")
    #expect(etsi.subject.description == "CN=ETSI DS, OU=Document Signer, O=ETSI, C=DE")
    #expect(etsi.notBefore == utc(2011, 6, 12, 15, 18, 56))
    #expect(etsi.notAfter == utc(2012, 6, 6, 15, 18, 56))
    #expect(etsi.authorityKeyIdentifier == h("CEA56178E7A1585B3AEF1E25EF9EC82940158D10"))
    #expect(etsi.subjectKeyIdentifier == h("731FE7AEC52D7A75624F8DC4D794CEA4709EFB5A"))
    #expect(etsi.signatureScheme == .rsaPSS(hash: .sha256, mgf1Hash: .sha256, saltLength: 32))
    #expect(etsi.isValid(at: utc(2012, 1, 1)) && !etsi.isValid(at: utc(2013, 1, 1)))

    // BSI 2008 test passport (JMRTD): ECDSA-SHA1, brainpoolP224r1 key with explicit parameters.
    let jmrtd = try X509Certificate(der: try vectorBytes("x509/jmrtd_bsi2008_dsc.cer"))
    #expect(jmrtd.serialNumber == [0x12, 0x67])
    #expect(jmrtd.issuer.description == "CN=CSCA BDR TEST 19.09.07")
    #expect(jmrtd.issuer.countryCode == nil)
    #expect(jmrtd.subject.description
        == "serialNumber=1.2.276.0.80.1.12.0.20.10.1.2, CN=DS, O=BundesDruckerei GmbH, C=DE")
    #expect(jmrtd.notBefore == utc(2008, 1, 28, 23))
    #expect(jmrtd.notAfter == utc(2009, 1, 27, 23))
    #expect(jmrtd.authorityKeyIdentifier == h("1507BFA72B2D261B0F951836B75D83CF8D19921B"))
    #expect(jmrtd.subjectKeyIdentifier == nil)
    #expect(jmrtd.keyUsage == nil)
    #expect(jmrtd.publicKey.kind == .ec(curve: "brainpoolP224r1", explicitParameters: true, fieldBits: 224))
    #expect(jmrtd.signatureScheme == .ecdsa(.sha1, encoding: .der))

    // None of these DSCs signed itself; and a key of the wrong type is a mismatch, not "false".
    #expect(try !bsi.isSignedBy(bsi.publicKey))
    #expect(try !etsi.isSignedBy(bsi.publicKey))
    let mismatch = #expect(throws: EMRTDError.self) { try jmrtd.isSignedBy(bsi.publicKey) }
    #expect(mismatch?.code == .signatureKeyMismatch)
}

@Test func colombiaCRL() throws {
    let bytes = try vectorBytes("x509/zienit_COL_CSCA.crl")
    let crl = try CertificateRevocationList(der: bytes)
    #expect(crl.issuer.description == "CN=Government of Colombia CSCA, OU=Certification Authorities, O=Colombia, C=CO")
    #expect(crl.thisUpdate == utc(2020, 5, 8, 12, 38, 29))
    #expect(crl.nextUpdate == utc(2020, 8, 6, 12, 38, 29))
    #expect(crl.crlNumber == [0x03, 0x7B])  // 891
    #expect(crl.authorityKeyIdentifier == h("8D205418D2AA9237DCB3072520176B4D49F2A6D1"))
    #expect(crl.signatureScheme == .rsaPKCS1v15(.sha256))
    let serials = [
        "55780B03", "55780B02", "55780B00", "55780AFF", "55780AFD", "55780AFC", "5577EA34", "5577A5DE",
        "5577A5DD", "55777AC6", "55777AC5", "557756A5", "55770B5C", "55770B5B", "55770AEB",
    ].map(h)
    #expect(crl.entries.map(\.serialNumber) == serials)
    #expect(crl.revokedSerialNumbers == Set(serials))
    #expect(crl.entries.first?.revocationDate == utc(2020, 3, 9, 21, 19, 27))
    #expect(crl.entries.last?.revocationDate == utc(2015, 6, 9, 19, 49, 39))
    #expect(try CertificateRevocationList.parse(fileContents: bytes) == [crl])
    #expect(try CertificateRevocationList.parse(fileContents: Array(crl.pem.utf8)) == [crl])
    #expect(crl.pem.hasPrefix("-----BEGIN X509 CRL-----\n"))

    // The Colombian CSCA is in the Dutch master list (entry 129): it signed the CRL.
    let list = try masterListCertificates().list
    let colombia = try X509Certificate(der: list[129])
    #expect(colombia.subject == crl.issuer)
    #expect(colombia.serialNumber == h("55770B5A"))
    #expect(colombia.subjectKeyIdentifier == crl.authorityKeyIdentifier)
    #expect(try crl.isSignedBy(colombia.publicKey))
    #expect(!crl.isRevoked(colombia))  // its serial is not listed
    let netherlands = try X509Certificate(der: try vectorBytes("x509/zienit_NL_CSCA_serial6_2021-2034.cer"))
    #expect(try !crl.isSignedBy(netherlands.publicKey))
}

/// All 306 CSCA certificates of the Dutch master list of 2021-12-07: every one parses, is
/// self-issued and verifies with its own key. 58 of the 60 EC keys carry explicit domain parameters
/// (counted with `openssl x509 -text`), each mapped to its standard curve.
@Test func masterListCertificatesVerify() throws {
    let (list, embedded) = try masterListCertificates()
    #expect(list.count == 306)
    var explicit = 0, ec = 0, rsa = 0, pss = 0
    var explicitCurves: [String: Int] = [:], namedCurves: [String: Int] = [:]
    var certificates: [X509Certificate] = []
    for (index, der) in list.enumerated() {
        let certificate: X509Certificate
        do { certificate = try X509Certificate(der: der) } catch {
            Issue.record("entry \(index) does not parse: \(error)")
            continue
        }
        certificates.append(certificate)
        #expect(certificate.der == der)
        #expect(certificate.isSelfIssued, "entry \(index)")
        #expect(certificate.isCA, "entry \(index)")
        #expect(try certificate.isSignedBy(certificate.publicKey), "entry \(index): \(certificate.subject)")
        switch certificate.publicKey.kind {
        case .ec(let curve, let isExplicit, _):
            ec += 1
            if isExplicit { explicit += 1 }
            if isExplicit { explicitCurves[curve ?? "?", default: 0] += 1 } else { namedCurves[curve ?? "?", default: 0] += 1 }
        case .rsa: rsa += 1
        case .other(let name): Issue.record("entry \(index): unexpected key \(name)")
        }
        if case .rsaPSS = certificate.signatureScheme { pss += 1 }
    }
    #expect(certificates.count == 306)
    #expect(explicit == 58, "explicit \(explicit)")
    #expect(explicitCurves == [
        "brainpoolP384r1": 21, "brainpoolP256r1": 18, "secp256r1": 8, "secp384r1": 7, "brainpoolP512r1": 2, "secp521r1": 2,
    ])
    #expect(namedCurves == ["secp384r1": 2])
    #expect(ec == 60, "ec \(ec)")
    #expect(rsa == 246, "rsa \(rsa)")
    #expect(pss == 63, "pss \(pss)")
    // Serial numbers as encoded: zero (entry 88) and negative (entry 227) ones are kept as read.
    #expect(certificates[88].serialNumber == [0])
    #expect(certificates[227].serialNumber == h("F621B8B766E2123C39746AB89A2A9BF673B694E4"))
    // The standalone NL CSCA file is entry 218.
    #expect(certificates[218] == (try X509Certificate(der: try vectorBytes("x509/zienit_NL_CSCA_serial6_2021-2034.cer"))))
    // A certificate does not verify with another CSCA's key of the same type.
    for (index, certificate) in certificates.enumerated() {
        let other = certificates[(index + 1) % certificates.count]
        if let verified = try? certificate.isSignedBy(other.publicKey), other.publicKey != certificate.publicKey {
            #expect(!verified, "entry \(index) with the key of the next entry")
        }
    }

    // The master list signer, issued by the NL CSCA.
    #expect(embedded.count == 1)
    let signer = try X509Certificate(der: try #require(embedded.first))
    #expect(signer.serialNumber == h("07DC"))
    #expect(signer.subject.commonName == "Masterlist Signer NL")
    #expect(signer.issuer == certificates[218].subject)
    #expect(signer.authorityKeyIdentifier == certificates[218].subjectKeyIdentifier)
    #expect(signer.notBefore == utc(2021, 6, 28, 10, 11, 55))
    #expect(try signer.isSignedBy(certificates[218].publicKey))
    #expect(try !signer.isSignedBy(certificates[208].publicKey))
    #expect(!signer.isSelfIssued)
}

@Test func tamperedRealCertificatesFail() throws {
    let csca = try vectorBytes("x509/zienit_NL_CSCA_serial6_2021-2034.cer")
    let key = try X509Certificate(der: csca).publicKey
    // One byte of the signature.
    var signature = csca
    signature[signature.count - 10] ^= 0x01
    #expect(try !X509Certificate(der: signature).isSignedBy(key))
    // One byte of the TBS: a letter of "Kingdom" in the subject.
    let kingdom = Array("Kingdom".utf8)
    let position = try #require((0..<(csca.count - kingdom.count)).first { Array(csca[$0..<($0 + kingdom.count)]) == kingdom })
    var tbs = csca
    tbs[position] = UInt8(ascii: "k")
    let tampered = try X509Certificate(der: tbs)
    #expect(tampered.subject == (try X509Certificate(der: csca)).subject)  // equal by value (case) …
    #expect(try !tampered.isSignedBy(key))  // … but not the signed bytes

    // Every single-byte change either makes the certificate unreadable or its signature invalid.
    let explicitEC = try masterListCertificates().list.first { der in
        guard let c = try? X509Certificate(der: der), case .ec(_, true, _) = c.publicKey.kind else { return false }
        return true
    }
    for original in [csca, try #require(explicitEC)] {
        let issuerKey = try X509Certificate(der: original).publicKey
        for i in original.indices {
            var changed = original
            changed[i] ^= 0x5A
            guard let certificate = try? X509Certificate(der: changed) else { continue }
            #expect((try? certificate.isSignedBy(issuerKey)) != true, "byte \(i)")
        }
    }
}
