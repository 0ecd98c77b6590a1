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
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TestVectors")
    static let directory: URL = root.appendingPathComponent("lds")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// A file elsewhere in `TestVectors`, by its path there (`pa/jmrtd_bsi2008/Datagroup2.bin`).
    static func published(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(path)))
    }

    static func hexFile(_ name: String) throws -> [UInt8] {
        try Hex.decode(String(decoding: try bytes(name), as: UTF8.self))
    }
}
