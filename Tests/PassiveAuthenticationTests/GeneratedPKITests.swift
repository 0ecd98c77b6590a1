import Cryptography
import EMRTDCore
import Foundation
import LDS
import PassiveAuthentication
import Testing
import PKIX

/// A test PKI made with the PKIX builders: CSCA → DSC, and EF.SOD made by our builder.
struct TestPKI: Sendable {
    static let shared: TestPKI = {
        do { return try TestPKI() } catch { fatalError("test PKI: \(error)") }
    }()

    static let ecdsa = SignatureScheme.ecdsa(.sha256, encoding: .der)
    static let cscaName = X509Name(country: "VN", organization: "Test", commonName: "CSCA VN Test", serialNumber: "1")
    static let dscName = X509Name(country: "VN", organization: "Test", commonName: "DS VN Test", serialNumber: "1")

    let cscaKey: PrivateKey
    let csca: X509Certificate
    let dscKey: PrivateKey
    let dsc: X509Certificate

    /// Verification date: inside every validity period.
    static let now = date(2026, 6, 1)

    /// Synthetic data groups (tag, length, value), as read.
    static let dataGroups: [Int: [UInt8]] = [
        1: [0x61, 0x07, 0x5F, 0x1F, 0x04] + Array("I<VN".utf8),
        2: [0x75, 0x03, 0x7F, 0x61, 0x00],
        13: [0x6D, 0x0B, 0x30, 0x09, 0x02, 0x01, 0x01, 0x0C, 0x04] + Array("Test".utf8),
        14: [0x6E, 0x02, 0x31, 0x00],
    ]

    init() throws {
        cscaKey = try PrivateKey.generate(.ec(curve: "brainpoolP256r1"))
        csca = try Self.makeCSCA(key: cscaKey, name: Self.cscaName)
        dscKey = try PrivateKey.generate(.ec(curve: "prime256v1"))
        dsc = try Self.makeDSC(subjectKey: dscKey.publicKey, issuer: csca, issuerKey: cscaKey)
    }

    static func makeCSCA(
        key: PrivateKey, name: X509Name, serial: [UInt8] = [0x01],
        from: Date = date(2020, 1, 1), to: Date = date(2035, 1, 1)
    ) throws -> X509Certificate {
        try CertificateBuilder(
            subject: name, serialNumber: serial, notBefore: from, notAfter: to, publicKey: key.publicKey,
            isCA: true, pathLength: 0, keyUsage: [.keyCertSign, .cRLSign]
        ).sign(with: key, scheme: ecdsa)
    }

    static func makeDSC(
        subjectKey: PublicKey, issuer: X509Certificate, issuerKey: PrivateKey, serial: [UInt8] = [0x10, 0x20],
        from: Date = date(2024, 1, 1), to: Date = date(2029, 1, 1), name: X509Name = dscName
    ) throws -> X509Certificate {
        try CertificateBuilder(
            subject: name, issuer: issuer.subject, serialNumber: serial, notBefore: from, notAfter: to,
            publicKey: subjectKey, keyUsage: [.digitalSignature], authorityKeyIdentifier: issuer.subjectKeyIdentifier
        ).sign(with: issuerKey, scheme: ecdsa)
    }

    var trust: TrustStore { TrustStore(cscas: [csca]) }

    func sod(
        _ dataGroups: [Int: [UInt8]] = TestPKI.dataGroups, hash: HashAlgorithm = .sha256, signer: X509Certificate? = nil,
        key: PrivateKey? = nil, scheme: SignatureScheme = TestPKI.ecdsa
    ) throws -> [UInt8] {
        try SecurityObjectDocument.sign(
            dataGroups: dataGroups, hash: hash, signer: signer ?? dsc, key: key ?? dscKey, scheme: scheme,
            ldsVersion: ("0108", "040000"), signingTime: TestPKI.now)
    }
}

@Suite("Passive authentication with a generated CSCA → DSC → EF.SOD")
struct GeneratedPKITests {
    let pki = TestPKI.shared

