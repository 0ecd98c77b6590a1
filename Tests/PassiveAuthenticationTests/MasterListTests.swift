import Cryptography
import EMRTDCore
import Foundation
import LDS
import PassiveAuthentication
import Testing
import PKIX

@Suite("CSCA master lists and the trust store")
struct MasterListTests {
    static let listFile = "master-lists/zienit_NL_MASTERLIST_20211207.mls"
    static let cscaFile = "master-lists/zienit_NL_CSCA_serial6_2021-2034.cer"
    static let crlFile = "master-lists/zienit_COL_CSCA.crl"

    @Test("NL master list: 306 certificates, signature valid, signer chains to CSCA NL serial 6")
    func netherlands() throws {
        let list = try MasterList(try Vectors.bytes(Self.listFile))
        #expect(list.certificates.count == 306)
        #expect(list.unreadableCertificates.isEmpty)
        #expect(list.version == 0)
        #expect(list.signedData.contentType == MasterList.contentType)
        let signer = try #require(list.signer)
        let csca = try X509Certificate(der: try Vectors.bytes(Self.cscaFile))
        #expect(list.certificates.contains { $0.der == csca.der })
        guard case .subjectKeyIdentifier(let ski)? = list.signedData.signerInfos.first?.sid else {
            Issue.record("the NL list names its signer by subject key identifier")
            return
        }
        #expect(signer.subjectKeyIdentifier == ski)

        let result = list.verify()
        #expect(result.status == .passed, "\(result)")
        #expect(result.signature == .valid)
        #expect(result.chain == .valid)
        #expect(result.csca?.der == csca.der)

        // With the date: the signer and CSCA NL are valid from 2021 to 2034.
        let inside = list.verify(trusting: [csca], at: date(2022, 1, 1))
        #expect(inside.status == .passed, "\(inside)")
        let before = list.verify(at: date(2020, 1, 1))
        #expect(before.status == .failed)
        #expect(before.has(.chainCertificateNotYetValid))
    }

    @Test("A byte changed inside one certificate of the list: refused")
    func tamperedCertificate() throws {
        var bytes = try Vectors.bytes(Self.listFile)
        let original = try MasterList(bytes)
        // The last byte of the 10th certificate (inside its signature value: it still parses).
        let target = original.certificates[9].der
        let range = try #require(findRange(of: target, in: bytes))
        bytes[range.upperBound - 1] ^= 0x01
        let list = try MasterList(bytes)
        #expect(list.certificates.count == 306)
        let result = list.verify()
        #expect(result.status == .failed)
        #expect(result.signature == .invalid)
        #expect(result.has(.cmsMessageDigestMismatch))

        var trust = TrustStore()
        #expect(code { try trust.add(fileContents: bytes, name: "tampered.mls") } == .masterListInvalid)
        #expect(trust.cscas.isEmpty)
    }

    @Test("A byte changed in the list's signature: refused")
    func tamperedSignature() throws {
        var bytes = try Vectors.bytes(Self.listFile)
        bytes[bytes.count - 1] ^= 0x01  // the SignerInfo's signature is the last element
        let result = try MasterList(bytes).verify()
        #expect(result.status == .failed)
        #expect(result.signature == .invalid)
        #expect(result.has(.cmsSignatureInvalid))
        #expect(!result.has(.cmsMessageDigestMismatch))
    }

    @Test("Not a master list: EF.SOD content type refused, garbage refused")
    func notAMasterList() throws {
        let sod = try Vectors.bsi2008.sod()
        #expect(code { try MasterList(Array(sod.dropFirst(4))) } == .cmsUnexpectedContentType)
        #expect(code { try MasterList([0x30, 0x03, 0x02, 0x01, 0x00]) } == .cmsMalformed)
        #expect(code { try MasterList([]) } == .cmsMalformed)
    }

