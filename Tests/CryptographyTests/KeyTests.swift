import Cryptography
import EMRTDASN1
import EMRTDCore
import Foundation
import SwiftASN1
import Testing

// PublicKey, PrivateKey and SignatureScheme: round trips for every key spec and scheme, raw RSA for
// Active Authentication, explicit EC domain parameters, and malformed input (never a crash).

private func vectorFile(_ relativePath: String, filePath: String = #filePath) throws -> [UInt8] {
    let root = URL(fileURLWithPath: filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return [UInt8](try Data(contentsOf: root.appendingPathComponent("TestVectors").appendingPathComponent(relativePath)))
}

/// RSA keys are slow to generate: one per size for the whole file.
private let rsa2048: PrivateKey = {
    do { return try PrivateKey.generate(.rsa(bits: 2048)) } catch { fatalError("RSA key generation failed: \(error)") }
}()

struct ECSpecCase: Sendable, CustomTestStringConvertible {
    let name: String
    let canonical: String
    let fieldBits: Int
    let orderBytes: Int
    let hash: HashAlgorithm
    var testDescription: String { name }
}

private let ecSpecs: [ECSpecCase] = [
    .init(name: "brainpoolP256r1", canonical: "brainpoolP256r1", fieldBits: 256, orderBytes: 32, hash: .sha256),
    .init(name: "prime256v1", canonical: "secp256r1", fieldBits: 256, orderBytes: 32, hash: .sha256),
    .init(name: "secp256r1", canonical: "secp256r1", fieldBits: 256, orderBytes: 32, hash: .sha1),
    .init(name: "secp384r1", canonical: "secp384r1", fieldBits: 384, orderBytes: 48, hash: .sha384),
    .init(name: "brainpoolP384r1", canonical: "brainpoolP384r1", fieldBits: 384, orderBytes: 48, hash: .sha384),
    .init(name: "brainpoolP512r1", canonical: "brainpoolP512r1", fieldBits: 512, orderBytes: 64, hash: .sha512),
    .init(name: "secp521r1", canonical: "secp521r1", fieldBits: 521, orderBytes: 66, hash: .sha512),
]

/// Signs, verifies on both paths, and checks that a changed message or signature fails.
private func roundTrip(_ key: PrivateKey, _ scheme: SignatureScheme, _ context: String) throws {
    let message = Array("eMRTD document security object \(context)".utf8)
    let signature = try key.signature(for: message, scheme: scheme)
    let publicKey = key.publicKey
    #expect(try publicKey.isValidSignature(signature, for: message, scheme: scheme), "\(context)")
    #expect(try publicKey.isValidSignature(signature, forDigest: scheme.hash.hash(message), scheme: scheme), "\(context)")
    #expect(try !publicKey.isValidSignature(signature, for: message + [0], scheme: scheme), "\(context)")
    var flipped = signature
    flipped[flipped.count / 2] ^= 0x01
    #expect(try !publicKey.isValidSignature(flipped, for: message, scheme: scheme), "\(context)")
    #expect(try !publicKey.isValidSignature([], for: message, scheme: scheme), "\(context)")
    #expect(try !publicKey.isValidSignature(Array(signature.dropLast()), for: message, scheme: scheme), "\(context)")
}

@Test(arguments: ecSpecs)
func ecKeyRoundTrip(_ spec: ECSpecCase) throws {
    let key = try PrivateKey.generate(.ec(curve: spec.name))
    #expect(key.publicKey.kind == .ec(curve: spec.canonical, explicitParameters: false, fieldBits: spec.fieldBits))
    for hash in [spec.hash, .sha256] {
        try roundTrip(key, .ecdsa(hash, encoding: .der), "\(spec.name) DER \(hash)")
        try roundTrip(key, .ecdsa(hash, encoding: .plain), "\(spec.name) plain \(hash)")
    }
    // Plain signatures are r || s, each the size of the order; DER ones are not that.
    let plain = try key.signature(for: [1, 2, 3], scheme: .ecdsa(spec.hash, encoding: .plain))
    #expect(plain.count == 2 * spec.orderBytes)
    let der = try key.signature(for: [1, 2, 3], scheme: .ecdsa(spec.hash, encoding: .der))
    #expect(der.first == 0x30)
    #expect(try !key.publicKey.isValidSignature(der, for: [1, 2, 3], scheme: .ecdsa(spec.hash, encoding: .plain)))
    #expect(try !key.publicKey.isValidSignature(plain, for: [1, 2, 3], scheme: .ecdsa(spec.hash, encoding: .der)))

    // RSA schemes do not fit an EC key.
    let mismatch = #expect(throws: EMRTDError.self) {
        try key.publicKey.isValidSignature(der, for: [1, 2, 3], scheme: .rsaPKCS1v15(.sha256))
    }
    #expect(mismatch?.code == .signatureKeyMismatch)
    #expect(throws: EMRTDError.self) { try key.signature(for: [1], scheme: .rsaPSS(hash: .sha256, mgf1Hash: .sha256, saltLength: 32)) }
    #expect(throws: EMRTDError.self) { try key.publicKey.rsaRecover([1, 2, 3]) }
    #expect(throws: EMRTDError.self) { try key.rsaPrivateRaw([1, 2, 3]) }

    // The private scalar gives back the public point.
    let scalar = try #require(key.ecPrivateScalar)
    #expect(scalar.count == spec.orderBytes)
    let group = try ECGroup.named(spec.name)
    let point = try group.publicKey(scalar)
    #expect(try PublicKey.ec(point: point.encoded, group: group) == key.publicKey)

    // PKCS #8 and PEM round trips.
    let fromPKCS8 = try PrivateKey(pkcs8: key.pkcs8)
    #expect(fromPKCS8.publicKey == key.publicKey)
    #expect(fromPKCS8.ecPrivateScalar == scalar)
    #expect(key.pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
    #expect(try PrivateKey(pem: key.pem).pkcs8 == key.pkcs8)
    // Nothing secret in the description.
    #expect(!key.description.contains(scalar.hex) && !key.description.lowercased().contains(scalar.hex.lowercased()))
    #expect(key.description.contains("redacted"))
}

