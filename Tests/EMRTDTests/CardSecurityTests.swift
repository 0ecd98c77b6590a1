import AccessControl
import Cryptography
import EMRTD
import EMRTDCore
import ISO7816
import LDS
import PassiveAuthentication
import Personalization
import Specimen
import Testing
import VirtualChip

/// The specimen as a PACE-CAM card: EF.CardAccess offers PACE-ECDH-CAM-AES-128 and EF.CardSecurity,
/// signed by the test DSC, holds the Chip Authentication key of DG14 and card.json.
func camSpecimen() throws -> CardImage {
    try Specimen.cardImage(chipAuthenticationMapping: true)
}

/// Reads `image` with PACE (the access control its EF.CardAccess offers) and verifies it with the test PKI.
func readCAM(_ channel: any CardChannel) throws -> (ReadResult, DocumentVerification) {
    let result = try readAll(channel, access: .automatic)
    let verification = DocumentVerification(read: result, trust: Specimen.testPKI.trustStore)
    return (result, verification)
}

/// The first bytes of a Chip Authentication public key, as the disagreement reason prints them.
func fingerprint(_ key: [UInt8]) throws -> String {
    let point = try ECGroup.standard(parameterID: 13).publicKey(key).encoded
    return point.prefix(9).hex + "…"
}

@Suite("EF.CardSecurity and PACE-CAM (ICAO 9303-11 4.4.3.5.2)")
struct CardSecurityTests {
    static let viaCardSecurity = "PACE-CAM with the Chip Authentication key of EF.CardSecurity (key ID 1)"

    @Test("A PACE-CAM card with EF.CardSecurity reads genuine; the chip check names EF.CardSecurity")
    func genuine() throws {
        let image = try camSpecimen()
        let chip = try VirtualChip(image: image)
        let (result, v) = try readCAM(chip)
        #expect(result.accessControl.description == "PACE-MRZ id-PACE-ECDH-CAM-AES-CBC-CMAC-128 with brainpoolP256r1")
        #expect(result.files[.cardSecurity] == image.files[.cardSecurity])
        #expect(result.outcomes.contains { $0.file == .cardSecurity && $0.outcome == .read })
        #expect(result.chipAuthenticationMapping == .verified(keyOf: .cardSecurity, how: Self.viaCardSecurity))
        #expect(v.verdict == .genuine)
        #expect(v.cardSecurity?.status == .passed)
        #expect(v.chip == CheckOutcome(.passed, Self.viaCardSecurity))
        // EF.CardSecurity is read right after PACE, in the master file where PACE left the chip (by
        // SFI 1D, then by offset), and only then is the application selected: no SELECT MF.
        let log = chip.commandLog.map { Hex.encode([$0.ins, $0.p1]) }
        let aid = try #require(log.firstIndex(of: "A404"))
        let lastPACE = try #require(log[..<aid].lastIndex(of: "8600"))
        #expect(log[lastPACE + 1] == "B09D")
        #expect(log[(lastPACE + 1)..<aid].allSatisfy { $0.hasPrefix("B0") })
        #expect(!chip.commandLog.contains { $0.ins == 0xA4 && $0.p1 == 0x00 })
    }

