import EMRTDCore
import Foundation
import FuzzTargets
import ISO7816
import LDS
import MRZ
import Testing

/// Inputs kept from fuzzing runs (`TestVectors/fuzz-regressions/`). The files at the top level
/// come from the first, single-target fuzzer (a selector byte, then the bytes for that parser):
/// every file goes through every parser, whatever its selector. Each folder is named after a
/// target of Sources/FuzzTargets and holds inputs replayed through that target. Everything must
/// return or throw an EMRTDError, never trap.
@Suite struct FuzzRegressionTests {
    static let directory = Vectors.directory.deletingLastPathComponent().appendingPathComponent("fuzz-regressions")

    static let files: [String] = {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { !$0.hasPrefix(".") && $0 != "README.md" && !isDirectory(directory.appendingPathComponent($0)) }
            .sorted()
    }()

    /// The inputs kept for a target: its folder's files.
    static func inputs(of target: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(target).path)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    static func isDirectory(_ url: URL) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &directory) && directory.boolValue
    }

    @Test func everyFolderIsATarget() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { Self.isDirectory(Self.directory.appendingPathComponent($0)) }
        for folder in folders {
            #expect(FuzzTarget.named(folder) != nil, "fuzz-regressions/\(folder) is named after no fuzz target")
        }
        #expect(Set(FuzzTarget.all.map(\.name)).count == FuzzTarget.all.count, "two fuzz targets share a name")
    }

    /// Each target replays its folder: the smallest set of inputs covering what its grown corpus
    /// covered (scripts/fuzz-minimize.sh), and every crash found.
    @Test(arguments: FuzzTarget.all.map(\.name))
    func replayThroughTarget(name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        let inputs = Self.inputs(of: name)
        #expect(!inputs.isEmpty, "no regression inputs for \(name)")
        for file in inputs {
            target.run([UInt8](try Data(contentsOf: Self.directory.appendingPathComponent(name).appendingPathComponent(file))))
        }
    }

    /// Every target survives the inputs that break parsers most often.
    @Test(arguments: FuzzTarget.all.map(\.name))
    func edgeInputs(name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        for input: [UInt8] in [[], [0x00], [0xFF], [0x30, 0x80], [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF], [0x7F, 0xFF, 0xFF, 0xFF, 0xFF], Array(repeating: 0x30, count: 2000)] {
            target.run(input)
        }
    }

    @Test func corpusIsPresent() {
        #expect(Self.files.count >= 20)
    }

    @Test(arguments: files)
    func replay(name: String) throws {
        let data = [UInt8](try Data(contentsOf: Self.directory.appendingPathComponent(name)))
        let input = Array(data.dropFirst())
        var outcomes = RobustnessTests.parseAny(input)
        outcomes.append(code { try DG2.faceImages(from: input) })
        outcomes.append(code { try MRZ(String(decoding: input, as: UTF8.self)) })
        outcomes.append(code { try CardSettings.decode(json: input) })
        outcomes.append(code { try CommandAPDU(bytes: input) })
        #expect(!outcomes.contains(EMRTDError.Code("not-emrtd")), "a parser threw something other than EMRTDError")
    }
}
