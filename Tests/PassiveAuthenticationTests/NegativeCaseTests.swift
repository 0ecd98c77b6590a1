import EMRTDCore
import Foundation
import LDS
import PassiveAuthentication
import Testing

/// The 16 mutated SODs / data groups of pymrtd's tests, each mapped to our outcome.
@Suite("pymrtd negative EF.SOD cases")
struct NegativeCaseTests {
    typealias DG = PassiveAuthenticationResult.DataGroupStatus

    enum Expected {
        /// EF.SOD is refused when parsed: this code, a message containing this text.
        case refused(EMRTDError.Code, String)
        /// EF.SOD parses; verification (no trust store) gives this.
        case verified(PassiveAuthenticationResult.Status, signature: PassiveAuthenticationResult.SignatureStatus,
                      dataGroups: [Int: DG], code: EMRTDError.Code?, reason: String?)
    }

    /// pymrtd test line → our outcome.
    static let expectations: [Int: Expected] = [
        // Root content type 1.2.840.113549.1.8.2 / id-signedAndEnvelopedData: not signed data.
        559: .refused(.cmsNotSignedData, "not id-signedData"),
        564: .refused(.cmsNotSignedData, "id-signedAndEnvelopedData"),
        // SignedData v1, v2, v4 with the LDS content type: ICAO requires v3.
        569: .refused(.cmsUnsupportedVersion, "version is 1, expected 3"),
        574: .refused(.cmsUnsupportedVersion, "version is 2, expected 3"),
        579: .refused(.cmsUnsupportedVersion, "version is 4, expected 3"),
        // eContentType id-data (and the contentType attribute with it): pymrtd's strict mode refuses
        // it; INTEROP says accept it. The SOD parses, but the signed attributes were changed after
        // signing, so the signature fails.
        584: .verified(.failed, signature: .invalid, dataGroups: [1: .notRead, 2: .notRead, 3: .notRead, 4: .notRead, 14: .notRead],
                       code: .cmsSignatureInvalid, reason: "does not verify with the DSC's key"),
        // eContentType id-digestedData: refused in strict and relaxed mode alike.
        589: .refused(.cmsUnexpectedContentType, "id-digestedData"),
        594: .refused(.cmsUnexpectedContentType, "id-digestedData"),
        // LDSSecurityObject v2 and v-1.
        599: .refused(.sodUnsupportedVersion, "version 2, expected 0 or 1"),
        604: .refused(.sodUnsupportedVersion, "version -1, expected 0 or 1"),
        // One byte after the 77 element.
        609: .refused(.sodMalformed, "Trailing"),
        // DG1 hash changed in the SOD: DG1 mismatches and the messageDigest no longer matches.
        619: .verified(.failed, signature: .invalid, dataGroups: [1: .mismatch, 2: .notRead, 3: .notRead, 4: .notRead, 14: .notRead, 15: .notRead],
                       code: .cmsMessageDigestMismatch, reason: "messageDigest signed attribute does not match"),
        // Last signature byte changed.
        632: .verified(.failed, signature: .invalid, dataGroups: [1: .match, 2: .notRead, 3: .notRead, 4: .notRead, 14: .notRead, 15: .notRead],
                       code: .cmsSignatureInvalid, reason: "does not verify with the DSC's key"),
        // DG14 hash changed in the SOD.
        645: .verified(.failed, signature: .invalid, dataGroups: [14: .mismatch, 1: .notRead, 2: .notRead, 3: .notRead, 4: .notRead, 15: .notRead],
                       code: .cmsMessageDigestMismatch, reason: "messageDigest signed attribute does not match"),
        // DG1 changed (country code): SOD intact, DG1 mismatches.
        657: .verified(.failed, signature: .valid, dataGroups: [1: .mismatch, 2: .notRead, 3: .notRead, 4: .notRead, 14: .notRead, 15: .notRead],
                       code: .dataGroupMismatch, reason: "DG1 does not match its hash in EF.SOD"),
        // DG15 changed (RSA exponent): SOD intact, DG15 mismatches.
        669: .verified(.failed, signature: .valid, dataGroups: [15: .mismatch, 1: .notRead, 2: .notRead, 3: .notRead, 4: .notRead, 14: .notRead],
                       code: .dataGroupMismatch, reason: "DG15 does not match its hash in EF.SOD"),
    ]

