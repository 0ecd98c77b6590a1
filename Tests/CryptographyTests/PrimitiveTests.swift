import Cryptography
import EMRTDCore
import Testing

// MARK: - SHA

/// The "abc" one-block examples of FIPS 180-4 (NIST CSRC "Examples with Intermediate Values":
/// SHA1.pdf, SHA224.pdf, SHA256.pdf, SHA384.pdf, SHA512.pdf).
@Test(arguments: [
    (HashAlgorithm.sha1, "A9993E364706816ABA3E25717850C26C9CD0D89D"),
    (HashAlgorithm.sha224, "23097D223405D8228642A477BDA255B32AADBCE4BDA0B3F7E36C9DA7"),
    (HashAlgorithm.sha256, "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"),
    (HashAlgorithm.sha384,
     "CB00753F45A35E8BB5A03D699AC65007272C32AB0EDED1631A8B605A43FF5BED8086072BA1E7CC2358BAECA134C825A7"),
    (HashAlgorithm.sha512,
     "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F"),
])
func shaKnownAnswerABC(algorithm: HashAlgorithm, expected: String) {
    let digest = algorithm.hash(Array("abc".utf8))
    #expect(digest.hex == expected)
    #expect(algorithm.digestLength == expected.count / 2)
}

@Test func hashNamesAndEmptyInput() {
    #expect([HashAlgorithm.sha1, .sha224, .sha256, .sha384, .sha512].map(\.name)
        == ["SHA-1", "SHA-224", "SHA-256", "SHA-384", "SHA-512"])
    // SHA-256 of the empty string (FIPS 180-4 padding of a zero-length message; widely published).
    #expect(HashAlgorithm.sha256.hash([]).hex == "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")
}

// MARK: - AES

/// FIPS 197 Appendix C.1–C.3: one block, plaintext 00112233…FF, key 000102….
@Test(arguments: [
    ("000102030405060708090A0B0C0D0E0F", "69C4E0D86A7B0430D8CDB78070B4C55A"),
    ("000102030405060708090A0B0C0D0E0F1011121314151617", "DDA97CA4864CDFE06EAF70A0EC0D7191"),
    ("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", "8EA2B7CA516745BFEAFC49904B496089"),
])
func aesFIPS197AppendixC(key: String, ciphertext: String) throws {
    let plaintext = h("00112233445566778899AABBCCDDEEFF")
    #expect(try AESCipher.encryptECB(key: h(key), plaintext).hex == ciphertext)
    #expect(try AESCipher.decryptECB(key: h(key), h(ciphertext)) == plaintext)
}

/// NIST SP 800-38A F.2.1 (CBC-AES128.Encrypt) and F.2.2 (Decrypt), first two blocks.
@Test func aesCBCSP80038A() throws {
    let key = h("2B7E151628AED2A6ABF7158809CF4F3C")
    let iv = h("000102030405060708090A0B0C0D0E0F")
    let plaintext = h("6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E51")
    let ciphertext = h("7649ABAC8119B246CEE98E9B12E9197D5086CB9B507219EE95DB113A917678B2")
    #expect(try AESCipher.encryptCBC(key: key, iv: iv, plaintext) == ciphertext)
    #expect(try AESCipher.decryptCBC(key: key, iv: iv, ciphertext) == plaintext)
    // CBC chains: the second block alone, with the first ciphertext block as IV.
    #expect(try AESCipher.encryptCBC(key: key, iv: Array(ciphertext[0..<16]), Array(plaintext[16...]))
        == Array(ciphertext[16...]))
}

@Test func aesEmptyInputIsEmpty() throws {
    #expect(try AESCipher.encryptCBC(key: [UInt8](repeating: 1, count: 16), iv: [UInt8](repeating: 0, count: 16), []) == [])
    #expect(try AESCipher.encryptECB(key: [UInt8](repeating: 1, count: 32), []) == [])
}

// MARK: - DES / 3DES

