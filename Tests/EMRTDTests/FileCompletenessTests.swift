import AccessControl
import EMRTD
import EMRTDCore
import Foundation
import LDS
import PassiveAuthentication
import Specimen
import Testing
import VirtualChip

/// The verdict policy for files the reader set out to read and could not read whole: never
/// `genuine`, the file and the reason named, and the same reasons for a QA station's audit row.
@Suite("A file not read whole keeps a document from genuine")
struct FileCompletenessTests {
    func read(_ image: CardImage, faults: VirtualChip.Faults = VirtualChip.Faults(), skipPhoto: Bool = false) throws -> (ReadResult, DocumentVerification) {
        let chip = try VirtualChip(image: image, faults: faults)
        var reader = DocumentReader()
        reader.skipPhoto = skipPhoto
        let result = try reader.read(from: chip, key: specimenKey())
        return (result, DocumentVerification(read: result, trust: Specimen.testPKI.trustStore))
    }

    func expectIncomplete(_ v: DocumentVerification, _ file: LDSFile, _ code: EMRTDError.Code, _ reason: String? = nil) {
        #expect(v.verdict == .unverified, "\(v.verdict)")
        #expect(v.incompleteFiles.map(\.file) == [file], "\(v.incompleteFiles.map(\.reason))")
        #expect(v.incompleteFiles.first?.error.code == code)
        if let reason { #expect(v.incompleteFiles.first?.reason == reason) }
        #expect(v.filesOutcome.status == .incomplete)
        // The passive check itself passed: only completeness keeps the verdict down.
        #expect(v.passive.status == .passed)
        #expect(v.reasons.contains { $0.hasPrefix("file \(file.name): ") }, "\(v.reasons)")
    }

    @Test("Truncated: the chip's DG13 ends before its header says")
    func truncated() throws {
        var image = try specimen()
        let dg13 = try #require(image.files[.dg13])
        image.files[.dg13] = Array(dg13.prefix(dg13.count / 2))
        let (_, v) = try read(image)
        expectIncomplete(v, .dg13, .fileReadFailed, "DG13: DG13 ends after \(dg13.count / 2) bytes, but its header announces \(dg13.count) [lds.read-failed]")
    }

    @Test("Malformed: DG13 does not start with a TLV header")
    func malformed() throws {
        var image = try specimen()
        image.files[.dg13] = [0x6D]
        let (_, v) = try read(image)
        #expect(v.verdict == .unverified)
        #expect(v.incompleteFiles.map(\.file) == [.dg13])
    }

    @Test("Oversized: DG13 claims 16 MB")
    func oversized() throws {
        var image = try specimen()
        image.files[.dg13] = [0x6D, 0x84, 0x01, 0x00, 0x00, 0x00, 0x30, 0x00]
        let (_, v) = try read(image)
        expectIncomplete(v, .dg13, .fileTooLarge)
    }

    @Test("Refused: DG13 answered 6982 though it needs no Extended Access Control")
    func refused() throws {
        var faults = VirtualChip.Faults()
        faults.deniedFiles = [.dg13]
        let (_, v) = try read(try specimen(), faults: faults)
        expectIncomplete(v, .dg13, .accessDenied, "DG13: the chip refused to give it (6982), though it needs no Extended Access Control [lds.access-denied]")
    }

    @Test("Absent: EF.SOD lists DG13, the chip answers 6A82")
    func absentButSigned() throws {
        var image = try specimen()
        image.files[.dg13] = nil
        let (_, v) = try read(image)
        expectIncomplete(v, .dg13, .fileNotFound, "DG13: EF.SOD lists it, but the chip says it does not have it (6A82) [lds.file-not-found]")
    }

    @Test("Broken session: secure messaging fails on DG13 every time; later files are not read, and say why")
    func brokenSession() throws {
        var faults = VirtualChip.Faults()
        faults.sessionBreaksOn = .dg13
        let (result, v) = try read(try specimen(), faults: faults)
        #expect(v.verdict == .unverified)
        #expect(v.incompleteFiles.map(\.file) == [.dg13, .dg15, .sod])
        #expect(v.incompleteFiles.allSatisfy { $0.error.code == .smSessionClosed })
        #expect(v.incompleteFiles[1].reason == "DG15: not read: secure messaging broke while DG13 was read [sm.session-closed]")
        #expect(result.activeAuthentication == .notRun)
        // Re-established once, reading from the header this time; the same failure at the same
        // place with nothing new learned is not tried a third time.
        #expect(result.reauthentications == 1)
    }

    @Test("DG3 refused for want of EAC, DG2 skipped on request: still genuine, and the skip is said")
    func expectedGaps() throws {
        let (result, v) = try read(try specimen(), skipPhoto: true)
        #expect(v.verdict == .genuine)
        #expect(v.incompleteFiles.isEmpty)
        #expect(result.outcomes.contains { $0.file == .dg2 && $0.outcome == .skipped(.requested) })
        #expect(result.outcomes.contains { $0.file == .dg3 && $0.outcome == .skipped(.needsExtendedAccessControl) })
        #expect(v.passive.dataGroups[2] == .notRead && v.passive.dataGroups[3] == .notRead)
    }

    @Test("A data group EF.SOD lists and EF.COM leaves out is read and checked too")
    func signedButUnlisted() throws {
        var image = try specimen()
        image.files[.com] = EFCOM(dataGroups: [.dg1, .dg2, .dg3, .dg14, .dg15]).raw
        let (result, v) = try read(image)
        #expect(result.files[.dg13] == image.files[.dg13])
        #expect(v.passive.dataGroups[13] == .match)
        #expect(v.verdict == .genuine)
    }

    @Test("A card image is verified as a subset: no outcome, no completeness check")
    func cardImage() throws {
        var image = try specimen()
        image.files[.dg13] = nil
        let v = DocumentVerification(files: image.files, trust: Specimen.testPKI.trustStore)
        #expect(v.verdict == .genuine)
        #expect(v.incompleteFiles.isEmpty)
    }
}
