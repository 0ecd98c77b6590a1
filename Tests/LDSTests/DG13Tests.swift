import EMRTDCore
import ISO7816
import LDS
import Testing

@Suite struct DG13Tests {
    static func synthetic() throws -> [UInt8] { try Vectors.hexFile("dg13-synthetic.hex") }

    static let record = DG13.Record(
        personalIDNumber: "001090012345", fullName: "Nguyễn Văn A", dateOfBirth: "15/01/1990", sex: "Nam",
        nationality: "Việt Nam", ethnicity: "Kinh", religion: "Không", placeOfOrigin: "Xã A, Huyện B, Tỉnh C",
        placeOfResidence: "Số 1, Đường D, Phường E, Quận F, Thành phố G",
        identifyingMarks: "Nốt ruồi C:1cm dưới sau mép trái", dateOfIssue: "01/01/2021", dateOfExpiry: "15/01/2030",
        fatherName: "Nguyễn Văn B", motherName: "Trần Thị C", spouseName: nil, oldIDNumber: "123456789",
        field16: "0123456789ABCDEF")

    @Test func syntheticDecodes() throws {
        let bytes = try Self.synthetic()
        #expect(bytes.count == 398)
        let dg13 = try DG13(bytes)
        #expect(dg13.version == 1)
        #expect(dg13.oid == DG13.contentOID)
        #expect(dg13.oid.description == "1.0.10646.1.0.8")
        #expect(dg13.raw == bytes)
        #expect(dg13.fields.map(\.index) == Array(1...16))
        #expect(dg13.personalIDNumber == "001090012345")
        #expect(dg13.fullName == "Nguyễn Văn A")
        #expect(dg13.dateOfBirth == "15/01/1990")
        #expect(dg13.sex == "Nam")
        #expect(dg13.nationality == "Việt Nam")
        #expect(dg13.ethnicity == "Kinh")
        #expect(dg13.religion == "Không")
        #expect(dg13.placeOfOrigin == "Xã A, Huyện B, Tỉnh C")
        #expect(dg13.placeOfResidence == "Số 1, Đường D, Phường E, Quận F, Thành phố G")
        #expect(dg13.identifyingMarks == "Nốt ruồi C:1cm dưới sau mép trái")
        #expect(dg13.dateOfIssue == "01/01/2021")
        #expect(dg13.dateOfExpiry == "15/01/2030")
        #expect(dg13.fatherName == "Nguyễn Văn B")
        #expect(dg13.motherName == "Trần Thị C")
        #expect(dg13.field(13)?.values == ["Nguyễn Văn B", "Trần Thị C"])
        #expect(dg13.spouseName == nil)
        #expect(dg13.field(14)?.values == [])
        #expect(dg13.field(14)?.raw == h("300302010E"))
        #expect(dg13.oldIDNumber == "123456789")
        #expect(dg13.field16 == "0123456789ABCDEF")
        #expect(dg13.record == Self.record)
    }

    @Test func syntheticReencodesByteExact() throws {
        let bytes = try Self.synthetic()
        #expect(DG13(record: Self.record).raw == bytes)
        #expect(DG13.encode(fields: try DG13(bytes).fields) == bytes)
        #expect(DG13(record: try DG13(bytes).record).raw == bytes)
        #expect(try DG13(DG13(record: Self.record).raw) == DG13(bytes))
    }

    @Test func fieldRawBytesAreKept() throws {
        let dg13 = try DG13(Self.synthetic())
        #expect(dg13.field(1)?.raw == h("3011020101130C303031303930303132333435"))
        #expect(dg13.field(4)?.raw == h("30080201040C034E616D"))
        #expect(DG13.Field(index: 4, values: ["Nam"]).raw == h("30080201040C034E616D"))
        // PrintableString falls back to UTF8String when the text needs it.
        #expect(DG13.Field(index: 1, values: ["Nữ"], type: .printable).raw.dropFirst(5).first == 0x0C)
        #expect(DG13.Field(index: 1, values: ["A_B"], type: .printable).raw.dropFirst(5).first == 0x0C)
        #expect(DG13.Field(index: 1, values: ["A_B"], type: .ia5).raw.dropFirst(5).first == 0x16)
    }

    @Test func longAddressUsesLongFormLengths() throws {
        var r = Self.record
        r.placeOfResidence = String(repeating: "Thôn Đông, ", count: 20) + "Hà Nội"
        #expect(r.placeOfResidence.utf8.count > 255)
        let dg13 = DG13(record: r)
        let field9 = try #require(dg13.field(9))
        #expect(field9.raw[1] == 0x82)  // 30 82 xx xx
        let parsed = try DG13(dg13.raw)
        #expect(parsed.placeOfResidence == r.placeOfResidence)
        #expect(parsed.fullName == "Nguyễn Văn A")
        #expect(parsed.raw == dg13.raw)

        r.placeOfResidence = String(repeating: "x", count: 130)
        let mid = DG13(record: r)
        #expect(mid.field(9)?.raw.prefix(2) == [0x30, 0x81])
        #expect(try DG13(mid.raw).placeOfResidence?.count == 130)
    }

    @Test func nonMinimalBERLengthsAccepted() throws {
        // Non-minimal 81/82-form lengths at every level.
        let field = h("3082000A" + "020104" + "0C8200034E616D")
        let full = h("6D811F" + "30811C" + "020101" + "060628D316010008" + "31810E") + field
        let dg13 = try DG13(full)
        #expect(dg13.sex == "Nam")
        #expect(dg13.raw == full)
        #expect(dg13.field(4)?.raw == field)
    }