/// FIPS 81 Appendix B, Table B1 (ECB, key 0123456789ABCDEF, "Now is the time for all "). A 2-key
/// 3DES key K‖K is single DES; the retail MAC relies on that equivalence.
@Test func singleDESThroughTripleDES() throws {
    let k = h("0123456789ABCDEF")
    let blocks = [("4E6F772069732074", "3FA40E8A984D4815"),
                  ("68652074696D6520", "6A271787AB8883F9"),
                  ("666F7220616C6C20", "893D51EC4B563B53")]
    for (plain, cipher) in blocks {
        #expect(try LegacyCiphers.TripleDES.encryptECB(key: k + k, h(plain)).hex == cipher)
        #expect(try LegacyCiphers.TripleDES.encryptECB(key: k + k + k, h(plain)).hex == cipher)
    }
}

@Test func tripleDESKeyingOptions() throws {
    let k1 = h("0123456789ABCDEF"), k2 = h("FEDCBA9876543210"), k3 = h("89ABCDEF01234567")
    let data = h("4E6F77206973207468652074696D6520666F7220616C6C20")
    // A 16-byte key K1‖K2 means K3 = K1.
    let twoKey = try LegacyCiphers.TripleDES.encryptCBC(key: k1 + k2, data)
    #expect(twoKey == (try LegacyCiphers.TripleDES.encryptCBC(key: k1 + k2 + k1, data)))
    #expect(twoKey != (try LegacyCiphers.TripleDES.encryptCBC(key: k1 + k2 + k3, data)))
    #expect(try LegacyCiphers.TripleDES.decryptCBC(key: k1 + k2, twoKey) == data)
    let iv = h("1122334455667788")
    let withIV = try LegacyCiphers.TripleDES.encryptCBC(key: k1 + k2 + k3, iv: iv, data)
    #expect(withIV != twoKey)
    #expect(try LegacyCiphers.TripleDES.decryptCBC(key: k1 + k2 + k3, iv: iv, withIV) == data)
}

@Test func retailMACPaddingFlag() throws {
    let key = h("7962D9ECE03D1ACD4C76089DCE131543")
    for length in [0, 1, 7, 8, 9, 16, 23] {
        let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        let implicit = try LegacyCiphers.RetailMAC.mac(key: key, message)
        let explicit = try LegacyCiphers.RetailMAC.mac(key: key, ISO9797Padding.pad(message, blockSize: 8), padded: false)
        #expect(implicit.count == 8)
        #expect(implicit == explicit, "length \(length)")
    }
}

// MARK: - Padding

@Test(arguments: [8, 16])
func paddingRoundTrip(blockSize: Int) throws {
    for length in 0...(3 * blockSize + 1) {
        let data = [UInt8](repeating: 0x80, count: length)  // 0x80 inside data must survive
        let padded = ISO9797Padding.pad(data, blockSize: blockSize)
        #expect(padded.count % blockSize == 0)
        #expect(padded.count > length && padded.count <= length + blockSize)
        #expect(padded[length] == 0x80)
        #expect(padded[(length + 1)...].allSatisfy { $0 == 0 })
        #expect(try ISO9797Padding.unpad(padded) == data)
    }
    #expect(ISO9797Padding.pad([0x01, 0x1E], blockSize: 8).hex == "011E800000000000")
    #expect(ISO9797Padding.pad(h("0102030405060708"), blockSize: 8).hex == "01020304050607088000000000000000")
}

@Test(arguments: ["", "00", "0000000000000000", "01", "0102", "8001", "800000000000007F"])
func malformedPaddingThrows(hex: String) {
    let error = #expect(throws: EMRTDError.self) { try ISO9797Padding.unpad(h(hex)) }
    #expect(error?.code == .invalidPadding)
}

// MARK: - Constant-time comparison

@Test(arguments: [
    ("", "", true),
    ("00", "00", true),
    ("0102030405060708", "0102030405060708", true),
    ("0102030405060708", "0102030405060709", false),
    ("0102030405060708", "FF02030405060708", false),
    ("01020304", "0102030405060708", false),
    ("", "00", false),
])
func constantTimeComparison(a: String, b: String, equal: Bool) {
    #expect(constantTimeEquals(h(a), h(b)) == equal)
    #expect(constantTimeEquals(h(b), h(a)) == equal)
}

