import EMRTDCore
import ISO7816
import LDS
import MRZ
import Testing

@Suite struct LDSFileTests {
    @Test func identities() {
        #expect(LDSFile.com.fileID == 0x011E && LDSFile.com.shortFileID == 0x1E && LDSFile.com.tag == 0x60)
        #expect(LDSFile.sod.fileID == 0x011D && LDSFile.sod.shortFileID == 0x1D && LDSFile.sod.tag == 0x77)
        #expect(LDSFile.cardAccess.fileID == 0x011C && LDSFile.cardAccess.shortFileID == 0x1C)
        #expect(LDSFile.cardAccess.tag == nil && LDSFile.cardAccess.isInMasterFile)
        #expect(LDSFile.cardSecurity.fileID == 0x011D && LDSFile.cardSecurity.isInMasterFile)
        #expect(LDSFile.cardSecurity != LDSFile.sod)  // same FID, different directory
        #expect(LDSFile.atrInfo.fileID == 0x2F01 && LDSFile.atrInfo.shortFileID == 0x01)
        #expect(LDSFile.dg13.fileID == 0x010D && LDSFile.dg13.shortFileID == 0x0D && LDSFile.dg13.tag == 0x6D)
        #expect(!LDSFile.dg1.isInMasterFile && LDSFile.dg1.dataGroupNumber == 1)
    }

    @Test func dataGroupTable() {
        let tags: [UInt32] = [0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70]
        for n in 1...16 {
            let dg = LDSFile.dataGroup(n)
            #expect(dg?.name == "DG\(n)")
            #expect(dg?.fileID == 0x0100 + UInt16(n))
            #expect(dg?.shortFileID == UInt8(n))
            #expect(dg?.tag == TLVTag(tags[n - 1]))
            #expect(LDSFile(tag: TLVTag(tags[n - 1])) == dg)
        }
        #expect(LDSFile.dataGroup(0) == nil && LDSFile.dataGroup(17) == nil)
    }

    @Test func names() {
        #expect(LDSFile.all.count == 21)
        #expect(Set(LDSFile.all.map(\.name)).count == 21)
        for file in LDSFile.all { #expect(LDSFile(name: file.name) == file) }
        #expect(LDSFile(name: "EF.CardAccess") == .cardAccess)
        #expect(LDSFile(name: "EF.ATR/INFO") == .atrInfo)
        #expect(LDSFile(name: "dg1") == nil)
        #expect(LDSFile(name: "DG17") == nil)
        #expect(LDSFile(name: "card.json") == nil)
    }
}

@Suite struct EFCOMTests {
    @Test func bsi2008Sample() throws {
        let bytes = try Vectors.bytes("bsi2008_EF_COM.bin")
        let com = try EFCOM(bytes)
        #expect(com.ldsVersion == "0107")
        #expect(com.ldsVersionString == "1.7")
        #expect(com.unicodeVersion == "040000")
        #expect(com.dataGroups.map(\.name) == ["DG1", "DG2", "DG3", "DG14"])
        #expect(com.raw == bytes)
        // Re-encoding gives the same bytes.
        #expect(EFCOM(ldsVersion: "0107", unicodeVersion: "040000", dataGroups: com.dataGroups).raw == bytes)
    }

    @Test func tr03105Sample() throws {
        let com = try EFCOM(Vectors.bytes("bsi_tr03105_EF_COM.bin"))
        #expect(com.dataGroups.map(\.name) == ["DG1", "DG2", "DG3", "DG4", "DG14"])
    }

    @Test func cccdList() throws {
        let com = EFCOM(dataGroups: [.dg1, .dg2, .dg3, .dg13, .dg14, .dg15])
        #expect(com.raw.count == 26)
        let parsed = try EFCOM(com.raw)
        #expect(parsed.dataGroupTags == [0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F])
        #expect(parsed == com)
    }

