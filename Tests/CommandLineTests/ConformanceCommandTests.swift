import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Checks a JUnit XML report against the usual schema shape: `testsuites` (or a lone `testsuite`),
/// each `testsuite` with name/tests/failures/errors/skipped agreeing with its `testcase` children,
/// each `testcase` with name/classname/time, failures as `<failure message type>`, skips as `<skipped/>`.
/// Returns the failing test case names.
func validateJUnit(_ path: String) throws -> (tests: Int, failed: [String], skipped: [String]) {
    let document = try XMLDocument(contentsOf: URL(fileURLWithPath: path), options: [])
    let root = try #require(document.rootElement())
    #expect(root.name == "testsuites" || root.name == "testsuite")
    let suites = root.name == "testsuite" ? [root] : root.elements(forName: "testsuite")
    #expect(!suites.isEmpty)
    var failed: [String] = []
    var skipped: [String] = []
    var total = 0
    for suite in suites {
        func count(_ name: String) -> Int? { suite.attribute(forName: name)?.stringValue.flatMap { Int($0) } }
        #expect(suite.attribute(forName: "name")?.stringValue?.isEmpty == false)
        let cases = suite.elements(forName: "testcase")
        let failures = cases.filter { !$0.elements(forName: "failure").isEmpty }
        let skips = cases.filter { !$0.elements(forName: "skipped").isEmpty }
        #expect(count("tests") == cases.count)
        #expect(count("failures") == failures.count)
        #expect(count("errors") == cases.filter { !$0.elements(forName: "error").isEmpty }.count)
        #expect(count("skipped") == skips.count)
        for test in cases {
            let name = test.attribute(forName: "name")?.stringValue ?? ""
            #expect(!name.isEmpty)
            #expect(test.attribute(forName: "classname")?.stringValue?.isEmpty == false)
            #expect(test.attribute(forName: "time")?.stringValue.flatMap { Double($0) } != nil)
            for failure in test.elements(forName: "failure") {
                #expect(failure.attribute(forName: "message")?.stringValue?.isEmpty == false)
                #expect(failure.attribute(forName: "type") != nil)
            }
        }
        total += cases.count
        failed += failures.compactMap { $0.attribute(forName: "name")?.stringValue }
        skipped += skips.compactMap { $0.attribute(forName: "name")?.stringValue }
    }
    if root.name == "testsuites" {
        #expect(root.attribute(forName: "tests")?.stringValue == String(total))
        #expect(root.attribute(forName: "failures")?.stringValue == String(failed.count))
    }
    return (total, failed, skipped)
}

@Suite("cccd conformance card and vectors run (command line)")
struct ConformanceCommandTests {
    @Test("Each defect given to --simulated makes the suite exit 1 and name the case that catches it")
    func everyDefect() throws {
        let list = try run("cccd", ["conformance", "defects"])
        try #require(list.status == 0)
        let defects = list.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }.filter { $0.count >= 2 }
        #expect(defects.count >= 16)
        for row in defects {
            let (name, caseID) = (row[0], row[1])
            let r = try run("cccd", ["conformance", "card", "--simulated", "--defect", name])
            #expect(r.status == 1, "\(name): \(r.stderr)")
            #expect(r.stdout.contains("FAIL \(caseID) ["), "\(name) should fail \(caseID):\n\(r.stdout)")
            #expect(r.stdout.contains("14 passed, 1 failed") || r.stdout.contains("13 passed, 1 failed, 1 skipped"), "\(name):\n\(r.stdout)")
        }
    }

    @Test("The conforming specimen passes; JUnit XML has the usual shape and keeps the key out")
    func junit() throws {
        let good = temporaryDirectory() + ".xml"
        let bad = temporaryDirectory() + ".xml"
        defer { for f in [good, bad] { try? FileManager.default.removeItem(atPath: f) } }
        let pass = try run("cccd", ["conformance", "card", "--simulated", "--can", "001234", "--junit", good])
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
        #expect(pass.stdout.hasSuffix("14 passed, 0 failed, 1 skipped\n"))
        #expect(pass.stdout.split(separator: "\n").count == 16)
        let ok = try validateJUnit(good)
        #expect(ok.tests == 15 && ok.failed.isEmpty && ok.skipped == ["read.extended-length"])

        let fail = try run("cccd", ["conformance", "card", "--simulated", "--defect", "sfi-ignored", "--defect", "dg13-off-layout", "--junit", bad])
        #expect(fail.status == 1)
        let broken = try validateJUnit(bad)
        #expect(Set(broken.failed) == ["read.sfi", "lds.dg13-cccd-layout"])
        let xml = try String(contentsOfFile: bad, encoding: .utf8)
        #expect(!xml.contains("001234") && !xml.contains("IDVNM"), "the CAN or the MRZ leaked into the report")
    }

    @Test("--case filters, --json lists each case")
    func filterAndJSON() throws {
        let r = try run("cccd", ["conformance", "card", "--simulated", "--case", "sm.*", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let cases = try #require(object["cases"] as? [[String: Any]])
        #expect(cases.map { $0["id"] as? String } == ["sm.wrong-mac-closes-session", "sm.ssc-replay-refused"])
        #expect(cases.allSatisfy { $0["status"] as? String == "passed" && ($0["reference"] as? String ?? "").hasPrefix("ICAO 9303-11") })
        let none = try run("cccd", ["conformance", "card", "--simulated", "--case", "nothing"])
        #expect(none.status == 2)
    }

    @Test("vectors run: files or folders, --suite / --case prefixes, JUnit XML")
    func vectors() throws {
        let report = temporaryDirectory() + ".xml"
        defer { try? FileManager.default.removeItem(atPath: report) }
        let all = try run("cccd", ["vectors", "run", "TestVectors/suites", "--junit", report])
        #expect(all.status == 0, "\(all.stdout)")
        let shape = try validateJUnit(report)
        #expect(shape.tests > 0 && shape.failed.isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(repositoryRoot.path)/TestVectors/suites").filter { $0.hasSuffix(".json") }.sorted()
        let one = try run("cccd", ["vectors", "run", "TestVectors/suites/" + files[0]])
        #expect(one.status == 0)
        let filtered = try run("cccd", ["vectors", "run", "TestVectors", "--suite", "no-such-suite*"])
        #expect(filtered.status == 1 && filtered.stdout.contains("0 passed, 0 failed"))
    }
}
