import Foundation
import Testing

/// `cccd bench` prints figures, not verdicts; these check that it runs and that every ratio it prints
/// is the quotient of two figures printed in the same run (no ratio from a stored or remembered figure).
@Suite("cccd bench: runs, and every ratio comes from the same run", .serialized)
struct BenchTests {
    /// A printed figure in seconds: "  NAME   12.34 µs/op  …" or "  NAME  1.234 ms/read  …".
    struct Row {
        let name: String
        let seconds: Double
        /// The ratio printed on the row and the name of the row it is relative to.
        let ratio: (value: Double, baseline: String)?
    }

    static func rows(_ output: String) -> [Row] {
        output.split(separator: "\n").compactMap { line -> Row? in
            let text = String(line)
            guard let unit = text.range(of: #" +[0-9.]+ (µs|ms)/[a-z]+ "#, options: .regularExpression) else { return nil }
            let name = text[..<unit.lowerBound].trimmingCharacters(in: .whitespaces)
            let figure = text[unit].trimmingCharacters(in: .whitespaces).split(separator: " ")
            guard let value = Double(figure[0]) else { return nil }
            let seconds = value * (figure[1].hasPrefix("ms") ? 1e-3 : 1e-6)
            var ratio: (Double, String)? = nil
            if let x = text.range(of: #"  x[0-9.]+ of "#, options: .regularExpression) {
                let number = text[x].trimmingCharacters(in: .whitespaces).dropFirst().split(separator: " ")[0]
                ratio = (Double(number) ?? .nan, String(text[x.upperBound...]))
            }
            return Row(name: name, seconds: seconds, ratio: ratio)
        }
    }

    @Test("cccd bench: every ratio is its figure over its named baseline's figure, both printed")
    func benchRatios() throws {
        let r = try run("cccd", ["bench", "--reads", "3", "--cards", "4", "--passes", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = Self.rows(r.stdout)
        let byName = Dictionary(rows.map { ($0.name, $0.seconds) }, uniquingKeysWith: { a, _ in a })
        let ratios = rows.filter { $0.ratio != nil }
        #expect(ratios.count >= 16, "\(r.stdout)")
        for row in ratios {
            let (value, baselineName) = row.ratio!
            let baseline = try #require(byName[baselineName], "\(row.name): baseline \(baselineName) is not printed")
            // The figures are printed rounded (2 decimals in µs, 3 in ms) and the ratio to 2 decimals.
            let expected = row.seconds / baseline
            #expect(abs(value - expected) <= 0.01 + 0.02 * expected, "\(row.name): x\(value) printed, \(expected) from the printed figures")
        }
        // The honest read baselines read what the secure read read: the same files are named.
        #expect(r.stdout.contains("baseline: BAC + 3DES SM files, plain"))
        #expect(r.stdout.contains("baseline: PACE-GM bp256 + AES SM files, plain"))
        // "RSA-2048: 0.35 of the raw rate per core": raw figure over the one-thread figure.
        for name in ["RSA-2048", "ECDSA bp256"] {
            let line = try #require(r.stdout.split(separator: "\n").first { $0.contains("\(name): ") && $0.contains("of the raw rate per core") })
            let printed = try #require(Double(line.components(separatedBy: "\(name): ")[1].split(separator: " ")[0]))
            let raw = try #require(byName["baseline: raw \(name) verify x1, 1 thread"])
            let one = try #require(byName["PA \(name), 1 thread"])
            #expect(abs(printed - raw / one) <= 0.01 + 0.02 * printed, "\(line)")
            // "RSA-2048 ceiling: 0.63 of the raw rate per core (raw 21.2 + DG hashes 3.6 + swift-asn1
            // trees 8.8 = 33.6 µs; …)": the parts add up, and the ratio is raw over their sum.
            let ceiling = try #require(r.stdout.split(separator: "\n").first { $0.contains("\(name) ceiling: ") })
            let sum = ceiling.components(separatedBy: "(raw ")[1].components(separatedBy: " µs;")[0]
            let parts = sum.components(separatedBy: " + DG hashes ").flatMap { $0.components(separatedBy: " + swift-asn1 trees ") }
                .flatMap { $0.components(separatedBy: " = ") }.compactMap { Double($0) }
            let ratio = try #require(Double(ceiling.components(separatedBy: "ceiling: ")[1].split(separator: " ")[0]))
            try #require(parts.count == 4, "\(ceiling)")
            // Four figures rounded to 0.1 µs each: the sum may be off by up to 0.2.
            #expect(abs(parts[0] + parts[1] + parts[2] - parts[3]) <= 0.25, "\(ceiling)")
            #expect(abs(ratio - parts[0] / parts[3]) <= 0.01 + 0.02 * ratio, "\(ceiling)")
            // ECDSA's raw figure varies from run to run by more than its PA overhead, so only RSA's
            // ratio, far below its ceiling, is held to it.
            if name == "RSA-2048" { #expect(printed <= ratio + 0.1, "\(line) / \(ceiling)") }
        }
        #expect(r.stdout.contains("passive authentications not passed: 0 of"))
    }

    @Test("cccd bench corpus, then cccd bench batch: documents per second beside the raw rate of the same documents")
    func batch() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = try run("cccd", ["bench", "corpus", "--out", directory + "/c", "--count", "1002", "--signers", "2"])
        #expect(corpus.status == 0, "\(corpus.stderr)")
        let r = try run("cccd", ["bench", "batch", directory + "/c", "--jobs", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("cccd bench batch: 1002 documents under 4 DSCs, 2 jobs"), "\(r.stdout)")
        // Document 999 is the tampered one.
        #expect(r.stdout.contains("verdicts: genuine 1001, not-genuine 1"), "\(r.stdout)")
        func figure(_ prefix: String) throws -> Double {
            let line = try #require(r.stdout.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) })
            let words = line.dropFirst(prefix.count + 2).split(separator: " ")
            return try #require(Double(words[0]))
        }
        let batch = try figure("verify --batch, 2 jobs")
        let raw = try figure("baseline: raw verify, 2 threads")
        let line = try #require(r.stdout.split(separator: "\n").first { $0.contains("of the raw rate on 2 threads") })
        let printed = try #require(Double(line.split(separator: " ")[1]))
        #expect(abs(printed - batch / raw) <= 0.01 + 0.02 * printed, "\(line)")
        let lines = try String(contentsOfFile: directory + "/c/bench-batch.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1002)
    }
}