    @Test("The full path: EF.SOD built over synthetic DGs, DSC issued by a trusted CSCA: passed")
    func passes() throws {
        let sod = try pki.sod()
        let parsed = try SecurityObjectDocument(sod)
        #expect(parsed.securityObject.version == 1)
        #expect(parsed.securityObject.ldsVersion == "0108")
        #expect(parsed.signerInfo?.signingTime == TestPKI.now)
        let result = verify(sod: sod, dataGroups: TestPKI.dataGroups, trust: pki.trust, at: TestPKI.now)
        #expect(result.status == .passed, "\(result)")
        #expect(result.signature == .valid)
        #expect(result.chain == .valid)
        #expect(result.dataGroups == [1: .match, 2: .match, 13: .match, 14: .match])
        #expect(result.signer == pki.dsc)
        #expect(result.csca == pki.csca)
        #expect(result.issues.isEmpty, "\(result)")
    }

    @Test("Any byte changed in the signed parts of EF.SOD: never passed, never a crash")
    func randomFlips() throws {
        let sod = try pki.sod()
        // Unsigned metadata that verification does not rely on is left out: SignedData.digestAlgorithms
        // (77 82 LL LL, 30 82 LL LL, OID (11), A0 82 LL LL, 30 82 LL LL, 02 01 03, then 31 0F ...), and
        // the SignerInfo's version, sid and digestAlgorithm (names compare by value, so a string type
        // changed in the sid still finds the DSC).
        #expect(Array(sod[27...31]) == [0x02, 0x01, 0x03, 0x31, 0x0F])
        let issuer = pki.dsc.issuer.der
        let sidBody = issuer + [0x02, 0x02, 0x10, 0x20]
        let sid = [0x30, UInt8(sidBody.count)] + sidBody
        let sidRange = try #require(allRanges(of: sid, in: sod).last)
        let unsigned = [30..<47, (sidRange.lowerBound - 3)..<(sidRange.upperBound + 15)]
        var generator = SystemRandomNumberGenerator()
        var statuses: [PassiveAuthenticationResult.Status: Int] = [:]
        for _ in 0..<400 {
            var copy = sod
            var i = 0
            repeat { i = Int.random(in: 0..<copy.count, using: &generator) } while unsigned.contains { $0.contains(i) }
            copy[i] ^= UInt8.random(in: 1...255, using: &generator)
            let result = verify(sod: copy, dataGroups: TestPKI.dataGroups, trust: pki.trust, at: TestPKI.now)
            #expect(result.status != .passed, "byte \(i): \(result)")
            statuses[result.status, default: 0] += 1
        }
        #expect(statuses[.failed, default: 0] > 300)
    }

    @Test("Trust store from files: the CSCA as PEM in a folder")
    func trustFromFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pa-trust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("nested"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(pki.csca.pem.utf8).write(to: folder.appendingPathComponent("nested/csca.pem"))
        try Data("notes".utf8).write(to: folder.appendingPathComponent("README.txt"))
        var trust = TrustStore()
        try trust.add(contentsOf: folder.path)
        #expect(trust.cscas == [pki.csca])
        #expect(trust.skipped.count == 1)
        let result = verify(sod: try pki.sod(), dataGroups: TestPKI.dataGroups, trust: trust, at: TestPKI.now)
        #expect(result.status == .passed, "\(result)")
    }

    @Test("One byte changed in a data group: failed, naming it")
    func changedDataGroup() throws {
        var groups = TestPKI.dataGroups
        groups[13]![12] ^= 0x20
        let result = verify(sod: try pki.sod(), dataGroups: groups, trust: pki.trust, at: TestPKI.now)
        #expect(result.status == .failed)
        #expect(result.signature == .valid && result.chain == .valid)
        #expect(result.dataGroups[13] == .mismatch)
        #expect(result.reasons == ["DG13 does not match its hash in EF.SOD"])
    }

    @Test("A data group the SOD does not list: not-in-sod, reported, not a failure")
    func dataGroupNotInSOD() throws {
        let sod = try pki.sod(TestPKI.dataGroups.filter { $0.key != 14 })
        let result = verify(sod: sod, dataGroups: TestPKI.dataGroups, trust: pki.trust, at: TestPKI.now)
        #expect(result.status == .passed, "\(result)")
        #expect(result.dataGroups[14] == .notInSOD)
        #expect(result.reasons == ["DG14 was read but EF.SOD does not cover it"])
        // Listed but not read is fine.
        let partial = verify(sod: sod, dataGroups: [1: TestPKI.dataGroups[1]!], trust: pki.trust, at: TestPKI.now)
        #expect(partial.status == .passed)
        #expect(partial.dataGroups == [1: .match, 2: .notRead, 13: .notRead])
    }

