import AccessControl
import EMRTD
import EMRTDCore
import ISO7816
import LDS
import MRZ
import Specimen
import Testing
import VirtualChip

@Suite("Reading the virtual chip through BAC and secure messaging")
struct ReaderTests {
    @Test("The specimen reads completely and byte-exact, with BAC and with PACE", arguments: [AccessControlPreference.bacOnly, .automatic])
    func readsSpecimen(access: AccessControlPreference) throws {
        let image = try basicSpecimen()
        let chip = try VirtualChip(image: image)
        let result = try readAll(chip, access: access)
        #expect(result.accessControl.description == (access == .bacOnly ? "BAC" : "PACE-MRZ id-PACE-ECDH-GM-AES-CBC-CMAC-128 with brainpoolP256r1"))
        for file in [LDSFile.com, .dg1, .dg2, .dg13, .cardAccess] {
            #expect(result.files[file] == image.files[file], "\(file.name) differs from the image")
        }
        let document = Document(files: result.files)
        #expect(document.problems.isEmpty)
        #expect(document.dg13?.fullName == "Trần Thị Ngọc Ánh")
        #expect(document.dg13?.motherName == "Lê Thị Mai")
        #expect(document.mrz?.documentNumber == "195001234")
        #expect(document.faces.first?.imageType == .jpeg)
        // Every command after BAC went out protected.
        #expect(result.statistics.apdus > 8)
        #expect(result.outcomes.contains { $0.file == .sod && $0.outcome == .absent })
    }

    @Test("A wrong MRZ key is refused with the chip's 6300 named (BAC and PACE)", arguments: [AccessControlPreference.bacOnly, .automatic])
    func wrongKey(access: AccessControlPreference) throws {
        let chip = try VirtualChip(image: specimen())
        let wrong = AccessKey.mrz(try MRZKey(documentNumber: "195001235", dateOfBirth: "950314", dateOfExpiry: "350314"))
        do {
            _ = try readAll(chip, key: wrong, access: access)
            Issue.record("read succeeded with a wrong key")
        } catch let error as EMRTDError {
            #expect(error.code == (access == .bacOnly ? .bacAuthenticationFailed : .paceAuthenticationFailed))
            #expect(error.message.contains("6300"))
        }
    }

    @Test("Before access control the chip answers 6982, and the reader says so")
    func accessControlRequired() throws {
        let chip = try VirtualChip(image: specimen())
        let session = EMRTDSession(channel: chip)
        try session.selectApplication()
        #expect(throws: EMRTDError(.accessDenied, "")) { try session.readFile(.dg1) }
        // The raw status word, as a chip gives it.
        let raw = chip.process(try CommandAPDU(ins: 0xB0, p1: 0x81, p2: 0, ne: 8).encoded())
        #expect(raw.statusWord == .securityStatusNotSatisfied)
    }

    @Test("A missing file is 6A82 and reported absent; EAC-protected DG3 is reported denied")
    func missingAndDenied() throws {
        var image = try specimen()
        image.files[.com] = EFCOM(dataGroups: [.dg1, .dg2, .dg3, .dg11, .dg13]).raw
        image.files[.dg3] = [0x63, 0x02, 0x01, 0x02]
        let result = try readAll(try VirtualChip(image: image))
        #expect(result.outcomes.contains { $0.file == .dg11 && $0.outcome == .absent })
        #expect(result.outcomes.contains { $0.file == .dg3 && $0.outcome == .skipped(.needsExtendedAccessControl) })
        let session = EMRTDSession(channel: try VirtualChip(image: image))
        try session.selectApplication()
        try session.establishAccess(with: specimenKey())
        #expect(throws: EMRTDError(.accessDenied, "")) { try session.readFile(.dg3) }
        #expect(throws: EMRTDError(.fileNotFound, "")) { try session.readFile(.dg12) }
    }

