public import EMRTDCore
public import MRZ
import ISO7816

/// DG1: the machine readable zone (ICAO Doc 9303-10, 4.7.1).
///
/// ```
/// 61 L
///   5F1F L  MRZ characters, lines concatenated without separators:
///           90 = TD1 (3 × 30), 72 = TD2 (2 × 36), 88 = TD3 (2 × 44)
/// ```
public struct DG1: Hashable, Sendable {
    /// The document's MRZ, its check digits verified.
    public let mrz: MRZ
    /// The file's bytes.
    public let raw: [UInt8]

    /// Parses DG1 as read. Throws `lds.unexpected-tag` when it does not start with 61, `lds.missing-field`
    /// without 5F1F, `lds.invalid-value` for a length other than 90, 72 or 88 or a non-ASCII byte, and
    /// `mrz.*` for an MRZ that does not parse (a wrong check digit, …).
    public init(_ bytes: [UInt8]) throws(EMRTDError) {
        let outer = try LDSParsing.outer(bytes, tag: 0x61, file: "DG1")
        guard let data = try outer.child(0x5F1F) else {
            throw EMRTDError(.ldsMissingField, "DG1 has no MRZ data object (5F1F)")
        }
        let lineLength: Int
        switch data.value.count {
        case 90: lineLength = 30
        case 72: lineLength = 36
        case 88: lineLength = 44
        default:
            throw EMRTDError(
                .ldsInvalidValue, "DG1 MRZ has \(data.value.count) characters; expected 90 (TD1), 72 (TD2) or 88 (TD3)")
        }
        guard data.value.allSatisfy({ $0 < 0x80 }) else {
            throw EMRTDError(.ldsInvalidValue, "DG1 MRZ contains non-ASCII bytes")
        }
        let lines = stride(from: 0, to: data.value.count, by: lineLength).map {
            String(decoding: data.value[$0..<$0 + lineLength], as: UTF8.self)
        }
        mrz = try MRZ(lines.joined(separator: "\n"))
        raw = bytes
    }

    /// Encodes `mrz` as DG1.
    public init(mrz: MRZ) {
        self.mrz = mrz
        raw = TLV(tag: 0x61, children: [TLV(tag: 0x5F1F, value: Array(mrz.lines.joined().utf8))]).raw
    }
}