    @Test("DSC from an unknown CSCA: issuer-unknown, signature valid")
    func untrustedCSCA() throws {
        let otherKey = try PrivateKey.generate(.ec(curve: "prime256v1"))
        let other = try TestPKI.makeCSCA(key: otherKey, name: X509Name(country: "XX", commonName: "Other CSCA"))
        let dsc = try TestPKI.makeDSC(subjectKey: pki.dscKey.publicKey, issuer: other, issuerKey: otherKey)
        let result = verify(sod: try pki.sod(signer: dsc), dataGroups: TestPKI.dataGroups, trust: pki.trust, at: TestPKI.now)
        #expect(result.status == .issuerUnknown, "\(result)")
        #expect(result.signature == .valid)
        #expect(result.chain == .unknown)
        #expect(result.has(.chainIssuerUnknown))
    }

    @Test("DSC claiming the trusted CSCA but signed by another key: failed, chain invalid")
    func forgedDSC() throws {
        let impostorKey = try PrivateKey.generate(.ec(curve: "brainpoolP256r1"))
        let dsc = try TestPKI.makeDSC(subjectKey: pki.dscKey.publicKey, issuer: pki.csca, issuerKey: impostorKey)
        let result = verify(sod: try pki.sod(signer: dsc), dataGroups: TestPKI.dataGroups, trust: pki.trust, at: TestPKI.now)
        #expect(result.status == .failed)
        #expect(result.signature == .valid)
        #expect(result.chain == .invalid)
        #expect(result.has(.chainSignatureInvalid))
        #expect(result.csca == nil)
    }

    @Test("EF.SOD signed with a key that is not the DSC's: failed, signature invalid")
    func wrongSigningKey() throws {
        let otherKey = try PrivateKey.generate(.ec(curve: "prime256v1"))
        let result = verify(sod: try pki.sod(key: otherKey), dataGroups: TestPKI.dataGroups, trust: pki.trust, at: TestPKI.now)
        #expect(result.status == .failed)
        #expect(result.signature == .invalid)
        #expect(result.chain == .valid)
        #expect(result.has(.cmsSignatureInvalid))
    }

    @Test("Expired DSC, not-yet-valid DSC, expired CSCA: failed with the date")
    func validity() throws {
        let expired = verify(sod: try pki.sod(), dataGroups: TestPKI.dataGroups, trust: pki.trust, at: date(2030, 1, 1))
        #expect(expired.status == .failed)
        #expect(expired.chain == .invalid)
        #expect(expired.signature == .valid)
        #expect(expired.reasons == ["DSC expired on 2029-01-01"])
        #expect(expired.has(.chainCertificateExpired))

        let early = verify(sod: try pki.sod(), dataGroups: TestPKI.dataGroups, trust: pki.trust, at: date(2023, 1, 1))
        #expect(early.status == .failed)
        #expect(early.reasons == ["DSC is not valid before 2024-01-01"])

        let cscaLate = verify(sod: try pki.sod(), dataGroups: TestPKI.dataGroups, trust: pki.trust, at: date(2036, 1, 1))
        #expect(cscaLate.reasons.contains("CSCA expired on 2035-01-01"))
    }

