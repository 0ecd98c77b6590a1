import EMRTDCore
import Cryptography
import ISO7816
import SecureMessaging

extension VirtualChip {
    /// Behaviour defects of real chips that a conformance test bench must catch (`cccd conformance
    /// card` names the case each one fails). Unlike ``Faults`` (transport trouble a reader must
    /// survive), each of these breaks a rule of ICAO Doc 9303 or ISO/IEC 7816-4. Defects of the card
    /// image itself (EF.COM, a data group, EF.SOD, the chip's keys) are transformations of the image,
    /// made by the `Conformance` module.
    public enum Defect: String, Sendable, CaseIterable {
        /// Serves every file before BAC or PACE (ICAO 9303-11 4.2 requires 6982).
        case noAccessControl = "no-access-control"
        /// Answers EXTERNAL AUTHENTICATE with a wrong MRZ key by 9000 and random bytes instead of 6300.
        case bacWrongKeyAnswered = "bac-wrong-key-answered"
        /// Refuses a command with a wrong MAC (6988) but keeps its session keys (ICAO 9303-11 9.8: the
        /// chip must end secure messaging on any secure messaging error).
        case smErrorKeepsSession = "sm-error-keeps-session"
        /// Accepts a replayed protected command: it also checks the MAC against the previous send
        /// sequence counter, so the counter no longer protects against replay.
        case sscReplayAccepted = "ssc-replay-accepted"
        /// Answers READ BINARY at or past the end of a file with 9000 and zero bytes instead of 6B00.
        case readBeyondEnd = "read-beyond-end"
        /// READ BINARY with a short file identifier ignores it and reads the current file.
        case sfiIgnored = "sfi-ignored"
        /// READ BINARY with odd INS ignores the offset in DO'54' and reads from offset 0.
        case oddInsIgnoresOffset = "odd-ins-ignores-offset"
        /// Announces extended length in its ATR but refuses extended length APDUs (6700).
        case extendedLengthRefused = "extended-length-refused"

        /// What the defect breaks, for listings.
        public var summary: String {
            switch self {
            case .noAccessControl: "serves files before access control"
            case .bacWrongKeyAnswered: "answers BAC with a wrong key by 9000"
            case .smErrorKeepsSession: "keeps its session after a wrong MAC"
            case .sscReplayAccepted: "accepts a replayed protected command"
            case .readBeyondEnd: "returns data past the end of a file"
            case .sfiIgnored: "ignores the short file identifier of READ BINARY"
            case .oddInsIgnoresOffset: "ignores the offset of odd-INS READ BINARY"
            case .extendedLengthRefused: "announces extended length and refuses it"
            }
        }
    }

    /// The defects switched on, and the state they need.
    public struct Defects: Sendable {
        /// The defects the chip shows.
        public var enabled: Set<Defect>
        /// The session as it was before the last accepted protected command (``Defect/sscReplayAccepted``).
        var previousSession: SecureMessaging?

        /// The `enabled` defects switched on; none by default.
        public init(_ enabled: Set<Defect> = []) {
            self.enabled = enabled
        }

        /// Whether `defect` is switched on.
        public func contains(_ defect: Defect) -> Bool { enabled.contains(defect) }

        /// Remembers the session state a replayed command would be checked against.
        mutating func accepted(before session: SecureMessaging) {
            if contains(.sscReplayAccepted) { previousSession = session }
        }

        /// A command whose MAC failed under the current counter, checked again under the previous one.
        func replay(_ command: CommandAPDU) -> (command: CommandAPDU, session: SecureMessaging)? {
            guard contains(.sscReplayAccepted), var old = previousSession,
                  let plain = try? old.unprotectCommand(command) else { return nil }
            return (plain, old)
        }
    }

    /// Whether the ATR announces extended length: the chip's own limit, or a lie (``Defect/extendedLengthRefused``).
    var announcesExtendedLength: Bool {
        limits.extendedLength || defects.contains(.extendedLengthRefused) || quirks.contains { $0.announcesExtendedLength }
    }

    /// The answer to READ BINARY at `offset` past the end of a file.
    func beyondEndAnswer(requested: Int) -> ResponseAPDU {
        guard defects.contains(.readBeyondEnd) else { return ResponseAPDU(statusWord: .wrongParameters) }
        return ResponseAPDU(data: [UInt8](repeating: 0, count: max(1, min(requested, 256))), statusWord: .success)
    }

    /// The answer to a failed EXTERNAL AUTHENTICATE (a wrong MRZ key).
    func failedBACAnswer() -> ResponseAPDU {
        guard defects.contains(.bacWrongKeyAnswered) else { return ResponseAPDU(statusWord: .authenticationFailed) }
        return ResponseAPDU(data: (try? SecureRandom.bytes(40)) ?? [UInt8](repeating: 0x5A, count: 40), statusWord: .success)
    }
}