@Test func rsaKeyRoundTrip() throws {
    let key = rsa2048
    #expect(key.publicKey.kind == .rsa(modulusBits: 2048))
    #expect(key.ecPrivateScalar == nil)
    let schemes: [SignatureScheme] = [
        .rsaPKCS1v15(.sha1), .rsaPKCS1v15(.sha256), .rsaPKCS1v15(.sha512),
        .rsaPSS(hash: .sha256, mgf1Hash: .sha256, saltLength: 32),
        .rsaPSS(hash: .sha1, mgf1Hash: .sha1, saltLength: 20),
        .rsaPSS(hash: .sha512, mgf1Hash: .sha256, saltLength: 0),
        .rsaPSS(hash: .sha384, mgf1Hash: .sha384, saltLength: 48),
    ]
    for scheme in schemes { try roundTrip(key, scheme, "\(scheme)") }

    // A PSS salt length is checked exactly, and PKCS#1 v1.5 and PSS are not interchangeable.
    let message: [UInt8] = Array("salt".utf8)
    let pss = try key.signature(for: message, scheme: .rsaPSS(hash: .sha256, mgf1Hash: .sha256, saltLength: 32))
    #expect(try !key.publicKey.isValidSignature(pss, for: message, scheme: .rsaPSS(hash: .sha256, mgf1Hash: .sha256, saltLength: 20)))
    #expect(try !key.publicKey.isValidSignature(pss, for: message, scheme: .rsaPSS(hash: .sha256, mgf1Hash: .sha1, saltLength: 32)))
    #expect(try !key.publicKey.isValidSignature(pss, for: message, scheme: .rsaPKCS1v15(.sha256)))
    let pkcs1 = try key.signature(for: message, scheme: .rsaPKCS1v15(.sha256))
    #expect(pkcs1.count == 256)
    #expect(try !key.publicKey.isValidSignature(pkcs1, for: message, scheme: .rsaPKCS1v15(.sha384)))
    #expect(throws: EMRTDError.self) {
        try key.publicKey.isValidSignature(pkcs1, for: message, scheme: .ecdsa(.sha256, encoding: .der))
    }
    #expect(throws: EMRTDError.self) {
        try key.publicKey.isValidSignature(pkcs1, forDigest: [1, 2, 3], scheme: .rsaPKCS1v15(.sha256))
    }
    #expect(throws: EMRTDError.self) {
        try key.publicKey.isValidSignature(pss, for: message, scheme: .rsaPSS(hash: .sha256, mgf1Hash: .sha256, saltLength: -1))
    }

    let fromPEM = try PrivateKey(pem: key.pem)
    #expect(fromPEM.publicKey == key.publicKey)
    #expect(try fromPEM.publicKey.isValidSignature(try fromPEM.signature(for: message, scheme: .rsaPKCS1v15(.sha256)),
                                                   for: message, scheme: .rsaPKCS1v15(.sha256)))
}