    @Test("DG14 and EF.CardSecurity with different keys: not genuine, the reason shows both", arguments: [true, false])
    func disagreement(chipHoldsCardSecurityKey: Bool) throws {
        var image = try camSpecimen()
        let other = try ECGroup.standard(parameterID: 13).generatePrivateKey()
        let original = try Hex.decode(try #require(image.settings.chipAuthenticationKey))
        // EF.CardSecurity re-signed by the test DSC around another key: only the key disagrees.
        image.files[.cardSecurity] = try Personalizer.cardSecurity(chipAuthenticationKey: other, pki: Specimen.testPKI)
        if chipHoldsCardSecurityKey { image.settings.chipAuthenticationKey = other.hex }
        let (result, v) = try readCAM(try VirtualChip(image: image))
        let proof = chipHoldsCardSecurityKey ? "the chip proved EF.CardSecurity's key (key ID 1)" : "the chip proved none of EF.CardSecurity's keys"
        let reason = "PACE-CAM: DG14 and EF.CardSecurity disagree on the chip's Chip Authentication key: "
            + "for key ID 1 DG14 has \(try fingerprint(original)), EF.CardSecurity has \(try fingerprint(other)) "
            + "(checked against EF.CardSecurity, \(proof))"
        #expect(result.files[.cardSecurity] == image.files[.cardSecurity])
        #expect(v.passive.status == .passed)
        #expect(v.cardSecurity?.status == .passed)
        #expect(v.chip == CheckOutcome(.failed, reason, code: .chipAuthenticationMappingFailed))
        #expect(v.verdict == .notGenuine)
    }

    @Test("A PACE-CAM card without EF.CardSecurity falls back to DG14, and says so")
    func fallbackToDG14() throws {
        var image = try camSpecimen()
        image.files[.cardSecurity] = nil
        let (result, v) = try readCAM(try VirtualChip(image: image))
        let how = "PACE-CAM with the Chip Authentication key of DG14 (key ID 1), as EF.CardSecurity is not on the chip (6A82)"
        #expect(result.outcomes.contains { $0.file == .cardSecurity && $0.outcome == .absent })
        #expect(result.chipAuthenticationMapping == .verified(keyOf: .dg14, how: how))
        #expect(v.cardSecurity == nil)
        #expect(v.chip == CheckOutcome(.passed, how))
        #expect(v.verdict == .genuine)
    }

    @Test("A tampered EF.CardSecurity (its signature fails): not genuine, and PACE-CAM does not count")
    func tampered() throws {
        var image = try camSpecimen()
        var bytes = try #require(image.files[.cardSecurity])
        bytes[bytes.count - 1] ^= 0x01  // the last byte of the SignerInfo's signature
        image.files[.cardSecurity] = bytes
        let (result, v) = try readCAM(try VirtualChip(image: image))
        #expect(result.files[.cardSecurity] == bytes)
        #expect(v.cardSecurity?.status == .failed)
        #expect(v.cardSecurity?.signature == .invalid)
        #expect(v.passive.status == .passed)
        #expect(v.chip == CheckOutcome(
            .notRun, "\(Self.viaCardSecurity) succeeded, but it counts only after passive authentication of EF.CardSecurity passes (it is failed)"))
        #expect(v.verdict == .notGenuine)
    }

    @Test("The chip serves EF.CardSecurity only after PACE; a PACE-GM read does not ask for it")
    func onlyAfterPACE() throws {
        let chip = try VirtualChip(image: camSpecimen())
        // Plain, in the master file: READ BINARY by SFI 1D.
        #expect(chip.process(try CommandAPDU(ins: 0xB0, p1: 0x9D, p2: 0, ne: 8).encoded()).statusWord == .securityStatusNotSatisfied)
        // PACE-GM needs nothing of EF.CardSecurity: not one APDU goes to it (the application is
        // selected right after PACE; SFI 1D is then EF.SOD).
        let gm = try VirtualChip(image: specimen())
        let result = try readAll(gm, access: .automatic)
        #expect(!result.outcomes.contains { $0.file == .cardSecurity })
        let log = gm.commandLog.map { Hex.encode([$0.ins, $0.p1]) }
        let aid = try #require(log.firstIndex(of: "A404"))
        #expect(log[aid - 1] == "8600")
    }

    @Test("A PACE-CAM chip that refuses EF.CardSecurity (6982): denied, and DG14 stands in, said in the reason")
    func cardSecurityRefused() throws {
        let image = try camSpecimen()
        var faults = VirtualChip.Faults()
        faults.deniedFiles = [.cardSecurity]
        let chip = try VirtualChip(image: image, faults: faults)
        let (result, v) = try readCAM(chip)
        #expect(result.outcomes.contains { $0.file == .cardSecurity && $0.outcome == .denied })
        #expect(v.chip == CheckOutcome(.passed, "PACE-CAM with the Chip Authentication key of DG14 (key ID 1), as EF.CardSecurity was refused by the chip"))
        #expect(result.files[.dg13] == image.files[.dg13])
        #expect(v.verdict == .genuine)
    }
}

/// A reader whose transport does not announce extended length (the chip may still take it).
final class NoExtendedLengthReader: CardChannel {
    let chip: VirtualChip
    init(_ chip: VirtualChip) { self.chip = chip }
    var supportsExtendedLength: Bool { false }
    func transmit(_ command: [UInt8]) throws(EMRTDError) -> [UInt8] { try chip.transmit(command) }
}

@Suite("EF.ATR/INFO: read before access control, its limits honoured")
struct ATRInfoReadTests {
    /// The specimen on a chip that takes extended length (answers up to 64 KiB), with `atrInfo` as EF.ATR/INFO.
    func extendedLengthImage(atrInfo: [UInt8]?) throws -> CardImage {
        var image = try specimen {
            $0.extendedLength = true
            $0.maxResponseLength = 65536
        }
        image.files[.atrInfo] = atrInfo
        return image
    }

