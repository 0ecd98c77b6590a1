import Cryptography
import EMRTDCore
import Testing

// Wycheproof AES-CMAC vectors (C2SP/wycheproof testvectors_v1/aes_cmac_test.json, Apache-2.0; see
// TestVectors/wycheproof/LICENSE).

struct WycheproofMAC: Decodable {
    struct Group: Decodable {
        let keySize: Int
        let tagSize: Int
        let tests: [Case]
    }
    struct Case: Decodable {
        let tcId: Int
        let comment: String
        let key: String
        let msg: String
        let tag: String
        let result: String
        let flags: [String]
    }
    let algorithm: String
    let numberOfTests: Int
    let testGroups: [Group]
}

@Test func wycheproofAESCMAC() throws {
    let file = try loadVectors(WycheproofMAC.self, "wycheproof/aes_cmac_test.json")
    #expect(file.algorithm == "AES-CMAC")
    var run = 0, valid = 0, invalid = 0, rejectedKeys = 0
    for group in file.testGroups {
        for test in group.tests {
            run += 1
            let key = h(test.key), message = h(test.msg), tag = h(test.tag)
            let context = "tcId \(test.tcId) (\(test.comment))"
            guard [16, 24, 32].contains(key.count) else {
                // Not an AES key: the only correct outcome is a refusal.
                rejectedKeys += 1
                #expect(test.result == "invalid", "\(context)")
                let error = #expect(throws: EMRTDError.self, "\(context)") { try AESCMAC.mac(key: key, message) }
                #expect(error?.code == .invalidKeyLength, "\(context)")
                let keyedError = #expect(throws: EMRTDError.self, "\(context)") { try KeyedCMAC(aesKey: SecretBytes(key)) }
                #expect(keyedError?.code == .invalidKeyLength, "\(context)")
                continue
            }
            let computed = try AESCMAC.mac(key: key, message)
            // The session context (keyed once) gives the same tag, and again on its second use.
            let keyed = try KeyedCMAC(aesKey: SecretBytes(key))
            #expect(try keyed(message) == computed, "\(context)")
            #expect(try keyed(message) == computed, "\(context), second use")
            let truncated = Array(computed.prefix(group.tagSize / 8))
            switch test.result {
            case "valid":
                valid += 1
                #expect(constantTimeEquals(truncated, tag), "\(context)")
            case "invalid":
                invalid += 1
                #expect(!constantTimeEquals(truncated, tag), "\(context)")
            default:
                Issue.record("\(context): unexpected result \(test.result)")
            }
        }
    }
    #expect(run == file.numberOfTests)
    #expect(valid + invalid + rejectedKeys == run)
    // Counts as published in the file: 63 valid, 243 modified tags, 5 keys of invalid size.
    #expect(valid == 63 && invalid == 243 && rejectedKeys == 5)
}
