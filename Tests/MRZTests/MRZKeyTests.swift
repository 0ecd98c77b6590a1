import EMRTDCore
import MRZ
import Testing

@Suite struct MRZKeyTests {
    /// ICAO Doc 9303 Part 11, Appendix D.2.
    @Test func appendixDKeySeedInput() throws {
        let v = try Vectors.appendixD()
        let mrz = try #require(v["mrz"] as? [String: String])
        let key = try MRZKey(
            documentNumber: #require(mrz["document_number"]), dateOfBirth: #require(mrz["date_of_birth"]),
            dateOfExpiry: #require(mrz["date_of_expiry"])
        )
        #expect(key.keySeedInput == v["mrz_information_ascii"] as? String)
        #expect(key.keySeedInput == "L898902C<369080619406236")
        #expect(key.documentNumber == "L898902C")
    }

    @Test func longDocumentNumber() throws {
        let key = try MRZKey(documentNumber: "D23145890734", dateOfBirth: "340712", dateOfExpiry: "950712")
        #expect(key.keySeedInput == "D23145890734934071279507122")
    }

    @Test func typedInputIsNormalized() throws {
        let key = try MRZKey(documentNumber: "l898902c", dateOfBirth: "690806", dateOfExpiry: "940623")
        #expect(key.keySeedInput == "L898902C<369080619406236")
    }

    @Test(arguments: [
        ("L898902C", "691306", "940623", "date of birth"),
        ("L898902C", "690230", "940623", "date of birth"),
        ("L898902C", "690800", "940623", "date of birth"),
        ("L898902C", "69080", "940623", "date of birth"),
        ("L898902C", "69O806", "940623", "date of birth"),
        ("L898902C", "690806", "9406231", "date of expiry"),
        ("L898902C", "690806", "", "date of expiry"),
        ("", "690806", "940623", "document number"),
        ("<<<", "690806", "940623", "document number"),
        ("L898 902C", "690806", "940623", "document number"),
        ("L898902Ç", "690806", "940623", "document number"),
        (String(repeating: "9", count: 24), "690806", "940623", "document number"),
    ])
    func rejectsInvalidInput(number: String, birth: String, expiry: String, field: String) {
        let error = thrownError { () throws(EMRTDError) in
            try MRZKey(documentNumber: number, dateOfBirth: birth, dateOfExpiry: expiry)
        }
        #expect(error?.message.contains(field) == true, "\(String(describing: error))")
    }

    @Test func descriptionIsRedacted() throws {
        let key = try MRZKey(documentNumber: "L898902C", dateOfBirth: "690806", dateOfExpiry: "940623")
        #expect(key.description == "MRZKey(<redacted>)")
        #expect(key.debugDescription == "MRZKey(<redacted>)")
        for text in ["\(key)", String(describing: key), String(reflecting: key)] {
            #expect(!text.contains("L898902C") && !text.contains("690806") && !text.contains("940623"))
        }
    }
}

@Suite struct CCCDHelperTests {
    @Test func numbersFromPersonalID() throws {
        #expect(try CCCD.documentNumber(fromPersonalID: "001089012345") == "089012345")
        #expect(try CCCD.can(fromPersonalID: "001089012345") == "012345")
        try CCCD.validatePersonalID("079195000123")
    }

    @Test(arguments: ["", "00108901234", "0010890123456", "00108901234A", "００1089012345", "001 89012345"])
    func rejectsMalformedPersonalID(id: String) {
        #expect(thrownError { () throws(EMRTDError) in try CCCD.validatePersonalID(id) }?.code == .mrzField)
        #expect(thrownError { () throws(EMRTDError) in try CCCD.documentNumber(fromPersonalID: id) } != nil)
        #expect(thrownError { () throws(EMRTDError) in try CCCD.can(fromPersonalID: id) } != nil)
    }
}