@Test func rsaRawOperations() throws {
    let key = rsa2048
    // The raw public operation on a PKCS#1 v1.5 signature shows its padding: 00 01 FF … 00 DigestInfo.
    let signature = try key.signature(for: [0x42], scheme: .rsaPKCS1v15(.sha256))
    let recovered = try key.publicKey.rsaRecover(signature)
    #expect(recovered.count == 256)
    #expect(Array(recovered.prefix(3)) == [0x00, 0x01, 0xFF])
    #expect(Array(recovered.suffix(32)) == HashAlgorithm.sha256.hash([0x42]))

    // rsaRecover(rsaPrivateRaw(x)) == x, for full-length and short inputs (left-padded).
    var x = [UInt8](repeating: 0, count: 256)
    for i in x.indices { x[i] = UInt8(truncatingIfNeeded: i &* 37 &+ 11) }
    x[0] = 0x6A  // ISO/IEC 9796-2 header byte: below the modulus, whose top bit is set
    x[255] = 0xBC
    let s = try key.rsaPrivateRaw(x)
    #expect(s.count == 256)
    #expect(s != x)
    #expect(try key.publicKey.rsaRecover(s) == x)
    let short: [UInt8] = [0x01, 0x02, 0x03]
    #expect(try key.publicKey.rsaRecover(key.rsaPrivateRaw(short)) == [UInt8](repeating: 0, count: 253) + short)
    // And the other way round.
    #expect(try key.rsaPrivateRaw(key.publicKey.rsaRecover(x)) == x)

    // Inputs not below the modulus, too long, or empty throw.
    let tooBig = [UInt8](repeating: 0xFF, count: 256)
    #expect(throws: EMRTDError.self) { try key.rsaPrivateRaw(tooBig) }
    #expect(throws: EMRTDError.self) { try key.publicKey.rsaRecover(tooBig) }
    #expect(throws: EMRTDError.self) { try key.publicKey.rsaRecover([UInt8](repeating: 1, count: 257)) }
    #expect(throws: EMRTDError.self) { try key.publicKey.rsaRecover([]) }
    #expect(throws: EMRTDError.self) { try key.rsaPrivateRaw([]) }
}

// MARK: Explicit EC domain parameters