    /// EF.ATR/INFO with DO'7F66' allowing `maximum` bytes in commands and in responses.
    func extendedLengthInformation(_ maximum: Int) -> [UInt8] {
        ATRInfo.encode(extendedLength: ATRInfo.ExtendedLength(maximumCommandLength: maximum, maximumResponseLength: maximum))
    }

    /// The Le of every READ BINARY after the first (which reads EF.ATR/INFO itself).
    func laterReadLengths(_ chip: VirtualChip) -> [Int] {
        Array(chip.commandLog.filter { $0.ins == 0xB0 }.dropFirst().map { $0.ne ?? 0 })
    }

    @Test("The SM answer sizes behind the block sizes: 223 for 256 bytes, 975 for 1000, 95 for 128")
    func fittingLengths() {
        #expect(EMRTDSession.readLength(fittingResponse: 256) == 223)
        #expect(EMRTDSession.readLength(fittingResponse: 1000) == 975)
        #expect(EMRTDSession.readLength(fittingResponse: 128) == 95)
    }

    @Test("Extended length announced only by EF.ATR/INFO: reads of exactly the 975 bytes a 1000-byte answer holds")
    func extendedFromATRInfo() throws {
        var image = try extendedLengthImage(atrInfo: extendedLengthInformation(1000))
        let chip = try VirtualChip(image: image)
        let result = try readAll(NoExtendedLengthReader(chip))
        #expect(result.files[.atrInfo] == image.files[.atrInfo])
        #expect(result.files[.dg2] == image.files[.dg2])
        #expect(result.blockSize == 975)
        #expect(laterReadLengths(chip).max() == 975)
        #expect(result.accessNotes.contains("EF.ATR/INFO announces extended length (responses up to 1000 bytes): READ BINARY of up to 975 bytes"))

        // The same chip without EF.ATR/INFO, through the same reader: short reads only.
        image.files[.atrInfo] = nil
        let plain = try VirtualChip(image: image)
        let without = try readAll(NoExtendedLengthReader(plain))
        #expect(without.blockSize == 223)
        #expect(plain.commandLog.filter { $0.ins == 0xB0 }.map { $0.ne ?? 0 }.max() == 223)
    }

    @Test("A small maximum in EF.ATR/INFO bounds every later read, though the ATR announces extended length")
    func smallMaximum() throws {
        let image = try extendedLengthImage(atrInfo: extendedLengthInformation(128))
        let chip = try VirtualChip(image: image)
        #expect(chip.supportsExtendedLength)
        let result = try readAll(chip)
        #expect(result.files[.dg2] == image.files[.dg2])
        #expect(result.blockSize == 95)
        #expect(laterReadLengths(chip).max() == 95)
        let dg2 = try #require(image.files[.dg2]).count
        // DG2 alone takes ceil(size / 95) reads of at most 95 bytes.
        #expect(laterReadLengths(chip).count >= (dg2 + 94) / 95)
    }

    @Test("EF.ATR/INFO without extended length information: short reads, whatever the ATR says")
    func noExtendedLengthInformation() throws {
        let image = try extendedLengthImage(atrInfo: try Hex.decode("4301F84703F741E0"))
        let chip = try VirtualChip(image: image)
        let result = try readAll(chip)
        #expect(result.blockSize == 223)
        #expect(laterReadLengths(chip).max() == 223)
        #expect(result.accessNotes.contains("EF.ATR/INFO announces no extended length: short READ BINARY of at most 223 bytes"))
    }

    @Test("EF.ATR/INFO is read with the step-down, by SFI, until its short end")
    func readStepsDown() throws {
        var image = try specimen { $0.maxResponseLength = 16 }
        let bytes = try Hex.decode("4301F84703F741E07F6608020205F0020205F0")
        image.files[.atrInfo] = bytes
        let chip = try VirtualChip(image: image)
        #expect(try EMRTDSession(channel: chip).readATRInfo() == bytes)
        #expect(chip.commandLog.map { $0.ne ?? 0 } == [223, 192, 160, 128, 96, 64, 32, 16, 16])
        #expect(chip.commandLog.allSatisfy { $0.ins == 0xB0 && $0.p1 == 0x81 })
    }

    @Test("A chip without EF.ATR/INFO: one APDU (6A82 to its short file identifier), outcome absent")
    func absent() throws {
        let chip = try VirtualChip(image: basicSpecimen())
        let result = try readAll(chip)
        #expect(result.outcomes.first?.file == .atrInfo && result.outcomes.first?.outcome == .absent)
        let first = chip.commandLog.prefix(2).map { "\($0.ins)/\($0.p1)/\($0.data.hex)" }
        #expect(first == ["176/129/", "176/156/"])
    }
}
