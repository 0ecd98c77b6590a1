import Cryptography
import EMRTDCore
import Testing

@Suite("RSA keys from (n, e, d), as a personalized chip receives them")
struct RSAKeyComponentTests {
    @Test("n and d out, the same key back: same public key, same raw private operation", arguments: [1024, 2048])
    func roundTrip(bits: Int) throws {
        let key = try PrivateKey.generate(.rsa(bits: bits))
        let (n, d) = try #require(key.rsaPrivateComponents)
        let (modulus, e) = try #require(key.publicKey.rsaComponents)
        #expect(modulus == n)
        #expect(e == [0x01, 0x00, 0x01])
        let rebuilt = try PrivateKey(rsaModulus: n, publicExponent: e, privateExponent: d)
        #expect(rebuilt.publicKey == key.publicKey)
        let input: [UInt8] = [0x6A] + [UInt8](repeating: 0x42, count: bits / 8 - 2) + [0xBC]
        #expect(try rebuilt.rsaPrivateRaw(input) == key.rsaPrivateRaw(input))
        #expect(try PrivateKey(pem: rebuilt.pem).publicKey == key.publicKey)
    }

    @Test("Exponents that do not belong to the modulus are refused")
    func mismatch() throws {
        let a = try PrivateKey.generate(.rsa(bits: 1024)), b = try PrivateKey.generate(.rsa(bits: 1024))
        let (n, _) = try #require(a.rsaPrivateComponents)
        let (_, d) = try #require(b.rsaPrivateComponents)
        #expect { try PrivateKey(rsaModulus: n, publicExponent: [1, 0, 1], privateExponent: d) } throws: {
            ($0 as? EMRTDError)?.code == .invalidKey
        }
        #expect { try PrivateKey(rsaModulus: [0x10, 0x00], publicExponent: [3], privateExponent: [7]) } throws: {
            ($0 as? EMRTDError)?.code == .invalidKey
        }
    }
}
