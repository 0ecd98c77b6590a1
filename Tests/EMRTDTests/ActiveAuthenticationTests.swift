import AccessControl
import Cryptography
import EMRTD
import EMRTDCore
import ISO7816
import LDS
import Specimen
import Testing
import VirtualChip

/// A specimen with DG15 holding `spec`'s public key and the private key in card.json (or another
/// key: a clone). EC keys get an ActiveAuthenticationInfo (ecdsa-plain-SHA256) in DG14.
func activeAuthenticationImage(_ spec: PrivateKey.KeySpec, clone: Bool = false) throws -> CardImage {
    var image = try Specimen.cardImage()
    let key = try PrivateKey.generate(spec)
    image.files[.dg15] = TLV(tag: 0x6F, value: key.publicKey.subjectPublicKeyInfo).encoded()
    var groups: [LDSFile] = [.dg1, .dg2, .dg13, .dg15]
    if case .ec = spec {
        let info = ActiveAuthenticationInfo.encode(signatureAlgorithm: "0.4.0.127.0.7.1.1.4.1.3")
        image.files[.dg14] = TLV(tag: 0x6E, value: SecurityInfos.encode([info])).encoded()
        groups.insert(.dg14, at: 3)
    }
    image.files[.com] = EFCOM(dataGroups: groups).raw
    image.settings.activeAuthenticationKey = clone ? try PrivateKey.generate(spec).pem : key.pem
    return image
}

@Suite("Active Authentication against the virtual chip")
struct ActiveAuthenticationTests {
    static let specs: [PrivateKey.KeySpec] = [.rsa(bits: 1024), .rsa(bits: 2048), .ec(curve: "brainpoolP256r1"), .ec(curve: "secp384r1")]

    @Test("RSA (ISO/IEC 9796-2) and ECDSA signatures over the challenge verify", arguments: 0..<specs.count)
    func passes(index: Int) throws {
        let image = try activeAuthenticationImage(Self.specs[index])
        let result = try readAll(try VirtualChip(image: image), access: .automatic)
        guard case .passed = result.activeAuthentication else {
            Issue.record("AA: \(result.activeAuthentication)")
            return
        }
        #expect(result.files[.dg15] == image.files[.dg15])
    }

    @Test("A cloned chip (DG15's key, another private key) fails Active Authentication", arguments: 0..<specs.count)
    func clone(index: Int) throws {
        let image = try activeAuthenticationImage(Self.specs[index], clone: true)
        let result = try readAll(try VirtualChip(image: image), access: .automatic)
        guard case .failed = result.activeAuthentication else {
            Issue.record("AA: \(result.activeAuthentication)")
            return
        }
    }

    @Test("A replayed signature (over another challenge) is refused")
    func replay() throws {
        let key = try PrivateKey.generate(.rsa(bits: 1024))
        let configuration = ActiveAuthentication.Configuration(publicKey: key.publicKey, ecdsaHash: nil)
        let signature = try ActiveAuthentication.sign(challenge: [1, 2, 3, 4, 5, 6, 7, 8], key: key, ecdsaHash: nil)
        try ActiveAuthentication.verify(signature, challenge: [1, 2, 3, 4, 5, 6, 7, 8], configuration: configuration)
        #expect(throws: EMRTDError(.aaFailed, "")) {
            try ActiveAuthentication.verify(signature, challenge: [1, 2, 3, 4, 5, 6, 7, 9], configuration: configuration)
        }
        var bad = signature
        bad[10] ^= 0xFF
        #expect(throws: EMRTDError(.aaFailed, "")) {
            try ActiveAuthentication.verify(bad, challenge: [1, 2, 3, 4, 5, 6, 7, 8], configuration: configuration)
        }
    }

    @Test("No DG15: Active Authentication is not run")
    func absent() throws {
        let result = try readAll(try VirtualChip(image: basicSpecimen()))
        #expect(result.activeAuthentication == .notRun)
    }
}
