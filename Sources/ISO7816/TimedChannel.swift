public import EMRTDCore
import Dispatch
import Foundation

extension EMRTDError.Code {
    /// The card did not answer one command within the per-APDU limit.
    public static let apduTimeout = Self("card.timeout")
    /// The whole read did not finish within the per-read limit.
    public static let readTimeout = Self("card.read-timeout")
}

/// A ``CardChannel`` whose ``CardChannel/transmit(_:)`` another thread can end: ``TimedChannel``
/// calls ``cancelTransmit()`` when a command overruns its limit. `PCSCCard` is one.
public protocol CancellableCardChannel: CardChannel, Sendable {
    /// Ends the ``CardChannel/transmit(_:)`` running on another thread, and with it the channel: it
    /// carries no command after this one.
    ///
    /// Called from another thread than the transmit, while it runs or just after it returned.
    ///
    /// - Returns: true when the transmit returns promptly now (the caller waits for it, so no thread
    ///   stays behind); false when the transport cannot end a call in progress: the transmit returns
    ///   when the transport gives it back, and until then the channel refuses every other use.
    func cancelTransmit() -> Bool
}

/// How long the reader waits for a card: a chip is a stranger's device and may never answer.
public struct TimeLimits: Sendable, Hashable {
    /// Seconds one command may take, GET RESPONSE rounds each counting as a command; `nil`: no limit.
    public var perAPDU: Double?
    /// Seconds from the first command of a read to its last; `nil`: no limit.
    public var perRead: Double?

    /// Limits in seconds, `nil` for none; by default those of ``defaults``.
    public init(perAPDU: Double? = 5, perRead: Double? = 60) {
        self.perAPDU = perAPDU
        self.perRead = perRead
    }

    /// 5 s per APDU (a real chip answers in well under a second, RSA Active Authentication
    /// included) and 60 s per read (a slow chip reads a 20 KB portrait in under 10 s).
    public static let defaults = TimeLimits()
    /// No limits: a card that never answers holds the caller forever.
    public static let unlimited = TimeLimits(perAPDU: nil, perRead: nil)
}

/// A ``CardChannel`` that enforces ``TimeLimits`` on another one.
///
/// Commands run on a thread of the channel's own while the caller waits at most the time left. A
/// command that overruns is cancelled when the inner channel is a ``CancellableCardChannel``, and
/// the caller then waits up to ``cancellationGrace`` for it to return, so that no thread stays
/// inside the card; the inner channel keeps itself closed if its transport cannot give the command
/// back that soon. Any other channel's command is abandoned: its thread ends when the command does.
/// Either way this channel is then unusable: every later transmit fails with the same timeout
/// error, since the card's state is unknown. The limits are checked before a command is sent too,
/// so a read that has run out of time stops at once. The thread ends with the channel.
public final class TimedChannel: CardChannel {
    /// The channel the commands go to.
    public let inner: any CardChannel
    /// The limits enforced.
    public let limits: TimeLimits
    /// Seconds a cancelled command is given to return before the caller stops waiting for it.
    public static let cancellationGrace = 1.0
    private let deadline: UInt64?
    private let worker: Worker
    private var failure: EMRTDError?

    /// The per-read clock starts now.
    public init(_ inner: any CardChannel, limits: TimeLimits) {
        self.inner = inner
        self.limits = limits
        worker = Worker(channel: inner)
        deadline = limits.perRead.map { Self.instant(afterNanoseconds: Self.nanoseconds($0)) }
    }

    deinit {
        worker.finish()
    }

    /// The inner channel's answer; false once the channel is unusable (an abandoned command may
    /// still be running on the inner channel, which is then left alone).
    public var supportsExtendedLength: Bool { failure == nil && inner.supportsExtendedLength }