    @Test("Trust store: master list file, certificate file, CRL file, a folder of them")
    func trustStore() throws {
        var trust = TrustStore()
        try trust.add(contentsOf: Vectors.path(Self.listFile))
        #expect(trust.cscas.count == 306)
        try trust.add(contentsOf: Vectors.path(Self.cscaFile))
        #expect(trust.cscas.count == 306)  // already there: no duplicate
        try trust.add(contentsOf: Vectors.path(Self.crlFile))
        #expect(trust.crls.count == 1)

        // The CRL's issuer (Government of Colombia CSCA) is in the NL list, found by name and by key.
        let crl = try #require(trust.crls.first)
        let colombia = trust.cscas.filter { $0.subject == crl.issuer }
        #expect(!colombia.isEmpty)
        #expect(try colombia.contains { try crl.isSignedBy($0.publicKey) })

        // A folder: every file recursively; the unrelated ones are skipped with a reason.
        var folder = TrustStore()
        try folder.add(contentsOf: Vectors.path("master-lists"))
        #expect(folder.cscas.count == 306)
        #expect(folder.crls.count == 1)
        #expect(folder.skipped.isEmpty)
        var mixed = TrustStore()
        try mixed.add(contentsOf: Vectors.path("bsi-eac"))
        #expect(mixed.cscas.count == 1)  // the German CSCA 013
        #expect(mixed.skipped.count == 2)  // two EF.CardSecurity files are not trust anchors

        var t = TrustStore()
        #expect(code { try t.add(fileContents: Array("hello".utf8)) } == .trustUnrecognizedFile)
        #expect(code { try t.add(contentsOf: "/nonexistent/path") } == .io)
    }

    @Test("Trust store: PEM certificates and issuers(of:) by AKI and by name")
    func pemAndIssuers() throws {
        let der = try Vectors.bytes(Self.cscaFile)
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        let pem = "-----BEGIN CERTIFICATE-----\n\(base64)\n-----END CERTIFICATE-----\n"
        var trust = TrustStore()
        try trust.add(fileContents: Array(pem.utf8), name: "csca.pem")
        #expect(trust.cscas.map(\.der) == [der])

        let list = try MasterList(try Vectors.bytes(Self.listFile))
        let signer = try #require(list.signer)
        #expect(trust.issuers(of: signer).map(\.der) == [der])
        #expect(trust.issuers(of: try X509Certificate(der: try Vectors.bsi2008.dsc())).isEmpty)
    }

    @Test("Real EF.CardSecurity (German test card): signature and chain to CSCA 013 with explicit EC parameters")
    func cardSecurityChain() throws {
        let bytes = try Vectors.bytes("bsi-eac/openpace_ef_cardsecurity_dan.bin")
        var trust = TrustStore()
        try trust.add(contentsOf: Vectors.path("bsi-eac/openpace_csca_germany_013_self_signed_cer.cer"))
        // The DSC is valid from 2010-10-05 to 2021-04-05.
        let result = verify(cardSecurity: bytes, trust: trust, at: date(2015, 6, 1))
        #expect(result.status == .passed, "\(result)")
        #expect(result.signature == .valid)
        #expect(result.chain == .valid)
        #expect(result.csca?.der == trust.cscas.first?.der)

        let later = verify(cardSecurity: bytes, trust: trust, at: date(2022, 1, 1))
        #expect(later.status == .failed)
        #expect(later.chain == .invalid)
        #expect(later.reasons.contains("DSC expired on 2021-04-05"))

        let untrusted = verify(cardSecurity: bytes, trust: TrustStore(), at: date(2015, 6, 1))
        #expect(untrusted.status == .issuerUnknown)

        // The BSI worked example's EF.CardSecurity (RSASSA-PSS): its CSCA is not published.
        let worked = verify(cardSecurity: try Vectors.bytes("bsi-eac/ecdh_ef_cardsecurity.bin"), trust: TrustStore())
        #expect(worked.status == .issuerUnknown, "\(worked)")
        #expect(worked.signature == .valid)

        #expect(verify(cardSecurity: [], trust: trust).status == .notRun)
        #expect(verify(cardSecurity: [0x30, 0x00], trust: trust).status == .failed)
    }
}

func date(_ year: Int, _ month: Int, _ day: Int) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar.date(from: DateComponents(year: year, month: month, day: day))!
}

func findRange(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
    Data(haystack).range(of: Data(needle)).map { $0.lowerBound..<$0.upperBound }
}
