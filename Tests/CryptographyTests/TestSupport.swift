import EMRTDCore
import Foundation

/// Loads a vector file from `TestVectors/` at run time. The repository root is three levels above
/// this source file (`Tests/CryptographyTests/TestSupport.swift`).
func loadVectors<T: Decodable>(_ type: T.Type, _ relativePath: String, filePath: String = #filePath) throws -> T {
    let root = URL(fileURLWithPath: filePath)
        .deletingLastPathComponent()  // Tests/CryptographyTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root
    let url = root.appendingPathComponent("TestVectors").appendingPathComponent(relativePath)
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}

/// Hex literal in a test; a malformed literal is a bug in the test, so it traps.
func h(_ text: String) -> [UInt8] {
    do { return try Hex.decode(text) } catch { fatalError("bad hex in test: \(text)") }
}

/// A big-endian counter incremented by one (the SSC of secure messaging).
func incremented(_ counter: [UInt8]) -> [UInt8] {
    var out = counter
    for i in out.indices.reversed() {
        out[i] &+= 1
        if out[i] != 0 { break }
    }
    return out
}

/// Minimal BER-TLV walk over secure-messaging data objects (one-byte tags, short or 81/82 lengths).
/// Returns the data objects as (tag, full encoding, value).
func dataObjects(_ bytes: [UInt8]) -> [(tag: UInt8, encoded: [UInt8], value: [UInt8])] {
    var out: [(UInt8, [UInt8], [UInt8])] = []
    var i = 0
    while i + 2 <= bytes.count {
        let start = i
        let tag = bytes[i]
        var length = Int(bytes[i + 1])
        i += 2
        if length == 0x81 {
            length = Int(bytes[i]); i += 1
        } else if length == 0x82 {
            length = Int(bytes[i]) << 8 | Int(bytes[i + 1]); i += 2
        }
        guard i + length <= bytes.count else { break }
        out.append((tag, Array(bytes[start..<(i + length)]), Array(bytes[i..<(i + length)])))
        i += length
    }
    return out
}
