import EMRTDCore
import Foundation
import Inspection
import Testing

/// `BatchVerifier.Done.resuming`: the documents of an earlier run's output, read in pieces; a line cut
/// short by a kill removed from the file; anything else refused.
@Suite("Resuming a batch: what the output already has")
struct BatchResumeTests {
    static func file(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "cccd-resume-\(UUID().uuidString).jsonl"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func line(_ document: String) -> String {
        #"{"checks":{},"document":"\#(document)","files":["EF.SOD"],"verdict":"genuine"}"# + "\n"
    }

    @Test("Lines across the megabyte pieces it reads, a cut-short last line removed from the file")
    func acrossPiecesAndCut() throws {
        // About 3 MB of lines, so lines straddle the 1 MB pieces; names long enough to matter.
        let names = (0..<30_000).map { "/archive/\(String(repeating: "x", count: $0 % 97))/document-\($0).sod" }
        var text = names.map(Self.line).joined()
        let whole = text.utf8.count
        text += #"{"checks":{},"document":"/archive/cut"#
        let path = try Self.file(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let done = try BatchVerifier.Done.resuming(path)
        #expect(done.count == names.count)
        #expect(names.allSatisfy(done.contains))
        #expect(!done.contains("/archive/cut"))
        #expect(!done.contains("/archive/document-30000.sod"))
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(size == whole, "the cut line is removed, the whole lines kept")
    }

    @Test("An error line counts; a line with no newline at all is a cut line; an empty file is nothing done")
    func errorsAndEdges() throws {
        let error = #"{"code":"io.failed","document":"/gone","error":"cannot read /gone","verdict":"error"}"# + "\n"
        let path = try Self.file(Self.line("/a") + error)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let done = try BatchVerifier.Done.resuming(path)
        #expect(done.count == 2 && done.contains("/gone") && done.contains("/a"))

        let cutOnly = try Self.file(#"{"document":"/b","verd"#)
        defer { try? FileManager.default.removeItem(atPath: cutOnly) }
        #expect(try BatchVerifier.Done.resuming(cutOnly).count == 0)
        #expect((try FileManager.default.attributesOfItem(atPath: cutOnly)[.size] as? Int) == 0)

        let empty = try Self.file("")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(try BatchVerifier.Done.resuming(empty).count == 0)
    }

    @Test("A file that is not a batch's output is refused, and left as it was")
    func refused() throws {
        for text in ["not json\n", #"{"document":"/a"}"# + "\n", Self.line("/a") + "{\"verdict\":\"genuine\"}\n"] {
            let path = try Self.file(text)
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(throws: EMRTDError.self) { try BatchVerifier.Done.resuming(path) }
            #expect((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) == text.utf8.count)
        }
        #expect(throws: EMRTDError.self) { try BatchVerifier.Done.resuming("/nonexistent/cccd-resume.jsonl") }
        // 6 MB without a newline: not a batch's output, refused before it is all held, and not cut.
        let long = try Self.file(String(repeating: "x", count: 6 << 20))
        defer { try? FileManager.default.removeItem(atPath: long) }
        #expect(throws: EMRTDError.self) { try BatchVerifier.Done.resuming(long) }
        #expect((try FileManager.default.attributesOfItem(atPath: long)[.size] as? Int) == 6 << 20)
    }
}
