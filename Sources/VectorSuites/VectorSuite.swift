public import EMRTDCore
import Foundation

extension EMRTDError.Code {
    /// A vector suite file could not be read or does not follow the schema.
    public static let vectorSuiteInvalid = Self("vectors.invalid-suite")
}

/// A suite of test vectors in the project's public JSON format (`TestVectors/README.md`).
///
/// ```json
/// { "schema": "cccd-toolkit/vector-suite/v1", "suite": "…", "title": "…", "source": "…",
///   "cases": [ { "id": "…", "kind": "…", "source": "…", "input": { … }, "expected": { … } } ] }
/// ```
/// Every case names its source. Byte strings are uppercase hex without separators.
public struct VectorSuite: Sendable {
    /// The `schema` every suite file declares; a file without it is not a suite.
    public static let schema = "cccd-toolkit/vector-suite/v1"

    /// One test vector: inputs fed to the production code and the published outputs it must give.
    public struct Case: Sendable {
        /// The case's ID, unique in its suite ("D.4-transcript"); `cccd vectors run --case` selects by it.
        public let id: String
        /// What the case exercises, one of ``VectorRunner/kinds``; the suite's `kind` when the case has none.
        public let kind: String
        /// Where the values are published; the suite's `source` when the case names none.
        public let source: String
        /// The values fed to the code, as the kind reads them.
        public let input: JSONValue
        /// The values the code must produce, byte for byte; every key must be one the kind compares.
        public let expected: JSONValue

        /// A case from its parts, for suites built in code.
        public init(id: String, kind: String, source: String, input: JSONValue, expected: JSONValue) {
            self.id = id
            self.kind = kind
            self.source = source
            self.input = input
            self.expected = expected
        }
    }

    /// The suite's `suite` key ("icao-9303-mrz"); `cccd vectors run --suite` selects by it.
    public let name: String
    /// The suite's `title`, or its name when it has none.
    public let title: String
    /// The suite's `source`: the publication its cases come from.
    public let source: String
    /// The cases in file order.
    public let cases: [Case]
    /// The file the suite came from.
    public let path: String

    /// Reads and validates the suite file at `path`.
    public init(contentsOf path: String) throws(EMRTDError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw EMRTDError(.io, "cannot read vector suite \(path): \(error.localizedDescription)")
        }
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw EMRTDError(.vectorSuiteInvalid, "\(path) is not valid JSON")
        }
        try self.init(json: root, path: path)
    }

    /// Validates a decoded suite file; `path` names it in errors.
    public init(json root: JSONValue, path: String) throws(EMRTDError) {
        func fail(_ why: String) -> EMRTDError { EMRTDError(.vectorSuiteInvalid, "\(path): \(why)") }
        guard root["schema"]?.string == Self.schema else { throw fail("\"schema\" must be \"\(Self.schema)\"") }
        guard let name = root["suite"]?.string, !name.isEmpty else { throw fail("missing \"suite\" name") }
        guard let source = root["source"]?.string, !source.isEmpty else { throw fail("missing \"source\"") }
        guard let list = root["cases"]?.array else { throw fail("missing \"cases\" array") }
        let defaultKind = root["kind"]?.string
        var cases: [Case] = []
        for (i, item) in list.enumerated() {
            guard let id = item["id"]?.string else { throw fail("case \(i) has no \"id\"") }
            guard let kind = item["kind"]?.string ?? defaultKind else { throw fail("case \(id) has no \"kind\"") }
            guard let caseSource = item["source"]?.string ?? Optional(source), !caseSource.isEmpty else {
                throw fail("case \(id) has no \"source\"")
            }
            guard let input = item["input"], let expected = item["expected"] else {
                throw fail("case \(id) needs \"input\" and \"expected\"")
            }
            cases.append(Case(id: id, kind: kind, source: caseSource, input: input, expected: expected))
        }
        self.name = name
        self.title = root["title"]?.string ?? name
        self.source = source
        self.cases = cases
        self.path = path
    }

    /// Finds suite files: each path is a `.json` file or a folder searched recursively for files
    /// whose JSON declares the suite schema (other JSON, such as raw published vectors, is skipped).
    public static func discover(_ paths: [String]) throws(EMRTDError) -> [VectorSuite] {
        var suites: [VectorSuite] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw EMRTDError(.io, "no such file or folder: \(path)")
            }
            if !isDirectory.boolValue {
                suites.append(try VectorSuite(contentsOf: path))
                continue
            }
            let files = (fm.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                .filter { $0.hasSuffix(".json") }
                .sorted()
            for file in files {
                let full = (path as NSString).appendingPathComponent(file)
                guard let data = fm.contents(atPath: full),
                      let root = try? JSONDecoder().decode(JSONValue.self, from: data),
                      root["schema"]?.string == schema
                else { continue }
                suites.append(try VectorSuite(json: root, path: full))
            }
        }
        return suites
    }
}
