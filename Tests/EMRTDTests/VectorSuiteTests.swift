import Foundation
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

    /// A case of the shipped suites, with `change` applied to its `expected` object.
    func shipped(_ suite: String, _ id: String, _ change: (inout [String: JSONValue]) -> Void) throws -> VectorSuite.Case {
        let original = try #require(Self.suites.first { $0.name == suite }?.cases.first { $0.id == id })
        guard case .object(var expected) = original.expected else { throw VectorTestError.notAnObject }
        change(&expected)
        return VectorSuite.Case(id: id, kind: original.kind, source: original.source, input: original.input, expected: .object(expected))
    }

    func json(_ text: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }

    @Test("A key of expected that the kind does not compare fails the case, naming the key and the kind")
    func uncomparedKey() throws {
        // A typo: "kEnC" for "kEnc". The other three values still match.
        let typo = try shipped("icao-9303-p11-appD-bac", "D.2-keys") { $0["kEnC"] = $0.removeValue(forKey: "kEnc") }
        #expect(VectorRunner.run(typo, suite: "typo").failures == [#"expected "kEnC" is not compared by kind "bac-keys""#])
        // mrz-parse with an expected error compares only the error code.
        let both = try shipped("icao-9303-mrz", "td3-specimen-bad-birth-check-digit") { $0["documentNumber"] = .string("L898902C3") }
        #expect(VectorRunner.run(both, suite: "both").failures == [#"expected "documentNumber" is not compared by kind "mrz-parse""#])
        // Keys of the objects in a list are checked too.
        let nested = try shipped("icao-9303-p11-appD4-sm", "D.4-transcript") { expected in
            guard case .array(var steps) = expected["steps"], case .object(var step) = steps[1] else { return }
            step["protectedResponce"] = .string("00")
            steps[1] = .object(step)
            expected["steps"] = .array(steps)
        }
        #expect(VectorRunner.run(nested, suite: "nested").failures == [#"expected "steps[1].protectedResponce" is not compared by kind "sm-transcript""#])
        // The untouched cases pass.
        #expect(VectorRunner.run(try shipped("icao-9303-p11-appD4-sm", "D.4-transcript") { _ in }, suite: "same").passed)
    }

    @Test("A case that compares nothing fails")
    func comparesNothing() throws {
        let message = #"the case compares nothing: its expected gives no value kind "%@" compares"#
        let cases: [(String, String, String)] = [
            ("mrz-parse", #"{"mrz": "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"}"#, "{}"),
            ("sm-transcript", #"{"algorithm": "3DES", "ksEnc": "979EC13B1CBFE9DCD01AB0FED307EAE5", "ksMac": "F1CB1F1FB5ADF208806B89DC579DC1F8", "ssc": "887022120C06C228"}"#, #"{"steps": []}"#),
            // A step that only advances the counters compares nothing either.
            ("sm-transcript", #"{"algorithm": "3DES", "ksEnc": "979EC13B1CBFE9DCD01AB0FED307EAE5", "ksMac": "F1CB1F1FB5ADF208806B89DC579DC1F8", "ssc": "887022120C06C228"}"#, #"{"steps": [{"name": "select", "command": "00A4020C02011E"}]}"#),
        ]
        for (kind, input, expected) in cases {
            let empty = VectorSuite.Case(id: "empty", kind: kind, source: "test", input: try json(input), expected: try json(expected))
            #expect(VectorRunner.run(empty, suite: "empty").failures == [message.replacingOccurrences(of: "%@", with: kind)])
        }
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



enum VectorTestError: Error { case notAnObject }
