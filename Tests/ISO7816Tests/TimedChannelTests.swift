import Dispatch
import EMRTDCore
import Foundation
import ISO7816
import Testing

/// A card that never answers: `transmit` blocks until the command is cancelled (or, for a card whose
/// transport cannot cancel, until the test lets it go). It notes the kernel thread each command runs
/// on, and how many commands are running.
///
/// `@unchecked Sendable`: every `var` is read and written under `condition` only.
final class SilentCard: CancellableCardChannel, @unchecked Sendable {
    enum Cancellation { case ends, cannotEnd }
    private let cancellation: Cancellation?
    private let condition = NSCondition()
    private var released = false
    private var running = 0
    private var threads: [String] = []

    /// `cancellation` nil: the card stands for a plain ``CardChannel`` (see ``PlainSilentCard``).
    init(_ cancellation: Cancellation?) { self.cancellation = cancellation }

    var supportsExtendedLength: Bool { false }

    func transmit(_ command: [UInt8]) throws(EMRTDError) -> [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        running += 1
        threads.append(Thread.kernelID)
        condition.broadcast()
        while !released { condition.wait() }
        running -= 1
        throw EMRTDError(.transport, "cancelled")
    }

    func cancelTransmit() -> Bool {
        guard cancellation == .ends else { return false }
        release()
        return true
    }

    /// Lets every command in progress return.
    func release() {
        condition.withLock {
            released = true
            condition.broadcast()
        }
    }

    var commandsRunning: Int { condition.withLock { running } }
    var commandThreads: [String] { condition.withLock { threads } }
}

/// The same card seen as a plain ``CardChannel``: ``TimedChannel`` cannot cancel it.
final class PlainSilentCard: CardChannel {
    let card = SilentCard(nil)
    var supportsExtendedLength: Bool { false }
    func transmit(_ command: [UInt8]) throws(EMRTDError) -> [UInt8] { try card.transmit(command) }
}

/// A card that answers 9000 at once, noting the thread.
final class PromptCard: CardChannel {
    private(set) var threads: [String] = []
    var supportsExtendedLength: Bool { false }
    func transmit(_ command: [UInt8]) throws(EMRTDError) -> [UInt8] {
        threads.append(Thread.kernelID)
        return [0x90, 0x00]
    }
}

extension Thread {
    /// The calling thread's kernel ID, as `/proc/self/task` names it ("" where there is no /proc).
    static var kernelID: String {
        ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? "")
            .split(separator: "/").last.map(String.init) ?? ""
    }

    /// Whether the kernel thread `id` of this process is still alive, waiting up to `seconds` for it to end
    /// (it ends a moment after its last command returned).
    static func isAlive(_ id: String, waitingUpTo seconds: Double) -> Bool {
        let end = Date(timeIntervalSinceNow: seconds)
        while FileManager.default.fileExists(atPath: "/proc/self/task/\(id)") {
            guard Date() < end else { return true }
            usleep(10_000)
        }
        return false
    }
}

@Suite("TimedChannel: a command that overruns is cancelled, and no thread stays in the card",
       .enabled(if: FileManager.default.fileExists(atPath: "/proc/thread-self"), "counts threads through /proc"))
struct TimedChannelTests {
    static let getChallenge: [UInt8] = [0x00, 0x84, 0x00, 0x00, 0x08]
    static let limits = TimeLimits(perAPDU: 0.2, perRead: nil)

    static func elapsed(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// The message of the per-APDU timeout a GET CHALLENGE meets on `channel` ("" if it met none).
    static func timeoutMessage(_ channel: TimedChannel) -> String {
        do throws(EMRTDError) {
            _ = try channel.transmit(getChallenge)
            Issue.record("a card that never answers was answered")
        } catch {
            #expect(error.code == .apduTimeout)
            return error.message
        }
        return ""
    }

    @Test("A timed-out transmit is cancelled: it has returned and its thread has ended")
    func cancelled() throws {
        let card = SilentCard(.ends)
        let channel = TimedChannel(card, limits: Self.limits)
        let start = DispatchTime.now()
        let message = Self.timeoutMessage(channel)
        #expect(message.contains("GET CHALLENGE (INS 84) within 0.2 s; the command was cancelled"), "\(message)")
        #expect(Self.elapsed(since: start) < 0.2 + TimedChannel.cancellationGrace)
        // Returned before the timeout was thrown, and the thread it ran on is gone.
        #expect(card.commandsRunning == 0)
        let thread = try #require(card.commandThreads.first)
        #expect(!Thread.isAlive(thread, waitingUpTo: 2), "thread \(thread) is still alive")
        // The channel stays closed, and the card is not asked again.
        #expect(throws: EMRTDError(.apduTimeout, "")) { try channel.transmit(Self.getChallenge) }
        #expect(card.commandThreads.count == 1)
    }

    @Test("A transport that cannot end the command: the timeout is not held up, the thread ends when the command does")
    func cancellationRefused() throws {
        let card = SilentCard(.cannotEnd)
        let channel = TimedChannel(card, limits: Self.limits)
        let start = DispatchTime.now()
        #expect(throws: EMRTDError(.apduTimeout, "")) { try channel.transmit(Self.getChallenge) }
        #expect(Self.elapsed(since: start) < 0.2 + TimedChannel.cancellationGrace / 2, "waited for a command that cannot be cancelled")
        let thread = try #require(card.commandThreads.first)
        #expect(card.commandsRunning == 1)
        #expect(Thread.isAlive(thread, waitingUpTo: 0))
        card.release()
        #expect(!Thread.isAlive(thread, waitingUpTo: 2), "thread \(thread) is still alive after its command returned")
        #expect(card.commandsRunning == 0)
    }

    @Test("A plain channel's command is abandoned, as the measure sees: its thread lives until the command returns")
    func abandoned() throws {
        let plain = PlainSilentCard()
        let message = Self.timeoutMessage(TimedChannel(plain, limits: Self.limits))
        #expect(message.hasSuffix("the connection is abandoned"), "\(message)")
        let thread = try #require(plain.card.commandThreads.first)
        #expect(Thread.isAlive(thread, waitingUpTo: 0.3))
        plain.card.release()
        #expect(!Thread.isAlive(thread, waitingUpTo: 2))
    }

    @Test("Commands in time run on one thread of the channel's own, which ends with the channel")
    func threadEndsWithTheChannel() throws {
        let card = PromptCard()
        var channel: TimedChannel? = TimedChannel(card, limits: Self.limits)
        for _ in 0..<3 { #expect(try channel?.transmit(Self.getChallenge) == [0x90, 0x00]) }
        #expect(Set(card.threads).count == 1)
        let thread = try #require(card.threads.first)
        #expect(thread != Thread.kernelID)
        #expect(Thread.isAlive(thread, waitingUpTo: 0))
        channel = nil
        #expect(!Thread.isAlive(thread, waitingUpTo: 2), "the worker outlived its channel")
    }

    @Test("A limit beyond any clock is no limit, not a trap")
    func hugeLimit() throws {
        let channel = TimedChannel(PromptCard(), limits: TimeLimits(perAPDU: 1e300, perRead: .infinity))
        #expect(try channel.transmit(Self.getChallenge) == [0x90, 0x00])
    }
}
