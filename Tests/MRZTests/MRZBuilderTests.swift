import EMRTDCore
import MRZ
import Testing

@Suite struct MRZBuilderTests {
    /// The builder reproduces published MRZs character for character.
    @Test func reproducesPublishedTD1() throws {
        let appD = try MRZBuilder.td1(
            documentCode: "I", issuingState: "UTO", documentNumber: "L898902C", dateOfBirth: "690806", sex: .female,
            dateOfExpiry: "940623", nationality: "UTO", primaryIdentifier: "Eriksson", secondaryIdentifier: "Anna Maria"
        )
        #expect(try appD.lines.joined() == Vectors.appendixD()["mrz_full_td1_line_example_from_dmrtd"] as? String)

        let long = try MRZBuilder.td1(
            documentCode: "I", issuingState: "UTO", documentNumber: "D23145890734", dateOfBirth: "340712",
            sex: .male, dateOfExpiry: "950712", nationality: "UTO", primaryIdentifier: "Stevenson",
            secondaryIdentifier: "Peter John"
        )
        #expect(long.lines.joined() == "I<UTOD23145890<7349<<<<<<<<<<<3407127M9507122UTO<<<<<<<<<<<2STEVENSON<<PETER<JOHN<<<<<<<<<")
    }

    @Test func reproducesPublishedTD2AndTD3() throws {
        let td2 = try MRZBuilder.td2(
            issuingState: "UTO", documentNumber: "D23145890734", dateOfBirth: "340712", sex: .male,
            dateOfExpiry: "950712", nationality: "UTO", primaryIdentifier: "Stevenson", secondaryIdentifier: "Peter John"
        )
        #expect(td2.lines.joined() == "I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<D23145890<UTO3407127M95071227349<<<8")
        #expect(td2.format == .td2)

        let td3 = try MRZBuilder.td3(
            issuingState: "UTO", documentNumber: "L898902C3", dateOfBirth: "740812", sex: .female,
            dateOfExpiry: "120415", nationality: "UTO", personalNumber: "ZE184226B",
            primaryIdentifier: "ERIKSSON", secondaryIdentifier: "ANNA MARIA"
        )
        #expect(td3.lines == MRZParserTests.td3Specimen)
    }

    /// A TD2 with a 9-character number; the expected lines were computed independently.
    @Test func constructedTD2() throws {
        let mrz = try MRZBuilder.td2(
            documentCode: "I", issuingState: "UTO", documentNumber: "D23145890", dateOfBirth: "740812", sex: .female,
            dateOfExpiry: "120415", nationality: "UTO", primaryIdentifier: "Eriksson", secondaryIdentifier: "Anna-Maria"
        )
        #expect(mrz.lines == ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"])
        let parsed = try MRZ(mrz.lines.joined(separator: "\n"))
        #expect(parsed == mrz)
        #expect(parsed.documentNumber == "D23145890")
        #expect(parsed.secondaryIdentifier == "ANNA MARIA")
        #expect(MRZKey(mrz: parsed).keySeedInput == "D23145890774081221204159")
    }