    @Test func unknownTagKept() throws {
        let com = try EFCOM(h("60145F0104303130375F3606303430303030" + "5C026171"))
        #expect(com.dataGroupTags == [0x61, 0x71])
        #expect(com.dataGroups == [.dg1])
    }

    @Test func errors() {
        #expect(code { try EFCOM(h("6100")) } == .ldsUnexpectedTag)
        #expect(code { try EFCOM(h("60095F3606303430303030")) } == .ldsMissingField)
        #expect(code { try EFCOM(h("60065F0104303130")) } == .tlvTruncated)
        #expect(code { try EFCOM(h("60165F0104303130375F36063034303030305C046175636E00")) } == .tlvTrailingData)
    }
}

@Suite struct DG1Tests {
    @Test func td3Samples() throws {
        for name in ["bsi2008_Datagroup1.bin", "etsi103200_DG1.bin", "bsi_tr03105_Datagroup1.bin"] {
            let bytes = try Vectors.bytes(name)
            let dg1 = try DG1(bytes)
            #expect(dg1.mrz.format == .td3)
            #expect(dg1.mrz.primaryIdentifier == "MUSTERMANN")
            #expect(dg1.mrz.secondaryIdentifier == "ERIKA")
            #expect(dg1.mrz.issuingState == "D")
            #expect(dg1.mrz.documentNumber == "C11T002JM")
            #expect(dg1.raw == bytes)
            #expect(DG1(mrz: dg1.mrz).raw == bytes, "\(name) re-encodes")
        }
    }

    static let cccdLines = [
        "IDVNM0900123450001090012345<<1",
        "9001158M3001156VNM<<<<<<<<<<<8",
        "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<",
    ]

    @Test func td1CCCD() throws {
        let mrz = try MRZ(Self.cccdLines.joined(separator: "\n"))
        let dg1 = DG1(mrz: mrz)
        #expect(dg1.raw.count == 95)  // as on CCCD cards: 61 5D 5F1F 5A + 90
        #expect(Array(dg1.raw.prefix(5)) == h("615D5F1F5A"))
        let parsed = try DG1(dg1.raw)
        let built = try MRZBuilder.cccd(
            personalID: "001090012345", dateOfBirth: "900115", sex: .male, dateOfExpiry: "300115",
            surname: "Nguyễn", givenNames: "Văn A")
        #expect(built.lines == Self.cccdLines)
        #expect(parsed.mrz.format == .td1)
        #expect(parsed.mrz.lines == Self.cccdLines)
        #expect(parsed.mrz == mrz)
    }

    @Test func td2() throws {
        let lines = ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"]
        let dg1 = DG1(mrz: try MRZ(lines.joined(separator: "\n")))
        #expect(try DG1(dg1.raw).mrz.lines == lines)
    }