    @Test("A chip without the eMRTD application is reported as such")
    func noApplication() throws {
        let chip = try VirtualChip(image: specimen())
        let session = EMRTDSession(channel: chip)
        let r = chip.process(try CommandAPDU(ins: 0xA4, p1: 4, p2: 0x0C, data: [0xA0, 0, 0, 0, 0]).encoded())
        #expect(r.statusWord == .fileNotFound)
        try session.selectApplication()
    }

    @Test("Short file identifiers refused: the reader falls back to SELECT")
    func noShortFileIDs() throws {
        let image = try specimen { $0.shortFileIDs = false }
        let chip = try VirtualChip(image: image)
        let result = try readAll(chip)
        #expect(result.files[.dg13] == image.files[.dg13])
        #expect(chip.commandLog.contains { $0.ins == 0xA4 && $0.data == [0x01, 0x0D] })
    }

    @Test("Block size steps down on 6700, 6Cxx and 6B00, and is remembered", arguments: VirtualChip.Faults.TooLongRead.allCases)
    func stepDown(answer: VirtualChip.Faults.TooLongRead) throws {
        let image = try specimen { $0.maxResponseLength = 100 }
        var faults = VirtualChip.Faults()
        faults.tooLongRead = answer
        let chip = try VirtualChip(image: image, faults: faults)
        let result = try readAll(chip)
        #expect(result.files[.dg2] == image.files[.dg2])
        #expect(result.blockSize <= 100)
        // After learning, no READ BINARY asks for more than the chip takes.
        let reads = chip.commandLog.filter { $0.ins == 0xB0 }
        // At most one whole-block first read is refused (then files start with their header); the
        // other refused lengths form one streak (the step-down); after it the reader remembers.
        let tooLong = reads.indices.filter { (reads[$0].ne ?? 0) > 100 }
        #expect(!tooLong.isEmpty)
        #expect(tooLong.count <= 8, "too many refused reads: \(tooLong)")
        #expect(tooLong.allSatisfy { $0 < reads.count / 2 }, "the reader forgot the block size that works: \(tooLong)")
    }

    @Test("Extended length: used when the chip supports it, not otherwise", arguments: [false, true])
    func extendedLength(enabled: Bool) throws {
        let image = try specimen {
            $0.extendedLength = enabled
            $0.maxResponseLength = enabled ? 65536 : 256
        }
        let chip = try VirtualChip(image: image)
        let result = try readAll(chip)
        #expect(result.files[.dg2] == image.files[.dg2])
        let reads = chip.commandLog.filter { $0.ins == 0xB0 }
        let dg2Size = image.files[.dg2]!.count
        if enabled {
            #expect(reads.contains { ($0.ne ?? 0) > 256 })
            #expect(result.blockSize > 256)
        } else {
            #expect(!reads.contains { ($0.ne ?? 0) > 256 })
            #expect(reads.count >= dg2Size / 223)
        }
    }

    @Test("A chip that refuses extended length gets short reads even if the reader is told to try")
    func extendedRefused() throws {
        let image = try specimen { $0.extendedLength = false }
        var options = ReaderOptions()
        options.extendedLength = true
        let chip = try VirtualChip(image: image)
        let result = try readAll(chip, options: options)
        #expect(result.files[.dg2] == image.files[.dg2])
        #expect(result.blockSize <= 223)
    }

    @Test("Offsets past 32767 are read with the odd INS")
    func oddINS() throws {
        var image = try specimen()
        let big = [UInt8](repeating: 0x5A, count: 40_000)
        image.files[.dg2] = TLV(tag: 0x75, value: big).encoded()
        let chip = try VirtualChip(image: image)
        let session = EMRTDSession(channel: chip)
        try session.selectApplication()
        try session.establishAccess(with: specimenKey())
        #expect(try session.readFile(.dg2) == image.files[.dg2])
        #expect(chip.commandLog.contains { $0.ins == 0xB1 })

        var noOdd = image
        noOdd.settings.chip.oddInsRead = false
        let session2 = EMRTDSession(channel: try VirtualChip(image: noOdd))
        try session2.selectApplication()
        try session2.establishAccess(with: specimenKey())
        #expect(throws: EMRTDError.self) { try session2.readFile(.dg2) }
    }

