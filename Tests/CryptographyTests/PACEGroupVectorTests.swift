import Cryptography
import EMRTDCore
import Foundation
import Testing

// The group arithmetic of the published PACE worked examples, byte for byte: ICAO Doc 9303 Part 11
// App. G (Generic Mapping), H (Integrated Mapping), I (Chip Authentication Mapping), and the BSI
// "Worked Example for EAC" v1.01. Files in TestVectors/icao and TestVectors/bsi-eac (sources in
// each file's _meta). Key derivation, tokens and APDUs are other tests' business.

/// The string and integer members of a vector file, by name.
struct PACEVectorFile: Decodable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    let strings: [String: String]
    let integers: [String: Int]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var strings: [String: String] = [:], integers: [String: Int] = [:]
        for key in container.allKeys {
            if let s = try? container.decode(String.self, forKey: key) { strings[key.stringValue] = s }
            if let i = try? container.decode(Int.self, forKey: key) { integers[key.stringValue] = i }
        }
        self.strings = strings
        self.integers = integers
    }

    static func load(_ path: String) throws -> PACEVectorFile { try loadVectors(Self.self, path) }

    /// The hex member `name` as bytes; a missing member fails the test (it throws).
    func bytes(_ name: String) throws -> [UInt8] {
        let text = try #require(strings[name], "vector member \(name) missing")
        return try Hex.decode(text)
    }

    func int(_ name: String) throws -> Int { try #require(integers[name], "vector member \(name) missing") }
}

/// A value as the specification prints it: big-endian without leading zero bytes.
private func trimmed(_ bytes: [UInt8]) -> [UInt8] { Array(bytes.drop { $0 == 0 }) }

// MARK: - Generic Mapping, ECDH

