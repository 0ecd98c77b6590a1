import Cryptography
import EMRTDCore
import Testing

// Wycheproof signature verification vectors (C2SP/wycheproof testvectors_v1, Apache-2.0; see
// TestVectors/wycheproof/LICENSE): ECDSA over the curves eMRTD signers use (DER and IEEE P1363
// plain r||s), RSASSA-PKCS1-v1_5 and RSASSA-PSS. Every case runs through PublicKey.isValidSignature,
// on the message and on its digest: "valid" must verify, "invalid" must not (and must not throw),
// "acceptable" may go either way and is counted.

struct WycheproofSignatureFile: Decodable {
    struct Group: Decodable {
        let publicKeyDer: String
        let sha: String
        let mgfSha: String?
        let sLen: Int?
        let tests: [Case]
    }
    struct Case: Decodable {
        let tcId: Int
        let comment: String
        let msg: String
        let sig: String
        let result: String
    }
    let algorithm: String
    let numberOfTests: Int
    let testGroups: [Group]
}

/// One vector file and the counts published in it (valid, invalid, acceptable).
struct WycheproofSignatureSuite: Sendable, CustomTestStringConvertible {
    enum Kind: Sendable { case ecdsaDER, ecdsaPlain, pkcs1, pss }
    let file: String
    let kind: Kind
    let valid: Int
    let invalid: Int
    let acceptable: Int
    var testDescription: String { file }
}

let wycheproofSignatureSuites: [WycheproofSignatureSuite] = [
    .init(file: "ecdsa_brainpoolP256r1_sha256_test.json", kind: .ecdsaDER, valid: 176, invalid: 309, acceptable: 0),
    .init(file: "ecdsa_brainpoolP256r1_sha256_p1363_test.json", kind: .ecdsaPlain, valid: 175, invalid: 86, acceptable: 0),
    .init(file: "ecdsa_brainpoolP384r1_sha384_test.json", kind: .ecdsaDER, valid: 207, invalid: 309, acceptable: 0),
    .init(file: "ecdsa_brainpoolP384r1_sha384_p1363_test.json", kind: .ecdsaPlain, valid: 206, invalid: 86, acceptable: 0),
    .init(file: "ecdsa_brainpoolP512r1_sha512_test.json", kind: .ecdsaDER, valid: 252, invalid: 307, acceptable: 0),
    .init(file: "ecdsa_brainpoolP512r1_sha512_p1363_test.json", kind: .ecdsaPlain, valid: 251, invalid: 86, acceptable: 0),
    .init(file: "ecdsa_secp256r1_sha256_test.json", kind: .ecdsaDER, valid: 174, invalid: 310, acceptable: 0),
    .init(file: "ecdsa_secp256r1_sha256_p1363_test.json", kind: .ecdsaPlain, valid: 173, invalid: 89, acceptable: 0),
    .init(file: "ecdsa_secp384r1_sha384_test.json", kind: .ecdsaDER, valid: 194, invalid: 310, acceptable: 0),
    .init(file: "rsa_signature_2048_sha256_test.json", kind: .pkcs1, valid: 9, invalid: 249, acceptable: 1),
    .init(file: "rsa_signature_3072_sha256_test.json", kind: .pkcs1, valid: 8, invalid: 250, acceptable: 1),
    .init(file: "rsa_signature_4096_sha256_test.json", kind: .pkcs1, valid: 7, invalid: 250, acceptable: 1),
    .init(file: "rsa_pss_2048_sha1_mgf1_20_test.json", kind: .pss, valid: 42, invalid: 46, acceptable: 0),
    .init(file: "rsa_pss_2048_sha256_mgf1_32_test.json", kind: .pss, valid: 63, invalid: 45, acceptable: 0),
    .init(file: "rsa_pss_2048_sha256_mgf1_32_params_test.json", kind: .pss, valid: 63, invalid: 45, acceptable: 0),
    .init(file: "rsa_pss_3072_sha256_mgf1_32_test.json", kind: .pss, valid: 63, invalid: 45, acceptable: 0),
    .init(file: "rsa_pss_4096_sha256_mgf1_32_test.json", kind: .pss, valid: 63, invalid: 45, acceptable: 0),
    .init(file: "rsa_pss_misc_test.json", kind: .pss, valid: 150, invalid: 0, acceptable: 0),
]

func wycheproofHash(_ name: String?) -> HashAlgorithm? {
    switch name {
    case "SHA-1": .sha1
    case "SHA-224": .sha224
    case "SHA-256": .sha256
    case "SHA-384": .sha384
    case "SHA-512": .sha512
    default: nil
    }
}

@Test(arguments: wycheproofSignatureSuites)
func wycheproofSignatures(_ suite: WycheproofSignatureSuite) throws {
    let file = try loadVectors(WycheproofSignatureFile.self, "wycheproof/\(suite.file)")
    var run = 0, valid = 0, invalid = 0, acceptableAccepted = 0, acceptableRejected = 0
    for group in file.testGroups {
        let key = try PublicKey(subjectPublicKeyInfo: h(group.publicKeyDer))
        let hash = try #require(wycheproofHash(group.sha), "hash \(group.sha)")
        let scheme: SignatureScheme
        switch suite.kind {
        case .ecdsaDER: scheme = .ecdsa(hash, encoding: .der)
        case .ecdsaPlain: scheme = .ecdsa(hash, encoding: .plain)
        case .pkcs1: scheme = .rsaPKCS1v15(hash)
        case .pss:
            let mgf = try #require(wycheproofHash(group.mgfSha))
            scheme = .rsaPSS(hash: hash, mgf1Hash: mgf, saltLength: try #require(group.sLen))
        }
        switch (suite.kind, key.kind) {
        case (.ecdsaDER, .ec), (.ecdsaPlain, .ec), (.pkcs1, .rsa), (.pss, .rsa): break
        default: Issue.record("\(suite.file): unexpected key kind \(key.kind)")
        }
        for test in group.tests {
            run += 1
            let context = "\(suite.file) tcId \(test.tcId) (\(test.comment))"
            let message = h(test.msg), signature = h(test.sig)
            let verified: Bool, verifiedDigest: Bool
            do {
                verified = try key.isValidSignature(signature, for: message, scheme: scheme)
                verifiedDigest = try key.isValidSignature(signature, forDigest: hash.hash(message), scheme: scheme)
            } catch {
                Issue.record("\(context): threw \(error)")
                continue
            }
            #expect(verified == verifiedDigest, "\(context): message and digest paths disagree")
            switch test.result {
            case "valid":
                valid += 1
                #expect(verified, "\(context)")
            case "invalid":
                invalid += 1
                #expect(!verified, "\(context)")
            case "acceptable":
                if verified { acceptableAccepted += 1 } else { acceptableRejected += 1 }
            default:
                Issue.record("\(context): unknown result \(test.result)")
            }
        }
    }
    #expect(run == file.numberOfTests)
    #expect(valid == suite.valid && invalid == suite.invalid)
    #expect(acceptableAccepted + acceptableRejected == suite.acceptable)
    print("Wycheproof \(suite.file): \(run) cases, \(valid) valid, \(invalid) invalid, acceptable \(acceptableAccepted) accepted / \(acceptableRejected) rejected")
}
