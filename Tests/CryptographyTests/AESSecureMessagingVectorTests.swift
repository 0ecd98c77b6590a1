import Cryptography
import EMRTDCore
import Testing

// TestVectors/aes-sm/aes_sm_vectors.json: AES secure messaging values (Doc 9303 Part 11, 9.8: 16-byte
// SSC, IV = AES-ECB(KSenc, SSC), MAC = AES-CMAC(KSmac, pad(SSC ‖ M))[0..<8]). The APDU framing is
// rebuilt here by hand, only so that the published values exercise AES-CBC, AES-ECB, AES-CMAC and
// padding; the secure messaging layer itself is tested in its own module.

struct AESSMFile: Decodable {
    struct BSIExample: Decodable, Sendable, CustomTestStringConvertible {
        struct Encrypt: Decodable, Sendable {
            let ssc, plaintext, plaintext_padded, iv_computed, ciphertext: String
        }
        struct MAC: Decodable, Sendable {
            let ssc, data, mac_input_computed, mac: String
        }
        let example, ks_enc, ks_mac: String
        let encrypt: [Encrypt]
        let mac: [MAC]
        var testDescription: String { "BSI worked example (\(example))" }
    }
    struct GmrtdVector: Decodable {
        let name, ks_enc, ks_mac, ssc_used: String
        let plain_command, protected_command: String?
        let protected_response, plain_response_data: String?
        let do87_value, iv_computed, plaintext: String?
    }
    struct ThirdParty: Decodable {
        struct Exchange: Decodable {
            let plain, ssc, protected_command, response: String
            let plain_data: String?
        }
        struct Proxmark: Decodable { let select_ef_com, read_binary_4: Exchange }
        struct JCExpress: Decodable { let select_aid: Exchange }
        let ks_enc, ks_mac: String
        let proxmark3: Proxmark
        let jcexpress: JCExpress
    }
    let published_bsi_worked_example: [BSIExample]
    let gmrtd_real_card_unit_vectors: [GmrtdVector]
    let third_party_computed_under_icao_G1_keys: ThirdParty

    static func load() throws -> AESSMFile { try loadVectors(Self.self, "aes-sm/aes_sm_vectors.json") }
}

/// The 8-byte SM MAC of `input` (SSC ‖ M, before padding).
private func smMAC(_ ksMac: [UInt8], _ input: [UInt8]) throws -> [UInt8] {
    Array(try AESCMAC.mac(key: ksMac, ISO9797Padding.pad(input, blockSize: 16)).prefix(8))
}

/// BSI worked example: IV from the SSC, DO'87' ciphertext, and the response MAC.
@Test(arguments: try AESSMFile.load().published_bsi_worked_example)
func bsiWorkedExample(example: AESSMFile.BSIExample) throws {
    let ksEnc = h(example.ks_enc), ksMac = h(example.ks_mac)
    for e in example.encrypt {
        #expect(ISO9797Padding.pad(h(e.plaintext), blockSize: 16).hex == e.plaintext_padded)
        let iv = try AESCipher.encryptECB(key: ksEnc, h(e.ssc))
        #expect(iv.hex == e.iv_computed)
        let ciphertext = try AESCipher.encryptCBC(key: ksEnc, iv: iv, h(e.plaintext_padded))
        #expect(ciphertext.hex == e.ciphertext)
        #expect(try ISO9797Padding.unpad(AESCipher.decryptCBC(key: ksEnc, iv: iv, ciphertext)).hex == e.plaintext)
    }
    for m in example.mac {
        #expect(ISO9797Padding.pad(h(m.ssc) + h(m.data), blockSize: 16).hex == m.mac_input_computed)
        let full = try AESCMAC.mac(key: ksMac, h(m.mac_input_computed))
        #expect(Array(full.prefix(8)).hex == m.mac)
    }
}

// MARK: - Protected commands and responses

struct SMCommandCase: Sendable, CustomTestStringConvertible {
    let name: String
    let ksEnc, ksMac, ssc, plain, protected: [UInt8]
    var testDescription: String { name }
}

struct SMResponseCase: Sendable, CustomTestStringConvertible {
    let name: String
    let ksEnc, ksMac, ssc, protected: [UInt8]
    let plainData: [UInt8]?
    var testDescription: String { name }
}

private func commandCases() throws -> [SMCommandCase] {
    let file = try AESSMFile.load()
    var cases: [SMCommandCase] = []
    for v in file.gmrtd_real_card_unit_vectors {
        if let plain = v.plain_command, let protected = v.protected_command {
            cases.append(SMCommandCase(name: "gmrtd: \(v.name)", ksEnc: h(v.ks_enc), ksMac: h(v.ks_mac),
                                       ssc: h(v.ssc_used), plain: h(plain), protected: h(protected)))
        }
    }
    let t = file.third_party_computed_under_icao_G1_keys
    for (name, x) in [("proxmark3 SELECT EF.COM", t.proxmark3.select_ef_com),
                      ("proxmark3 READ BINARY", t.proxmark3.read_binary_4),
                      ("jcexpress SELECT AID", t.jcexpress.select_aid)] {
        cases.append(SMCommandCase(name: name, ksEnc: h(t.ks_enc), ksMac: h(t.ks_mac), ssc: h(x.ssc),
                                   plain: h(x.plain), protected: h(x.protected_command)))
    }
    return cases
}

