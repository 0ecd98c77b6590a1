import Foundation
import Testing

/// Through the real pcscd and the vpcd driver: `scripts/testbed.sh up` serves the specimen in
/// the first slot; `scripts/test.sh` brings the bench up, sets CCCD_TESTBED, and runs these.
let testbedNamespace = ProcessInfo.processInfo.environment["CCCD_TESTBED_NS"] ?? "cccd-testbed"
let testbedUp = ProcessInfo.processInfo.environment["CCCD_TESTBED"] != nil

@Suite("cccd-read through pcscd and vpcd", .enabled(if: testbedUp, "needs scripts/testbed.sh up (scripts/test.sh does it)"), .serialized)
struct PCSCTestbedTests {
    @Test("The reader lists the virtual card")
    func listReaders() throws {
        let r = try run("cccd-read", ["--list-readers"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Virtual PCD 00 00 (card present, ATR 3B"))
    }

    @Test("Reads the specimen through PC/SC with the CAN and with the ID, birth and expiry dates")
    func read() throws {
        let can = try run("cccd-read", ["--can", "001234", "--reader", "0", "--trust", "TestVectors/pki/csca.pem"])
        #expect(can.status == 0, "\(can.stderr)")
        #expect(can.stdout.hasPrefix("VERDICT: GENUINE"))
        #expect(can.stdout.contains("Card read with PACE-CAN"))
        #expect(can.stdout.contains("Trần Thị Ngọc Ánh"))
        #expect(can.stdout.contains("Virtual PCD 00 00 (T=1)"))
        let mrz = try run("cccd-read", ["--id", "079195001234", "--dob", "950314", "--doe", "350314", "--access", "bac", "--json",
                                        "--trust", "TestVectors/pki/csca.pem"])
        #expect(mrz.status == 0, "\(mrz.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(mrz.stdout.utf8)) as? [String: Any])
        #expect((object["holder"] as? [String: Any])?["personalIDNumber"] as? String == "079195001234")
        #expect(object["accessControl"] as? String == "BAC")
        #expect(object["verdict"] as? String == "genuine")
        // Without trust the same card is unverified.
        let untrusted = try run("cccd-read", ["--can", "001234"])
        #expect(untrusted.status == 4)
    }

    @Test("A wrong CAN through PC/SC: the chip's 6300 is named")
    func wrongCAN() throws {
        let r = try run("cccd-read", ["--can", "111111"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("6300"))
    }

    @Test("An unknown reader name is a clear error")
    func unknownReader() throws {
        let r = try run("cccd-read", ["--can", "001234", "--reader", "No Such Reader"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("no reader named"))
    }

    @Test("A card pulled out mid-read ends with a card error, never a partial result shown as read")
    func pulledOut() throws {
        // A second virtual card in vpcd's second slot, removed after 12 APDUs.
        let sim = Process()
        sim.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        sim.arguments = ["netns", "exec", testbedNamespace, binaries.appendingPathComponent("cccd").path,
                         "sim", "--vpcd", "127.0.0.1:35964", "--remove-after", "12"]
        try sim.run()
        defer {
            if sim.isRunning { sim.terminate() }
            sim.waitUntilExit()
        }
        var present = false
        for _ in 0..<60 where !present {
            usleep(250_000)
            present = try run("cccd-read", ["--list-readers"]).stdout.contains("Virtual PCD 00 01 (card present")
        }
        try #require(present, "the second virtual card did not appear")
        let r = try run("cccd-read", ["--can", "001234", "--reader", "Virtual PCD 00 01"])
        #expect(r.status == 3, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stderr.contains("card.removed") || r.stderr.contains("card.pcsc"))
        #expect(!r.stdout.contains("Trần"))
    }
}
