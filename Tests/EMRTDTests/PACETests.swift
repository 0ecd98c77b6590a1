import AccessControl
import Cryptography
import EMRTD
import EMRTDCore
import ISO7816
import LDS
import MRZ
import Specimen
import Testing
import VirtualChip

/// A specimen whose EF.CardAccess offers exactly `configuration`; for PACE-CAM it gets a static
/// Chip Authentication key (card.json) and the matching public key in DG14.
func paceImage(_ configuration: PACE.Configuration, bac: Bool = true) throws -> CardImage {
    var image = try Specimen.cardImage()
    image.files[.cardAccess] = SecurityInfos.encode([configuration.paceInfo.raw])
    image.settings.chip.bac = bac
    if configuration.mapping == .chipAuthentication {
        let group = try ECGroup.standard(parameterID: configuration.parameterID)
        let key = try group.generatePrivateKey()
        image.settings.chipAuthenticationKey = key.hex
        let info = ChipAuthenticationPublicKeyInfo.encode(publicKey: try group.publicKey(key).encoded, parameterID: configuration.parameterID)
        image.files[.dg14] = TLV(tag: 0x6E, value: SecurityInfos.encode([info])).encoded()
        image.files[.com] = EFCOM(dataGroups: [.dg1, .dg2, .dg13, .dg14]).raw
    }
    return image
}

/// Every protocol PACE defines: mapping x key agreement x cipher (ICAO 9303-11 Table 4).
let paceMatrix: [(PACE.Configuration.Mapping, PACE.Configuration.KeyAgreement, KeyDerivation.Cipher)] = {
    var all: [(PACE.Configuration.Mapping, PACE.Configuration.KeyAgreement, KeyDerivation.Cipher)] = []
    for cipher in [KeyDerivation.Cipher.tripleDES, .aes128, .aes192, .aes256] {
        for (mapping, agreement) in [(PACE.Configuration.Mapping.generic, PACE.Configuration.KeyAgreement.dh), (.generic, .ecdh), (.integrated, .dh), (.integrated, .ecdh)] {
            all.append((mapping, agreement, cipher))
        }
        if cipher != .tripleDES { all.append((.chipAuthentication, .ecdh, cipher)) }
    }
    return all
}()

@Suite("PACE against the virtual chip")
struct PACEReaderTests {
    static let cases: [String] = paceMatrix.flatMap { m, a, c in ["MRZ", "CAN"].map { "\(m)/\(a)/\(c)/\($0)" } }

    @Test("Every mapping x key agreement x cipher completes and reads DG1, with the MRZ and with the CAN", arguments: 0..<paceMatrix.count * 2)
    func matrix(index: Int) throws {
        let (mapping, agreement, cipher) = paceMatrix[index / 2]
        let parameterID = agreement == .dh ? 0 : 13
        let configuration = try PACE.Configuration(mapping: mapping, keyAgreement: agreement, cipher: cipher, parameterID: parameterID)
        let image = try paceImage(configuration, bac: false)
        let key: AccessKey = index % 2 == 0 ? try specimenKey() : .can(SecretBytes(utf8: try CCCD.can(fromPersonalID: Specimen.personalID)))
        let result = try readAll(try VirtualChip(image: image), key: key, access: .automatic)
        #expect(result.accessControl.description.hasPrefix("PACE-\(index % 2 == 0 ? "MRZ" : "CAN") \(configuration.protocolName)"), "\(result.accessControl)")
        #expect(result.files[.dg1] == image.files[.dg1])
        #expect(result.files[.dg13] == image.files[.dg13])
        if mapping == .chipAuthentication {
            // No EF.CardSecurity on this image: the key of DG14 stands in.
            guard case .verified(keyOf: .dg14, _) = result.chipAuthenticationMapping else {
                Issue.record("CAM result: \(result.chipAuthenticationMapping)")
                return
            }
        } else {
            #expect(result.chipAuthenticationMapping == .notRun)
        }
    }