// MARK: - Randomness

@Test func secureRandom() throws {
    let a = try SecureRandom.bytes(32), b = try SecureRandom.bytes(32)
    #expect(a.count == 32 && b.count == 32)
    #expect(a != b)  // fails with probability 2^-256
    #expect(try SecureRandom.bytes(0) == [])
    let error = #expect(throws: EMRTDError.self) { try SecureRandom.bytes(-1) }
    #expect(error?.code == .invalidArgument)
}

// MARK: - Key derivation

@Test func desParity() {
    #expect(KeyDerivation.adjustDESParity(h("AB94FCEDF2664EDFB9B291F85D7F77F2")).hex
        == "AB94FDECF2674FDFB9B391F85D7F76F2")
    #expect(KeyDerivation.adjustDESParity(h("0001FEFF")).hex == "0101FEFE")
    // Every byte value: odd parity afterwards, the seven key bits untouched.
    let all = (0...255).map { UInt8($0) }
    let wrong = zip(all, KeyDerivation.adjustDESParity(all)).filter { byte, adjusted in
        adjusted.nonzeroBitCount % 2 == 0 || adjusted & 0xFE != byte & 0xFE
    }
    #expect(wrong.isEmpty, "\(wrong.count) bytes adjusted wrongly")
}

// MARK: - Bad lengths throw, never trap

struct BadInput: Sendable, CustomTestStringConvertible {
    let label: String
    let code: EMRTDError.Code
    let run: @Sendable () throws -> [UInt8]
    var testDescription: String { label }
}

private let z8 = [UInt8](repeating: 0, count: 8)
private let z16 = [UInt8](repeating: 0, count: 16)

@Test(arguments: [
    BadInput(label: "3DES 8-byte key", code: .invalidKeyLength) { try LegacyCiphers.TripleDES.encryptCBC(key: z8, z8) },
    BadInput(label: "3DES 15-byte key", code: .invalidKeyLength) {
        try LegacyCiphers.TripleDES.decryptCBC(key: Array(z16.prefix(15)), z8) },
    BadInput(label: "3DES 32-byte key", code: .invalidKeyLength) { try LegacyCiphers.TripleDES.encryptCBC(key: z16 + z16, z8) },
    BadInput(label: "3DES 7-byte data", code: .invalidInputLength) {
        try LegacyCiphers.TripleDES.encryptCBC(key: z16, Array(z8.prefix(7))) },
    BadInput(label: "3DES 12-byte ciphertext", code: .invalidInputLength) {
        try LegacyCiphers.TripleDES.decryptCBC(key: z16, z8 + [0, 0, 0, 0]) },
    BadInput(label: "3DES 7-byte IV", code: .invalidInputLength) {
        try LegacyCiphers.TripleDES.encryptCBC(key: z16, iv: Array(z8.prefix(7)), z8) },
    BadInput(label: "3DES 16-byte IV", code: .invalidInputLength) { try LegacyCiphers.TripleDES.encryptCBC(key: z16, iv: z16, z8) },
    BadInput(label: "3DES ECB two blocks", code: .invalidInputLength) { try LegacyCiphers.TripleDES.encryptECB(key: z16, z16) },
    BadInput(label: "3DES ECB 9-byte key", code: .invalidKeyLength) { try LegacyCiphers.TripleDES.encryptECB(key: z8 + [0], z8) },
    BadInput(label: "retail MAC 24-byte key", code: .invalidKeyLength) { try LegacyCiphers.RetailMAC.mac(key: z16 + z8, z8) },
    BadInput(label: "retail MAC 8-byte key", code: .invalidKeyLength) { try LegacyCiphers.RetailMAC.mac(key: z8, z8) },
    BadInput(label: "retail MAC unpadded 7 bytes", code: .invalidInputLength) {
        try LegacyCiphers.RetailMAC.mac(key: z16, Array(z8.prefix(7)), padded: false) },
    BadInput(label: "retail MAC unpadded empty", code: .invalidInputLength) {
        try LegacyCiphers.RetailMAC.mac(key: z16, [], padded: false) },
    BadInput(label: "AES 15-byte key", code: .invalidKeyLength) { try AESCipher.encryptCBC(key: Array(z16.prefix(15)), iv: z16, z16) },
    BadInput(label: "AES 8-byte key", code: .invalidKeyLength) { try AESCipher.encryptECB(key: z8, z16) },
    BadInput(label: "AES 0-byte key", code: .invalidKeyLength) { try AESCipher.decryptECB(key: [], z16) },
    BadInput(label: "AES 8-byte IV", code: .invalidInputLength) { try AESCipher.encryptCBC(key: z16, iv: z8, z16) },
    BadInput(label: "AES empty IV", code: .invalidInputLength) { try AESCipher.decryptCBC(key: z16, iv: [], z16) },
    BadInput(label: "AES 17-byte data", code: .invalidInputLength) { try AESCipher.encryptCBC(key: z16, iv: z16, z16 + [0]) },
    BadInput(label: "AES ECB 8-byte data", code: .invalidInputLength) { try AESCipher.decryptECB(key: z16, z8) },
    BadInput(label: "CMAC 20-byte key", code: .invalidKeyLength) { try AESCMAC.mac(key: z16 + [0, 0, 0, 0], z8) },
    BadInput(label: "CMAC empty key", code: .invalidKeyLength) { try AESCMAC.mac(key: [], z8) },
])
func badLengthsThrow(input: BadInput) {
    let error = #expect(throws: EMRTDError.self) { try input.run() }
    #expect(error?.code == input.code)
}