    @Test func errors() throws {
        #expect(code { try DG1(h("61055F1F024142")) } == .ldsInvalidValue)
        #expect(code { try DG1(h("61035F0E00")) } == .ldsMissingField)
        #expect(code { try DG1(h("6B00")) } == .ldsUnexpectedTag)
        // A changed check digit is the MRZ parser's error.
        var bytes = try Vectors.bytes("bsi2008_Datagroup1.bin")
        bytes[bytes.count - 1] = UInt8(ascii: "0")
        #expect(code { try DG1(bytes) }?.domain == "mrz")
        bytes[20] = 0xC3
        #expect(code { try DG1(bytes) } == .ldsInvalidValue)
    }
}

@Suite struct DetailFieldTests {
    @Test func dg11ParsesAndRoundTrips() throws {
        let dg11 = try DG11(fields: [
            (0x5F0E, "NGUYEN<<VAN<A"), (0x5F0F, "NGUYEN VAN AN"), (0x5F0F, "NGUYEN A"), (0x5F10, "001090012345"),
            (0x5F2B, "19900115"), (0x5F11, "Hà Nội"), (0x5F42, "Số 1, Đường D"), (0x5F12, "+84 24 0000 0000"),
            (0x5F13, "Kỹ sư"), (0x5F14, "Ông"), (0x5F15, "summary"), (0x5F18, "none"),
        ])
        let parsed = try DG11(dg11.raw)
        #expect(parsed == dg11)
        #expect(parsed.tagList == [0x5F0E, 0x5F0F, 0x5F10, 0x5F2B, 0x5F11, 0x5F42, 0x5F12, 0x5F13, 0x5F14, 0x5F15, 0x5F18])
        #expect(parsed.fullName == "NGUYEN<<VAN<A")
        #expect(parsed.otherNames == ["NGUYEN VAN AN", "NGUYEN A"])
        #expect(parsed.personalNumber == "001090012345")
        #expect(parsed.fullDateOfBirth == "19900115")
        #expect(parsed.placeOfBirth == "Hà Nội")
        #expect(parsed.address == "Số 1, Đường D")
        #expect(parsed.telephone == "+84 24 0000 0000")
        #expect(parsed.profession == "Kỹ sư")
        #expect(parsed.title == "Ông")
        #expect(parsed.personalSummary == "summary")
        #expect(parsed.custodyInformation == "none")
        #expect(parsed.fields.first?.name == "full name")
        #expect(parsed.fields.contains { $0.name == "address" && $0.tag == 0x5F42 })
        // The A0 template holds a count of 2.
        #expect(try BERTLV.parse(dg11.raw).child(0xA0)?.child(0x02)?.value == [2])
    }

    @Test func dg11Doc9303Example() throws {
        // Doc 9303-10 style: tag list, name, BCD date of birth, unknown tag 5F6F.
        let bytes = h("6B1E" + "5C045F0E5F2B" + "5F0E0A534D4954483C3C4A4F45" + "5F2B0419750801" + "5F6F0101")
        let dg11 = try DG11(bytes)
        #expect(dg11.fullName == "SMITH<<JOE")
        #expect(dg11.fullDateOfBirth == "19750801")
        #expect(dg11.fields.last?.name == "tag 5F6F")
        #expect(dg11.raw == bytes)
    }

    @Test func dg12() throws {
        let dg12 = try DG12(fields: [
            (0x5F19, "Cục Cảnh sát QLHC về TTXH"), (0x5F26, "20210101"), (0x5F1A, "CHILD<<ONE"),
            (0x5F1B, "endorsement"), (0x5F1C, "tax"), (0x5F55, "20210101120000"), (0x5F56, "SN-0001"),
        ])
        let parsed = try DG12(dg12.raw)
        #expect(parsed.issuingAuthority == "Cục Cảnh sát QLHC về TTXH")
        #expect(parsed.dateOfIssue == "20210101")
        #expect(parsed.otherPersons == ["CHILD<<ONE"])
        #expect(parsed.endorsements == "endorsement")
        #expect(parsed.taxOrExitRequirements == "tax")
        #expect(parsed.personalizationTime == "20210101120000")
        #expect(parsed.personalizationDeviceSerial == "SN-0001")
        #expect(parsed.raw.first == 0x6C)
        // Images are binary: kept, no text.
        let image = try DG12(h("6C0B5C025F1D5F1D04FFD8FFE0"))
        #expect(image.fields.first?.text == nil)
        #expect(image.fields.first?.value == h("FFD8FFE0"))
    }

    @Test func errors() {
        #expect(code { try DG11(h("6B055F0E024142")) } == .ldsMissingField)
        #expect(code { try DG11(h("6C00")) } == .ldsUnexpectedTag)
        #expect(code { try DG12(h("6C055C025F19")) } == .tlvTruncated)
        #expect(code { try DG11(fields: [(0x5C, "x")]) } == .invalidArgument)
        #expect(code { try DG12(fields: [(0x7F61, "x")]) } == .invalidArgument)
    }
}
