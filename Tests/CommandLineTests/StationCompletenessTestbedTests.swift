import AuditTrail
import Foundation
import IssuanceStation
import Testing

extension PCSCTestbedTests {
    @Test("The station counts a card whose DG13 cannot be read whole as failed, with the reasons' codes in its audit row")
    func stationTruncatedDG13() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #require(try run("cccd", ["pki", "init", "--out", dir + "/pki"]).status == 0)
        // The example record's portrait (face.jpg beside the record): the specimen's.
        _ = try run("cccd-read", ["--simulated", "--photo", dir + "/face.jpg"])
        var record = try #require(try JSONSerialization.jsonObject(with: Data(run("cccd", ["perso", "--example-record"]).stdout.utf8)) as? [String: Any])
        record["personalID"] = "079305004444"
        let data = try JSONSerialization.data(withJSONObject: record)
        try data.write(to: URL(fileURLWithPath: dir + "/r.json"))
        try (String(decoding: data, as: UTF8.self) + "\n").write(toFile: dir + "/batch.jsonl", atomically: true, encoding: .utf8)
        try #require(try run("cccd", ["perso", "--record", dir + "/r.json", "--pki", dir + "/pki", "--out", dir + "/card"]).status == 0)
        // The chip serves half of DG13: its header announces more than the chip gives.
        let dg13 = try Data(contentsOf: URL(fileURLWithPath: dir + "/card/DG13"))
        try dg13.prefix(dg13.count / 2).write(to: URL(fileURLWithPath: dir + "/card/DG13"))

        let station = Process()
        station.executableURL = binaries.appendingPathComponent("cccd")
        station.arguments = ["station", "--records", dir + "/batch.jsonl", "--trust", dir + "/pki/csca.pem", "--db", dir + "/audit.db",
                             "--reader", "Virtual PCD 00 01", "--cards", "1", "--in-order"]
        station.standardOutput = FileHandle.nullDevice
        try station.run()
        defer { if station.isRunning { station.terminate() } }
        usleep(500_000)
        let card = try SecondCard(card: dir + "/card")
        var rows: [AuditRow] = []
        for _ in 0..<100 where rows.isEmpty {
            rows = try SQLiteAuditStore(path: dir + "/audit.db").rows(station: nil)
            if rows.isEmpty { usleep(100_000) }
        }
        card.stop()
        station.waitUntilExit()
        #expect(station.terminationStatus == 1, "the batch did not pass")
        let row = try #require(rows.first)
        // Failed either way: the record comparison also misses DG13's fields (not-genuine).
        #expect(row.verdict != "genuine")
        #expect(row.reasons == "lds.read-failed,record.failed", "\(row.reasons)")
    }
}
