public import EMRTDCore
import ISO7816

extension EMRTDError.Code {
    /// A file's outer tag is not the one its type requires (e.g. DG13 not starting with 6D).
    public static let ldsUnexpectedTag = Self("lds.unexpected-tag")
    /// A required data object is missing from a file.
    public static let ldsMissingField = Self("lds.missing-field")
    /// A data object has a value that its type does not allow (wrong length, not text, bad version…).
    public static let ldsInvalidValue = Self("lds.invalid-value")
    /// DG13 does not follow the CCCD layout.
    public static let dg13UnexpectedLayout = Self("dg13.unexpected-layout")
    /// A file of a card image directory is larger than any chip file can be.
    public static let imageFileTooLarge = Self("image.file-too-large")
    /// `card.json` of a card image could not be understood.
    public static let imageInvalidSettings = Self("image.invalid-settings")
}

/// Shared helpers for the LDS parsers.
enum LDSParsing {
    /// Parses `bytes` as exactly one object with the given outer tag.
    static func outer(_ bytes: [UInt8], tag: TLVTag, file: String) throws(EMRTDError) -> TLV {
        let tlv = try BERTLV.parse(bytes)
        guard tlv.tag == tag else {
            throw EMRTDError(.ldsUnexpectedTag, "\(file) must start with tag \(tag), found \(tlv.tag)")
        }
        return tlv
    }

    /// Text of a data object: UTF-8 (ASCII is a subset), else an error naming the tag.
    static func utf8(_ bytes: [UInt8], what: String) throws(EMRTDError) -> String {
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw EMRTDError(.ldsInvalidValue, "\(what) is not valid UTF-8 text")
        }
        return s
    }
}
