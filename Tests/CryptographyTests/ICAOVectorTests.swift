import Cryptography
import EMRTDCore
import Testing

// ICAO Doc 9303 Part 11 worked examples, read from TestVectors/icao/ (sources listed in each file's _meta).

struct AppendixD: Decodable {
    let mrz_information_ascii: String
    let sha1_mrz_information: String
    let k_seed: String
    let kdf_enc_sha1_raw: String
    let kdf_mac_sha1_raw: String
    let k_enc: String
    let k_mac: String
    let s: String
    let e_ifd: String
    let m_ifd: String
    let e_ic: String
    let m_ic: String
    let r_decrypted: String
    let k_seed_session: String
    let ks_enc: String
    let ks_mac: String

    static func load() throws -> AppendixD { try loadVectors(Self.self, "icao/icao9303_p11_appD_bac.json") }
}

/// App. D.1/D.2: key seed from the MRZ information, then KEnc/KMac by the 9.7.1 KDF.
@Test func appendixDKeyDerivation() throws {
    let d = try AppendixD.load()
    let digest = HashAlgorithm.sha1.hash(Array(d.mrz_information_ascii.utf8))
    #expect(digest.hex == d.sha1_mrz_information)
    #expect(Array(digest.prefix(16)).hex == d.k_seed)

    let seed = h(d.k_seed)
    // The raw SHA-1 outputs, before truncation and parity adjustment.
    #expect(HashAlgorithm.sha1.hash(seed + [0, 0, 0, 1]).hex == d.kdf_enc_sha1_raw)
    #expect(HashAlgorithm.sha1.hash(seed + [0, 0, 0, 2]).hex == d.kdf_mac_sha1_raw)
    #expect(KeyDerivation.derive(secret: seed, purpose: .encryption, cipher: .tripleDES).hex == d.k_enc)
    #expect(KeyDerivation.derive(secret: seed, purpose: .mac, cipher: .tripleDES).hex == d.k_mac)
}

/// App. D.3: EXTERNAL AUTHENTICATE cryptogram and MAC, the chip's response, and the session keys.
@Test func appendixDMutualAuthentication() throws {
    let d = try AppendixD.load()
    let kEnc = h(d.k_enc), kMac = h(d.k_mac)

    let eIFD = try LegacyCiphers.TripleDES.encryptCBC(key: kEnc, h(d.s))
    #expect(eIFD.hex == d.e_ifd)
    #expect(try LegacyCiphers.RetailMAC.mac(key: kMac, eIFD).hex == d.m_ifd)

    #expect(try LegacyCiphers.RetailMAC.mac(key: kMac, h(d.e_ic)).hex == d.m_ic)
    #expect(try LegacyCiphers.TripleDES.decryptCBC(key: kEnc, h(d.e_ic)).hex == d.r_decrypted)

    let sessionSeed = h(d.k_seed_session)
    #expect(KeyDerivation.derive(secret: sessionSeed, purpose: .encryption, cipher: .tripleDES).hex == d.ks_enc)
    #expect(KeyDerivation.derive(secret: sessionSeed, purpose: .mac, cipher: .tripleDES).hex == d.ks_mac)
}

// MARK: - App. D.4

struct AppendixD4: Decodable {
    struct Step: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let padded_data: String?
        let encrypted_data: String?
        let M: String
        let ssc_for_command: String
        let N_padded: String
        let CC: String
        let ssc_for_response: String
        let protected_response: String
        let K_padded: String
        let CC_response: String
        let decrypted_data_padded: String?
        let decrypted_data: String?
        var testDescription: String { name }
    }
    let ks_enc: String
    let ks_mac: String
    let steps: [Step]

    static func load() throws -> AppendixD4 {
        try loadVectors(Self.self, "icao/icao9303_p11_appD4_secure_messaging_3des.json")
    }
}

/// App. D.4: 3DES secure messaging — command and response MACs, DO'87' encryption and decryption.
@Test(arguments: try AppendixD4.load().steps)
func appendixD4SecureMessaging(step: AppendixD4.Step) throws {
    let d4 = try AppendixD4.load()
    let ksEnc = h(d4.ks_enc), ksMac = h(d4.ks_mac)

    // Command: N = pad(SSC ‖ M), CC = retail MAC of N.
    #expect(ISO9797Padding.pad(h(step.ssc_for_command) + h(step.M), blockSize: 8).hex == step.N_padded)
    #expect(try LegacyCiphers.RetailMAC.mac(key: ksMac, h(step.N_padded), padded: false).hex == step.CC)

    if let padded = step.padded_data, let encrypted = step.encrypted_data {
        #expect(try LegacyCiphers.TripleDES.encryptCBC(key: ksEnc, h(padded)).hex == encrypted)
    }

    // Response: DO'87' (if any) ‖ DO'99' ‖ DO'8E' ‖ SW; K = pad(SSC ‖ DO'87' ‖ DO'99').
    let response = h(step.protected_response)
    #expect(response.suffix(2) == [0x90, 0x00])
    let objects = dataObjects(Array(response.dropLast(2)))
    #expect(objects.map(\.tag).last == 0x8E)
    #expect(objects.last?.value.hex == step.CC_response)
    let responseObjects = objects.dropLast().flatMap(\.encoded)
    #expect(ISO9797Padding.pad(h(step.ssc_for_response) + responseObjects, blockSize: 8).hex == step.K_padded)
    #expect(try LegacyCiphers.RetailMAC.mac(key: ksMac, h(step.K_padded), padded: false).hex == step.CC_response)
    #expect(try LegacyCiphers.RetailMAC.mac(key: ksMac, h(step.ssc_for_response) + responseObjects).hex == step.CC_response)

    if let expectedPadded = step.decrypted_data_padded, let expected = step.decrypted_data {
        let object = try #require(objects.first { $0.tag == 0x87 })
        #expect(object.value.first == 0x01)  // 01 = ISO 9797-1 method 2 padding indicator
        let decrypted = try LegacyCiphers.TripleDES.decryptCBC(key: ksEnc, Array(object.value.dropFirst()))
        #expect(decrypted.hex == expectedPadded)
        #expect(try ISO9797Padding.unpad(decrypted).hex == expected)
    }
}

// MARK: - Supplementary KDF vectors (third party, re-verified; AES-192/256 and Kπ)

struct KDFSupplement: Decodable {
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        let cipher: String
        let K: String
        let c: UInt32
        let out: String
        var testDescription: String { "\(cipher) c=\(c) K=\(K.prefix(8))…" }
    }
    let vectors: [Vector]
}

@Test(arguments: try loadVectors(KDFSupplement.self, "icao/kdf_supplementary_third_party.json").vectors)
func kdfSupplementary(vector: KDFSupplement.Vector) throws {
    let cipher: KeyDerivation.Cipher = switch vector.cipher {
    case "3DES": .tripleDES
    case "AES-128": .aes128
    case "AES-192": .aes192
    case "AES-256": .aes256
    default: throw EMRTDError(.invalidArgument, "unknown cipher \(vector.cipher) in vector file")
    }
    let purpose = try #require(KeyDerivation.Purpose(rawValue: vector.c))
    let key = KeyDerivation.derive(secret: h(vector.K), purpose: purpose, cipher: cipher)
    #expect(key.count == cipher.keyLength)
    #expect(key.hex == vector.out)
}
