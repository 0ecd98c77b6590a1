import Foundation
import Testing

/// `cccd conformance serve` in vpcd's second slot, with our own `cccd-read` as the inspection system
/// under test: every document of the built-in suite must get the verdict its manifest expects.
/// Part of the serialized testbed suite: the other tests use the same slot.
extension PCSCTestbedTests {
    static let secondReader = "Virtual PCD 00 01"

    func secondCardPresent() throws -> Bool {
        try run("cccd-read", ["--list-readers"]).stdout.contains("\(Self.secondReader) (card present")
    }

    @Test("conformance serve: cccd-read gives every expected verdict over the whole serve suite")
    func conformanceServeEveryVerdict() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let made = try run("cccd", ["conformance", "make-suite", dir])
        try #require(made.status == 0, "\(made.stderr)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/manifest.json"))) as? [String: Any])
        let documents = try #require(manifest["documents"] as? [[String: Any]])
        #expect(documents.count >= 20)

        let timeline = dir + "/timeline.jsonl"
        let serve = Process()
        serve.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        serve.arguments = ["netns", "exec", testbedNamespace, binaries.appendingPathComponent("cccd").path,
                           "conformance", "serve", "--vpcd", "127.0.0.1:35964", "--suite", dir, "--timeline", timeline]
        try serve.run()
        defer {
            if serve.isRunning { kill(serve.processIdentifier, SIGKILL) }
            serve.waitUntilExit()
        }
        let start = Date()
        for document in documents {
            let id = document["id"] as? String ?? "?"
            let expected = document["expected"] as? String ?? "?"
            let key = document["key"] as? [String: String] ?? [:]
            let keyArguments = key["can"].map { ["--can", $0] } ?? ["--mrz", key["mrz"] ?? ""]
            let r = try run("cccd-read", ["--reader", Self.secondReader, "--wait", "--json", "--trust", dir + "/csca.pem"] + keyArguments)
            let status: Int32 = switch expected {
            case "genuine": 0
            case "not-genuine": 1
            case "unverified": 4
            default: 3
            }
            #expect(r.status == status, "\(id): expected \(expected) (exit \(status)), got exit \(r.status): \(r.stderr.prefix(300))")
            if status != 3 {
                let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
                #expect(object?["verdict"] as? String == expected, "\(id)")
            }
            // The next read must see the next document: wait until this one is out.
            var out = false
            for _ in 0..<100 where !out {
                out = try !secondCardPresent()
                if !out { usleep(50_000) }
            }
            #expect(out, "\(id) was not removed")
        }
        let seconds = Date().timeIntervalSince(start)
        #expect(seconds < 60, "the suite took \(seconds) s")
        serve.waitUntilExit()
        #expect(serve.terminationStatus == 0)
        let lines = try String(contentsOfFile: timeline, encoding: .utf8).split(separator: "\n")
        let logged = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(logged.map { $0["document"] as? String ?? "" } == documents.map { $0["id"] as? String ?? "" })
        #expect(logged.allSatisfy { ($0["apdus"] as? Int ?? 0) > 0 && $0["insertedAt"] is String && $0["removedAt"] is String })
        #expect(logged.first { $0["document"] as? String == "drops-out" }?["removal"] as? String == "dropped")
        print("serve suite: \(documents.count) documents in \(String(format: "%.1f", seconds)) s")
    }
}