    @Test func field15Absent() throws {
        var r = Self.record
        r.oldIDNumber = nil
        let dg13 = try DG13(DG13(record: r).raw)
        #expect(dg13.oldIDNumber == nil)
        #expect(dg13.field(15) == nil)
        #expect(dg13.field16 == "0123456789ABCDEF")
        #expect(dg13.fields.map(\.index) == Array(1...14) + [16])
        #expect(dg13.record == r)
    }

    @Test func spousePresent() throws {
        var r = Self.record
        r.spouseName = "Lê Thị D"
        let dg13 = try DG13(DG13(record: r).raw)
        #expect(dg13.spouseName == "Lê Thị D")
        #expect(dg13.motherName == "Trần Thị C")
    }

    @Test func stringTypes() throws {
        // PrintableString, UTF8String, IA5String all decode; unknown field 17 with an INTEGER is kept.
        let fields = [
            DG13.Field(index: 1, values: ["001090012345"], type: .printable),
            DG13.Field(index: 2, values: ["Nguyễn Văn A"], type: .utf8),
            DG13.Field(index: 3, values: ["15/01/1990"], type: .ia5),
        ]
        let unknown = h("3006020111020105")
        let withUnknown = try rebuild(DG13.encode(fields: fields), set: fields.flatMap(\.raw) + unknown)
        let dg13 = try DG13(withUnknown)
        #expect(dg13.personalIDNumber == "001090012345")
        #expect(dg13.fullName == "Nguyễn Văn A")
        #expect(dg13.dateOfBirth == "15/01/1990")
        #expect(dg13.field(17)?.raw == unknown)
        #expect(dg13.field(17)?.values == [])
        #expect(DG13.encode(fields: dg13.fields) == withUnknown)
    }

    /// Replaces the SET of DG13 `bytes` by `set`.
    func rebuild(_ bytes: [UInt8], set: [UInt8]) throws -> [UInt8] {
        let outer = try BERTLV.parse(bytes)
        let seq = try #require(try outer.children().first)
        let parts = try seq.children()
        let newSeq = TLV(tag: 0x30, children: [parts[0], parts[1], TLV(tag: 0x31, value: set)])
        return TLV(tag: 0x6D, children: [newSeq]).raw
    }

    @Test func unexpectedLayouts() throws {
        let good = DG13.encode(fields: [DG13.Field(index: 1, values: ["1"])])
        // Integer where a string is expected in a known field.
        #expect(code { try DG13(rebuild(good, set: h("3006020102020105"))) } == .dg13UnexpectedLayout)
        // A field that is not a SEQUENCE.
        #expect(code { try DG13(rebuild(good, set: h("0C0141"))) } == .dg13UnexpectedLayout)
        // A field without its number.
        #expect(code { try DG13(rebuild(good, set: h("30030C0141"))) } == .dg13UnexpectedLayout)
        #expect(code { try DG13(rebuild(good, set: h("3000"))) } == .dg13UnexpectedLayout)
        // Field number 0 or negative.
        #expect(code { try DG13(rebuild(good, set: h("3006020100" + "0C0141"))) } == .dg13UnexpectedLayout)
        #expect(code { try DG13(rebuild(good, set: h("30060201FF" + "0C0141"))) } == .dg13UnexpectedLayout)
        // Invalid UTF-8.
        #expect(code { try DG13(rebuild(good, set: h("30060201020C01FF"))) } == .dg13UnexpectedLayout)
        // Wrong outer structure.
        #expect(code { try DG13(h("6D00")) } == .dg13UnexpectedLayout)
        #expect(code { try DG13(h("6D0431020101")) } == .dg13UnexpectedLayout)
        #expect(code { try DG13(h("6D0530030201010000")) } == .tlvTrailingData)
        #expect(code { try DG13(h("6D053003020101")) } == .dg13UnexpectedLayout)
        #expect(code { try DG13(h("6B00")) } == .ldsUnexpectedTag)
        // Extra element after the SET.
        var seqParts = try BERTLV.parse(good).children()[0].children()
        seqParts.append(TLV(tag: 0x05, value: []))
        let extra = TLV(tag: 0x6D, children: [TLV(tag: 0x30, children: seqParts)]).raw
        #expect(code { try DG13(extra) } == .dg13UnexpectedLayout)
        // SEQUENCEs nested too deep inside a field.
        let deep = h("300F02010D" + "300A" + "3008" + "3006" + "3004" + "0C024142")
        #expect(code { try DG13(rebuild(good, set: deep)) } == .dg13UnexpectedLayout)
    }

    @Test func everyTruncationThrows() throws {
        let bytes = try Self.synthetic()
        for n in 0..<bytes.count {
            #expect(code { try DG13(Array(bytes.prefix(n))) } != nil, "prefix \(n)")
        }
    }

    @Test func everySingleByteCorruptionIsHandled() throws {
        // Not a crash, whatever the outcome: flip each byte in turn.
        let bytes = try Self.synthetic()
        var failures = 0
        for i in bytes.indices {
            var b = bytes
            b[i] ^= 0xFF
            if (try? DG13(b)) == nil { failures += 1 }
        }
        #expect(failures > 0)
    }

    @Test func sixteenMegabyteClaim() {
        #expect(code { try DG13(h("6D8401000000300302")) } == .tlvTruncated)
        #expect(code { try DG13(h("6D0730840100000002")) } == .tlvTruncated)
    }
}
