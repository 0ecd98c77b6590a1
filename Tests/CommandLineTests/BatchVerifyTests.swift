import Foundation
import Testing

@Suite("cccd verify --batch and cccd bench corpus")
struct BatchVerifyTests {
    @Test("A corpus under six signers: every document once, the tampered ones named, a cut-short run resumed without loss or repeat")
    func batchAndResume() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let made = try run("cccd", ["bench", "corpus", "--out", dir + "/c", "--count", "1200", "--signers", "3"])
        try #require(made.status == 0, "\(made.stderr)")
        let out = dir + "/out.jsonl"
        let first = try run("cccd", ["verify", "--batch", dir + "/c/documents", "--trust", dir + "/c/trust", "--out", out, "--jobs", "2"])
        #expect(first.status == 1, "one document in 1000 is tampered: \(first.stderr)")
        #expect(first.stderr.contains("verify --batch: 1200 documents"), "\(first.stderr)")
        #expect(first.stderr.contains("genuine 1199, not-genuine 1") && first.stderr.contains("pa.signature-invalid 1"), "\(first.stderr)")
        func documents() throws -> [String] {
            try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map { line in
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                return try #require(object["document"] as? String)
            }
        }
        #expect(Set(try documents()).count == 1200)
        // A run killed in the middle of a line: the cut line is dropped and its document done again.
        let data = try #require(FileManager.default.contents(atPath: out))
        try data.prefix(data.count / 3 + 11).write(to: URL(fileURLWithPath: out))
        let resumed = try run("cccd", ["verify", "--batch", dir + "/c/documents", "--trust", dir + "/c/trust", "--out", out, "--resume"])
        #expect(resumed.stderr.contains("already done"), "\(resumed.stderr)")
        let all = try documents()
        #expect(all.count == 1200 && Set(all).count == 1200, "\(all.count) lines, \(Set(all).count) documents")
        // A list on standard input works as well; a non-empty --out without --resume is refused.
        let listed = try run("cccd", ["verify", "--batch", "--trust", dir + "/c/trust"], input: all.prefix(5).joined(separator: "\n") + "\n")
        #expect(listed.stdout.split(separator: "\n").count == 5, "\(listed.stderr)")
        let refused = try run("cccd", ["verify", "--batch", dir + "/c/documents", "--out", out])
        #expect(refused.status == 2 && refused.stderr.contains("--resume"), "\(refused.stderr)")
    }
}