    @Test("Revoked DSC: failed; a CRL not signed by the CSCA is ignored and said so")
    func revocation() throws {
        let crl = try CRLBuilder(
            issuer: pki.csca.subject, thisUpdate: date(2026, 1, 1), nextUpdate: date(2026, 12, 1),
            revoked: [(serialNumber: pki.dsc.serialNumber, date: date(2025, 12, 1))],
            authorityKeyIdentifier: pki.csca.subjectKeyIdentifier
        ).sign(with: pki.cscaKey, scheme: TestPKI.ecdsa)
        let trust = TrustStore(cscas: [pki.csca], crls: [crl])
        let result = verify(sod: try pki.sod(), dataGroups: TestPKI.dataGroups, trust: trust, at: TestPKI.now)
        #expect(result.status == .failed)
        #expect(result.chain == .invalid)
        #expect(result.has(.chainCertificateRevoked))
        #expect(result.reasons.contains { $0.hasPrefix("DSC revoked by CRL of ") && $0.contains("CSCA VN Test") })

        // The same CRL signed by someone else: not applied.
        let forged = try CRLBuilder(
            issuer: pki.csca.subject, thisUpdate: date(2026, 1, 1), nextUpdate: date(2026, 12, 1),
            revoked: [(serialNumber: pki.dsc.serialNumber, date: date(2025, 12, 1))]
        ).sign(with: try PrivateKey.generate(.ec(curve: "brainpoolP256r1")), scheme: TestPKI.ecdsa)
        let ignored = verify(
            sod: try pki.sod(), dataGroups: TestPKI.dataGroups, trust: TrustStore(cscas: [pki.csca], crls: [forged]),
            at: TestPKI.now)
        #expect(ignored.status == .passed, "\(ignored)")
        #expect(ignored.has(.chainCRLIgnored))

        // A CRL of the CSCA that does not list the DSC: passed; an out-of-date one is noted.
        let clean = try CRLBuilder(issuer: pki.csca.subject, thisUpdate: date(2025, 1, 1), nextUpdate: date(2025, 6, 1))
            .sign(with: pki.cscaKey, scheme: TestPKI.ecdsa)
        let stale = verify(
            sod: try pki.sod(), dataGroups: TestPKI.dataGroups, trust: TrustStore(cscas: [pki.csca], crls: [clean]),
            at: TestPKI.now)
        #expect(stale.status == .passed)
        #expect(stale.reasons.contains { $0.contains("out of date") })

        // CRLs load from PEM and DER files too.
        var fromFiles = TrustStore()
        try fromFiles.add(fileContents: Array(pki.csca.der), name: "csca.der")
        try fromFiles.add(fileContents: Array(crl.pem.utf8), name: "csca.crl.pem")
        try fromFiles.add(fileContents: crl.der, name: "csca.crl")
        #expect(fromFiles.crls.count == 2)
        #expect(verify(sod: try pki.sod(), dataGroups: TestPKI.dataGroups, trust: fromFiles, at: TestPKI.now).status == .failed)
    }

    @Test("EF.SOD listing SHA-1 hashes under SHA-256: every data group mismatches")
    func hashAlgorithmMismatch() throws {
        let sha1Hashes = TestPKI.dataGroups.mapValues { HashAlgorithm.sha1.hash($0) }
        let sod = try SecurityObjectDocument.sign(
            dataGroupHashes: sha1Hashes, hashAlgorithm: .sha256, signer: pki.dsc, key: pki.dscKey, scheme: TestPKI.ecdsa)
        let result = verify(sod: sod, dataGroups: TestPKI.dataGroups, trust: pki.trust, at: TestPKI.now)
        #expect(result.status == .failed)
        #expect(result.signature == .valid)
        #expect(result.dataGroups.values.allSatisfy { $0 == .mismatch })
        #expect(result.reasons.contains("DG1 does not match its hash in EF.SOD (EF.SOD lists a 20-byte value; SHA-256 gives 32 bytes)"))
        // And the other way round: SHA-256 hashes, read as SHA-512 hashes of the same length? No such
        // pair; a SHA-384 SOD over the same DGs, hashed here with SHA-384, matches.
        let sha384 = verify(sod: try pki.sod(hash: .sha384), dataGroups: TestPKI.dataGroups, trust: pki.trust, at: TestPKI.now)
        #expect(sha384.status == .passed)
    }

    @Test("The generated EF.SOD re-encoded as indefinite-length BER: passed")
    func berGenerated() throws {
        let ber = berCopy(of: try pki.sod())
        #expect(ber[1] == 0x80)
        let result = verify(sod: ber, dataGroups: TestPKI.dataGroups, trust: pki.trust, at: TestPKI.now)
        #expect(result.status == .passed, "\(result)")
    }

    @Test("RSA DSC with RSASSA-PSS and PKCS#1 v1.5 SignerInfos: passed (scheme taken from the SignerInfo)")
    func rsaSchemes() throws {
        let rsaKey = try PrivateKey.generate(.rsa(bits: 2048))
        let dsc = try TestPKI.makeDSC(subjectKey: rsaKey.publicKey, issuer: pki.csca, issuerKey: pki.cscaKey, serial: [0x33])
        for scheme in [
            SignatureScheme.rsaPSS(hash: .sha256, mgf1Hash: .sha256, saltLength: 32),
            .rsaPSS(hash: .sha512, mgf1Hash: .sha512, saltLength: 64),
            .rsaPKCS1v15(.sha256),
        ] {
            let sod = try pki.sod(signer: dsc, key: rsaKey, scheme: scheme)
            let result = verify(sod: sod, dataGroups: TestPKI.dataGroups, trust: pki.trust, at: TestPKI.now)
            #expect(result.status == .passed, "\(scheme): \(result)")
        }
    }