    /// Sends `command` on ``inner`` within the time left. A command that overruns throws `card.timeout`
    /// (per APDU) or `card.read-timeout` (per read), and so does every later call.
    public func transmit(_ command: [UInt8]) throws(EMRTDError) -> [UInt8] {
        if let failure { throw failure }
        let name = Self.instructionName(command)
        var budget = limits.perAPDU.map(Self.nanoseconds)
        var limitedByRead = false
        if let deadline, let perRead = limits.perRead {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else {
                let error = EMRTDError(.readTimeout, "the read did not finish within \(Self.seconds(perRead)) (the limit was reached before \(name))")
                failure = error
                throw error
            }
            if budget == nil || deadline - now < budget! {
                budget = deadline - now
                limitedByRead = true
            }
        }
        guard let budget else { return try inner.transmit(command) }

        worker.start(command)
        if let result = worker.result(within: budget) { return try result.get() }

        let fate: String
        if let cancellable = inner as? any CancellableCardChannel {
            if cancellable.cancelTransmit(), worker.result(within: Self.nanoseconds(Self.cancellationGrace)) != nil {
                fate = "the command was cancelled"
            } else {
                fate = "the card stays closed until the reader gives the command back"
            }
        } else {
            fate = "the connection is abandoned"
        }
        worker.finish()
        let error: EMRTDError
        if limitedByRead, let perRead = limits.perRead {
            error = EMRTDError(.readTimeout, "the read did not finish within \(Self.seconds(perRead)) (the card was still answering \(name)); \(fate)")
        } else {
            error = EMRTDError(.apduTimeout, "the card did not answer \(name) within \(Self.seconds(limits.perAPDU ?? 0)); \(fate)")
        }
        failure = error
        throw error
    }

    /// The command as a person reads it: "READ BINARY (INS B0)".
    static func instructionName(_ command: [UInt8]) -> String {
        guard command.count >= 2 else { return "a command of \(command.count) bytes" }
        let ins = command[1]
        let names: [UInt8: String] = [
            0xA4: "SELECT", 0xB0: "READ BINARY", 0xB1: "READ BINARY", 0x84: "GET CHALLENGE",
            0x82: "EXTERNAL AUTHENTICATE", 0x22: "MANAGE SECURITY ENVIRONMENT", 0x86: "GENERAL AUTHENTICATE",
            0x88: "INTERNAL AUTHENTICATE", 0xC0: "GET RESPONSE",
        ]
        let hex = Hex.encode([ins])
        return names[ins].map { "\($0) (INS \(hex))" } ?? "INS \(hex)"
    }

    /// Whole nanoseconds, at most about 30 years (so that adding them to the clock cannot overflow).
    static func nanoseconds(_ seconds: Double) -> UInt64 { UInt64(min(max(0, seconds), 1e9) * 1e9) }

    /// The uptime clock `nanoseconds` from now.
    static func instant(afterNanoseconds nanoseconds: UInt64) -> UInt64 {
        DispatchTime.now().uptimeNanoseconds + nanoseconds
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int(value)) s" : "\(value) s"
    }

    /// The thread that sends the channel's commands, one at a time, so that the caller can stop
    /// waiting for one. It starts with the first command and ends at ``finish()`` (once the
    /// command it may still be sending has returned).
    ///
    /// `@unchecked Sendable`: `channel` runs commands on the worker thread only, and the caller
    /// touches the inner channel only while the worker is idle (it waits for each command, and
    /// after a timeout only cancels it, through the `Sendable` ``CancellableCardChannel``); every
    /// other property is read and written under `condition`.
    private final class Worker: @unchecked Sendable {
        private let channel: any CardChannel
        private let condition = NSCondition()
        private var command: [UInt8]?
        private var result: Result<[UInt8], EMRTDError>?
        private var started = false
        private var finishing = false

        init(channel: any CardChannel) { self.channel = channel }

        /// Hands `command` to the thread (starting it for the first command).
        func start(_ command: [UInt8]) {
            condition.withLock {
                self.command = command
                result = nil
                if !started {
                    started = true
                    let thread = Thread { [self] in run() }
                    thread.name = "cccd.transmit"
                    thread.start()
                }
                condition.signal()
            }
        }

        /// The result of the command, waiting for it at most `nanoseconds`; nil if it is still running.
        func result(within nanoseconds: UInt64) -> Result<[UInt8], EMRTDError>? {
            let end = TimedChannel.instant(afterNanoseconds: nanoseconds)
            return condition.withLock {
                while result == nil {
                    let now = DispatchTime.now().uptimeNanoseconds
                    guard now < end else { return nil }
                    _ = condition.wait(until: Date(timeIntervalSinceNow: Double(end - now) / 1e9))
                }
                defer { result = nil }
                return result
            }
        }

        /// Lets the thread end once it is idle.
        func finish() {
            condition.withLock {
                finishing = true
                condition.signal()
            }
        }

        private func run() {
            condition.lock()
            while true {
                while command == nil && !finishing { condition.wait() }
                guard let next = command else { break }
                command = nil
                condition.unlock()
                let outcome: Result<[UInt8], EMRTDError>
                do throws(EMRTDError) {
                    outcome = .success(try channel.transmit(next))
                } catch {
                    outcome = .failure(error)
                }
                condition.lock()
                result = outcome
                condition.broadcast()
            }
            condition.unlock()
        }
    }
}