private func responseCases() throws -> [SMResponseCase] {
    let file = try AESSMFile.load()
    var cases: [SMResponseCase] = []
    for v in file.gmrtd_real_card_unit_vectors {
        if let protected = v.protected_response {
            cases.append(SMResponseCase(name: "gmrtd: \(v.name)", ksEnc: h(v.ks_enc), ksMac: h(v.ks_mac),
                                        ssc: h(v.ssc_used), protected: h(protected),
                                        plainData: v.plain_response_data.map(h)))
        }
    }
    let t = file.third_party_computed_under_icao_G1_keys
    for (name, x) in [("proxmark3 SELECT EF.COM", t.proxmark3.select_ef_com),
                      ("proxmark3 READ BINARY", t.proxmark3.read_binary_4),
                      ("jcexpress SELECT AID", t.jcexpress.select_aid)] {
        // The response is protected under the SSC after the command's.
        cases.append(SMResponseCase(name: name, ksEnc: h(t.ks_enc), ksMac: h(t.ks_mac), ssc: incremented(h(x.ssc)),
                                    protected: h(x.response), plainData: x.plain_data.map(h)))
    }
    return cases
}

/// Rebuilds each published protected command (short APDU) from the plain one.
@Test(arguments: try commandCases())
func aesProtectedCommand(c: SMCommandCase) throws {
    let header = [c.plain[0] | 0x0C] + c.plain[1..<4]
    var data: [UInt8] = [], le: [UInt8] = []
    if c.plain.count == 5 {
        le = [c.plain[4]]
    } else if c.plain.count > 5 {
        let lc = Int(c.plain[4])
        data = Array(c.plain[5..<(5 + lc)])
        le = Array(c.plain[(5 + lc)...])
    }
    var objects: [UInt8] = []
    if !data.isEmpty {
        let iv = try AESCipher.encryptECB(key: c.ksEnc, c.ssc)
        let encrypted = try AESCipher.encryptCBC(key: c.ksEnc, iv: iv, ISO9797Padding.pad(data, blockSize: 16))
        objects += [0x87, UInt8(encrypted.count + 1), 0x01] + encrypted
    }
    if !le.isEmpty { objects += [0x97, UInt8(le.count)] + le }
    let cc = try smMAC(c.ksMac, c.ssc + ISO9797Padding.pad(header, blockSize: 16) + objects)
    let body = objects + [0x8E, 0x08] + cc
    let protected = header + [UInt8(body.count)] + body + [0x00]
    #expect(protected.hex == c.protected.hex)
}

/// Checks each published protected response's MAC and decrypts its DO'87'.
@Test(arguments: try responseCases())
func aesProtectedResponse(c: SMResponseCase) throws {
    #expect(c.protected.suffix(2) == [0x90, 0x00])
    let objects = dataObjects(Array(c.protected.dropLast(2)))
    let mac = try #require(objects.last)
    #expect(mac.tag == 0x8E)
    let covered = objects.dropLast().flatMap(\.encoded)
    #expect(try smMAC(c.ksMac, c.ssc + covered).hex == mac.value.hex)
    // A single changed bit in the covered data must change the MAC.
    var tampered = covered
    tampered[tampered.count - 1] ^= 0x01
    #expect(try smMAC(c.ksMac, c.ssc + tampered) != mac.value)

    if let expected = c.plainData {
        let do87 = try #require(objects.first { $0.tag == 0x87 })
        #expect(do87.value.first == 0x01)
        let iv = try AESCipher.encryptECB(key: c.ksEnc, c.ssc)
        let decrypted = try AESCipher.decryptCBC(key: c.ksEnc, iv: iv, Array(do87.value.dropFirst()))
        #expect(try ISO9797Padding.unpad(decrypted).hex == expected.hex)
    }
}

/// gmrtd AES-256: IV from the SSC and decryption of a DO'87' value.
@Test func aes256DO87Decryption() throws {
    let file = try AESSMFile.load()
    let vectors = file.gmrtd_real_card_unit_vectors.filter { $0.do87_value != nil }
    #expect(vectors.count == 1)
    for v in vectors {
        let ksEnc = h(v.ks_enc)
        #expect(ksEnc.count == 32)
        let iv = try AESCipher.encryptECB(key: ksEnc, h(v.ssc_used))
        #expect(iv.hex == v.iv_computed)
        let value = h(v.do87_value!)
        let decrypted = try AESCipher.decryptCBC(key: ksEnc, iv: iv, Array(value.dropFirst()))
        #expect(try ISO9797Padding.unpad(decrypted).hex == v.plaintext)
    }
}
