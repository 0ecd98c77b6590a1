import AccessControl
import Conformance
import EMRTD
import EMRTDCore
import Foundation
import ISO7816
import LDS
import MRZ
import Specimen
import Testing
import VirtualChip

/// The quirks of real chips (CHIP-QUIRKS.md, section K), each read in process by the reader.
@Suite("Quirks of real chips: every one read genuine, at the cost the README states")
struct ChipQuirkTests {
    static let refusesBAC: Set<ChipQuirk> = [.bacRefused6985, .bacRefused6A88]

    @Test("Each quirk and each combination reads genuine with PACE and with BAC (a PACE-only chip without PACE: bac.refused)")
    func everyQuirkGenuine() throws {
        let rows = try QuirkBench.table()
        #expect(rows.count == ChipQuirk.allCases.count + ChipQuirk.combinations.count)
        for row in rows {
            #expect(row.pace.outcome == "genuine", "\(row.name) with PACE: \(row.pace.outcome)")
            if Set(row.quirks).isDisjoint(with: Self.refusesBAC) {
                #expect(row.bac.outcome == "genuine", "\(row.name) with BAC: \(row.bac.outcome)")
            } else {
                #expect(row.bac.outcome == "bac.refused", "\(row.name) with BAC: \(row.bac.outcome)")
            }
            // Never a loop: one re-authentication per thing to learn, at most.
            #expect(row.pace.reauthentications <= 1 && row.bac.reauthentications <= 1, "\(row.name)")
        }
    }

    @Test("The README's quirk table is what the reader does today")
    func readmeTable() throws {
        let readme = try String(contentsOfFile: repositoryRoot + "/README.md", encoding: .utf8)
        let measured = try QuirkBench.markdown().split(separator: "\n").map(String.init)
        let names = Set(ChipQuirk.allCases.map(\.rawValue) + ChipQuirk.combinations.map(\.name))
        func isQuirkRow(_ line: String) -> Bool {
            guard line.hasPrefix("| `"), let end = line.dropFirst(3).firstIndex(of: "`") else { return false }
            return names.contains(String(line[line.index(line.startIndex, offsetBy: 3)..<end]))
        }
        let documented = readme.split(separator: "\n").map(String.init).filter(isQuirkRow)
        let rows = measured.filter(isQuirkRow)
        #expect(documented.count == rows.count, "README has \(documented.count) quirk rows, the reader \(rows.count)")
        for row in rows where !documented.contains(row) {
            Issue.record("README lacks or differs on: \(row) (regenerate with: swift run cccd sim --list-quirks --measure)")
        }
    }