    @Test("A MAC failure mid-file: access is re-established and the read resumes")
    func macFailureRecovers() throws {
        let image = try specimen()
        var faults = VirtualChip.Faults()
        faults.corruptResponseMAC = [12]
        let chip = try VirtualChip(image: image, faults: faults)
        let result = try readAll(chip)
        #expect(result.reauthentications == 1)
        #expect(result.files[.dg2] == image.files[.dg2])
        #expect(result.files[.dg13] == image.files[.dg13])
    }

    @Test("Persistent MAC failures end in a typed error, never in data")
    func macFailurePersists() throws {
        var faults = VirtualChip.Faults()
        faults.corruptResponseMAC = Set(1...10_000)
        let chip = try VirtualChip(image: specimen(), faults: faults)
        #expect(throws: EMRTDError(.smMACMismatch, "")) { try readAll(chip) }
    }

    @Test("A card pulled out mid-read ends the read with card.removed")
    func cardRemoved() throws {
        var faults = VirtualChip.Faults()
        faults.removeAfterAPDUs = 15
        let chip = try VirtualChip(image: specimen(), faults: faults)
        #expect(throws: EMRTDError(.cardRemoved, "")) { try readAll(chip) }
    }

    @Test("A truncated DG13 is reported as a read error naming the file")
    func truncatedFile() throws {
        var image = try specimen()
        let dg13 = image.files[.dg13]!
        image.files[.dg13] = Array(dg13.prefix(dg13.count - 40))
        let result = try readAll(try VirtualChip(image: image))
        let outcome = result.outcomes.first { $0.file == .dg13 }?.outcome
        guard case .failed(let error)? = outcome else {
            Issue.record("DG13 outcome: \(String(describing: outcome))")
            return
        }
        #expect(error.code == .fileReadFailed)
        #expect(error.message.contains("DG13"))
    }

    @Test("A TLV claiming 16 MB is refused before anything is allocated for it")
    func hugeLength() throws {
        var image = try specimen()
        image.files[.dg13] = [0x6D, 0x84, 0x01, 0x00, 0x00, 0x00] + [UInt8](repeating: 0, count: 20)
        let result = try readAll(try VirtualChip(image: image))
        let outcome = result.outcomes.first { $0.file == .dg13 }?.outcome
        guard case .failed(let error)? = outcome else {
            Issue.record("DG13 outcome: \(String(describing: outcome))")
            return
        }
        #expect(error.code == .fileTooLarge)
    }

    @Test("A malformed DG13 in a card image gives a parse error, not a crash")
    func malformedDG13() throws {
        let image = try specimen()
        var files = image.files
        files[.dg13] = Array(image.files[.dg13]!.prefix(100))
        let document = Document(files: files)
        #expect(document.dg13 == nil)
        #expect(document.problems.contains { $0.file == .dg13 })
        #expect(document.dg1 != nil)
    }

    @Test("An unprotected 6988 mid-read closes the session; the reader re-authenticates and resumes")
    func unprotectedSMError() throws {
        let image = try specimen()
        let chip = try VirtualChip(image: image)
        let card = Interposer(chip) { count, command in
            // The 20th APDU is answered by a plain 6988, as a chip that rejects a MAC would.
            count == 20 ? [0x69, 0x88] : nil
        }
        var reader = DocumentReader()
        reader.accessControl = .bacOnly
        let result = try reader.read(from: card, key: specimenKey())
        #expect(result.reauthentications == 1)
        #expect(result.files[.dg2] == image.files[.dg2])
    }
}

