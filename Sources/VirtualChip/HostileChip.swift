#if canImport(Glibc)
import Glibc
#endif
public import EMRTDCore
public import ISO7816

/// A chip that lies: the virtual chip with one fault injected at one step of the protocols.
///
/// A chip is a stranger's device, and anything it answers may be crafted. This wrapper lets the
/// honest ``VirtualChip`` compute each answer, then spoils the answers to every command of the
/// chosen ``Step`` with the chosen ``Fault``: wrong or huge lengths, a bad MAC, a missing DO'99' or
/// DO'8E', an unexpected status word, truncated data, an endless 61xx chain, a length that claims
/// more than is sent, a very slow answer, or the card pulled out. A reader must end every such
/// read with a typed error or a verdict that is not "genuine" for data it did not fully verify,
/// within its time limits.
public final class HostileChip: CardChannel {
    /// The step of a protocol whose answers are spoiled, recognised from the command header
    /// (which secure messaging leaves in the clear) and, for PACE, from the plain GENERAL
    /// AUTHENTICATE data object.
    public enum Step: String, CaseIterable, Sendable {
        /// SELECT of the application or of a file, plain or protected.
        case select
        /// READ BINARY before secure messaging: EF.CardAccess.
        case cardAccess = "card-access"
        /// BAC: GET CHALLENGE.
        case getChallenge = "get-challenge"
        /// BAC: EXTERNAL AUTHENTICATE (mutual authentication).
        case externalAuthenticate = "external-authenticate"
        /// PACE: MSE:Set AT.
        case paceSetAT = "pace-mse"
        /// PACE GENERAL AUTHENTICATE step 1: the encrypted nonce.
        case paceNonce = "pace-nonce"
        /// PACE GENERAL AUTHENTICATE step 2: mapping.
        case paceMap = "pace-map"
        /// PACE GENERAL AUTHENTICATE step 3: ephemeral key agreement.
        case paceKey = "pace-key"
        /// PACE GENERAL AUTHENTICATE step 4: the authentication tokens.
        case paceToken = "pace-token"
        /// READ BINARY under secure messaging: every LDS file after access control.
        case read
        /// Chip Authentication: MSE and GENERAL AUTHENTICATE under secure messaging.
        case chipAuthentication = "ca"
        /// Active Authentication: INTERNAL AUTHENTICATE.
        case activeAuthentication = "aa"

        /// Whether the step's answers are protected by secure messaging.
        public var isProtected: Bool { [.read, .chipAuthentication, .activeAuthentication].contains(self) }
    }

    /// What is wrong with the answers.
    public enum Fault: String, CaseIterable, Sendable {
        /// The data is one byte short (one byte long when there is none).
        case wrongLength = "wrong-length"
        /// 70 000 bytes of data: more than any response APDU holds.
        case huge
        /// The last byte of DO'8E' (or of the data) flipped.
        case badMAC = "bad-mac"
        /// DO'99' removed from a protected answer.
        case missingDO99 = "no-do99"
        /// DO'8E' removed from a protected answer.
        case missingDO8E = "no-do8e"
        /// 6F00 (no precise diagnosis) instead of the answer.
        case unexpectedStatus = "sw-6f00"
        /// 37 bytes of junk and 9000.
        case junk = "junk-9000"
        /// Half the data and 6282 (end of file reached before Ne bytes).
        case earlyEnd = "early-6282"
        /// The response cut in half, status word included.
        case truncated
        /// 6110 for ever: every GET RESPONSE yields 16 more bytes and 6110 again.
        case endlessChain = "endless-61xx"
        /// The first data object's length claims 4096 bytes more than are sent (DO'87' when protected).
        case overclaim
        /// The answer comes after ``HostileChip/delay`` seconds.
        case slow
        /// The card is pulled out instead of answering.
        case disconnect

        /// Faults that only mean something for answers under secure messaging.
        public var needsSecureMessaging: Bool { self == .missingDO99 || self == .missingDO8E }
    }

    /// A step and a fault, written `STEP:FAULT` (e.g. `read:bad-mac`).
    public struct Plan: Sendable, Hashable, CustomStringConvertible {
        /// The step whose answers are spoiled.
        public var step: Step
        /// How they are spoiled.
        public var fault: Fault

        /// The plan spoiling every answer at `step` with `fault`.
        public init(step: Step, fault: Fault) {
            self.step = step
            self.fault = fault
        }

        /// Parses `STEP:FAULT` as `--hostile` takes it; throws naming every step and fault when `text` is not one.
        public init(parsing text: String) throws(EMRTDError) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, let step = Step(rawValue: parts[0]), let fault = Fault(rawValue: parts[1]) else {
                throw EMRTDError(
                    .invalidArgument,
                    "a hostile chip plan is STEP:FAULT with STEP one of \(Step.allCases.map(\.rawValue).joined(separator: ", ")) "
                        + "and FAULT one of \(Fault.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(text)\"")
            }
            self.init(step: step, fault: fault)
        }

        /// `STEP:FAULT`, as ``init(parsing:)`` reads it.
        public var description: String { "\(step.rawValue):\(fault.rawValue)" }

