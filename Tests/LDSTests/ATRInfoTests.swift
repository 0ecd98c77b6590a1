import EMRTDCore
import ISO7816
import LDS
import Testing

@Suite("EF.ATR/INFO (ISO/IEC 7816-4 8.2.1.1, extended length information 7F66)")
struct ATRInfoTests {
    @Test("A real card's EF.ATR/INFO: card service data, card capabilities, 1520-byte limits")
    func realCard() throws {
        // Read from a contactless card with SELECT 2F01 + READ BINARY, as quoted in a public question
        // on reading EF.ATR/INFO (stackguides.com/questions/45207788).
        let info = try ATRInfo(try Hex.decode("4301F84703F741E07F6608020205F0020205F0"))
        #expect(info.tags == [0x43, 0x47, 0x7F66])
        #expect(info.extendedLength == ATRInfo.ExtendedLength(maximumCommandLength: 1520, maximumResponseLength: 1520))
    }

    @Test("'00' and 'FF' padding around objects, a 3-byte INTEGER, INTEGERs read as unsigned")
    func paddingAndUnsigned() throws {
        let padded = try ATRInfo(try Hex.decode("00FF7F660902020100020301000000FF"))
        #expect(padded.tags == [0x7F66])
        #expect(padded.extendedLength == ATRInfo.ExtendedLength(maximumCommandLength: 256, maximumResponseLength: 65536))
        // 65535 written without the leading zero DER would need.
        let unsigned = try ATRInfo(try Hex.decode("7F66080202FFFF0202FFFF"))
        #expect(unsigned.extendedLength?.maximumResponseLength == 65535)
        // A third INTEGER is left alone.
        let three = try ATRInfo(try Hex.decode("7F660902010A02010B02010C"))
        #expect(three.extendedLength == ATRInfo.ExtendedLength(maximumCommandLength: 10, maximumResponseLength: 11))
    }

    @Test("Without 7F66 there is no extended length information")
    func withoutExtendedLength() throws {
        let info = try ATRInfo(try Hex.decode("4301F84703F741E0"))
        #expect(info.tags == [0x43, 0x47])
        #expect(info.extendedLength == nil)
        #expect(try ATRInfo([]).tags.isEmpty)
    }

    @Test("Malformed files are typed errors", arguments: [
        ("7F66040202FFFF", "lds.missing-field"),  // one INTEGER
        ("7F6600", "lds.missing-field"),  // no INTEGER at all
        ("7F660B020501000000000202FFFF", "lds.invalid-value"),  // 5 significant bytes
        ("7F6606020100020101", "lds.invalid-value"),  // a maximum of 0
        ("7F66080202FFFF0202FF", "tlv.truncated"),
        ("4305F8", "tlv.truncated"),
    ])
    func malformed(hex: String, expected: String) throws {
        #expect(code { try ATRInfo(try Hex.decode(hex)) } == EMRTDError.Code(expected))
    }

    @Test("encode writes DO'7F66' with DER INTEGERs, and parses back")
    func encode() throws {
        let limits = ATRInfo.ExtendedLength(maximumCommandLength: 65535, maximumResponseLength: 65536)
        let bytes = ATRInfo.encode(extendedLength: limits)
        #expect(bytes.hex == "7F660A020300FFFF0203010000")
        #expect(try ATRInfo(bytes).extendedLength == limits)
    }
}
