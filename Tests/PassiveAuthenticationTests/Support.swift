import EMRTDCore
import Foundation

/// Hex literal in a test; a malformed literal is a bug in the test, so it traps.
func h(_ text: String) -> [UInt8] {
    do { return try Hex.decode(text) } catch { fatalError("bad hex in test: \(text)") }
}

/// Files of `TestVectors/pa` (see SOURCES.md there); the repository root is three levels above
/// this file.
enum Vectors {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TestVectors/pa")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// The sample documents: folder, file name of each data group read, and the SOD.
    struct Document {
        let folder: String
        let dataGroupFiles: [Int: String]
        let dscFile: String

        func sod() throws -> [UInt8] { try Vectors.bytes("\(folder)/EF_SOD.bin") }
        func dataGroups() throws -> [Int: [UInt8]] {
            try dataGroupFiles.mapValues { try Vectors.bytes("\(folder)/\($0)") }
        }
        func dsc() throws -> [UInt8] { try Vectors.bytes("\(folder)/\(dscFile)") }
    }

    static let bsi2008 = Document(
        folder: "jmrtd_bsi2008",
        dataGroupFiles: [
            1: "Datagroup1.bin", 2: "Datagroup2.bin", 3: "Datagroup3.bin", 4: "Datagroup4.bin",
            14: "Datagroup14.bin", 15: "Datagroup15.bin",
        ],
        dscFile: "dsc_extracted_from_sod.cer")
    static let etsi = Document(
        folder: "etsi_tr103200_eacaa_sample",
        dataGroupFiles: [1: "DG1.bin", 14: "DG14.bin", 15: "DG15.bin"],
        dscFile: "dsc_de_0130846f2b3e.cer")
    static let bsiTR03105 = Document(
        folder: "bsi_tr03105_5_reference_dataset_partial",
        dataGroupFiles: [1: "Datagroup1.bin", 14: "Datagroup14.bin", 15: "Datagroup15.bin"],
        dscFile: "dsc_de_0142fd5cf927.cer")

    /// One case of `pymrtd_negative_sod_cases.json`.
    struct NegativeCase: Decodable, Sendable, CustomStringConvertible {
        let pymrtd_line: Int
        let expected_error_pymrtd: String?
        let description: String
        let sod_hex: String
        let dgs_hex: [String: String]
        let load_args: String
        let expect_contains: [String: Bool]?
    }

    static func negativeCases() throws -> [NegativeCase] {
        try JSONDecoder().decode([NegativeCase].self, from: Data(bytes("pymrtd_negative_sod_cases.json")))
    }
}

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

// MARK: - A DER walker and a BER re-encoder (for making indefinite-length inputs)

/// One TLV of a DER encoding (definite lengths only).
struct TLV {
    var tag: UInt8
    var value: [UInt8]
    var constructed: Bool { tag & 0x20 != 0 }

    /// Parses one TLV at the start of `bytes` (one-byte tags); returns it and its encoded length.
    static func read(_ bytes: ArraySlice<UInt8>) -> (TLV, Int)? {
        var i = bytes.startIndex
        guard i + 2 <= bytes.endIndex else { return nil }
        let tag = bytes[i]
        var length = Int(bytes[i + 1])
        i += 2
        if length & 0x80 != 0 {
            let n = length & 0x7F
            guard n > 0, n <= 4, i + n <= bytes.endIndex else { return nil }
            length = bytes[i..<(i + n)].reduce(0) { $0 << 8 | Int($1) }
            i += n
        }
        guard i + length <= bytes.endIndex else { return nil }
        return (TLV(tag: tag, value: Array(bytes[i..<(i + length)])), i + length - bytes.startIndex)
    }

    /// The children of a constructed TLV.
    var children: [TLV] {
        var out: [TLV] = []
        var rest = value[...]
        while !rest.isEmpty, let (child, used) = TLV.read(rest) {
            out.append(child)
            rest = rest.dropFirst(used)
        }
        return out
    }

    var der: [UInt8] { [tag] + TLV.length(value.count) + value }

    static func length(_ n: Int) -> [UInt8] {
        if n < 0x80 { return [UInt8(n)] }
        var bytes: [UInt8] = []
        var v = n
        while v > 0 { bytes.insert(UInt8(v & 0xFF), at: 0); v >>= 8 }
        return [0x80 | UInt8(bytes.count)] + bytes
    }
}

/// Re-encodes DER as BER: every constructed element gets an indefinite length, except where
/// `keep(path)` says to copy it as it is (certificates, whose signatures cover their DER). An OCTET
/// STRING at a path in `segment` becomes a constructed string of 40-byte segments.
func indefiniteBER(
    _ tlv: TLV, path: [Int] = [], keep: ([Int]) -> Bool, segment: ([Int]) -> Bool = { _ in false }
) -> [UInt8] {
    if keep(path) { return tlv.der }
    if tlv.tag == 0x04 && segment(path) {
        var out: [UInt8] = [0x24, 0x80]
        var rest = tlv.value[...]
        while !rest.isEmpty {
            out += TLV(tag: 0x04, value: Array(rest.prefix(40))).der
            rest = rest.dropFirst(40)
        }
        return out + [0, 0]
    }
    guard tlv.constructed else { return tlv.der }
    var out: [UInt8] = [tlv.tag, 0x80]
    for (i, child) in tlv.children.enumerated() {
        out += indefiniteBER(child, path: path + [i], keep: keep, segment: segment)
    }
    return out + [0, 0]
}