/// A brainpoolP256r1 key with explicit domain parameters and a signature made with it, both
/// produced by OpenSSL (`TestVectors/x509/SOURCES.md`).
@Test func explicitDomainParameters() throws {
    let spki = try vectorFile("x509/ec_explicit_brainpoolP256r1_spki.der")
    let key = try PublicKey(subjectPublicKeyInfo: spki)
    #expect(key.kind == .ec(curve: "brainpoolP256r1", explicitParameters: true, fieldBits: 256))
    #expect(key.subjectPublicKeyInfo == spki)
    let message = Array("explicit domain parameters".utf8)
    let signature = try vectorFile("x509/ec_explicit_brainpoolP256r1_sig_sha256.der")
    #expect(try key.isValidSignature(signature, for: message, scheme: .ecdsa(.sha256, encoding: .der)))
    #expect(try !key.isValidSignature(signature, for: message + [0x2E], scheme: .ecdsa(.sha256, encoding: .der)))

    // The private key (explicit parameters too) signs, plain and DER, and the signatures verify
    // under the explicit key and under the same point on the named curve.
    let privateKey = try PrivateKey(pkcs8: try vectorFile("x509/ec_explicit_brainpoolP256r1_pkcs8.der"))
    #expect(privateKey.publicKey == key)
    let scalar = try #require(privateKey.ecPrivateScalar)
    let group = try ECGroup.named("brainpoolP256r1")
    let named = try PublicKey.ec(point: try group.publicKey(scalar).encoded, group: group)
    #expect(named.kind == .ec(curve: "brainpoolP256r1", explicitParameters: false, fieldBits: 256))
    #expect(named != key)
    for encoding in [ECDSASignatureEncoding.der, .plain] {
        let scheme = SignatureScheme.ecdsa(.sha384, encoding: encoding)
        let ours = try privateKey.signature(for: message, scheme: scheme)
        #expect(try key.isValidSignature(ours, for: message, scheme: scheme))
        #expect(try named.isValidSignature(ours, for: message, scheme: scheme))
    }
    #expect(try named.isValidSignature(signature, for: message, scheme: .ecdsa(.sha256, encoding: .der)))
}

@Test func explicitParametersFromGroups() throws {
    // A PACE-mapped generator is not the standard curve: the key spells its parameters out.
    let standard = try ECGroup.named("brainpoolP256r1")
    let mapped = try standard.withGenerator(try standard.multiplyGenerator([7]))
    let scalar: [UInt8] = [UInt8](repeating: 0, count: 31) + [5]
    let point = try mapped.publicKey(scalar)
    let key = try PublicKey.ec(point: point.encoded, group: mapped)
    #expect(key.kind == .ec(curve: nil, explicitParameters: true, fieldBits: 256))
    // An explicit group equal to a standard one is encoded with its name.
    let rebuilt = try ECGroup.explicit(
        prime: standard.prime, a: standard.a, b: standard.b, generator: standard.generator.encoded,
        order: standard.order, cofactor: standard.cofactor)
    let onStandard = try PublicKey.ec(point: try standard.publicKey(scalar).encoded, group: rebuilt)
    #expect(onStandard.kind == .ec(curve: "brainpoolP256r1", explicitParameters: false, fieldBits: 256))
    // Points off the curve are refused.
    var bad = point.encoded
    bad[bad.count - 1] ^= 1
    #expect(throws: EMRTDError.self) { try PublicKey.ec(point: bad, group: mapped) }
}

// MARK: Key files

private let sec1PEM = """
    -----BEGIN EC PARAMETERS-----
    BggqhkjOPQMBBw==
    -----END EC PARAMETERS-----
    -----BEGIN EC PRIVATE KEY-----
    MHcCAQEEIM8nLfNVCUnYXmVSeAm8VgelS2XiuTCQVoaELi7fgHuHoAoGCCqGSM49
    AwEHoUQDQgAEqUW7DSwekqjnCcj1/sMTFgBZGUZT4AkQiGqP1a5AHuvdGIGqURSt
    yz57xXNIcy0YePjfnix8jcEEDfAfuV7Guw==
    -----END EC PRIVATE KEY-----
    """

private let encryptedPEM = """
    -----BEGIN ENCRYPTED PRIVATE KEY-----
    MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAinz2Gkv+r0kgICCAAw
    DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEENxd7TQIRAA+FnQhMteqA/4EgZCP
    AGqfxgCMdefWyJvomS/5R5LrxWMqkLAwd/RItAVByftZt4QJEHqWyi0bu8SOchic
    UW+Od5lQk8Z0Po7oc01pij0ZwO9RocgOhkWwbpyi9VRsb0rqQfZ5EFIvN5cnq4wa
    c5V2ADnwuXdemJluMJl0FbaaDkl/Y0X8MV0N717VA0HlgbKQyVuyYwV4/o3K2Hs=
    -----END ENCRYPTED PRIVATE KEY-----
    """

