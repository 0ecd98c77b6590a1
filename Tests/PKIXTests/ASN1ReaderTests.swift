import EMRTDASN1
import EMRTDCore
import Testing

/// The reader's character strings and its definite-length test, on hand-made encodings (X.690).
@Suite("ASN1Reader: character strings and definite lengths")
struct ASN1ReaderTests {
    let r = ASN1Reader(.asn1Invalid)

    @Test("PrintableString, IA5String and TeletexString; Latin-1 beyond ASCII; BMPString and UTF8String")
    func strings() throws {
        // 13 04 "0108": PrintableString.
        #expect(r.directoryString(try r.parse([0x13, 0x04, 0x30, 0x31, 0x30, 0x38], what: "s")) == "0108")
        // 16 00: an empty IA5String.
        #expect(r.directoryString(try r.parse([0x16, 0x00], what: "s")) == "")
        // 14 03 "H" E9 "!": TeletexString read as Latin-1, E9 = é.
        #expect(r.directoryString(try r.parse([0x14, 0x03, 0x48, 0xE9, 0x21], what: "s")) == "H\u{E9}!")
        // 1E 04 00 48 1E A1: BMPString "Hạ".
        #expect(r.directoryString(try r.parse([0x1E, 0x04, 0x00, 0x48, 0x1E, 0xA1], what: "s")) == "H\u{1EA1}")
        // 0C 03 E1 BA A1: UTF8String "ạ"; 0C 01 FF is not UTF-8.
        #expect(r.directoryString(try r.parse([0x0C, 0x03, 0xE1, 0xBA, 0xA1], what: "s")) == "\u{1EA1}")
        #expect(r.directoryString(try r.parse([0x0C, 0x01, 0xFF], what: "s")) == nil)
        // 02 01 05: an INTEGER is no string.
        #expect(throws: EMRTDError.self) { try r.string(try r.parse([0x02, 0x01, 0x05], what: "i"), what: "i") }
    }

    @Test("Definite lengths: primitive, nested definite, indefinite at the top and deeper")
    func definiteLengths() throws {
        #expect(try r.parse([0x04, 0x02, 0x00, 0x00], what: "o").hasDefiniteLengths)
        // 30 05 31 03 02 01 07
        #expect(try r.parse([0x30, 0x05, 0x31, 0x03, 0x02, 0x01, 0x07], what: "s").hasDefiniteLengths)
        // 30 80 02 01 07 00 00
        #expect(try !r.parse([0x30, 0x80, 0x02, 0x01, 0x07, 0x00, 0x00], what: "s").hasDefiniteLengths)
        // 30 07 31 80 02 01 07 00 00: definite outside, indefinite inside.
        #expect(try !r.parse([0x30, 0x07, 0x31, 0x80, 0x02, 0x01, 0x07, 0x00, 0x00], what: "s").hasDefiniteLengths)
        // BF 1F 03 02 01 07: high-tag-number form [31], definite.
        #expect(try r.parse([0xBF, 0x1F, 0x03, 0x02, 0x01, 0x07], what: "s").hasDefiniteLengths)
    }
}