    @Test("All 16 cases are mapped")
    func allMapped() throws {
        let cases = try Vectors.negativeCases()
        #expect(cases.count == 16)
        #expect(Set(cases.map(\.pymrtd_line)) == Set(Self.expectations.keys))
    }

    @Test("Each case gives its outcome", arguments: try Vectors.negativeCases())
    func negativeCase(_ testCase: Vectors.NegativeCase) throws {
        let expected = try #require(Self.expectations[testCase.pymrtd_line])
        let sod = h(testCase.sod_hex)
        var dataGroups: [Int: [UInt8]] = [:]
        for (name, value) in testCase.dgs_hex {
            dataGroups[try #require(Int(name.dropFirst(2)))] = h(value)
        }
        switch expected {
        case .refused(let code, let text):
            do {
                _ = try SecurityObjectDocument(sod)
                Issue.record("line \(testCase.pymrtd_line): accepted, pymrtd says \(testCase.expected_error_pymrtd ?? "-")")
            } catch {
                #expect(error.code == code, "\(error)")
                #expect(error.message.contains(text), "\(error.message)")
            }
            let result = verify(sod: sod, dataGroups: dataGroups, trust: TrustStore())
            #expect(result.status == .failed)
            #expect(result.has(code))
        case .verified(let status, let signature, let groups, let code, let reason):
            let result = verify(sod: sod, dataGroups: dataGroups, trust: TrustStore())
            #expect(result.status == status, "\(result)")
            #expect(result.signature == signature, "\(result)")
            #expect(result.dataGroups == groups, "\(result)")
            if let code { #expect(result.has(code), "\(result)") }
            if let reason { #expect(result.reasons.contains { $0.contains(reason) }, "\(result)") }
            // pymrtd's own per-DG verdicts agree: contains == (hash matches).
            for (name, contains) in testCase.expect_contains ?? [:] {
                let n = try #require(Int(name.dropFirst(2)))
                #expect((result.dataGroups[n] == .match) == contains)
            }
        }
    }
}

extension Vectors.NegativeCase: CustomTestStringConvertible {
    var testDescription: String { "pymrtd line \(pymrtd_line)" }
}

extension NegativeCaseTests {
    @Test("Under id-data the LDSSecurityObject is accepted (INTEROP), and SignedData v1 with it (RFC 5652 5.1)")
    func idDataAccepted() throws {
        let testCase = try #require(try Vectors.negativeCases().first { $0.pymrtd_line == 584 })
        let sod = try SecurityObjectDocument(h(testCase.sod_hex))
        #expect(sod.signedData.contentType == CryptographicMessageSyntax.idData)
        #expect(try sod.signerInfo?.contentTypeAttribute() == CryptographicMessageSyntax.idData)
        #expect(sod.hashAlgorithm == .sha256)
        // SignedData v1 is what RFC 5652 5.1 asks for id-data content: accepted there, and only there.
        var v1 = h(testCase.sod_hex)
        #expect(Array(v1[27...29]) == [0x02, 0x01, 0x03])
        v1[29] = 0x01
        #expect(try SecurityObjectDocument(v1).signedData.version == 1)
        var ldsV1 = try Vectors.bsiTR03105.sod()
        #expect(Array(ldsV1[27...29]) == [0x02, 0x01, 0x03])
        ldsV1[29] = 0x01
        #expect(code { try SecurityObjectDocument(ldsV1) } == .cmsUnsupportedVersion)
    }
}
