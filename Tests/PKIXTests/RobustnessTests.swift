import Cryptography
import EMRTDCore
import Foundation
import Testing
import PKIX

// Certificates and CRLs come from chips and files: malformed ones throw, never crash.

@Test func truncatedAndGarbageCertificatesThrow() throws {
    let files = [
        "x509/zienit_NL_CSCA_serial6_2021-2034.cer", "x509/bsi_tr03105_5_dsc_de_0142fd5cf927.cer",
        "x509/jmrtd_bsi2008_dsc.cer",
    ]
    for file in files {
        let der = try vectorBytes(file)
        _ = try X509Certificate(der: der)
        for length in 0..<der.count {
            let error = #expect(throws: EMRTDError.self, "\(file) prefix \(length)") {
                try X509Certificate(der: Array(der.prefix(length)))
            }
            #expect(error?.code == .malformedCertificate, "\(file) prefix \(length)")
        }
        #expect(throws: EMRTDError.self) { try X509Certificate(der: der + [0x00]) }
        // Every single-byte change parses or throws; none crashes.
        for i in der.indices {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var changed = der
                changed[i] ^= mask
                if let certificate = try? X509Certificate(der: changed) {
                    _ = certificate.description
                    _ = try? certificate.isSignedBy(certificate.publicKey)
                }
            }
        }
    }
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<500 {
        let count = Int.random(in: 0..<600, using: &generator)
        let garbage = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(throws: EMRTDError.self) { try X509Certificate(der: garbage) }
        #expect(throws: EMRTDError.self) { try X509Certificate(der: [0x30, 0x82, UInt8(count >> 8), UInt8(count & 0xFF)] + garbage) }
        #expect(throws: EMRTDError.self) { try CertificateRevocationList(der: garbage) }
        if count > 0 {  // (an empty SEQUENCE is the empty name)
            #expect(throws: EMRTDError.self) { try X509Name(der: [0x30, 0x82, UInt8(count >> 8), UInt8(count & 0xFF)] + garbage) }
        }
    }
    let specials: [[UInt8]] = [
        [], [0x30], [0x30, 0x80, 0x00, 0x00], [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF], [0x30, 0x89] + [UInt8](repeating: 0xFF, count: 9),
        [0x30, 0x00], [0x30, 0x03, 0x30, 0x01, 0x02],
        Array(repeating: 0x30, count: 10_000),
    ]
    for bytes in specials {
        #expect(throws: EMRTDError.self) { try X509Certificate(der: bytes) }
        #expect(throws: EMRTDError.self) { try CertificateRevocationList(der: bytes) }
        #expect(throws: EMRTDError.self) { try X509Certificate.parse(fileContents: bytes) }
    }
}

@Test func truncatedCRLsThrow() throws {
    let der = try vectorBytes("x509/zienit_COL_CSCA.crl")
    for length in 0..<der.count {
        let error = #expect(throws: EMRTDError.self) { try CertificateRevocationList(der: Array(der.prefix(length))) }
        #expect(error?.code == .malformedCRL)
    }
    for i in der.indices {
        var changed = der
        changed[i] ^= 0xFF
        if let crl = try? CertificateRevocationList(der: changed) { _ = crl.description }
    }
    // A certificate is not a CRL, nor a CRL a certificate.
    #expect(throws: EMRTDError.self) { try CertificateRevocationList(der: try vectorBytes("x509/jmrtd_bsi2008_dsc.cer")) }
    #expect(throws: EMRTDError.self) { try X509Certificate(der: der) }
}

@Test func malformedPEMThrows() throws {
    let csca = try X509Certificate(der: try vectorBytes("x509/zienit_NL_CSCA_serial6_2021-2034.cer"))
    let pem = csca.pem
    let bad = [
        "-----BEGIN CERTIFICATE-----\nMIIB\n",  // not terminated
        "-----BEGIN CERTIFICATE-----\nMII*B===\n-----END CERTIFICATE-----\n",  // bad base64
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",  // not a certificate
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",  // no certificate block
        pem.replacingOccurrences(of: "-----END CERTIFICATE-----", with: "-----END CRL-----"),
        String(pem.dropLast(40)),
    ]
    for text in bad {
        #expect(throws: EMRTDError.self, "\(text.prefix(60))") { try X509Certificate.parse(fileContents: Array(text.utf8)) }
    }
    // Text around the blocks is ignored, as OpenSSL's own output has it.
    let annotated = "subject=C=NL\nissuer=C=NL\n" + pem + "trailing text\n"
    #expect(try X509Certificate.parse(fileContents: Array(annotated.utf8)) == [csca])
    #expect(try X509Certificate.parse(fileContents: Array(pem.replacingOccurrences(of: "\n", with: "\r\n").utf8)) == [csca])
}