    /// A synthetic CCCD (the ID number is made up): shape per the CCCD reference, round trip through the parser.
    @Test func cccdRoundTrip() throws {
        let mrz = try MRZBuilder.cccd(
            personalID: "001089012345", dateOfBirth: "890315", sex: .male, dateOfExpiry: "290315",
            surname: "Nguyễn", givenNames: "Văn Đức"
        )
        #expect(
            mrz.lines == ["IDVNM0890123456001089012345<<7", "8903152M2903150VNM<<<<<<<<<<<2", "NGUYEN<<VAN<DUC<<<<<<<<<<<<<<<"]
        )
        let parsed = try MRZ(mrz.lines.joined(separator: "\r\n"))
        #expect(parsed == mrz)
        #expect(parsed.documentCode == "ID")
        #expect(parsed.issuingState == "VNM")
        #expect(parsed.nationality == "VNM")
        #expect(parsed.documentNumber == "089012345")
        #expect(parsed.optionalData1 == "001089012345<<7")
        #expect(parsed.primaryIdentifier == "NGUYEN")
        #expect(parsed.secondaryIdentifier == "VAN DUC")
        #expect(try CCCD.personalID(from: parsed) == "001089012345")
        // The key uses the 9-digit document number, never the 12-digit ID.
        #expect(MRZKey(mrz: parsed).keySeedInput == "089012345689031522903150")
        #expect(try CCCD.mrzKey(personalID: "001089012345", dateOfBirth: "890315", dateOfExpiry: "290315").keySeedInput
            == MRZKey(mrz: parsed).keySeedInput)
    }

    @Test func cccdWithoutExpiryAndLongName() throws {
        let mrz = try MRZBuilder.cccd(
            personalID: "079195000123", dateOfBirth: "950704", sex: .female, dateOfExpiry: "991231",
            surname: "Trần", givenNames: "Thị Ngọc Ánh"
        )
        #expect(mrz.lines == ["IDVNM1950001235079195000123<<5", "9507041F9912315VNM<<<<<<<<<<<8", "TRAN<<THI<NGOC<ANH<<<<<<<<<<<<"])
        #expect(mrz.sex == .female)

        let long = try MRZBuilder.cccd(
            personalID: "079195000123", dateOfBirth: "950704", sex: .female, dateOfExpiry: "991231",
            surname: "Tôn Nữ", givenNames: "Hoàng Thị Phương Khánh Quỳnh"
        )
        #expect(long.lines[2] == "TON<NU<<HOANG<THI<PHUONG<KHANH")
        #expect(long.lines[2].count == 30)
    }

    @Test func cccdPersonalIDCheckDigitIsVerified() throws {
        let mrz = try MRZBuilder.cccd(
            personalID: "001089012345", dateOfBirth: "890315", sex: .male, dateOfExpiry: "290315",
            surname: "Nguyen", givenNames: "Van Duc"
        )
        // A TD1 whose optional data holds a different ID than the document number's.
        let other = try MRZBuilder.td1(
            issuingState: "VNM", documentNumber: "089012345", optionalData1: "001089012346<<" + "8",
            dateOfBirth: "890315", sex: .male, dateOfExpiry: "290315", nationality: "VNM",
            primaryIdentifier: "Nguyen", secondaryIdentifier: "Van Duc"
        )
        #expect(thrownError { () throws(EMRTDError) in try CCCD.personalID(from: other) } != nil)
        let badDigit = try MRZBuilder.td1(
            issuingState: "VNM", documentNumber: "089012345", optionalData1: "001089012345<<" + "1",
            dateOfBirth: "890315", sex: .male, dateOfExpiry: "290315", nationality: "VNM",
            primaryIdentifier: "Nguyen", secondaryIdentifier: "Van Duc"
        )
        let error = thrownError { () throws(EMRTDError) in try CCCD.personalID(from: badDigit) }
        #expect(error?.message == "MRZ check digit for the personal ID number is 1, expected 7")
        #expect(try CCCD.personalID(from: mrz) == "001089012345")
        #expect(thrownError { () throws(EMRTDError) in try CCCD.personalID(from: MRZ(MRZParserTests.td3Specimen.joined())) } != nil)
    }

    @Test func rejectsBadFields() {
        func td1(
            code: String = "ID", state: String = "VNM", number: String = "089012345", optional1: String = "",
            birth: String = "890315", expiry: String = "290315", nationality: String = "VNM", optional2: String = "",
            primary: String = "Nguyen", secondary: String = "Van"
        ) -> EMRTDError? {
            thrownError { () throws(EMRTDError) in
                try MRZBuilder.td1(
                    documentCode: code, issuingState: state, documentNumber: number, optionalData1: optional1,
                    dateOfBirth: birth, sex: .male, dateOfExpiry: expiry, nationality: nationality,
                    optionalData2: optional2, primaryIdentifier: primary, secondaryIdentifier: secondary
                )
            }
        }
        #expect(td1() == nil)
        #expect(td1(state: "VNMX")?.message.contains("issuing state") == true)
        #expect(td1(state: "vnm")?.code == .mrzCharacter)
        #expect(td1(number: "")?.message.contains("document number") == true)
        #expect(td1(number: "089-012345")?.code == .mrzCharacter)
        #expect(td1(number: String(repeating: "1", count: 24))?.message.contains("optional data") == true)
        #expect(td1(optional1: String(repeating: "1", count: 16))?.message.contains("optional data") == true)
        #expect(td1(birth: "891315")?.message.contains("date of birth") == true)
        #expect(td1(expiry: "2903")?.message.contains("date of expiry") == true)
        #expect(td1(optional2: String(repeating: "A", count: 12))?.message.contains("optional data 2") == true)
        #expect(td1(primary: "")?.message.contains("primary identifier") == true)
        #expect(td1(primary: "王")?.code == .mrzCharacter)
        #expect(td1(secondary: "R2D2")?.code == .mrzCharacter)
        #expect(thrownError { () throws(EMRTDError) in
            try MRZBuilder.cccd(
                personalID: "00108901234", dateOfBirth: "890315", sex: .male, dateOfExpiry: "290315",
                surname: "Nguyen", givenNames: "Van"
            )
        }?.message.contains("12 digits") == true)
    }

    @Test func transliteration() throws {
        #expect(try Transliteration.mrzName("Nguyễn Thị Ánh Đào") == "NGUYEN<THI<ANH<DAO")
        // Decomposed input (NFD) gives the same result.
        #expect(try Transliteration.mrzName("Nguye\u{0302}\u{0303}n  đa\u{0300}o ") == "NGUYEN<DAO")
        #expect(try Transliteration.mrzName("Ưng Ơn Ỷ Ỳ Ạ") == "UNG<ON<Y<Y<A")
        #expect(try Transliteration.mrzName("O'Brien-Smith") == "OBRIEN<SMITH")
        #expect(try Transliteration.mrzName("Strauß Æsir Þór") == "STRAUSS<AESIR<THOR")
        #expect(try Transliteration.mrzName("") == "")
        #expect(thrownError { () throws(EMRTDError) in try Transliteration.mrzName("Иван") }?.code == .mrzCharacter)
        #expect(thrownError { () throws(EMRTDError) in try Transliteration.mrzName("A1") }?.code == .mrzCharacter)
    }
}
