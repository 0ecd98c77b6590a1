import EMRTDCore
import AuditTrail
import Foundation
import IssuanceStation
import Testing

/// Through the real pcscd and the vpcd driver: `scripts/testbed.sh up` serves the specimen in
/// the first slot; `scripts/test.sh` brings the bench up, sets CCCD_TESTBED, and runs these.
let testbedNamespace = ProcessInfo.processInfo.environment["CCCD_TESTBED_NS"] ?? "cccd-testbed"
let testbedUp = ProcessInfo.processInfo.environment["CCCD_TESTBED"] != nil

@Suite("cccd-read through pcscd and vpcd", .enabled(if: testbedUp, "needs scripts/testbed.sh up (scripts/test.sh does it)"), .serialized, .timeLimit(.minutes(2)))
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

    @Test("cccd bench-reader runs through PC/SC and its APDU comparison adds up")
    func benchReader() throws {
        let r = try run("cccd", ["bench-reader", "--reader", "0", "--can", "001234", "--reads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("cccd bench-reader: 2 full reads"))
        // "  total    N APDUs …": the phases' APDU counts sum to the total of the same read.
        let phases = r.stdout.split(separator: "\n").compactMap { line -> (String, Int)? in
            let words = line.split(separator: " ")
            guard words.count >= 3, words[2] == "APDUs", let n = Int(words[1]) else { return nil }
            return (String(words[0]), n)
        }
        let total = try #require(phases.first { $0.0 == "total" }).1
        #expect(phases.filter { $0.0 != "total" }.map(\.1).reduce(0, +) == total, "\(r.stdout)")
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

    /// A second virtual card in vpcd's second slot (`Virtual PCD 00 01`), until `stop()`.
    final class SecondCard {
        let process = Process()
        init(card: String?, extra: [String] = []) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            process.arguments = ["netns", "exec", testbedNamespace, binaries.appendingPathComponent("cccd").path,
                                 "sim", "--vpcd", "127.0.0.1:35964"] + (card.map { ["--card", $0] } ?? []) + extra
            try process.run()
            var present = false
            for _ in 0..<60 where !present {
                usleep(250_000)
                present = try run("cccd-read", ["--list-readers"]).stdout.contains("Virtual PCD 00 01 (card present")
            }
            guard present else {
                stop()
                throw EMRTDError(.transport, "the second virtual card did not appear")
            }
        }
        func stop() {
            // SIGKILL: the test runner's threads may block SIGTERM, and a child inherits that mask.
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            // Until pcscd has seen the card go.
            for _ in 0..<40 {
                if (try? run("cccd-read", ["--list-readers"]).stdout.contains("Virtual PCD 00 01 (no card"))! { break }
                usleep(100_000)
            }
        }
    }

    func image(_ arguments: [String]) throws -> String {
        let dir = temporaryDirectory()
        let r = try run("cccd", ["specimen", "--out", dir] + arguments)
        try #require(r.status == 0, "\(r.stderr)")
        return dir
    }

    @Test("PACE with the MRZ through PC/SC")
    func paceMRZ() throws {
        let r = try run("cccd-read", ["--id", "079195001234", "--dob", "950314", "--doe", "350314", "--reader", "Virtual PCD 00 00",
                                      "--trust", "TestVectors/pki/csca.pem"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Card read with PACE-MRZ"))
    }

    @Test("A BAC-only card, and extended length on and off with a 20 KB portrait")
    func bacOnlyAndExtendedLength() throws {
        let bacOnly = try image(["--bac-only"])
        let extended = try image(["--face-size", "20000", "--extended-length"])
        let short = try image(["--face-size", "20000"])
        defer { for d in [bacOnly, extended, short] { try? FileManager.default.removeItem(atPath: d) } }

        var card = try SecondCard(card: bacOnly)
        let bac = try run("cccd-read", ["--id", "079195001234", "--dob", "950314", "--doe", "350314", "--reader", "Virtual PCD 00 01",
                                        "--trust", "TestVectors/pki/csca.pem"])
        card.stop()
        #expect(bac.status == 0, "\(bac.stderr)")
        #expect(bac.stdout.contains("Card read with BAC"))
        #expect(bac.stdout.contains("PACE is not offered"))

        var apdus: [Int] = []
        for dir in [extended, short] {
            card = try SecondCard(card: dir)
            let r = try run("cccd-read", ["--can", "001234", "--reader", "Virtual PCD 00 01", "--trust", "TestVectors/pki/csca.pem", "--json"])
            card.stop()
            #expect(r.status == 0, "\(r.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let stats = try #require(object["stats"] as? [String: Any])
            apdus.append(try #require((stats["total"] as? [String: Any])?["apdus"] as? Int))
            #expect(((stats["phases"] as? [String: Any])?["files"] as? [String: Any])?["apdus"] is Int)
        }
        // Extended length reads the 20 KB portrait in one APDU; short reads need about 90. The master
        // file's probes (EF.ATR/INFO before access control, EF.CardSecurity after PACE) add about 6.
        #expect(apdus[0] <= 25, "\(apdus)")
        #expect(apdus[1] >= 100, "\(apdus)")
    }

    @Test("A card pulled out mid-DG2: exit 3, the card named removed, nothing shown as read; reinserted, it reads")
    func pulledOut() throws {
        let dir = try image(["--face-size", "20000"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let card = try SecondCard(card: dir, extra: ["--remove-after", "40"])
        let r = try run("cccd-read", ["--can", "001234", "--reader", "Virtual PCD 00 01", "--trust", "TestVectors/pki/csca.pem"])
        card.stop()
        #expect(r.status == 3, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stderr.contains("removed"))
        #expect(!r.stdout.contains("VERDICT"))
        #expect(!r.stdout.contains("Trần"))

        let again = try SecondCard(card: dir)
        defer { again.stop() }
        let r2 = try run("cccd-read", ["--can", "001234", "--reader", "Virtual PCD 00 01", "--trust", "TestVectors/pki/csca.pem"])
        #expect(r2.status == 0, "\(r2.stderr)")
        #expect(r2.stdout.hasPrefix("VERDICT: GENUINE"))
    }

    @Test("Two readers with cards: without --reader it asks which; --reader picks one")
    func twoReaders() throws {
        let card = try SecondCard(card: nil)
        defer { card.stop() }
        let ambiguous = try run("cccd-read", ["--can", "001234"])
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stderr.contains("several readers hold a card"))
        let picked = try run("cccd-read", ["--can", "001234", "--reader", "1"])
        #expect(picked.status == 4, "\(picked.stderr)")
        #expect(picked.stdout.contains("from Virtual PCD 00 01"))
    }

    @Test("No pcscd: a clear message and exit 3")
    func noService() throws {
        let r = try run("cccd-read", ["--can", "001234"], environment: ["PCSCLITE_CSOCK_NAME": "/nonexistent/pcscd.comm"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("pcscd) is not running"))
    }

    @Test("perso -> virtual card in pcscd -> cccd-read --expect: genuine, for a batch of records")
    func persoBatch() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #require(try run("cccd", ["pki", "init", "--out", dir + "/pki"]).status == 0)
        try #require(try run("cccd", ["specimen", "--out", dir + "/spec"]).status == 0)
        try #require(try run("cccd-read", ["--simulated", dir + "/spec", "--photo", dir + "/face.jpg"]).status == 4)
        let people: [(String, String, String)] = [
            ("079305001111", "Lê Thị Hồng Nhung", "Nữ"), ("001088002222", "Phạm Quốc Đạt", "Nam"),
            ("048199003333", "Trương Thị Bích Ngọc", "Nữ"),
        ]
        for (i, (id, name, sex)) in people.enumerated() {
            var record = try #require(try JSONSerialization.jsonObject(with: Data(run("cccd", ["perso", "--example-record"]).stdout.utf8)) as? [String: Any])
            record["personalID"] = id
            record["fullName"] = name
            record["sex"] = sex
            record["placeOfResidence"] = "Tổ dân phố số \(i + 7), Phường Hòa Khánh Bắc, Quận Liên Chiểu, Thành phố Đà Nẵng, nơi có địa chỉ thường trú rất dài để thử độ dài trường"
            let path = dir + "/r\(i).json"
            try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: path))
            let made = try run("cccd", ["perso", "--record", path, "--pki", dir + "/pki", "--out", dir + "/card\(i)"])
            try #require(made.status == 0, "\(made.stderr)")
            let card = try SecondCard(card: dir + "/card\(i)")
            let r = try run("cccd-read", ["--reader", "Virtual PCD 00 01", "--can", String(id.suffix(6)), "--expect", path,
                                          "--trust", dir + "/pki/csca.pem"])
            card.stop()
            #expect(r.status == 0, "\(name): \(r.stdout)\(r.stderr)")
            #expect(r.stdout.contains(name))
        }
    }

    @Test("The station: scanned IDs, cards in any order, a reinsertion is a second attempt, a killed station loses no row")
    func station() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #require(try run("cccd", ["pki", "init", "--out", dir + "/pki"]).status == 0)
        try #require(try run("cccd", ["specimen", "--out", dir + "/spec"]).status == 0)
        _ = try run("cccd-read", ["--simulated", dir + "/spec", "--photo", dir + "/face.jpg"])
        let example = try #require(try JSONSerialization.jsonObject(with: Data(run("cccd", ["perso", "--example-record"]).stdout.utf8)) as? [String: Any])
        let ids = ["079305001111", "001088002222", "048199003333"]
        var lines: [String] = []
        for (i, id) in ids.enumerated() {
            var record = example
            record["personalID"] = id
            record["fullName"] = ["Lê Thị Hồng Nhung", "Phạm Quốc Đạt", "Trương Thị Bích Ngọc"][i]
            let data = try JSONSerialization.data(withJSONObject: record)
            try data.write(to: URL(fileURLWithPath: dir + "/r\(i).json"))
            lines.append(String(decoding: data, as: UTF8.self))
            try #require(try run("cccd", ["perso", "--record", dir + "/r\(i).json", "--pki", dir + "/pki", "--out", dir + "/card\(i)"]).status == 0)
        }
        try lines.joined(separator: "\n").write(toFile: dir + "/batch.jsonl", atomically: true, encoding: .utf8)
        let db = dir + "/audit.db"

        func startStation(cards: Int) throws -> (Process, FileHandle) {
            let p = Process()
            p.executableURL = binaries.appendingPathComponent("cccd")
            p.arguments = ["station", "--records", dir + "/batch.jsonl", "--trust", dir + "/pki/csca.pem", "--db", db,
                           "--reader", "Virtual PCD 00 01", "--cards", String(cards)]
            let input = Pipe()
            p.standardInput = input
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            usleep(500_000)
            return (p, input.fileHandleForWriting)
        }
        func rows() throws -> [AuditRow] { try SQLiteAuditStore(path: db).rows(station: nil) }
        func insert(_ i: Int, scan: FileHandle, expecting count: Int) throws {
            scan.write(Data((ids[i] + "\n").utf8))
            let card = try SecondCard(card: dir + "/card\(i)")
            var n = 0
            for _ in 0..<100 {
                n = try rows().count
                if n >= count { break }
                usleep(100_000)
            }
            card.stop()
            #expect(n == count, "row for card \(i)")
        }

        // Cards inserted out of order, and card 1 twice.
        let (first, scan) = try startStation(cards: 3)
        try insert(2, scan: scan, expecting: 1)
        try insert(1, scan: scan, expecting: 2)
        try insert(1, scan: scan, expecting: 3)
        first.waitUntilExit()
        var all = try rows()
        #expect(all.map(\.recordID) == [ids[2], ids[1], ids[1]])
        #expect(all.map(\.attempt) == [1, 1, 2])
        #expect(all.allSatisfy { $0.verdict == "genuine" && $0.reader.contains("Virtual PCD 00 01") })

        // A station killed while it waits keeps every row; the next one goes on.
        let (second, _) = try startStation(cards: 1)
        kill(second.processIdentifier, SIGKILL)
        second.waitUntilExit()
        #expect(try rows().count == 3)
        let (third, scan3) = try startStation(cards: 1)
        try insert(0, scan: scan3, expecting: 4)
        third.waitUntilExit()
        all = try rows()
        #expect(all.count == 4)
        #expect(all.last?.recordID == ids[0])
    }
}
