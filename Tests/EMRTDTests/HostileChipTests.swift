import AccessControl
import Dispatch
import EMRTD
import EMRTDCore
import ISO7816
import LDS
import Specimen
import Testing
import VirtualChip

/// One cell of the hostile-chip matrix: a fault at a step, read with PACE or BAC.
struct HostileCase: Sendable, CustomStringConvertible {
    let plan: HostileChip.Plan
    let access: AccessControlPreference
    var description: String { "\(plan) \(access == .bacOnly ? "BAC" : "PACE")" }

    /// Every step × fault; BAC's own steps with BAC, PACE's with PACE, and the steps both share
    /// (SELECT, reading, Chip and Active Authentication) with each.
    static let all: [HostileCase] = HostileChip.Plan.matrix.flatMap { plan -> [HostileCase] in
        switch plan.step {
        case .getChallenge, .externalAuthenticate: return [HostileCase(plan: plan, access: .bacOnly)]
        case .paceSetAT, .paceNonce, .paceMap, .paceKey, .paceToken, .cardAccess:
            return [HostileCase(plan: plan, access: .automatic)]
        case .select, .read, .chipAuthentication, .activeAuthentication:
            return [HostileCase(plan: plan, access: .automatic), HostileCase(plan: plan, access: .bacOnly)]
        }
    }
}

@Suite("A hostile chip: every fault at every step ends in a typed error or an honest verdict, in bounded time")
struct HostileChipTests {
    static let limits = TimeLimits(perAPDU: 1, perRead: 20)
    static let slowAnswer = 2.5

    @Test("The matrix covers every step and every fault")
    func matrixIsComplete() {
        #expect(Set(HostileCase.all.map(\.plan.step)) == Set(HostileChip.Step.allCases))
        #expect(Set(HostileCase.all.map(\.plan.fault)) == Set(HostileChip.Fault.allCases))
        #expect(HostileCase.all.count > 150)
    }

    @Test("Plans are written STEP:FAULT")
    func planParsing() throws {
        #expect(try HostileChip.Plan(parsing: "read:bad-mac") == HostileChip.Plan(step: .read, fault: .badMAC))
        #expect(throws: EMRTDError(.invalidArgument, "")) { try HostileChip.Plan(parsing: "read") }
        #expect(throws: EMRTDError(.invalidArgument, "")) { try HostileChip.Plan(parsing: "nowhere:bad-mac") }
    }

    @Test(arguments: HostileCase.all)
    func hostile(_ cell: HostileCase) throws {
        let image = try specimen()
        let hostile = HostileChip(chip: try VirtualChip(image: image), plan: cell.plan, delay: Self.slowAnswer)
        var options = ReaderOptions()
        options.timeLimits = Self.limits
        var reader = DocumentReader(options: options)
        reader.accessControl = cell.access
        let key = try specimenKey()
        let start = DispatchTime.now().uptimeNanoseconds
        var outcome: String
        do throws(EMRTDError) {
            let result = try reader.read(from: hostile, key: key)
            let verification = DocumentVerification(read: result, trust: Specimen.testPKI.trustStore)
            outcome = verification.verdict.rawValue
            if verification.verdict == .genuine {
                // Genuine only for the whole document, byte for byte, every check passed.
                // EF.CardAccess and EF.ATR/INFO are outside the security objects (a chip may lie in
                // them: the reader then falls back to BAC, or sizes its reads wrongly), so they are
                // not part of what "genuine" vouches for. A file the image does not have is absent.
                // DG3 needs Extended Access Control: listed and signed, never read.
                let unsigned: Set<LDSFile> = [.cardAccess, .atrInfo, .dg3]
                for (file, bytes) in result.files where !unsigned.contains(file) {
                    #expect(bytes == image.files[file], "\(file.name) differs from the chip's, yet the verdict is genuine")
                }
                for (file, fileOutcome) in result.outcomes where !unsigned.contains(file) {
                    #expect(fileOutcome == .read || (fileOutcome == .absent && image.files[file] == nil), "\(file.name): \(fileOutcome), yet the verdict is genuine")
                }
                #expect(Set(result.files.keys.filter { !unsigned.contains($0) }) == Set(image.files.keys.filter { !unsigned.contains($0) }))
            }
        } catch {
            // A typed error with a stable code and words for a person.
            outcome = error.code.rawValue
            #expect(!error.message.isEmpty)
            #expect(error.code.rawValue.contains("."))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        #expect(hostile.triggered > 0, "the read never reached step \(cell.plan.step)")
        #expect(seconds < Self.limits.perRead! + 2, "took \(seconds) s")
        if cell.plan.fault == .slow {
            #expect(outcome == EMRTDError.Code.apduTimeout.rawValue, "a slow chip gave \(outcome)")
            #expect(seconds < Self.slowAnswer, "a slow answer was waited for (\(seconds) s)")
        }
        if cell.plan.fault == .disconnect { #expect(outcome == EMRTDError.Code.cardRemoved.rawValue) }
    }

    @Test("The per-read limit stops a chip that answers every command just in time")
    func readDeadline() throws {
        let hostile = HostileChip(chip: try VirtualChip(image: try specimen()), plan: HostileChip.Plan(step: .read, fault: .slow), delay: 0.3)
        var options = ReaderOptions()
        options.timeLimits = TimeLimits(perAPDU: 1, perRead: 1)
        var reader = DocumentReader(options: options)
        reader.accessControl = .bacOnly
        let start = DispatchTime.now().uptimeNanoseconds
        #expect(throws: EMRTDError(.readTimeout, "")) { try reader.read(from: hostile, key: try specimenKey()) }
        #expect(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < 1.5)
    }

    @Test("After a timeout the channel stays closed, and the message names the command and the limit")
    func timeoutClosesTheChannel() throws {
        let hostile = HostileChip(chip: try VirtualChip(image: try specimen()), plan: HostileChip.Plan(step: .select, fault: .slow), delay: 1)
        let channel = TimedChannel(hostile, limits: TimeLimits(perAPDU: 0.1, perRead: nil))
        do throws(EMRTDError) {
            _ = try channel.transmit([0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01])
            Issue.record("a slow SELECT was waited for")
        } catch {
            #expect(error.code == .apduTimeout)
            #expect(error.message.contains("SELECT (INS A4)") && error.message.contains("0.1 s"), "\(error.message)")
        }
        #expect(throws: EMRTDError(.apduTimeout, "")) { try channel.transmit([0x00, 0x84, 0x00, 0x00, 0x08]) }
    }
}
