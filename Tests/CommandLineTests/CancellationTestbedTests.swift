import Dispatch
import EMRTDCore
import AuditTrail
import Foundation
import ISO7816
import IssuanceStation
import PCSC
import Testing

/// The real PC/SC card, noting the kernel thread each command is sent from.
///
/// `@unchecked Sendable`: `threads` is read and written under `lock` only; the card is `Sendable`.
final class ThreadNotingCard: CancellableCardChannel, @unchecked Sendable {
    let card: PCSCCard
    private let lock = NSLock()
    private var threads: [String] = []

    init(_ card: PCSCCard) { self.card = card }

    var supportsExtendedLength: Bool { card.supportsExtendedLength }
    var firstThread: String? { lock.withLock { threads.first } }

    func transmit(_ command: [UInt8]) throws(EMRTDError) -> [UInt8] {
        let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? ""
        lock.withLock { threads.append(String(link.split(separator: "/").last ?? "")) }
        return try card.transmit(command)
    }

    func cancelTransmit() -> Bool { card.cancelTransmit() }
}

extension PCSCTestbedTests {
    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    @Test("A command that overruns through pcscd: the card refuses every use until pcscd gives it back, then resets and its thread ends; the process's other PC/SC calls go on")
    func overrunThroughPCSC() throws {
        let getChallenge: [UInt8] = [0x00, 0x84, 0x00, 0x00, 0x08]
        let second = try SecondCard(card: nil, extra: ["--hostile", "get-challenge:slow", "--hostile-delay", "4"])
        defer { second.stop() }
        let card = try PCSCContext().connect("Virtual PCD 00 01")
        let noting = ThreadNotingCard(card)
        let channel = TimedChannel(noting, limits: TimeLimits(perAPDU: 0.5, perRead: nil))
        let start = DispatchTime.now()
        do throws(EMRTDError) {
            _ = try channel.transmit(getChallenge)
            Issue.record("the slow card answered within 0.5 s")
        } catch {
            #expect(error.code == .apduTimeout)
            #expect(error.message.hasSuffix("the card stays closed until the reader gives the command back"), "\(error.message)")
        }
        #expect(Self.seconds(since: start) < 1.5)

        // While pcscd holds the command, the card takes no other call, and a disconnection is left to the call in flight.
        #expect(throws: EMRTDError(.pcscCardBusy, "")) { try card.transmit(getChallenge) }
        #expect(throws: EMRTDError(.pcscCardBusy, "")) { try card.reconnect() }
        card.disconnect()
        // Other contexts go on meanwhile: the first reader's card answers.
        let first = try PCSCContext().connect("Virtual PCD 00 00")
        let select = try first.transmit([0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01])
        first.disconnect()
        #expect(Array(select.suffix(2)) == [0x90, 0x00])
        #expect(Self.seconds(since: start) < 3, "another context waited for the card in flight")

        // pcscd gives the command back with the answer after 4 s; the thread then disconnects and ends.
        let thread = try #require(noting.firstThread)
        var alive = true
        for _ in 0..<100 where alive {
            alive = FileManager.default.fileExists(atPath: "/proc/self/task/\(thread)")
            if alive { usleep(100_000) }
        }
        #expect(!alive, "the thread of the timed-out command is still alive after 10 s")
        #expect(Self.seconds(since: start) > 3.5, "the command came back before the card answered")
        #expect(throws: EMRTDError(.cardRemoved, "")) { try card.transmit(getChallenge) }
    }
}

extension PCSCTestbedTests {
    @Test("The station after a card that stops answering: the timeout is logged at once, the next card is read, SIGINT stops it")
    func stationAfterATimeout() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The specimen's ID (its CAN is 001234), twice: one record per insertion, in order.
        var record = try #require(try JSONSerialization.jsonObject(with: Data(run("cccd", ["perso", "--example-record"]).stdout.utf8)) as? [String: Any])
        record["personalID"] = "079195001234"
        record["photo"] = nil
        let line = String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self)
        try [line, line].joined(separator: "\n").write(toFile: dir + "/batch.jsonl", atomically: true, encoding: .utf8)
        let db = dir + "/audit.db"
        let station = Process()
        station.executableURL = binaries.appendingPathComponent("cccd")
        station.arguments = ["station", "--records", dir + "/batch.jsonl", "--trust", "TestVectors/pki/csca.pem", "--db", db,
                             "--reader", "Virtual PCD 00 01", "--in-order"]
        let output = Pipe()
        station.standardOutput = output
        try station.run()
        defer { if station.isRunning { kill(station.processIdentifier, SIGKILL) } }
        usleep(500_000)
        func rows(atLeast count: Int, within seconds: Double) throws -> [AuditRow] {
            let end = Date(timeIntervalSinceNow: seconds)
            var rows = try SQLiteAuditStore(path: db).rows(station: nil)
            while rows.count < count, Date() < end {
                usleep(100_000)
                rows = try SQLiteAuditStore(path: db).rows(station: nil)
            }
            return rows
        }

        // A chip that takes 30 s over every READ BINARY: the station gives up after its 5 s per command,
        // and logs so while the card is still in the reader with its command in flight.
        let slow = try SecondCard(card: nil, extra: ["--hostile", "read:slow", "--hostile-delay", "30"])
        let start = DispatchTime.now()
        let first = try rows(atLeast: 1, within: 12)
        #expect(first.count == 1 && first.first?.reasons.contains("card.timeout") == true, "\(first)")
        #expect(Self.seconds(since: start) < 12)
        slow.stop()
        // The reader's next card is read as usual.
        let honest = try SecondCard(card: nil)
        let second = try rows(atLeast: 2, within: 15)
        honest.stop()
        #expect(second.count == 2 && second.last?.verdict != "error", "\(second)")

        // The test runner's threads may block SIGINT, and the station inherits that mask: a signal
        // handler would never run, a dispatch source still sees the signal.
        kill(station.processIdentifier, SIGINT)
        for _ in 0..<100 where station.isRunning { usleep(100_000) }
        #expect(!station.isRunning, "SIGINT did not stop the station within 10 s")
        if station.isRunning { kill(station.processIdentifier, SIGKILL) }
        station.waitUntilExit()
        let summary = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(station.terminationReason == .exit, "SIGINT killed the station instead of stopping it")
        #expect(summary.contains("summary: "), "\(summary)")
    }
}
