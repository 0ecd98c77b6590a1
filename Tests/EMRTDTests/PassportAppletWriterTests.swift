import AccessControl
import Cryptography
import EMRTD
import EMRTDCore
import ISO7816
import LDS
import MRZ
import Personalization
import Specimen
import Testing
import VirtualChip

/// Reads a (locked) chip with automatic access control and verifies it against the test PKI.
private func readAndVerify(chip: VirtualChip, key: AccessKey? = nil) throws -> DocumentVerification {
    let result = try readAll(chip, key: key, access: .automatic)
    return DocumentVerification(
        files: result.files, trust: Specimen.testPKI.trustStore, chip: result.chipCheck, active: result.activeAuthentication)
}

private func specimenCAN() throws -> SecretBytes { SecretBytes(utf8: try CCCD.can(fromPersonalID: Specimen.personalID)) }

@Suite("Personalization of a blank chip with the JMRTD passport applet commands")
struct PassportAppletWriterTests {
    @Test("A blank chip written with the specimen and locked reads back genuine, with PACE-CAN and with BAC")
    func writeLockRead() throws {
        let image = try Specimen.cardImage()
        let chip = try VirtualChip.blank()
        var locked: CardImage? = nil
        chip.onLock = { locked = $0 }
        let report = try PassportAppletWriter.write(image, to: CardConnection(channel: chip))
        #expect(report.locked && chip.isLocked)
        #expect(Set(report.files) == Set(image.files.keys))
        #expect(report.bytesWritten == image.files.values.reduce(0) { $0 + $1.count })
        #expect(report.keys.count == 5)  // BAC key, CAN, AA modulus and exponent, CA key
        // The chip holds exactly the files, and keys equivalent to those of the image.
        let content = try #require(locked)
        #expect(content.files == image.files)
        #expect(content.settings.mrz == image.settings.mrz && content.settings.can == image.settings.can)
        #expect(content.settings.chipAuthenticationKey == image.settings.chipAuthenticationKey)
        let written = try PrivateKey(pem: try #require(content.settings.activeAuthenticationKey))
        let original = try PrivateKey(pem: try #require(image.settings.activeAuthenticationKey))
        #expect(written.publicKey == original.publicKey)

        let viaCAN = try readAndVerify(chip: chip, key: .can(SecretBytes(utf8: try #require(image.settings.can))))
        #expect(viaCAN.verdict == .genuine)
        #expect(viaCAN.chip.status == .passed && viaCAN.active.status == .passed)
        chip.reset()
        let viaBAC = try readAll(chip, access: .bacOnly)
        #expect(viaBAC.files[.dg13] == image.files[.dg13])
    }

    @Test("After the lock every personalization command is refused with 6985, plain or under secure messaging")
    func refusedAfterLock() throws {
        let image = try Specimen.cardImage()
        let chip = try VirtualChip.blank()
        try PassportAppletWriter.write(image, to: CardConnection(channel: chip))
        // A second personalization stops at its first CREATE FILE.
        chip.reset()
        #expect {
            try PassportAppletWriter.write(image, to: CardConnection(channel: chip))
        } throws: { ($0 as? EMRTDError)?.code == .persoLocked }
        let commands: [CommandAPDU] = [
            CommandAPDU(ins: 0xE0, p1: 0, p2: 0, data: [0x63, 0x04, 0x00, 0x10, 0x01, 0x0B]),
            CommandAPDU(ins: 0xD6, p1: 0, p2: 0, data: [0x00]),
            CommandAPDU(ins: 0xDA, p1: 0x00, p2: 0x62, data: [0x62, 0x00]),
            CommandAPDU(ins: 0xDA, p1: 0xDE, p2: 0xAD),
        ]
        for command in commands {
            #expect(chip.process(try command.encoded()).statusWord == .conditionsNotSatisfied, "\(command)")
        }
        // Under BAC secure messaging the refusal comes back protected, and the data is unchanged.
        let connection = CardConnection(channel: chip)
        chip.reset()
        _ = try connection.send(CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x0C, data: [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01]))
        let channel = try BAC.establish(on: connection, key: MRZKey(mrz: Specimen.mrz()))
        let select = try channel.send(CommandAPDU(ins: 0xA4, p1: 0x02, p2: 0x0C, data: [0x01, 0x01]))
        #expect(select.statusWord == .success)
        let update = try channel.send(CommandAPDU(ins: 0xD6, p1: 0, p2: 0, data: [0x00, 0x00]))
        #expect(update.statusWord == .conditionsNotSatisfied)
        #expect(chip.image.files[.dg1] == image.files[.dg1])
    }

    @Test("A chip whose AA key was not written: Active Authentication fails and the card is not genuine")
    func withoutActiveAuthenticationKey() throws {
        let chip = try VirtualChip.blank()
        var options = PassportAppletWriter.Options()
        options.omittedKeys = ["aa"]
        try PassportAppletWriter.write(try Specimen.cardImage(), to: CardConnection(channel: chip), options: options)
        let v = try readAndVerify(chip: chip, key: .can(specimenCAN()))
        #expect(v.verdict == .notGenuine)
        #expect(v.active.status == .failed)
    }

    @Test("A chip without its CA key fails Chip Authentication; an AA key that is not DG15's is not installed")
    func mismatchedKeys() throws {
        let chip = try VirtualChip.blank()
        var options = PassportAppletWriter.Options()
        options.omittedKeys = ["ca"]
        try PassportAppletWriter.write(try Specimen.cardImage(), to: CardConnection(channel: chip), options: options)
        #expect(try readAndVerify(chip: chip, key: .can(specimenCAN())).verdict == .notGenuine)

        var image = try Specimen.cardImage()
        image.settings.activeAuthenticationKey = try PrivateKey.generate(.rsa(bits: 1024)).pem
        let other = try VirtualChip.blank()
        var locked: CardImage? = nil
        other.onLock = { locked = $0 }
        try PassportAppletWriter.write(image, to: CardConnection(channel: other))
        #expect(try #require(locked).settings.activeAuthenticationKey == nil)
        #expect(try readAndVerify(chip: other, key: .can(specimenCAN())).active.status == .failed)
    }

    @Test("The blank chip refuses malformed or misplaced personalization commands with specific status words")
    func malformed() throws {
        let chip = try VirtualChip.blank()
        func send(_ ins: UInt8, _ p1: UInt8, _ p2: UInt8, _ data: [UInt8] = []) throws -> StatusWord {
            chip.process(try CommandAPDU(ins: ins, p1: p1, p2: p2, data: data).encoded()).statusWord
        }
        #expect(try send(0xA4, 0x04, 0x0C, [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01]) == .success)
        #expect(try send(0xD6, 0, 0, [1]) == .commandNotAllowed)  // no file selected
        #expect(try send(0xE0, 0, 0, [0x62, 0x04, 0, 16, 1, 1]) == .incorrectData)  // not tag 63
        #expect(try send(0xE0, 0, 0, [0x63, 0x04, 0, 16, 0x0F, 0x0F]) == .incorrectData)  // not an LDS file
        #expect(try send(0xE0, 0, 0, [0x63, 0x04, 0x80, 0x00, 1, 1]) == StatusWord(rawValue: 0x6A84))  // 32768 bytes
        #expect(try send(0xE0, 0, 0, [0x63, 0x04, 0, 16, 1, 1]) == .success)
        #expect(try send(0xE0, 0, 0, [0x63, 0x04, 0, 16, 1, 1]) == StatusWord(rawValue: 0x6A89))  // exists
        #expect(try send(0xA4, 0x02, 0x0C, [1, 1]) == .success)
        #expect(try send(0xD6, 0, 16, [1]) == .wrongParameters)  // offset at the end
        #expect(try send(0xD6, 0, 10, [1, 2, 3, 4, 5, 6, 7]) == .wrongLength)  // runs past the end
        #expect(try send(0xD6, 0, 0, [1, 2, 3]) == .success)
        #expect(try send(0xDA, 0x00, 0x62, [0x62, 0x03, 0x04, 0x01, 0x41]) == .incorrectData)  // one field, not three
        #expect(try send(0xDA, 0x00, 0x65, [0x65, 0x04, 0x66, 0x02, 0x03, 0x31]) == .referencedDataNotFound)  // PIN
        #expect(try send(0xDA, 0x00, 0x63, [0x81, 0x01, 0x05]) == .incorrectData)  // no private scalar
        #expect(try send(0xDA, 0x12, 0x34, [0x00]) == .incorrectParameters)
        #expect(!chip.isLocked)
        #expect(chip.image.files[.dg1] == [1, 2, 3] + [UInt8](repeating: 0, count: 13))
    }

    @Test("The plan refuses what the applet cannot hold, naming it")
    func unsupported() throws {
        var image = try Specimen.cardImage()
        image.files[.dg2] = [UInt8](repeating: 0x5F, count: 0x8000)
        #expect { try PassportAppletWriter.plan(image) } throws: {
            ($0 as? EMRTDError)?.code == .persoUnsupported && ($0 as? EMRTDError)?.message.contains("DG2") == true
        }
        image = try Specimen.cardImage()
        image.settings.activeAuthenticationKey = try PrivateKey.generate(.ec(curve: "brainpoolP256r1")).pem
        #expect { try PassportAppletWriter.plan(image) } throws: { ($0 as? EMRTDError)?.code == .persoUnsupported }
        image = try Specimen.cardImage()
        image.files[.cardSecurity] = [0x31, 0x00]
        #expect { try PassportAppletWriter.plan(image) } throws: { ($0 as? EMRTDError)?.message.contains("EF.CardSecurity") == true }
    }
}