@Test func privateKeyFiles() throws {
    // OpenSSL's `ecparam -genkey` output: an EC PARAMETERS block, then a SEC 1 key.
    let key = try PrivateKey(pem: sec1PEM)
    let expectedSPKI = h(
        "3059301306072a8648ce3d020106082a8648ce3d03010703420004a945bb0d2c1e92a8e709c8f5fec313160059194653e0091088"
            + "6a8fd5ae401eebdd1881aa5114adcb3e7bc57348732d1878f8df9e2c7c8dc1040df01fb95ec6bb")
    #expect(key.publicKey.subjectPublicKeyInfo == expectedSPKI)
    #expect(key.ecPrivateScalar == h("CF272DF3550949D85E65527809BC5607A54B65E2B930905686842E2EDF807B87"))
    // Its PKCS #8 form is a PrivateKeyInfo (version 0) and decodes to the same key.
    #expect(Array(key.pkcs8.prefix(1)) == [0x30])
    #expect(try PrivateKey(pkcs8: key.pkcs8).publicKey == key.publicKey)

    let encrypted = #expect(throws: EMRTDError.self) { try PrivateKey(pem: encryptedPEM) }
    #expect(encrypted?.code == .invalidKey)
    #expect(throws: EMRTDError.self) { try PrivateKey(pem: "no key here") }
    #expect(throws: EMRTDError.self) { try PrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n") }
    #expect(throws: EMRTDError.self) { try PrivateKey(pem: "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n") }
    #expect(throws: EMRTDError.self) { try PrivateKey(pkcs8: []) }
    #expect(throws: EMRTDError.self) { try PrivateKey(pkcs8: key.pkcs8 + [0]) }
    #expect(throws: EMRTDError.self) { try PrivateKey(pkcs8: Array(key.pkcs8.dropLast())) }
    #expect(throws: EMRTDError.self) { try PrivateKey.generate(.ec(curve: "secp256k1")) }
    #expect(throws: EMRTDError.self) { try PrivateKey.generate(.rsa(bits: 512)) }
}

// MARK: Malformed input