    @Test("cccd sim's catalogue parses names and combinations, and refuses unknown ones")
    func parsing() {
        #expect(ChipQuirk.parse("cccd") == [.selectMF6D00, .cardAccessHidden])
        #expect(ChipQuirk.parse("no-sfi, sm-bare-errors") == [.noShortFileIDs, .bareErrorsCommandCounted])
        #expect(ChipQuirk.parse("no-such-quirk") == nil)
        for quirk in ChipQuirk.allCases { #expect(ChipQuirk.parse(quirk.rawValue) == [quirk]) }
    }

    /// The specimen read with BAC, through `quirks`.
    func readBAC(_ quirks: Set<ChipQuirk>, chip: VirtualChip? = nil, key: MRZKey? = nil) throws -> (ReadResult, VirtualChip) {
        let chip = try chip ?? VirtualChip(image: QuirkBench.specimen(pace: false))
        chip.quirks = quirks
        let result = try DocumentReader().read(from: chip, key: .mrz(key ?? MRZKey(mrz: try Specimen.mrz())))
        return (result, chip)
    }

    @Test("The older passport of the issue (no SFI, bare errors not counted): genuine, one re-authentication, no loop")
    func olderPassport() throws {
        let (result, chip) = try readBAC([.noShortFileIDs, .bareErrorsUncounted])
        #expect(DocumentVerification(read: result, trust: Specimen.testPKI.trustStore).verdict == .genuine)
        #expect(result.reauthentications == 1)
        // Two BACs in all: the first, and the one after the chip refuted the +1 guess.
        #expect(chip.commandLog.filter { $0.ins == 0x82 }.count == 2)
        // Once SELECT found a file the chip would not read by SFI, no SFI read again: EF.ATR/INFO
        // and EF.CardAccess (absent on this chip, so nothing learned), EF.COM, and EF.COM again after
        // the chip refuted the first guess of its counter.
        let sfiReads = chip.commandLog.filter { $0.ins == 0xB0 && $0.p1 & 0x80 != 0 }.map(\.p1)
        #expect(sfiReads == [0x81, 0x9C, 0x9E, 0x9E], "\(sfiReads)")
    }

    @Test("Bare error answers: each way of counting them is learned, at most two wrong guesses")
    func bareCounting() throws {
        // The chip refuses SFI (a bare 6A86, an 'other' error): +1 is guessed first.
        for (quirk, reauths) in [(ChipQuirk.bareErrorsCommandCounted, 0), (.bareErrorsUncounted, 1), (.bareErrorsBothCounted, 2)] {
            let (result, _) = try readBAC([.noShortFileIDs, quirk])
            #expect(DocumentVerification(read: result, trust: Specimen.testPKI.trustStore).verdict == .genuine, "\(quirk)")
            #expect(result.reauthentications == reauths, "\(quirk): \(result.reauthentications)")
        }
        // A length error (bare 6700 on a read past the end) is guessed 0 first.
        for (quirk, reauths) in [(ChipQuirk.bareErrorsUncounted, 0), (.bareErrorsCommandCounted, 1), (.bareErrorsBothCounted, 2)] {
            let (result, _) = try readBAC([.readPastEnd6700, quirk, .noShortFileIDs])
            #expect(DocumentVerification(read: result, trust: Specimen.testPKI.trustStore).verdict == .genuine, "\(quirk)")
            #expect(result.reauthentications <= reauths + 1, "\(quirk): \(result.reauthentications)")
        }
    }

    @Test("A chip that locks BAC after a wrong key: the typed error, again with the right key, genuine after a reset")
    func bacLock() throws {
        let chip = try VirtualChip(image: QuirkBench.specimen(pace: false))
        let wrong = try MRZKey(documentNumber: "195001235", dateOfBirth: "950314", dateOfExpiry: "350314")
        #expect(throws: EMRTDError(.bacAuthenticationFailed, "")) { try readBAC([.bacLocksAfterFailure], chip: chip, key: wrong) }
        chip.reset()
        // The lock lasts until the chip is powered again: reset clears it (a card presented again).
        chip.quirks = [.bacLocksAfterFailure]
        #expect(throws: EMRTDError(.bacAuthenticationFailed, "")) { try readBAC([.bacLocksAfterFailure], chip: chip, key: wrong) }
        do {
            _ = try readBAC([.bacLocksAfterFailure], chip: chip)
            Issue.record("a locked chip accepted BAC")
        } catch let error as EMRTDError {
            #expect(error.code == .bacAuthenticationFailed)
            #expect(error.message.contains("6300"))
        }
        chip.reset()
        let (result, _) = try readBAC([.bacLocksAfterFailure], chip: chip)
        #expect(DocumentVerification(read: result, trust: Specimen.testPKI.trustStore).verdict == .genuine)
    }

    @Test("A CCCD: MF and EF.CardAccess hidden, DG3 listed and refused, no DG11, DG13 long with fields 14 (empty) and 17")
    func cccd() throws {
        let chip = try VirtualChip(image: QuirkBench.specimen(pace: true))
        chip.quirks = ChipQuirk.parse("cccd")!
        let result = try DocumentReader().read(from: chip, key: .can("001234"))
        let v = DocumentVerification(read: result, trust: Specimen.testPKI.trustStore)
        #expect(v.verdict == .genuine)
        #expect(v.incompleteFiles.isEmpty)
        #expect(result.outcomes.contains { $0.file == .dg3 && $0.outcome == .skipped(.needsExtendedAccessControl) })
        #expect(!result.outcomes.contains { $0.file == .dg11 })
        #expect(v.passive.dataGroups[3] == .notRead)
        let dg13 = try DG13(try #require(result.files[.dg13]))
        #expect(dg13.raw.count > 256)
        #expect(dg13.raw[1] == 0x82)
        #expect(dg13.fields.first { $0.index == 14 }?.values == [])
        #expect(dg13.fields.first { $0.index == 17 }?.text == "Trường mẫu 17: số không có trong bố cục CCCD")
        #expect(result.accessNotes.contains { $0.contains("CCCD default") })
    }
}

/// The repository root, from this file's path.
private let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()
