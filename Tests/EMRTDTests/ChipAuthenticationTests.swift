import AccessControl
import Cryptography
import EMRTD
import EMRTDCore
import ISO7816
import LDS
import Specimen
import SwiftASN1
import Testing
import VirtualChip

/// A specimen with DG14 announcing Chip Authentication (`cipher` code 1-4 of id-CA-…) on
/// `parameterID`, and the chip's private key in card.json (or another key: a clone).
func chipAuthenticationImage(parameterID: Int, cipher: UInt, clone: Bool = false) throws -> CardImage {
    var image = try Specimen.cardImage()
    let ecdh = parameterID >= 8
    let key: [UInt8]
    let publicKey: [UInt8]
    if ecdh {
        let group = try ECGroup.standard(parameterID: parameterID)
        key = try group.generatePrivateKey()
        publicKey = try group.publicKey(key).encoded
    } else {
        let group = try DHGroup.standard(parameterID: parameterID)
        key = try group.generatePrivateKey()
        publicKey = try group.publicKey(key)
    }
    let protocolOID = ASN1ObjectIdentifier("0.4.0.127.0.7.2.2.3").appending(ecdh ? 2 : 1, cipher)  // id-CA-…
    let infos = SecurityInfos.encode([
        ChipAuthenticationInfo.encode(protocolOID: protocolOID, version: 1, keyID: 1),
        ChipAuthenticationPublicKeyInfo.encode(publicKey: publicKey, parameterID: parameterID, keyID: 1),
    ])
    image.files[.dg14] = TLV(tag: 0x6E, value: infos).encoded()
    image.files[.com] = EFCOM(dataGroups: [.dg1, .dg2, .dg13, .dg14]).raw
    if clone {
        let other: [UInt8] = ecdh
            ? try ECGroup.standard(parameterID: parameterID).generatePrivateKey()
            : try DHGroup.standard(parameterID: parameterID).generatePrivateKey()
        image.settings.chipAuthenticationKey = other.hex
    } else {
        image.settings.chipAuthenticationKey = key.hex
    }
    return image
}

@Suite("Chip Authentication (v1) against the virtual chip")
struct ChipAuthenticationTests {
    @Test("ECDH and DH, 3DES and AES: passes, and the rest is read under the new keys",
          arguments: [(13, UInt(1)), (13, 2), (12, 3), (17, 4), (0, 1), (0, 2)])
    func passes(parameterID: Int, cipher: UInt) throws {
        let image = try chipAuthenticationImage(parameterID: parameterID, cipher: cipher)
        for access in [AccessControlPreference.bacOnly, .automatic] {
            let chip = try VirtualChip(image: image)
            let result = try readAll(chip, access: access)
            guard case .passed = result.chipAuthentication else {
                Issue.record("CA: \(result.chipAuthentication) with \(access)")
                continue
            }
            #expect(result.files[.dg13] == image.files[.dg13])
            #expect(result.files[.dg2] == image.files[.dg2])
            #expect(result.reauthentications == 0)
        }
    }

    @Test("A cloned chip (DG14's key without its private key) fails Chip Authentication; the data is still read")
    func clone() throws {
        let image = try chipAuthenticationImage(parameterID: 13, cipher: 2, clone: true)
        let result = try readAll(try VirtualChip(image: image), access: .automatic)
        guard case .failed(let why) = result.chipAuthentication else {
            Issue.record("CA: \(result.chipAuthentication)")
            return
        }
        #expect(why.message.contains("does not hold the private key"))
        #expect(why.code == .caFailed)
        #expect(result.files[.dg13] == image.files[.dg13])
    }

    @Test("Without DG14 Chip Authentication is not run")
    func absent() throws {
        let result = try readAll(try VirtualChip(image: basicSpecimen()))
        #expect(result.chipAuthentication == .notRun)
    }

    @Test("A MAC failure after Chip Authentication: access and CA are redone, the read resumes")
    func reauthenticationRedoesCA() throws {
        let image = try chipAuthenticationImage(parameterID: 13, cipher: 2)
        var faults = VirtualChip.Faults()
        faults.corruptResponseMAC = [14]
        let result = try readAll(try VirtualChip(image: image, faults: faults), access: .automatic)
        #expect(result.reauthentications == 1)
        #expect(result.files[.dg2] == image.files[.dg2])
        guard case .passed = result.chipAuthentication else {
            Issue.record("CA: \(result.chipAuthentication)")
            return
        }
    }
}