        /// Every meaningful pair: the faults of secure messaging only at steps that use it.
        public static var matrix: [Plan] {
            Step.allCases.flatMap { step in
                Fault.allCases.filter { !$0.needsSecureMessaging || step.isProtected || step == .select }
                    .map { Plan(step: step, fault: $0) }
            }
        }
    }

    /// The honest chip that computes every answer before it is spoiled.
    public let chip: VirtualChip
    /// Where and how the answers are spoiled.
    public let plan: Plan
    /// How long a `slow` answer takes, in seconds.
    public var delay: Double
    /// How many commands of the plan's step were answered with the fault.
    public private(set) var triggered = 0
    private var chaining = false
    private var removed = false

    /// A hostile chip over `chip`; a `slow` fault waits `delay` seconds (30 by default: past the reader's
    /// 5-second limit per APDU).
    public init(chip: VirtualChip, plan: Plan, delay: Double = 30) {
        self.chip = chip
        self.plan = plan
        self.delay = delay
    }

    /// The honest chip's: a hostile chip lies in its answers, not its ATR.
    public var supportsExtendedLength: Bool { chip.supportsExtendedLength }

    /// The honest chip's answer, or, for a command of the plan's step, that answer spoiled by the fault
    /// (or the card pulled out, or a slow answer).
    public func transmit(_ command: [UInt8]) throws(EMRTDError) -> [UInt8] {
        guard !removed else { throw EMRTDError(.cardRemoved, "the card was removed from the reader") }
        if chaining, command.count >= 2, command[1] == 0xC0 {
            return Self.junk(16) + [0x61, 0x10]
        }
        chaining = false
        guard Self.step(of: command) == plan.step else { return try chip.transmit(command) }
        triggered += 1
        switch plan.fault {
        case .disconnect:
            removed = true
            chip.reset()
            throw EMRTDError(.cardRemoved, "the card was removed from the reader")
        case .slow:
            usleep(UInt32(min(delay, 3600) * 1e6))
            return try chip.transmit(command)
        default:
            let honest = try chip.transmit(command)
            return spoil(honest)
        }
    }

    /// The card side for vpcd (`cccd sim --hostile`): the answer, or `nil` when the card is pulled out.
    public func answer(_ command: [UInt8]) -> [UInt8]? {
        do throws(EMRTDError) {
            return try transmit(command)
        } catch {
            return nil
        }
    }

    /// Power-cycles the chip (vpcd reset): the card is back in the reader, with the same plan.
    public func reset() {
        chip.reset()
        chaining = false
        removed = false
    }

    /// The honest answer `response` (data and status word) spoiled by the plan's fault.
    private func spoil(_ response: [UInt8]) -> [UInt8] {
        guard response.count >= 2 else { return response }
        var data = Array(response.dropLast(2))
        let sw = Array(response.suffix(2))
        switch plan.fault {
        case .wrongLength:
            if data.isEmpty { data = [0x00] } else { data.removeLast() }
            return data + sw
        case .huge:
            return Self.junk(70_000) + [0x90, 0x00]
        case .badMAC:
            if var objects = try? BERTLV.parseAll(data), let i = objects.firstIndex(where: { $0.tag.rawValue == 0x8E }),
               !objects[i].value.isEmpty {
                var mac = objects[i].value
                mac[mac.count - 1] ^= 0x01
                objects[i] = TLV(tag: 0x8E, value: mac)
                return objects.flatMap { $0.encoded() } + sw
            }
            if data.isEmpty { return [0x8E, 0x08] + [UInt8](repeating: 0, count: 8) + sw }
            data[data.count - 1] ^= 0x01
            return data + sw
        case .missingDO99, .missingDO8E:
            let tag: UInt32 = plan.fault == .missingDO99 ? 0x99 : 0x8E
            guard let objects = try? BERTLV.parseAll(data) else { return response }
            return objects.filter { $0.tag.rawValue != tag }.flatMap { $0.encoded() } + sw
        case .unexpectedStatus:
            return [0x6F, 0x00]
        case .junk:
            return Self.junk(37) + [0x90, 0x00]
        case .earlyEnd:
            return Array(data.prefix(data.count / 2)) + [0x62, 0x82]
        case .truncated:
            return Array(response.prefix(response.count / 2))
        case .endlessChain:
            chaining = true
            return [0x61, 0x10]
        case .overclaim:
            // Keep the tag and the value, announce 4096 bytes more than follow.
            if let header = try? BERTLV.readHeader(data) {
                let value = data.dropFirst(header.headerLength)
                return header.tag.encoded + BERTLV.encodeLength(header.valueLength + 4096) + value + sw
            }
            return [0x87] + BERTLV.encodeLength(data.count + 4096) + data + sw
        case .slow, .disconnect:
            return response
        }
    }

    /// Which step a command belongs to; `nil` for commands no step names (GET RESPONSE, others).
    public static func step(of command: [UInt8]) -> Step? {
        guard command.count >= 4 else { return nil }
        let isProtected = command[0] & 0x0C == 0x0C
        switch command[1] {
        case 0xA4: return .select
        case 0xB0, 0xB1: return isProtected ? .read : .cardAccess
        case 0x84: return .getChallenge
        case 0x82: return .externalAuthenticate
        case 0x88: return .activeAuthentication
        case 0x22:
            if isProtected { return .chipAuthentication }
            return command[2] == 0xC1 && command[3] == 0xA4 ? .paceSetAT : nil
        case 0x86:
            if isProtected { return .chipAuthentication }
            guard let apdu = try? CommandAPDU(bytes: command), let template = try? BERTLV.parse(apdu.data),
                  template.tag.rawValue == 0x7C
            else { return nil }
            if template.value.isEmpty { return .paceNonce }
            switch (try? template.children())?.first?.tag.rawValue {
            case 0x81: return .paceMap
            case 0x83: return .paceKey
            case 0x85: return .paceToken
            default: return nil
            }
        default: return nil
        }
    }

    /// Deterministic junk: the same bytes every run, so a failure can be replayed.
    static func junk(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 0x5A) }
    }
}