/// Chips that send error status words without secure messaging (many real ones do), counting
/// them in their send sequence counter in one of three ways (CHIP-QUIRKS.md B1).
@Suite("Unprotected error status words")
struct UnprotectedErrorTests {
    func chip(_ quirk: ChipQuirk, _ configure: (inout ChipLimits) -> Void = { _ in }) throws -> (VirtualChip, CardImage) {
        var image = try basicSpecimen(configure)
        image.files[.com] = EFCOM(dataGroups: [.dg1, .dg2, .dg11, .dg13]).raw
        let chip = try VirtualChip(image: image)
        chip.quirks = [quirk]
        return (chip, image)
    }

    /// Each way of counting, and the re-authentications it costs: +1 is the first guess for an
    /// error that is not about a length, 0 the second, +2 the third.
    static let modes: [(ChipQuirk, Int)] = [(.bareErrorsCommandCounted, 0), (.bareErrorsUncounted, 1), (.bareErrorsBothCounted, 2)]

    @Test("Missing files (6A82 in the clear) are reported absent and the session goes on", arguments: modes)
    func missingFiles(quirk: ChipQuirk, reauthentications: Int) throws {
        let (chip, image) = try chip(quirk)
        let result = try readAll(chip)
        #expect(result.outcomes.contains { $0.file == .dg11 && $0.outcome == .absent })
        #expect(result.outcomes.contains { $0.file == .sod && $0.outcome == .absent })
        #expect(result.files[.dg13] == image.files[.dg13])
        #expect(result.reauthentications == reauthentications)
    }

    @Test("Step-down and the SELECT fallback work with plain errors too", arguments: modes)
    func stepDownAndFallback(quirk: ChipQuirk, reauthentications: Int) throws {
        let (chip, image) = try chip(quirk) {
            $0.maxResponseLength = 100
            $0.shortFileIDs = false
        }
        let result = try readAll(chip)
        #expect(result.files[.dg2] == image.files[.dg2])
        #expect(result.blockSize <= 100)
        // Length errors (6700) are guessed 0 first: their count is learned apart.
        #expect(result.reauthentications <= 2 * reauthentications + 1, "\(result.reauthentications)")
    }
}

@Suite("Re-authentication that fails ends the read")
struct FailedReauthenticationTests {
    @Test("After a MAC failure, a refused BAC ends the read: nothing is read in the clear")
    func refusedReauthentication() throws {
        var faults = VirtualChip.Faults()
        faults.corruptResponseMAC = [12]
        let chip = try VirtualChip(image: specimen(), faults: faults)
        var externalAuthenticates = 0
        let card = Interposer(chip) { _, command in
            guard command.count > 1, command[1] == 0x82 else { return nil }
            externalAuthenticates += 1
            return externalAuthenticates == 2 ? [0x63, 0x00] : nil
        }
        #expect(throws: EMRTDError(.bacAuthenticationFailed, "")) {
            try readAll(card, key: specimenKey())
        }
        // After the refusal nothing more was read.
        let refusal = try #require(card.sent.lastIndex { $0.count > 1 && $0[1] == 0x82 })
        #expect(!card.sent[(refusal + 1)...].contains { $0.count > 1 && ($0[1] == 0xB0 || $0[1] == 0xB1) })
    }
}

/// Passes APDUs to a chip, except where `override` answers instead.
final class Interposer: CardChannel {
    let chip: VirtualChip
    let override: (Int, [UInt8]) -> [UInt8]?
    var count = 0
    var sent: [[UInt8]] = []
    init(_ chip: VirtualChip, override: @escaping (Int, [UInt8]) -> [UInt8]?) {
        self.chip = chip
        self.override = override
    }
    var supportsExtendedLength: Bool { chip.supportsExtendedLength }
    func transmit(_ command: [UInt8]) throws(EMRTDError) -> [UInt8] {
        count += 1
        sent.append(command)
        if let answer = override(count, command) { return answer }
        return try chip.transmit(command)
    }
}