    @Test("Link certificate: new CSCA key certified by the trusted old CSCA is a valid anchor")
    func linkCertificate() throws {
        let newKey = try PrivateKey.generate(.ec(curve: "brainpoolP256r1"))
        let link = try CertificateBuilder(
            subject: TestPKI.cscaName, issuer: TestPKI.cscaName, serialNumber: [0x02], notBefore: date(2025, 1, 1),
            notAfter: date(2040, 1, 1), publicKey: newKey.publicKey, isCA: true, pathLength: 0,
            keyUsage: [.keyCertSign, .cRLSign], authorityKeyIdentifier: pki.csca.subjectKeyIdentifier
        ).sign(with: pki.cscaKey, scheme: TestPKI.ecdsa)
        #expect(try link.isSignedBy(pki.csca.publicKey))
        let dsc = try TestPKI.makeDSC(subjectKey: pki.dscKey.publicKey, issuer: link, issuerKey: newKey, serial: [0x44])
        let sod = try pki.sod(signer: dsc)

        let result = verify(sod: sod, dataGroups: TestPKI.dataGroups, trust: TrustStore(cscas: [pki.csca, link]), at: TestPKI.now)
        #expect(result.status == .passed, "\(result)")
        #expect(result.csca == link)
        // Without the link certificate, the old CSCA's key does not verify the new DSC.
        let without = verify(sod: sod, dataGroups: TestPKI.dataGroups, trust: pki.trust, at: TestPKI.now)
        #expect(without.status == .failed)
        #expect(without.has(.chainSignatureInvalid))
    }

    @Test("Signer identified by value: a SignerInfo issuer with RDNs in another order still finds the DSC")
    func signerNameByValue() throws {
        // Rewrite the sid issuer Name of our SOD with its RDNs reversed (same length, so the outer
        // lengths stay); the signature is over the signed attributes, not the sid.
        let sod = try pki.sod()
        let issuer = pki.dsc.issuer.der
        let reversed = X509Name(rdns: pki.dsc.issuer.rdns.reversed()).der
        #expect(reversed != issuer && reversed.count == issuer.count)
        let ranges = allRanges(of: issuer, in: sod)
        // The DSC's own issuer and subject come first; the sid is the last occurrence.
        var patched = sod
        let last = try #require(ranges.last)
        patched.replaceSubrange(last, with: reversed)
        let result = verify(sod: patched, dataGroups: TestPKI.dataGroups, trust: pki.trust, at: TestPKI.now)
        #expect(result.status == .passed, "\(result)")
        #expect(result.signer == pki.dsc)
    }

    @Test("Algorithms this toolkit does not implement: not-supported, never passed")
    func notSupported() throws {
        // A SHA-1 EF.SOD whose LDSSecurityObject names RIPEMD-160 (1.3.36.3.2.1, same length as SHA-1's OID).
        var sod = try pki.sod(hash: .sha1)
        let sha1 = h("020101300906052B0E03021A0500")  // version 1, AlgorithmIdentifier SHA-1 with NULL
        let at = try #require(findRange(of: sha1, in: sod))
        sod.replaceSubrange(at, with: h("020101300906052B240302010500"))
        #expect(code { try SecurityObjectDocument(sod) } == .digestAlgorithmUnsupported)
        let ripemd = verify(sod: sod, dataGroups: TestPKI.dataGroups, trust: pki.trust, at: TestPKI.now)
        #expect(ripemd.status == .notSupported)
        #expect(ripemd.has(.digestAlgorithmUnsupported))

        // A SignerInfo signature algorithm OID nobody knows (ecdsa-with-SHA256 → ...4.3.9).
        var unknown = try pki.sod()
        let oid = h("06082A8648CE3D040302")
        let last = try #require(allRanges(of: oid, in: unknown).last)
        unknown[last.upperBound - 1] = 0x09
        let result = verify(sod: unknown, dataGroups: TestPKI.dataGroups, trust: pki.trust, at: TestPKI.now)
        #expect(result.status == .notSupported, "\(result)")
        #expect(result.signature == .notChecked)
        #expect(result.has(.signerAlgorithmUnsupported))
        // ... unless something else is wrong: a mismatching DG still fails.
        var groups = TestPKI.dataGroups
        groups[1]![5] ^= 1
        #expect(verify(sod: unknown, dataGroups: groups, trust: pki.trust, at: TestPKI.now).status == .failed)
    }

