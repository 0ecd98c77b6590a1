import AccessControl
import Cryptography
import EMRTD
import EMRTDCore
import Foundation
import LDS
import PassiveAuthentication
import Specimen
import Testing
import VirtualChip
import PKIX

/// The data groups of an image, by number.
func dataGroups(_ image: CardImage) -> [Int: [UInt8]] {
    var groups: [Int: [UInt8]] = [:]
    for (file, bytes) in image.files { if let n = file.dataGroupNumber { groups[n] = bytes } }
    return groups
}

/// Reads `image` through the virtual chip and verifies it against `trust`.
func readAndVerify(_ image: CardImage, trust: TrustStore = Specimen.testPKI.trustStore) throws -> DocumentVerification {
    let result = try readAll(try VirtualChip(image: image), access: .automatic)
    return DocumentVerification(read: result, trust: trust)
}

@Suite("Verdicts: passive, chip and active authentication together")
struct VerificationTests {
    @Test("The specimen is genuine: signature, chain, every data group, Chip and Active Authentication")
    func genuine() throws {
        let v = try readAndVerify(specimen())
        #expect(v.verdict == .genuine)
        #expect(v.passive.status == .passed)
        #expect(v.passive.signature == .valid && v.passive.chain == .valid)
        for n in [1, 2, 13, 14, 15] { #expect(v.passive.dataGroups[n] == .match, "DG\(n)") }
        #expect(v.chip.status == .passed)
        #expect(v.active.status == .passed)
    }

    @Test("Without a trusted CSCA: unverified, and the chip checks do not count")
    func unverified() throws {
        let v = try readAndVerify(specimen(), trust: TrustStore())
        #expect(v.verdict == .unverified)
        #expect(v.passive.status == .issuerUnknown)
        #expect(v.passive.signature == .valid)
        #expect(v.chip.status == .notRun)
        #expect(v.chip.reason.contains("only after passive authentication"))
        #expect(v.active.status == .notRun)
    }

    @Test("A changed byte in DG1, DG2 or DG13: not genuine, naming the data group", arguments: [1, 2, 13])
    func changedByte(group: Int) throws {
        var image = try specimen()
        let file = try #require(LDSFile.dataGroup(group))
        var bytes = try #require(image.files[file])
        bytes[bytes.count - 3] ^= 0x01
        image.files[file] = bytes
        let v = try readAndVerify(image)
        #expect(v.verdict == .notGenuine)
        #expect(v.passive.dataGroups[group] == .mismatch)
        #expect(v.passive.reasons.contains { $0.contains("DG\(group)") })
    }

    @Test("A data group read but missing from EF.SOD is reported, and the rest still verifies")
    func missingFromSOD() throws {
        var image = try specimen()
        let dg11 = try DG11(fields: [(tag: 0x5F0E, text: "TRAN THI NGOC ANH")])
        image.files[.dg11] = dg11.raw
        image.files[.com] = EFCOM(dataGroups: [.dg1, .dg2, .dg11, .dg13, .dg14, .dg15]).raw
        let v = try readAndVerify(image)
        #expect(v.passive.dataGroups[11] == .notInSOD)
        #expect(v.passive.reasons.contains { $0.contains("DG11") })
    }

    @Test("An EF.SOD signed by an untrusted key: issuer unknown (unverified); under a forged CSCA of the trusted name: not genuine")
    func untrustedSigner() throws {
        var image = try specimen()
        let other = try DocumentPKI.generate(country: "XX")
        image.files[.sod] = try other.signSecurityObject(dataGroups: dataGroups(image))
        let v = try readAndVerify(image)
        #expect(v.passive.status == .issuerUnknown)
        #expect(v.verdict == .unverified)

        // Same names as the trusted CSCA, other keys: the DSC link does not verify.
        let forged = try DocumentPKI.generate(country: "VN")
        image.files[.sod] = try forged.signSecurityObject(dataGroups: dataGroups(image))
        let f = try readAndVerify(image)
        #expect(f.passive.chain == .invalid)
        #expect(f.verdict == .notGenuine)
    }

    @Test("An expired and a revoked document signer: not genuine, with the reason", arguments: ["expired", "revoked"])
    func expiredOrRevoked(kind: String) throws {
        let pki = Specimen.testPKI
        var image = try specimen()
        let now = Date()
        let (dsc, key) = try DocumentPKI.issueDocumentSigner(
            csca: pki.csca, cscaKey: try #require(pki.cscaKey), algorithm: .ecdsaBrainpoolP256r1,
            notBefore: now.addingTimeInterval(kind == "expired" ? -20 * 86_400 : -86_400),
            notAfter: now.addingTimeInterval(kind == "expired" ? -10 * 86_400 : 365 * 86_400))
        var signer = pki
        signer.dsc = dsc
        signer.dscKey = key
        image.files[.sod] = try signer.signSecurityObject(dataGroups: dataGroups(image), signingTime: now.addingTimeInterval(-15 * 86_400))
        var trust = TrustStore(cscas: [pki.csca])
        if kind == "revoked" {
            let crl = try CRLBuilder(
                issuer: pki.csca.subject, thisUpdate: now.addingTimeInterval(-3600), nextUpdate: now.addingTimeInterval(86_400),
                revoked: [(dsc.serialNumber, now.addingTimeInterval(-3600))], authorityKeyIdentifier: pki.csca.subjectKeyIdentifier
            ).sign(with: try #require(pki.cscaKey), scheme: pki.scheme)
            trust.add(crl)
        }
        let v = try readAndVerify(image, trust: trust)
        #expect(v.verdict == .notGenuine)
        #expect(v.passive.chain == .invalid)
        #expect(v.passive.reasons.contains { $0.contains(kind) })
    }

    @Test("Hashes of another algorithm than EF.SOD names: mismatch, not genuine")
    func wrongHashAlgorithm() throws {
        var image = try specimen()
        let pki = Specimen.testPKI
        let sha1 = dataGroups(image).mapValues { HashAlgorithm.sha1.hash($0) }
        image.files[.sod] = try SecurityObjectDocument.sign(
            dataGroupHashes: sha1, hashAlgorithm: .sha256, signer: pki.dsc, key: pki.dscKey, scheme: pki.scheme)
        let v = try readAndVerify(image)
        #expect(v.verdict == .notGenuine)
        #expect(v.passive.dataGroups[1] == .mismatch)
    }

    @Test("A cloned chip: DG15's key without its private key fails Active Authentication")
    func cloneActive() throws {
        var image = try specimen()
        image.settings.activeAuthenticationKey = try PrivateKey.generate(.rsa(bits: 2048)).pem
        let v = try readAndVerify(image)
        #expect(v.active.status == .failed)
        #expect(v.verdict == .notGenuine)
    }

    @Test("A cloned chip: DG14's key without its private key fails Chip Authentication")
    func cloneChip() throws {
        var image = try specimen()
        image.settings.chipAuthenticationKey = try ECGroup.standard(parameterID: 13).generatePrivateKey().hex
        let v = try readAndVerify(image)
        #expect(v.chip.status == .failed)
        #expect(v.verdict == .notGenuine)
    }

    @Test("The NL master list as trust: the specimen's issuer is unknown (it is not in it)")
    func masterListTrust() throws {
        var trust = TrustStore()
        try trust.add(contentsOf: repositoryRoot + "/TestVectors/x509/zienit_NL_MASTERLIST_20211207.mls")
        #expect(trust.cscas.count >= 306)
        let v = try readAndVerify(specimen(), trust: trust)
        #expect(v.passive.status == .issuerUnknown)
    }

    @Test("EF.CardSecurity is verified like EF.SOD when present; a tampered one makes the document not genuine")
    func cardSecurity() throws {
        var image = try specimen()
        let pki = Specimen.testPKI
        let infos = try #require(image.files[.cardAccess])
        image.files[.cardSecurity] = try CardSecurityDocument.sign(securityInfos: infos, signer: pki.dsc, key: pki.dscKey, scheme: pki.scheme)
        let good = DocumentVerification(files: image.files, trust: pki.trustStore)
        #expect(good.cardSecurity?.status == .passed)
        #expect(good.verdict == .genuine)
        var bytes = try #require(image.files[.cardSecurity])
        bytes[bytes.count / 2] ^= 0x01
        image.files[.cardSecurity] = bytes
        let bad = DocumentVerification(files: image.files, trust: pki.trustStore)
        #expect(bad.cardSecurity?.status == .failed)
        #expect(bad.verdict == .notGenuine)
    }
}
