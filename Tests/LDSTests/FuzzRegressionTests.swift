import EMRTDCore
import Foundation
import ISO7816
import LDS
import MRZ
import Testing

/// Inputs kept from fuzzing runs (`TestVectors/fuzz-regressions/`, one fuzz input per file: a
/// selector byte, then the bytes for that parser; see Sources/CCCDFuzz). Every file goes through
/// every parser, whatever its selector: each must return or throw an EMRTDError, never trap.
@Suite struct FuzzRegressionTests {
    static let directory = Vectors.directory.deletingLastPathComponent().appendingPathComponent("fuzz-regressions")

    static let files: [String] = {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { !$0.hasPrefix(".") && $0 != "README.md" }
            .sorted()
    }()

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