    @Test("SignedData certificates parse one by one; a broken one is reported, the signer still found")
    func brokenEmbeddedCertificate() throws {
        let signed = try CryptographicMessageSyntax.SignedData(contentInfo: Array(try pki.sod().dropFirst(4)))
        #expect(signed.parsedCertificates.count == 1)
        #expect(try signed.parsedCertificates[0].get() == pki.dsc)
        // An EF.SOD carrying a junk certificate before the DSC.
        let junk: [UInt8] = [0x30, 0x03, 0x02, 0x01, 0x05]
        let content = try LDSSecurityObject.encode(hashAlgorithm: .sha256, dataGroupHashes: TestPKI.dataGroups.mapValues { HashAlgorithm.sha256.hash($0) })
        let contentInfo = try CryptographicMessageSyntax.signedData(
            contentType: LDSSecurityObject.contentType, content: content, signer: pki.dsc, key: pki.dscKey,
            scheme: TestPKI.ecdsa, certificates: [pki.dsc])
        let patched = splice(junk, beforeFirst: pki.dsc.der, in: contentInfo)
        let sod = [0x77, 0x82, UInt8(patched.count >> 8), UInt8(patched.count & 0xFF)] + patched
        let parsed = try SecurityObjectDocument(sod)
        #expect(parsed.signedData.certificates.count == 2)
        if case .success = parsed.signedData.parsedCertificates[0] { Issue.record("junk parsed") }
        let result = verify(sod: sod, dataGroups: TestPKI.dataGroups, trust: pki.trust, at: TestPKI.now)
        #expect(result.status == .passed, "\(result)")
        #expect(result.has(.cmsMalformed))
    }

    @Test("EF.CardSecurity built and verified like EF.SOD")
    func cardSecurity() throws {
        let infos = try Vectors.bytes("bsi-eac/openpace_ef_cardsecurity_dan.bin")
        let securityInfos = try CardSecurityDocument(infos).securityInfos.raw
        let card = try CardSecurityDocument.sign(
            securityInfos: securityInfos, signer: pki.dsc, key: pki.dscKey, scheme: TestPKI.ecdsa, signingTime: TestPKI.now)
        #expect(try CardSecurityDocument(card).securityInfos.raw == securityInfos)
        let result = verify(cardSecurity: card, trust: pki.trust, at: TestPKI.now)
        #expect(result.status == .passed, "\(result)")
        #expect(result.dataGroups.isEmpty)
    }
}

func allRanges(of needle: [UInt8], in haystack: [UInt8]) -> [Range<Int>] {
    var out: [Range<Int>] = []
    var start = 0
    while start + needle.count <= haystack.count {
        if Array(haystack[start..<(start + needle.count)]) == needle {
            out.append(start..<(start + needle.count))
            start += needle.count
        } else {
            start += 1
        }
    }
    return out
}

/// Inserts `insert` before the first occurrence of `marker` and fixes the lengths of the enclosing
/// DER elements (ContentInfo, [0], SignedData, certificates [0]: all long-form 82 lengths here).
func splice(_ insert: [UInt8], beforeFirst marker: [UInt8], in contentInfo: [UInt8]) -> [UInt8] {
    let at = findRange(of: marker, in: contentInfo)!.lowerBound
    var out = contentInfo
    out.insert(contentsOf: insert, at: at)
    // Every element whose header is 30/A0 82 xx xx and whose content spans `at` grows.
    var i = 0
    while i + 4 <= at {
        if (out[i] == 0x30 || out[i] == 0xA0), out[i + 1] == 0x82 {
            let length = Int(out[i + 2]) << 8 | Int(out[i + 3])
            if i + 4 + length >= at && i + 4 <= at {
                let grown = length + insert.count
                out[i + 2] = UInt8(grown >> 8)
                out[i + 3] = UInt8(grown & 0xFF)
                i += 4
                continue
            }
        }
        i += 1
    }
    return out
}