@Test func malformedPublicKeysThrow() throws {
    let spkis = [
        try vectorFile("x509/ec_explicit_brainpoolP256r1_spki.der"),
        rsa2048.publicKey.subjectPublicKeyInfo,
        h("3059301306072a8648ce3d020106082a8648ce3d03010703420004a945bb0d2c1e92a8e709c8f5fec313160059194653e00910886a8fd5ae401eebdd1881aa5114adcb3e7bc57348732d1878f8df9e2c7c8dc1040df01fb95ec6bb"),
    ]
    for spki in spkis {
        _ = try PublicKey(subjectPublicKeyInfo: spki)
        for length in 0..<spki.count {
            #expect(throws: EMRTDError.self, "prefix \(length)") { try PublicKey(subjectPublicKeyInfo: Array(spki.prefix(length))) }
        }
        #expect(throws: EMRTDError.self) { try PublicKey(subjectPublicKeyInfo: spki + [0x00]) }
        // Every single-byte corruption is either refused or decodes to some key; none crashes.
        for i in spki.indices {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var corrupt = spki
                corrupt[i] ^= mask
                if let key = try? PublicKey(subjectPublicKeyInfo: corrupt) {
                    _ = key.kind
                    _ = try? key.isValidSignature([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01], for: [1], scheme: .ecdsa(.sha256, encoding: .der))
                }
            }
        }
    }
    // An EC point that is not on the curve.
    var offCurve = spkis[2]
    offCurve[offCurve.count - 1] ^= 0x01
    let error = #expect(throws: EMRTDError.self) { try PublicKey(subjectPublicKeyInfo: offCurve) }
    #expect(error?.code == .invalidKey)
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<200 {
        let garbage = (0..<Int.random(in: 0..<400, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(throws: EMRTDError.self) { try PublicKey(subjectPublicKeyInfo: [0x30, 0x82, 0x01, 0x00] + garbage) }
    }
}

@Test func malformedSignaturesAreFalse() throws {
    let ec = try PrivateKey.generate(.ec(curve: "brainpoolP256r1"))
    let message: [UInt8] = [1, 2, 3]
    let der = SignatureScheme.ecdsa(.sha256, encoding: .der)
    let good = try ec.signature(for: message, scheme: der)
    let candidates: [[UInt8]] = [
        [], [0x30], [0x30, 0x00], [0x30, 0x80, 0x00, 0x00], [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF],
        good + [0x00], Array(good.dropLast()), [0x31] + good.dropFirst(),
        [UInt8](repeating: 0xFF, count: 1000), [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00],
    ]
    for candidate in candidates {
        #expect(try !ec.publicKey.isValidSignature(candidate, for: message, scheme: der))
        #expect(try !ec.publicKey.isValidSignature(candidate, for: message, scheme: .ecdsa(.sha256, encoding: .plain)))
        #expect(try !rsa2048.publicKey.isValidSignature(candidate, for: message, scheme: .rsaPKCS1v15(.sha256)))
        #expect(try !rsa2048.publicKey.isValidSignature(
            candidate, for: message, scheme: .rsaPSS(hash: .sha256, mgf1Hash: .sha256, saltLength: 32)))
    }
    #expect(try !ec.publicKey.isValidSignature([UInt8](repeating: 0, count: 64), for: message, scheme: .ecdsa(.sha256, encoding: .plain)))
    // Each byte of a good signature matters.
    for i in good.indices {
        var bad = good
        bad[i] ^= 0x40
        #expect(try !ec.publicKey.isValidSignature(bad, for: message, scheme: der), "byte \(i)")
    }
}

// MARK: Algorithm identifiers