/// ICAO 9303-11 App. G.1 (brainpoolP256r1) and App. I (same curve, CAM): the mapping keys, H,
/// G~ = s·G + H, the ephemeral keys over G~ and the shared secret K, computed on both sides.
@Test(arguments: [
    "icao/icao9303_p11_appG1_pace_ecdh_gm_brainpoolP256r1.json",
    "icao/icao9303_p11_appI_pace_cam_ecdh_brainpoolP256r1.json",
])
func genericMappingECDH(file: String) throws {
    let v = try PACEVectorFile.load(file)
    let group = try ECGroup.standard(parameterID: v.int("parameter_id"))
    #expect(group.name == "brainpoolP256r1")

    // Mapping phase: both key pairs, and H from each side.
    #expect(try group.publicKey(v.bytes("sk_map_ifd")).encoded == v.bytes("pk_map_ifd"))
    #expect(try group.publicKey(v.bytes("sk_map_ic")).encoded == v.bytes("pk_map_ic"))
    let pkMapIC = try group.point(v.bytes("pk_map_ic")), pkMapIFD = try group.point(v.bytes("pk_map_ifd"))
    let hTerminal = try group.multiply(pkMapIC, v.bytes("sk_map_ifd"))
    let hChip = try group.multiply(pkMapIFD, v.bytes("sk_map_ic"))
    #expect(hTerminal == hChip)
    if let published = v.strings["shared_secret_H"] { #expect(hTerminal.encoded.hex == published) }
    if let computed = v.strings["shared_secret_H_computed_here_not_quoted"] { #expect(hTerminal.encoded.hex == computed) }

    // G~ = s·G + H.
    let mappedPoint = try group.add(group.multiplyGenerator(v.bytes("nonce_s")), hTerminal)
    #expect(mappedPoint.encoded == (try v.bytes("mapped_generator")))
    let mapped = try group.withGenerator(mappedPoint)
    #expect(mapped.generator == mappedPoint)
    #expect(mapped != group)

    // Key agreement over G~.
    #expect(try mapped.publicKey(v.bytes("sk_dh_ifd")).encoded == v.bytes("pk_dh_ifd"))
    let pkDHIC = try mapped.point(v.bytes("pk_dh_ic"))
    let k = try mapped.sharedSecret(v.bytes("sk_dh_ifd"), pkDHIC)
    #expect(k.count == 32)
    if let published = v.strings["shared_secret_K"] { #expect(k.hex == published) }
    if let computed = v.strings["shared_secret_K_computed_here_not_quoted"] { #expect(k.hex == computed) }
    if v.strings["sk_dh_ic"] != nil {
        #expect(try mapped.publicKey(v.bytes("sk_dh_ic")) == pkDHIC)
        #expect(try mapped.sharedSecret(v.bytes("sk_dh_ic"), mapped.point(v.bytes("pk_dh_ifd"))) == k)
    }
    // The static generator gives other keys: the mapping matters.
    #expect(try group.publicKey(v.bytes("sk_dh_ifd")).encoded != v.bytes("pk_dh_ifd"))
}

/// ICAO 9303-11 App. I: the arithmetic of Chip Authentication Mapping. The terminal's check
/// PK_Map,IC = CA_IC · PK_IC (4.4.3.5.2) with the published CA_IC and PK_IC; and the chip's
/// CA_IC = SK_IC⁻¹ · SK_Map,IC mod n (4.4.3.5.1) with SK_IC as derived by a third party (not
/// published: the appendix lists only PK_IC).
@Test func chipAuthenticationMappingArithmetic() throws {
    let v = try PACEVectorFile.load("icao/icao9303_p11_appI_pace_cam_ecdh_brainpoolP256r1.json")
    let group = try ECGroup.standard(parameterID: v.int("parameter_id"))
    let caIC = try v.bytes("chip_authentication_data_CA_ic")
    let pkIC = try group.point(v.bytes("pk_ic_static"))

    #expect(try group.multiply(pkIC, caIC).encoded == v.bytes("pk_map_ic"))
    // A wrong CA_IC fails the check.
    var wrong = caIC
    wrong[wrong.count - 1] ^= 1
    #expect(try group.multiply(pkIC, wrong).encoded != v.bytes("pk_map_ic"))

    let skIC = try v.bytes("sk_ic_derived_not_in_spec")
    #expect(try group.publicKey(skIC) == pkIC)
    let inverse = try group.inverseModOrder(skIC)
    #expect(inverse.count == group.orderSize)
    #expect(try group.multiplyModOrder(inverse, v.bytes("sk_map_ic")) == caIC)
    #expect(try group.multiplyModOrder(inverse, skIC) == [UInt8](repeating: 0, count: 31) + [1])
}

// MARK: - Generic Mapping, DH

/// ICAO 9303-11 App. G.2 (RFC 5114 1024/160): the group, mapping keys, h on both sides,
/// g~ = g^s · h mod p, the ephemeral keys over g~ and K on both sides.
@Test func genericMappingDH() throws {
    let v = try PACEVectorFile.load("icao/icao9303_p11_appG2_pace_dh_gm_modp1024_160.json")
    let group = try DHGroup.standard(parameterID: v.int("parameter_id"))
    // The published group is RFC 5114 2.1.
    let published = try loadVectors(G2Group.self, "icao/icao9303_p11_appG2_pace_dh_gm_modp1024_160.json").group
    #expect(group.prime.hex == published.p)
    #expect(group.generator.hex == published.g)
    #expect(group.subgroupOrder.hex == published.q)

    #expect(try group.publicKey(v.bytes("sk_map_ifd")) == v.bytes("pk_map_ifd"))
    #expect(try group.publicKey(v.bytes("sk_map_ic")) == v.bytes("pk_map_ic"))
    let hTerminal = try group.sharedSecret(v.bytes("sk_map_ifd"), v.bytes("pk_map_ic"))
    let hChip = try group.sharedSecret(v.bytes("sk_map_ic"), v.bytes("pk_map_ifd"))
    #expect(hTerminal == hChip)
    #expect(hTerminal == (try v.bytes("shared_secret_h")))

    let mappedGenerator = try group.multiply(group.power(group.generator, v.bytes("nonce_s")), hTerminal)
    #expect(mappedGenerator == (try v.bytes("mapped_generator")))
    let mapped = try group.withGenerator(mappedGenerator)

    #expect(try mapped.publicKey(v.bytes("sk_dh_ifd")) == v.bytes("pk_dh_ifd"))
    #expect(try mapped.publicKey(v.bytes("sk_dh_ic")) == v.bytes("pk_dh_ic"))
    let k = try mapped.sharedSecret(v.bytes("sk_dh_ifd"), v.bytes("pk_dh_ic"))
    #expect(k == (try v.bytes("shared_secret_K")))
    #expect(try mapped.sharedSecret(v.bytes("sk_dh_ic"), v.bytes("pk_dh_ifd")) == k)
}

private struct G2Group: Decodable {
    struct Group: Decodable { let p: String, g: String, q: String }
    let group: Group
}

// MARK: - Integrated Mapping

/// ICAO 9303-11 App. H.1 (brainpoolP256r1, AES-128): R(s, t), Rp = R mod p, the point encoding
/// G~ = f_G(Rp), the ephemeral keys over G~ and the shared secret.
@Test func integratedMappingECDH() throws {
    let v = try PACEVectorFile.load("icao/icao9303_p11_appH1_pace_ecdh_im_brainpoolP256r1.json")
    let group = try ECGroup.standard(parameterID: v.int("parameter_id"))
    let s = try v.bytes("nonce_s"), t = try v.bytes("nonce_t")

    let r = try IntegratedMapping.pseudoRandom(s: s, t: t, cipher: .aes128, modulusBits: 256)
    #expect(r == (try v.bytes("prf_R_s_t")))
    let rp = try IntegratedMapping.fieldElement(s: s, t: t, cipher: .aes128, prime: group.prime)
    #expect(rp == (try v.bytes("Rp_field_element")))
    let encoded = try IntegratedMapping.encodePoint(rp, ecGroup: group)
    #expect(encoded.encoded == (try v.bytes("mapped_generator")))
    let mappedPoint = try IntegratedMapping.map(s: s, t: t, cipher: .aes128, ecGroup: group)
    #expect(mappedPoint == encoded)

    let mapped = try group.withGenerator(mappedPoint)
    #expect(try mapped.publicKey(v.bytes("sk_dh_ifd")).encoded == v.bytes("pk_dh_ifd"))
    #expect(try mapped.publicKey(v.bytes("sk_dh_ic")).encoded == v.bytes("pk_dh_ic"))
    let k = try mapped.sharedSecret(v.bytes("sk_dh_ifd"), mapped.point(v.bytes("pk_dh_ic")))
    #expect(k == (try v.bytes("shared_secret_K")))
    #expect(try mapped.sharedSecret(v.bytes("sk_dh_ic"), mapped.point(v.bytes("pk_dh_ifd"))) == k)

    // Swapping the nonces, or another cipher, gives another generator.
    #expect(try IntegratedMapping.map(s: t, t: s, cipher: .aes128, ecGroup: group) != mappedPoint)
    #expect(try IntegratedMapping.map(s: s, t: t, cipher: .tripleDES, ecGroup: group) != mappedPoint)
}

/// ICAO 9303-11 App. H.2 (RFC 5114 1024/160, AES-128): R(s, t), Rp, g~ = Rp^((p-1)/q) mod p, the
/// terminal's key over g~, the chip's key in the subgroup, and K. (The chip's private key is not
/// published.)
@Test func integratedMappingDH() throws {
    let v = try PACEVectorFile.load("icao/icao9303_p11_appH2_pace_dh_im_modp1024_160.json")
    let group = try DHGroup.standard(parameterID: v.int("parameter_id"))
    let s = try v.bytes("nonce_s"), t = try v.bytes("nonce_t")

    let r = try IntegratedMapping.pseudoRandom(s: s, t: t, cipher: .aes128, modulusBits: 1024)
    #expect(r.count == 144)
    #expect(r == (try v.bytes("prf_R_s_t")))
    #expect(try IntegratedMapping.fieldElement(s: s, t: t, cipher: .aes128, prime: group.prime) == v.bytes("Rp_field_element"))
    let g = try IntegratedMapping.map(s: s, t: t, cipher: .aes128, dhGroup: group)
    #expect(g == (try v.bytes("mapped_generator")))

    let mapped = try group.withGenerator(g)
    #expect(try mapped.publicKey(v.bytes("sk_dh_ifd")) == v.bytes("pk_dh_ifd"))
    try mapped.validatePublicKey(v.bytes("pk_dh_ic"))
    #expect(try mapped.sharedSecret(v.bytes("sk_dh_ifd"), v.bytes("pk_dh_ic")) == v.bytes("shared_secret_K"))
}

// MARK: - BSI worked example

/// BSI "Worked Example for EAC" v1.01, ECDH (brainpoolP256r1): PACE-GM (mapping keys, H, G~,
/// ephemeral keys, K on both sides) and Chip Authentication v2 (static and ephemeral keys, K).
/// Private keys are quoted with a leading zero byte where OpenPACE has one.
@Test func bsiWorkedExampleECDH() throws {
    let v = try PACEVectorFile.load("bsi-eac/bsi_eac_worked_example_ecdh.json")
    let group = try ECGroup.standard(parameterID: 13)

    #expect(try group.publicKey(v.bytes("map_pcd_priv_key")).encoded == v.bytes("map_pcd_pub_key"))
    #expect(try group.publicKey(v.bytes("map_picc_priv_key")).encoded == v.bytes("map_picc_pub_key"))
    let h = try group.multiply(group.point(v.bytes("map_picc_pub_key")), v.bytes("map_pcd_priv_key"))
    #expect(h.encoded == (try v.bytes("map_shared_secret_h")))
    #expect(try group.multiply(group.point(v.bytes("map_pcd_pub_key")), v.bytes("map_picc_priv_key")) == h)
    let mappedPoint = try group.add(group.multiplyGenerator(v.bytes("nonce")), h)
    #expect(mappedPoint.encoded == (try v.bytes("map_generator")))

    let mapped = try group.withGenerator(mappedPoint)
    #expect(try mapped.publicKey(v.bytes("pcd_priv_key")).encoded == v.bytes("pcd_pub_key"))
    #expect(try mapped.publicKey(v.bytes("picc_priv_key")).encoded == v.bytes("picc_pub_key"))
    let k = try mapped.sharedSecret(v.bytes("pcd_priv_key"), mapped.point(v.bytes("picc_pub_key")))
    #expect(k == (try v.bytes("shared_secret_k")))
    #expect(try mapped.sharedSecret(v.bytes("picc_priv_key"), mapped.point(v.bytes("pcd_pub_key"))) == k)

    // Chip Authentication: over the static generator.
    #expect(try group.publicKey(v.bytes("ca_picc_priv_key")).encoded == v.bytes("ca_picc_pub_key"))
    #expect(try group.publicKey(v.bytes("ca_pcd_priv_key")).encoded == v.bytes("ca_pcd_pub_key"))
    let caK = try group.sharedSecret(v.bytes("ca_pcd_priv_key"), group.point(v.bytes("ca_picc_pub_key")))
    #expect(caK == (try v.bytes("ca_shared_secret_k")))
    #expect(try group.sharedSecret(v.bytes("ca_picc_priv_key"), group.point(v.bytes("ca_pcd_pub_key"))) == caK)
}

/// BSI "Worked Example for EAC" v1.01, DH (RFC 5114 1024/160): PACE-GM and Chip Authentication.
/// The published private keys are full-length exponents, not reduced below q.
@Test func bsiWorkedExampleDH() throws {
    let v = try PACEVectorFile.load("bsi-eac/bsi_eac_worked_example_dh.json")
    let group = try DHGroup.standard(parameterID: 0)

    #expect(try group.publicKey(v.bytes("map_pcd_priv_key")) == v.bytes("map_pcd_pub_key"))
    #expect(try group.publicKey(v.bytes("map_picc_priv_key")) == v.bytes("map_picc_pub_key"))
    let h = try group.sharedSecret(v.bytes("map_pcd_priv_key"), v.bytes("map_picc_pub_key"))
    #expect(h == (try v.bytes("map_shared_secret_h")))
    #expect(try group.sharedSecret(v.bytes("map_picc_priv_key"), v.bytes("map_pcd_pub_key")) == h)
    let g = try group.multiply(group.power(group.generator, v.bytes("nonce")), h)
    #expect(g == (try v.bytes("map_generator")))

    let mapped = try group.withGenerator(g)
    // pcd_pub_key is quoted with a leading 00 (129 bytes); ours is exactly |p| = 128 bytes.
    let pcdPub = try mapped.publicKey(v.bytes("pcd_priv_key"))
    #expect(pcdPub.count == 128)
    #expect(trimmed(pcdPub) == trimmed(try v.bytes("pcd_pub_key")))
    #expect(try mapped.publicKey(v.bytes("picc_priv_key")) == v.bytes("picc_pub_key"))
    let k = try mapped.sharedSecret(v.bytes("pcd_priv_key"), v.bytes("picc_pub_key"))
    #expect(k == (try v.bytes("shared_secret_k")))
    #expect(try mapped.sharedSecret(v.bytes("picc_priv_key"), v.bytes("pcd_pub_key")) == k)

    #expect(try group.publicKey(v.bytes("ca_picc_priv_key")) == v.bytes("ca_picc_pub_key"))
    #expect(try group.publicKey(v.bytes("ca_pcd_priv_key")) == v.bytes("ca_pcd_pub_key"))
    let caK = try group.sharedSecret(v.bytes("ca_pcd_priv_key"), v.bytes("ca_picc_pub_key"))
    #expect(caK == (try v.bytes("ca_shared_secret_k")))
    #expect(try group.sharedSecret(v.bytes("ca_picc_priv_key"), v.bytes("ca_pcd_pub_key")) == caK)
}