    @Test("Every standardized domain parameter works (GM, AES-128)", arguments: [0, 1, 2] + Array(8...18))
    func domainParameters(parameterID: Int) throws {
        let configuration = try PACE.Configuration(mapping: .generic, keyAgreement: parameterID < 8 ? .dh : .ecdh, cipher: .aes128, parameterID: parameterID)
        var image = try paceImage(configuration, bac: false)
        // 2048-bit DH public keys need extended length APDUs.
        image.settings.chip.extendedLength = parameterID == 1 || parameterID == 2
        let result = try readAll(try VirtualChip(image: image), access: .automatic)
        #expect(result.files[.dg1] == image.files[.dg1])
    }

    @Test("Integrated Mapping on every curve it is defined for (p = 3 mod 4; not secp224r1)", arguments: [8, 9, 11, 12, 13, 14, 15, 16, 17, 18])
    func integratedMappingCurves(parameterID: Int) throws {
        let configuration = try PACE.Configuration(mapping: .integrated, keyAgreement: .ecdh, cipher: .aes128, parameterID: parameterID)
        let result = try readAll(try VirtualChip(image: paceImage(configuration, bac: false)), access: .automatic)
        #expect(result.accessControl.description.contains("IM"))
    }

    @Test("A wrong CAN is refused with the chip's status word")
    func wrongCAN() throws {
        let chip = try VirtualChip(image: specimen())
        #expect(throws: EMRTDError(.paceAuthenticationFailed, "")) {
            try readAll(chip, key: .can("999999"), access: .automatic)
        }
        do {
            _ = try readAll(try VirtualChip(image: specimen()), key: .can("999999"), access: .automatic)
        } catch let error as EMRTDError {
            #expect(error.message.contains("6300"))
            #expect(error.message.contains("CAN"))
        }
    }

    @Test("A chip token that does not verify is refused (a man in the middle, a broken chip)")
    func wrongChipToken() throws {
        let chip = try VirtualChip(image: specimen())
        let card = Interposer(chip) { _, command in
            guard command.count > 4, command[0] == 0x00, command[1] == 0x86 else { return nil }
            var answer = (try? chip.transmit(command)) ?? []
            if answer.count > 4 { answer[answer.count - 3] ^= 0x01 }  // last byte of T.IC
            return answer
        }
        #expect(throws: EMRTDError(.paceInvalidResponse, "")) {
            try readAll(card, access: .paceOnly)
        }
    }

    @Test("Only unknown PACE protocols: BAC, with a note saying why")
    func unknownProtocols() throws {
        var image = try specimen()
        let unknown = PACEInfo(protocolOID: SecurityInfos.idPACE.appending(9, 9), version: 2, parameterID: 13)
        image.files[.cardAccess] = SecurityInfos.encode([unknown.raw])
        let result = try readAll(try VirtualChip(image: image), access: .automatic)
        #expect(result.accessControl == .bac)
        #expect(result.accessNotes.contains { $0.contains("does not implement") })
    }

    @Test("A CAN on a chip without PACE is a clear error")
    func canWithoutPACE() throws {
        var image = try specimen()
        image.files[.cardAccess] = nil
        #expect(throws: EMRTDError(.accessControlUnavailable, "")) {
            try readAll(try VirtualChip(image: image), key: .can("001234"), access: .automatic)
        }
    }

    @Test("EF.CardAccess hidden (6982): the CCCD default is tried, and PACE works")
    func hiddenCardAccess() throws {
        let chip = try VirtualChip(image: specimen())
        let card = Interposer(chip) { _, command in
            // READ BINARY of EF.CardAccess by SFI 1C, and its SELECT, answer 6982 as on some CCCD readers.
            if command.count >= 4, command[1] == 0xB0, command[2] == 0x9C { return [0x69, 0x82] }
            if command.count >= 7, command[1] == 0xA4, command[5] == 0x01, command[6] == 0x1C { return [0x69, 0x82] }
            return nil
        }
        let result = try readAll(card, access: .automatic)
        #expect(result.accessControl.description.hasPrefix("PACE-MRZ"))
        #expect(result.accessNotes.contains { $0.contains("CCCD default") })
    }

    @Test("Secure messaging failure under PACE: PACE is run again and the read resumes")
    func reauthenticationWithPACE() throws {
        let image = try specimen()
        var faults = VirtualChip.Faults()
        faults.corruptResponseMAC = [9]
        let result = try readAll(try VirtualChip(image: image, faults: faults), access: .automatic)
        #expect(result.accessControl.description.hasPrefix("PACE"))
        #expect(result.reauthentications == 1)
        #expect(result.files[.dg2] == image.files[.dg2])
    }

    @Test("PACE-CAM with a DG14 key that is not the chip's fails the check")
    func camWrongKey() throws {
        let configuration = try PACE.Configuration(mapping: .chipAuthentication, keyAgreement: .ecdh, cipher: .aes128, parameterID: 13)
        var image = try paceImage(configuration)
        let group = try ECGroup.standard(parameterID: 13)
        let other = ChipAuthenticationPublicKeyInfo.encode(publicKey: try group.publicKey(group.generatePrivateKey()).encoded, parameterID: 13)
        image.files[.dg14] = TLV(tag: 0x6E, value: SecurityInfos.encode([other])).encoded()
        let result = try readAll(try VirtualChip(image: image), access: .automatic)
        guard case .failed = result.chipAuthenticationMapping else {
            Issue.record("CAM result: \(result.chipAuthenticationMapping)")
            return
        }
    }

    @Test("ChipAuthenticationPublicKeyInfo encodes as ICAO 9303-11 App. I prints it")
    func caInfoEncoding() throws {
        // App. I: PK_IC and its ChipAuthenticationPublicKeyInfo (keyId 13), as quoted in TestVectors/icao.
        let pk = try Hex.decode("041872709494399E7470A6431BE25E83EEE24FEA568C2ED28DB48E05DB3A610DC884D256A40E35EFCB59BF6753D3A489D28C7A4D973C2DA138A6E7A4A08F68E16F")
        let expected = "3062060904007F0007020201023052300C060704007F0007010202010D034200041872709494399E7470A6431BE25E83EEE24FEA568C2ED28DB48E05DB3A610DC884D256A40E35EFCB59BF6753D3A489D28C7A4D973C2DA138A6E7A4A08F68E16F02010D"
        #expect(ChipAuthenticationPublicKeyInfo.encode(publicKey: pk, parameterID: 13, keyID: 13).hex == expected)
    }

    @Test("Configurations PACE does not define are refused")
    func undefined() {
        #expect(throws: EMRTDError(.paceUnsupported, "")) {
            try PACE.Configuration(mapping: .chipAuthentication, keyAgreement: .ecdh, cipher: .tripleDES, parameterID: 13)
        }
        #expect(throws: EMRTDError(.paceUnsupported, "")) {
            try PACE.Configuration(mapping: .generic, keyAgreement: .dh, cipher: .aes128, parameterID: 13)
        }
        #expect(throws: EMRTDError(.paceUnsupported, "")) {
            try PACE.Configuration(mapping: .generic, keyAgreement: .ecdh, cipher: .aes128, parameterID: 5)
        }
    }
}

@Suite("The CCCD's EF.CardAccess")
struct CCCDCardAccessTests {
    /// The EF.CardAccess CCCD reader apps ship (the project's notes on the card, CCCD.md).
    static let published = "3134300D060804007F0007020202020101300F060A04007F000702020302020201013012060A04007F0007020204020202010202010D"

    @Test("The reader's fallback and the personalized cards use exactly the published bytes")
    func bytes() throws {
        #expect(DocumentReader.cccdCardAccess.hex == Self.published)
        #expect(try Specimen.cardImage().files[.cardAccess]?.hex == Self.published)
    }
}
