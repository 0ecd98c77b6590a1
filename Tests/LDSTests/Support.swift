import EMRTDCore
import Foundation

/// Hex literal to bytes (test inputs are written by hand, so a typo should fail loudly).
func h(_ s: String) -> [UInt8] { try! Hex.decode(s) }

/// The code of the EMRTDError `body` threw, nil if it did not throw, `not-emrtd` for any other error.
func code<T>(_ body: () throws -> T) -> EMRTDError.Code? {
    do {
        _ = try body()
        return nil
    } catch let error as EMRTDError {
        return error.code
    } catch {
        return EMRTDError.Code("not-emrtd")
    }
}

/// Files of `TestVectors/lds` (see SOURCES.md there), found from this file's path.
enum Vectors {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TestVectors/lds")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func hexFile(_ name: String) throws -> [UInt8] {
        try Hex.decode(String(decoding: try bytes(name), as: UTF8.self))
    }
}
