import Testing
import VectorSuites

@Suite("Published vectors through the real protocol code")
struct VectorSuiteTests {
    static let suites: [VectorSuite] = (try? VectorSuite.discover([repositoryRoot + "/TestVectors"])) ?? []

    @Test("The suites are found")
    func discovered() {
        let names = Set(Self.suites.map(\.name))
        #expect(names.isSuperset(of: ["icao-9303-p11-appD-bac", "icao-9303-p11-appD4-sm", "icao-9303-mrz"]))
    }

    @Test("Every case passes", arguments: suites.map(\.name))
    func suite(_ name: String) throws {
        let suite = try #require(Self.suites.first { $0.name == name })
        let results = VectorRunner.run(suite)
        #expect(!results.isEmpty)
        for r in results {
            #expect(r.passed, "\(suite.name)/\(r.caseID): \(r.failures.joined(separator: "; "))")
        }
    }

    @Test("A wrong expected value makes a case fail")
    func detectsMismatch() throws {
        guard let appD4 = Self.suites.first(where: { $0.name == "icao-9303-p11-appD4-sm" }) else {
            Issue.record("App. D.4 suite missing")
            return
        }
        var tampered = appD4.cases[0]
        tampered = VectorSuite.Case(
            id: tampered.id, kind: tampered.kind, source: tampered.source, input: tampered.input,
            expected: flip(tampered.expected)
        )
        #expect(!VectorRunner.run(tampered, suite: "tampered").passed)
    }

    /// Changes the first byte of every "protectedCommand".
    func flip(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(var o):
            for (k, v) in o {
                if k == "protectedCommand", case .string(let s) = v {
                    o[k] = .string((s.hasPrefix("0C") ? "0D" : "0C") + s.dropFirst(2))
                } else {
                    o[k] = flip(v)
                }
            }
            return .object(o)
        case .array(let a): return .array(a.map(flip))
        default: return value
        }
    }
}


