public import EMRTDCore
import Dispatch

extension EMRTDError.Code {
    /// The card did not answer one command within the per-APDU limit.
    public static let apduTimeout = Self("card.timeout")
    /// The whole read did not finish within the per-read limit.
    public static let readTimeout = Self("card.read-timeout")
}

/// How long the reader waits for a card: a chip is a stranger's device and may never answer.
public struct TimeLimits: Sendable, Hashable {
    /// Seconds one command may take, GET RESPONSE rounds each counting as a command; `nil`: no limit.
    public var perAPDU: Double?
    /// Seconds from the first command of a read to its last; `nil`: no limit.
    public var perRead: Double?

    public init(perAPDU: Double? = 5, perRead: Double? = 60) {
        self.perAPDU = perAPDU
        self.perRead = perRead
    }

    /// 5 s per APDU (a real chip answers in well under a second, RSA Active Authentication
    /// included) and 60 s per read (a slow chip reads a 20 KB portrait in under 10 s).
    public static let defaults = TimeLimits()
    public static let unlimited = TimeLimits(perAPDU: nil, perRead: nil)
}

/// A ``CardChannel`` that enforces ``TimeLimits`` on another one.
///
/// Each transmit runs on a worker thread while the caller waits at most the time left; a command
/// that overruns is abandoned (its thread finishes, or blocks, on its own) and the channel is then
/// unusable: every later transmit fails with the same timeout error, since the card's state is
/// unknown. The limits are checked before a command is sent too, so a read that has run out of
/// time stops at once.
public final class TimedChannel: CardChannel {
    public let inner: any CardChannel
    public let limits: TimeLimits
    private let deadline: UInt64?
    private let worker = DispatchQueue(label: "cccd.card-transmit")
    private var failure: EMRTDError?

    /// The per-read clock starts now.
    public init(_ inner: any CardChannel, limits: TimeLimits) {
        self.inner = inner
        self.limits = limits
        deadline = limits.perRead.map { DispatchTime.now().uptimeNanoseconds + Self.nanoseconds($0) }
    }

    public var supportsExtendedLength: Bool { inner.supportsExtendedLength }

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

        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let job = Job(channel: inner)
        worker.async {
            do throws(EMRTDError) {
                outcome.result = .success(try job.channel.transmit(command))
            } catch {
                outcome.result = .failure(error)
            }
            done.signal()
        }
        guard done.wait(timeout: DispatchTime(uptimeNanoseconds: DispatchTime.now().uptimeNanoseconds + budget)) == .success else {
            let error: EMRTDError
            if limitedByRead, let perRead = limits.perRead {
                error = EMRTDError(.readTimeout, "the read did not finish within \(Self.seconds(perRead)) (the card was still answering \(name))")
            } else {
                error = EMRTDError(.apduTimeout, "the card did not answer \(name) within \(Self.seconds(limits.perAPDU ?? 0)); the connection is abandoned")
            }
            failure = error
            throw error
        }
        // The semaphore orders the worker's write before this read.
        guard let result = outcome.result else { throw EMRTDError(.transport, "the transmit ended without a result") }
        return try result.get()
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

    static func nanoseconds(_ seconds: Double) -> UInt64 { UInt64(max(0, seconds) * 1e9) }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    /// Carries the non-Sendable channel to the worker. Only the worker touches it while a command
    /// runs; after a timeout the caller never touches it again.
    private final class Job: @unchecked Sendable {
        let channel: any CardChannel
        init(channel: any CardChannel) { self.channel = channel }
    }

    /// Written by the worker before it signals, read by the caller after the wait succeeds.
    private final class Outcome: @unchecked Sendable {
        var result: Result<[UInt8], EMRTDError>?
    }
}
