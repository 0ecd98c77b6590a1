public import EMRTDCore
public import ISO7816

/// What a reader learns about one chip's secure messaging during a session, kept across the
/// re-authentications of that session (CHIP-QUIRKS.md B1, B2).
///
/// A chip may answer an error with a bare status word (no DO'99', no DO'8E'), and then count the
/// exchange in its send sequence counter as command and answer (+2), command only (+1) or not at
/// all (0): nothing in the answer says which. The reader guesses, per kind of error, and the next
/// exchange tells: a chip whose counter differs rejects the next MAC (6987/6988). Each wrong guess
/// is dropped for the rest of the session, so the reader never tries the same count twice; a
/// length error (67xx, 6Cxx) is usually refused before secure messaging (0 first), any other error
/// after it (+1 first).
public final class SecureMessagingHabits {
    /// The kinds of bare error answers whose count is learned apart.
    public enum ErrorKind: Sendable, Hashable {
        /// 67xx and 6Cxx: a length the chip refused, often before looking at secure messaging.
        case length
        case other
    }

    private var candidates: [ErrorKind: [Int]] = [.length: [0, 1, 2], .other: [1, 0, 2]]
    private var confirmed: Set<ErrorKind> = []
    /// The bare answer just counted by a guess, until the next exchange confirms or refutes it.
    private var pendingGuess: ErrorKind?
    /// The last answer was an error (wrapped or bare): if the chip then rejects secure messaging,
    /// it drops its session after errors.
    private var lastAnswerWasError = false

    /// The chip closes secure messaging after an error answer (CHIP-QUIRKS.md B2): the reader then
    /// avoids asking anything that can fail.
    public private(set) var dropsSessionAfterErrors = false
    /// How many guesses of the counter were wrong (each cost a re-authentication).
    public private(set) var wrongGuesses = 0

    /// Nothing learned yet: a bare length error is counted 0 first, any other bare error +1 first.
    public init() {}

    /// The count in use for bare answers of this kind: 2, 1 or 0.
    public func count(for kind: ErrorKind) -> Int { candidates[kind]?.first ?? 2 }

    /// Whether the count for this kind was confirmed by an exchange that verified.
    public func isConfirmed(_ kind: ErrorKind) -> Bool { confirmed.contains(kind) }

    static func kind(of sw: StatusWord) -> ErrorKind { sw.sw1 == 0x67 || sw.sw1 == 0x6C ? .length : .other }

    func bareAnswer(_ sw: StatusWord) -> Int {
        let kind = Self.kind(of: sw)
        if !confirmed.contains(kind) { pendingGuess = kind }
        lastAnswerWasError = true
        return count(for: kind)
    }

    func verifiedAnswer(_ sw: StatusWord) {
        if let guess = pendingGuess { confirmed.insert(guess) }
        pendingGuess = nil
        lastAnswerWasError = !(sw.isSuccess)
    }

    /// The chip rejected secure messaging: a pending guess was wrong, or the chip drops its
    /// session after errors. Returns what was learned, for the error message.
    /// A response MAC that fails to verify says the counter is off only when a guess is pending.
    func rejected(macFailure: Bool = false) -> String? {
        defer { pendingGuess = nil; lastAnswerWasError = false }
        if let guess = pendingGuess, var left = candidates[guess], left.count > 1 {
            let wrong = left.removeFirst()
            candidates[guess] = left
            wrongGuesses += 1
            return "the chip does not count a bare error answer as \(wrong) in its send sequence counter; \(left[0]) from now on"
        }
        if lastAnswerWasError && !macFailure {
            dropsSessionAfterErrors = true
            return "the chip closes secure messaging after an error answer"
        }
        return nil
    }
}

/// An ``APDUChannel`` that protects every command and verifies every response with
/// ``SecureMessaging``. Once a response fails to verify, or the chip answers 6987/6988, the channel
/// is closed: the chip has discarded its session keys. Other unprotected error status words
/// (6A82, 6700, …) are passed on and the session stays open, as many chips send them that way;
/// how the chip counted them is ``SecureMessagingHabits``' guess.
public final class SecureChannel: APDUChannel {
    /// The channel the protected APDUs travel on: a PC/SC reader or a virtual chip.
    public let underlying: any APDUChannel
    private var session: SecureMessaging
    /// False after a secure messaging error (a response that fails to verify, a bare 6987/6988): every
    /// later `send(_:)` then throws `sm.session-closed`, and the reader must authenticate again.
    public private(set) var isOpen = true
    /// What is known of the chip's habits; shared by every channel of one reading session.
    public var habits = SecureMessagingHabits()

    /// Wraps `underlying` in a session just established by BAC, PACE or Chip Authentication.
    public init(underlying: any APDUChannel, session: SecureMessaging) {
        self.underlying = underlying
        self.session = session
    }

    /// Whether the underlying channel carries extended-length APDUs; secure messaging does not change it.
    public var supportsExtendedLength: Bool { underlying.supportsExtendedLength }
    /// 3DES or AES, as the session was established.
    public var algorithm: SecureMessaging.Algorithm { session.algorithm }

    /// Protects `command`, sends it, and verifies and decrypts the response. A bare error status word is
    /// returned as is, counted as `habits` guesses. An `sm.*` error closes the channel; errors of the
    /// underlying channel pass through and leave it open.
    public func send(_ command: CommandAPDU) throws(EMRTDError) -> ResponseAPDU {
        guard isOpen else {
            throw EMRTDError(.smSessionClosed, "the secure messaging session was closed after an earlier error")
        }
        do throws(EMRTDError) {
            let protected = try session.protect(command)
            let response = try underlying.send(protected)
            let sw = response.statusWord
            let rejected = sw == StatusWord(rawValue: 0x6987) || sw == StatusWord(rawValue: 0x6988)
            if response.data.isEmpty && !rejected && !(sw.isSuccess || sw.sw1 == 0x62 || sw.sw1 == 0x63) {
                session.countBareAnswer(habits.bareAnswer(sw))
                return response
            }
            if response.data.isEmpty && rejected {
                isOpen = false
                let learned = habits.rejected().map { " (\($0))" } ?? ""
                throw EMRTDError(.smSessionClosed, "the chip rejected secure messaging (\(sw)) and closed the session\(learned)")
            }
            let plain: ResponseAPDU
            do throws(EMRTDError) {
                plain = try session.unprotect(response)
            } catch {
                _ = habits.rejected(macFailure: true)
                throw error
            }
            habits.verifiedAnswer(plain.statusWord)
            return plain
        } catch {
            if error.code.domain == "sm" { isOpen = false }
            throw error
        }
    }
}
