import Cryptography
import EMRTDCore
import Foundation
import LDS
import PassiveAuthentication
import Testing
import PKIX

@Suite("Passive authentication of published sample documents")
struct SampleDocumentTests {
    typealias DG = PassiveAuthenticationResult.DataGroupStatus

    /// The issuing CSCAs of these documents are not public: signature valid, chain unknown.
    func check(_ document: Vectors.Document, expected: [Int: DG]) throws {
        let result = verify(sod: try document.sod(), dataGroups: try document.dataGroups(), trust: TrustStore())
        #expect(result.status == .issuerUnknown, "\(result)")
        #expect(result.signature == .valid)
        #expect(result.chain == .unknown)
        #expect(result.dataGroups == expected)
        #expect(result.signer?.der == (try document.dsc()))
        #expect(result.csca == nil)
        #expect(result.has(.chainIssuerUnknown))
        for (n, status) in expected where status == .notInSOD {
            #expect(result.reasons.contains("DG\(n) was read but EF.SOD does not cover it"))
        }
    }

    @Test("BSI 2008 (ECDSA-SHA1, explicit brainpoolP224r1): DG1-3, DG14 match; DG4, DG15 not in EF.SOD")
    func bsi2008() throws {
        try check(Vectors.bsi2008, expected: [1: .match, 2: .match, 3: .match, 14: .match, 4: .notInSOD, 15: .notInSOD])
    }

    @Test("ETSI TR 103 200 (RSASSA-PSS): DG1, DG14, DG15 match; DG2-4 listed, not read")
    func etsi() throws {
        try check(Vectors.etsi, expected: [1: .match, 14: .match, 15: .match, 2: .notRead, 3: .notRead, 4: .notRead])
    }

    @Test("BSI TR-03105-5 (RSASSA-PSS): DG1, DG14 match; DG15 not in EF.SOD")
    func bsiTR03105() throws {
        try check(Vectors.bsiTR03105, expected: [1: .match, 14: .match, 15: .notInSOD, 2: .notRead, 3: .notRead, 4: .notRead])
    }

    @Test("A trust store holding only the DSC itself finds no issuer: issuer-unknown")
    func wrongCSCAKeyFailsChain() throws {
        // The DSC itself is no CSCA of its issuer; a trust store holding only it finds no issuer.
        var trust = TrustStore()
        trust.add(try X509Certificate(der: try Vectors.bsi2008.dsc()))
        let result = verify(sod: try Vectors.bsi2008.sod(), dataGroups: try Vectors.bsi2008.dataGroups(), trust: trust)
        #expect(result.status == .issuerUnknown)
        #expect(result.signature == .valid)
    }

    @Test("Only EF.SOD, no data group read: signature checked, every DG not-read")
    func noDataGroups() throws {
        let result = verify(sod: try Vectors.etsi.sod(), dataGroups: [:], trust: TrustStore())
        #expect(result.status == .issuerUnknown)
        #expect(result.dataGroups.values.allSatisfy { $0 == .notRead })
        #expect(result.dataGroups.count == 6)
    }

    @Test("BER re-encoding (indefinite lengths, segmented eContent) verifies like the DER original")
    func berSOD() throws {
        let ber = berCopy(of: try Vectors.bsi2008.sod())
        let result = verify(sod: ber, dataGroups: try Vectors.bsi2008.dataGroups(), trust: TrustStore())
        #expect(result.status == .issuerUnknown, "\(result)")
        #expect(result.signature == .valid)
        #expect(result.dataGroups[1] == .match)
    }

    @Test("EF.SOD not read: not-run; garbage or truncated EF.SOD: failed with the parse error")
    func notRunAndGarbage() throws {
        let none = verify(sod: [], dataGroups: [1: [0x61, 0x00]], trust: TrustStore())
        #expect(none.status == .notRun)
        #expect(none.has(.sodMissing))

        let garbage = verify(sod: Array("not a SOD".utf8), dataGroups: [:], trust: TrustStore())
        #expect(garbage.status == .failed)
        #expect(garbage.has(.sodMalformed))
        #expect(garbage.signature == .notChecked)

        let sod = try Vectors.etsi.sod()
        let truncated = verify(sod: Array(sod.prefix(sod.count / 2)), dataGroups: [:], trust: TrustStore())
        #expect(truncated.status == .failed)
        #expect(truncated.reasons.first?.hasPrefix("EF.SOD cannot be used") == true)
    }

    @Test("A data group changed by one byte fails, naming that data group")
    func tamperedDataGroup() throws {
        var dataGroups = try Vectors.bsi2008.dataGroups()
        dataGroups[2]![1000] ^= 0x01
        let result = verify(sod: try Vectors.bsi2008.sod(), dataGroups: dataGroups, trust: TrustStore())
        #expect(result.status == .failed)
        #expect(result.signature == .valid)
        #expect(result.dataGroups[2] == .mismatch)
        #expect(result.dataGroups[1] == .match)
        #expect(result.reasons.contains("DG2 does not match its hash in EF.SOD"))
    }
}