@Test func signatureSchemesFromAlgorithmIdentifiers() throws {
    let null: [UInt8] = [0x05, 0x00]
    let table: [(ASN1ObjectIdentifier, SignatureScheme)] = [
        ([1, 2, 840, 113549, 1, 1, 5], .rsaPKCS1v15(.sha1)),
        ([1, 2, 840, 113549, 1, 1, 14], .rsaPKCS1v15(.sha224)),
        ([1, 2, 840, 113549, 1, 1, 11], .rsaPKCS1v15(.sha256)),
        ([1, 2, 840, 113549, 1, 1, 12], .rsaPKCS1v15(.sha384)),
        ([1, 2, 840, 113549, 1, 1, 13], .rsaPKCS1v15(.sha512)),
        ([1, 2, 840, 10045, 4, 1], .ecdsa(.sha1, encoding: .der)),
        ([1, 2, 840, 10045, 4, 3, 1], .ecdsa(.sha224, encoding: .der)),
        ([1, 2, 840, 10045, 4, 3, 2], .ecdsa(.sha256, encoding: .der)),
        ([1, 2, 840, 10045, 4, 3, 3], .ecdsa(.sha384, encoding: .der)),
        ([1, 2, 840, 10045, 4, 3, 4], .ecdsa(.sha512, encoding: .der)),
        ([0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 1], .ecdsa(.sha1, encoding: .plain)),
        ([0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 2], .ecdsa(.sha224, encoding: .plain)),
        ([0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 3], .ecdsa(.sha256, encoding: .plain)),
        ([0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 4], .ecdsa(.sha384, encoding: .plain)),
        ([0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 5], .ecdsa(.sha512, encoding: .plain)),
    ]
    for (oid, scheme) in table {
        #expect(try SignatureScheme.fromAlgorithmIdentifier(oid: oid, parameters: nil) == scheme)
        #expect(try SignatureScheme.fromAlgorithmIdentifier(oid: oid, parameters: null) == scheme)
    }
    // rsaEncryption and id-ecPublicKey take the hash from context.
    let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]
    #expect(try SignatureScheme.fromAlgorithmIdentifier(oid: rsaEncryption, parameters: null, digest: .sha256) == .rsaPKCS1v15(.sha256))
    #expect(throws: EMRTDError.self) { try SignatureScheme.fromAlgorithmIdentifier(oid: rsaEncryption, parameters: null) }
    #expect(try SignatureScheme.fromAlgorithmIdentifier(oid: [1, 2, 840, 10045, 2, 1], parameters: nil, digest: .sha384)
        == .ecdsa(.sha384, encoding: .der))

    // RSASSA-PSS: the parameters of the BSI TR-03105 DSC (SHA-256, MGF1-SHA-256, salt 32) …
    let pss: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 10]
    let dscParameters = h(
        "3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120")
    let dscScheme = SignatureScheme.rsaPSS(hash: .sha256, mgf1Hash: .sha256, saltLength: 32)
    #expect(try SignatureScheme.fromAlgorithmIdentifier(oid: pss, parameters: dscParameters) == dscScheme)
    #expect(dscScheme.algorithmIdentifier == h("304106092a864886f70d01010a") + dscParameters)
    // … the RFC 4055 defaults (an empty SEQUENCE) …
    #expect(try SignatureScheme.fromAlgorithmIdentifier(oid: pss, parameters: [0x30, 0x00])
        == .rsaPSS(hash: .sha1, mgf1Hash: .sha1, saltLength: 20))
    // … SHA-512 with hash parameters absent, and an explicit trailer field 1.
    let sha512 = DERWriter.sequence([DERWriter.oid([2, 16, 840, 1, 101, 3, 4, 2, 3])])
    let sha512Parameters = DERWriter.sequence([
        DERWriter.explicit(0, sha512),
        DERWriter.explicit(1, DERWriter.sequence([DERWriter.oid([1, 2, 840, 113549, 1, 1, 8]), sha512])),
        DERWriter.explicit(2, DERWriter.integer(64)),
        DERWriter.explicit(3, DERWriter.integer(1)),
    ])
    #expect(try SignatureScheme.fromAlgorithmIdentifier(oid: pss, parameters: sha512Parameters)
        == .rsaPSS(hash: .sha512, mgf1Hash: .sha512, saltLength: 64))
    // Bad PSS parameters throw: trailer 2, unknown MGF, trailing bytes, truncation, not a SEQUENCE.
    let bad: [[UInt8]] = [
        h("3005a303020102"),
        h("3011a10f300d06092a864886f70d0101090500"),
        dscParameters + [0],
        Array(dscParameters.dropLast()),
        [0x05, 0x00],
        h("3005a203020181"),
    ]
    for parameters in bad {
        #expect(throws: EMRTDError.self, "\(parameters.hex)") {
            try SignatureScheme.fromAlgorithmIdentifier(oid: pss, parameters: parameters)
        }
    }
    let unknown = #expect(throws: EMRTDError.self) {
        try SignatureScheme.fromAlgorithmIdentifier(oid: [1, 2, 840, 10040, 4, 3], parameters: nil)
    }
    #expect(unknown?.code == .unsupportedAlgorithm)

    // Every scheme's own AlgorithmIdentifier reads back as the same scheme.
    let all: [SignatureScheme] = table.map(\.1) + [
        dscScheme, .rsaPSS(hash: .sha1, mgf1Hash: .sha1, saltLength: 20),
        .rsaPSS(hash: .sha384, mgf1Hash: .sha256, saltLength: 0),
    ]
    for scheme in all {
        let r = ASN1Reader(.malformedDER, rules: .der)
        let identifier = try r.algorithm(try r.parse(scheme.algorithmIdentifier, what: "AlgorithmIdentifier"), what: "AlgorithmIdentifier")
        #expect(try SignatureScheme.fromAlgorithmIdentifier(oid: identifier.algorithm, parameters: identifier.parameters) == scheme, "\(scheme)")
    }
}
