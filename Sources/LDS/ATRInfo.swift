public import EMRTDCore
public import ISO7816
import EMRTDASN1

/// EF.ATR/INFO (FID 2F01, SFI 01, in the master file, readable without access control): interindustry
/// data objects that complete the answer to reset (ISO/IEC 7816-4 8.2.1.1). The reader uses one of
/// them, the extended length information, to size its READ BINARY commands.
///
/// ```
/// EF.ATR/INFO  ::= BER-TLV data objects, one after the other ('00' and 'FF' bytes may pad
///                  before, between and after them, ISO/IEC 7816-4 5.2.2)
///   43 L   card service data        46 L   pre-issuing data
///   47 L   card capabilities        5F52 L historical bytes   …
///   7F66 L extended length information (ISO/IEC 7816-4 12.7.1)
///     02 L INTEGER   the most bytes in a command APDU
///     02 L INTEGER   the most bytes in a response APDU
/// ```
///
/// The INTEGERs are read as unsigned (a card that writes 65535 as `02 02 FFFF` means 65535), 1 to 4
/// bytes, and must be at least 1. Objects after the two INTEGERs in DO'7F66' are ignored, so are
/// data objects this type does not know.
public struct ATRInfo: Hashable, Sendable {
    /// The limits of DO'7F66': its presence says the card takes extended length APDUs.
    public struct ExtendedLength: Hashable, Sendable {
        /// The most bytes a command APDU may have.
        public let maximumCommandLength: Int
        /// The most bytes a response APDU may have.
        public let maximumResponseLength: Int

        /// Limits as DO'7F66' states them.
        public init(maximumCommandLength: Int, maximumResponseLength: Int) {
            self.maximumCommandLength = maximumCommandLength
            self.maximumResponseLength = maximumResponseLength
        }
    }

    /// DO'7F66', when present.
    public let extendedLength: ExtendedLength?
    /// The tags of the top-level data objects, in file order.
    public let tags: [TLVTag]
    /// The exact bytes of the file.
    public let raw: [UInt8]

    /// The largest INTEGER accepted as a length: 4 bytes.
    static let maximumIntegerBytes = 4

    /// Parses EF.ATR/INFO as read. Throws `tlv.*` for a malformed data object, `lds.missing-field` when
    /// DO'7F66' lacks its two INTEGERs, and `lds.invalid-value` for a length of 0 or of more than 4 bytes.
    public init(_ bytes: [UInt8]) throws(EMRTDError) {
        var objects: [TLV] = []
        var offset = 0
        while offset < bytes.count {
            if bytes[offset] == 0x00 || bytes[offset] == 0xFF {
                offset += 1
                continue
            }
            let (object, consumed) = try BERTLV.parsePrefix(bytes[offset...])
            objects.append(object)
            offset += consumed
        }
        var extended: ExtendedLength? = nil
        if let info = objects.first(where: { $0.tag == 0x7F66 }) {
            let integers = try info.children().filter { $0.tag == 0x02 }
            guard integers.count >= 2 else {
                throw EMRTDError(
                    .ldsMissingField,
                    "EF.ATR/INFO: the extended length information (7F66) holds \(integers.count) INTEGER(s), not the 2 lengths")
            }
            extended = ExtendedLength(
                maximumCommandLength: try Self.length(integers[0].value, what: "the most bytes in a command APDU"),
                maximumResponseLength: try Self.length(integers[1].value, what: "the most bytes in a response APDU"))
        }
        extendedLength = extended
        tags = objects.map(\.tag)
        raw = bytes
    }

    /// An unsigned big-endian INTEGER of 1 to 4 significant bytes, at least 1.
    static func length(_ value: [UInt8], what: String) throws(EMRTDError) -> Int {
        let significant = value.drop { $0 == 0 }
        guard !value.isEmpty, significant.count <= maximumIntegerBytes else {
            throw EMRTDError(.ldsInvalidValue, "EF.ATR/INFO: \(what) (7F66) is an INTEGER of \(value.count) bytes")
        }
        let n = significant.reduce(0) { $0 << 8 | Int($1) }
        guard n >= 1 else { throw EMRTDError(.ldsInvalidValue, "EF.ATR/INFO: \(what) (7F66) is 0") }
        return n
    }

    /// An EF.ATR/INFO holding only DO'7F66' with these limits (DER INTEGERs).
    public static func encode(extendedLength: ExtendedLength) -> [UInt8] {
        let value = DERWriter.integer(extendedLength.maximumCommandLength) + DERWriter.integer(extendedLength.maximumResponseLength)
        return TLV(tag: 0x7F66, value: value).encoded()
    }
}