/// Session contexts (keyed once) against the one-shot calls that the ICAO and Wycheproof vectors
/// check: same bytes for every length, on every reuse, in both directions.
@Test func keyedCiphersMatchOneShotCalls() throws {
    let aesKey = (0..<16).map { UInt8($0 &* 7 &+ 1) }, desKey = KeyDerivation.adjustDESParity((0..<16).map { UInt8($0 &* 13 &+ 5) })
    let aesEncrypt = try KeyedCipher(.aesCBC, key: SecretBytes(aesKey), encrypt: true)
    let aesDecrypt = try KeyedCipher(.aesCBC, key: SecretBytes(aesKey), encrypt: false)
    let aesECB = try KeyedCipher(.aesECB, key: SecretBytes(aesKey), encrypt: true)
    let desEncrypt = try KeyedCipher(.tripleDESCBC, key: SecretBytes(desKey), encrypt: true)
    let desDecrypt = try KeyedCipher(.tripleDESCBC, key: SecretBytes(desKey), encrypt: false)
    for blocks in [0, 1, 2, 14, 15, 64] {
        for round in 0..<2 {
            let iv = (0..<16).map { UInt8(($0 + round + blocks) & 0xFF) }
            let aesInput = (0..<(16 * blocks)).map { UInt8(($0 * 31 + round) & 0xFF) }
            let aes = try AESCipher.encryptCBC(key: aesKey, iv: iv, aesInput)
            #expect(try aesEncrypt(iv: iv, aesInput) == aes)
            #expect(try aesDecrypt(iv: iv, aes) == aesInput)
            let desInput = (0..<(8 * blocks)).map { UInt8(($0 * 17 + round) & 0xFF) }
            let des = try LegacyCiphers.TripleDES.encryptCBC(key: desKey, desInput)
            #expect(try desEncrypt(desInput) == des)
            #expect(try desDecrypt(des) == desInput)
        }
    }
    let block = (0..<16).map { UInt8($0) }
    #expect(try aesECB(block) == AESCipher.encryptECB(key: aesKey, block))
    #expect(throws: EMRTDError.self) { try aesEncrypt(iv: block, [1, 2, 3]) }
    #expect(throws: EMRTDError.self) { try aesEncrypt(iv: [1], block) }
    #expect(throws: EMRTDError.self) { try KeyedCipher(.aesCBC, key: SecretBytes([1, 2, 3]), encrypt: true) }
    #expect(throws: EMRTDError.self) { try KeyedCipher(.tripleDESCBC, key: SecretBytes(aesKey + [0]), encrypt: true) }
}
