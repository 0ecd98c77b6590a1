import EMRTDCore
import Foundation
import MRZ
import Testing

/// Runs `body` and returns the error it threw, or nil.
func thrownError<T>(_ body: () throws(EMRTDError) -> T) -> EMRTDError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// `TestVectors/` at the repository root (this file is `Tests/MRZTests/Support.swift`).
enum Vectors {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TestVectors")

    /// ICAO Doc 9303 Part 11 Appendix D (BAC worked example), as collected in `TestVectors/icao`.
    static func appendixD() throws -> [String: Any] {
        let url = root.appendingPathComponent("icao/icao9303_p11_appD_bac.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        return try #require(json as? [String: Any])
    }
}

/// Splits an unbroken MRZ string into lines of `length`.
func lines(_ text: String, _ length: Int) -> [String] {
    let chars = Array(text)
    return stride(from: 0, to: chars.count, by: length).map { String(chars[$0..<min($0 + length, chars.count)]) }
}

/// `lines` with the character at (line, index) replaced.
func replacing(_ lines: [String], line: Int, index: Int, with c: Character) -> String {
    var l = lines
    var chars = Array(l[line])
    chars[index] = c
    l[line] = String(chars)
    return l.joined(separator: "\n")
}
