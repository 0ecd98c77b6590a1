import EMRTDCore
import Foundation
import Inspection
import LDS
import PassiveAuthentication
import Specimen
import Testing

/// `BatchVerifier.Line.json` is written by hand for speed; it must stay byte for byte what JSONEncoder
/// (`[.sortedKeys, .withoutEscapingSlashes]`) writes, so `--resume` and every reader of the lines see
/// the same text whichever wrote it.
@Suite("The batch's JSON line: the same bytes as JSONEncoder")
struct BatchLineJSONTests {
    static func encoded(_ line: BatchVerifier.Line) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(line), as: UTF8.self)
    }

    @Test("Real verifications: genuine, tampered, EF.SOD alone, a card with EF.CardSecurity, unreadable and missing documents")
    func realLines() throws {
        let directory = NSTemporaryDirectory() + "cccd-json-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = try Specimen.cardImage()
        try image.write(to: directory + "/genuine")
        var tampered = image
        tampered.files[.dg13]![20] ^= 0x01
        try tampered.write(to: directory + "/tampered \"quoted\" \\ name")
        try Data(image.files[.sod]!).write(to: URL(fileURLWithPath: directory + "/bare.sod"))
        try Data([0x77, 0x03, 0x30, 0x01, 0x00]).write(to: URL(fileURLWithPath: directory + "/broken.sod"))
        let cam = try Specimen.cardImage(chipAuthenticationMapping: true)
        try cam.write(to: directory + "/cam")
        let verifier = BatchVerifier(trust: Specimen.testPKI.trustStore)
        let paths = ["genuine", "tampered \"quoted\" \\ name", "bare.sod", "broken.sod", "cam", "missing\u{1}\ttab"].map { directory + "/" + $0 }
        var verdicts: Set<String> = []
        for path in paths {
            let line = verifier.verify(path)
            verdicts.insert(line.verdict)
            #expect(line.json == (try Self.encoded(line)), "\(path)")
        }
        #expect(verdicts == ["genuine", "not-genuine", "error"], "\(verdicts)")
    }

    @Test("Every optional field set, and strings with every character JSON escapes")
    func everyField() throws {
        // Built by decoding (the contract's types have no public memberwise initializers).
        let odd = "a/b \"q\" \\ \u{0}\u{1}\u{8}\u{9}\u{A}\u{C}\u{D}\u{1F}\u{7F} é 𝄞 \u{2028} Trần"
        func line(_ object: [String: Any]) throws -> BatchVerifier.Line {
            try JSONDecoder().decode(BatchVerifier.Line.self, from: JSONSerialization.data(withJSONObject: object))
        }
        let check: [String: Any] = ["status": "failed", "reason": odd, "code": "x.y"]
        let passive: [String: Any] = [
            "status": "failed", "reason": odd, "signature": "invalid", "chain": "unknown",
            "dataGroups": ["DG1": "match", "DG2": "mismatch", "DG10": "not-read", "DG13": odd, "DG14": "not-in-sod"],
            "signer": odd, "csca": "CN=CSCA", "cardSecurity": check, "code": "pa.dg-mismatch",
        ]
        let checks: [String: Any] = ["passive": passive, "chip": check, "active": check, "files": check, "record": check, "recordDifferences": [odd, ""]]
        let full = try line(["document": odd, "verdict": "not-genuine", "checks": checks, "files": ["EF.SOD", odd], "error": odd, "code": odd])
        #expect(full.checks?.passive.cardSecurity != nil && full.checks?.recordDifferences?.count == 2)
        #expect(full.json == (try Self.encoded(full)))
        let bare = try line(["document": "", "verdict": "error"])
        #expect(bare.json == (try Self.encoded(bare)))
        let plain = try line([
            "document": "d", "verdict": "genuine",
            "checks": ["passive": ["status": "passed", "reason": "", "signature": "valid", "chain": "valid", "dataGroups": [String: String]()],
                       "chip": ["status": "not-run", "reason": ""], "active": check],
        ])
        #expect(plain.json == (try Self.encoded(plain)))
    }
}
