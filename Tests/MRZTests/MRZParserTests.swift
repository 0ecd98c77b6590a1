import EMRTDCore
import MRZ
import Testing

@Suite struct MRZParserTests {
    /// ICAO Doc 9303 Part 4, Appendix A: the TD3 specimen data page (Anna Maria Eriksson, Utopia).
    static let td3Specimen = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ]

    @Test func td3SpecimenFromPart4() throws {
        let mrz = try MRZ(Self.td3Specimen.joined(separator: "\n"))
        #expect(mrz.format == .td3)
        #expect(mrz.documentCode == "P")
        #expect(mrz.issuingState == "UTO")
        #expect(mrz.primaryIdentifier == "ERIKSSON")
        #expect(mrz.secondaryIdentifier == "ANNA MARIA")
        #expect(mrz.documentNumber == "L898902C3")
        #expect(mrz.nationality == "UTO")
        #expect(mrz.dateOfBirth == "740812")
        #expect(mrz.sex == .female)
        #expect(mrz.dateOfExpiry == "120415")
        #expect(mrz.optionalData1 == "ZE184226B")
        #expect(mrz.optionalData2 == "")
        #expect(mrz.lines == Self.td3Specimen)
        #expect(MRZKey(mrz: mrz).keySeedInput == "L898902C3674081221204159")
    }

    /// The TD1 MRZ of Part 11 App. D as used by dmrtd (composite digit corrected from 1 to 2, see the
    /// vector's note): the composite digit computed here must agree with that correction.
    @Test func td1FromAppendixD() throws {
        let v = try Vectors.appendixD()
        let text = try #require(v["mrz_full_td1_line_example_from_dmrtd"] as? String)
        #expect(text.count == 90)
        let mrz = try MRZ(text)
        #expect(mrz.format == .td1)
        #expect(mrz.documentCode == "I")
        #expect(mrz.issuingState == "UTO")
        #expect(mrz.documentNumber == "L898902C")
        #expect(mrz.optionalData1 == "")
        #expect(mrz.dateOfBirth == "690806")
        #expect(mrz.sex == .female)
        #expect(mrz.dateOfExpiry == "940623")
        #expect(mrz.nationality == "UTO")
        #expect(mrz.optionalData2 == "")
        #expect(mrz.primaryIdentifier == "ERIKSSON")
        #expect(mrz.secondaryIdentifier == "ANNA MARIA")
        #expect(mrz.lines == lines(text, 30))
        #expect(MRZKey(mrz: mrz).keySeedInput == v["mrz_information_ascii"] as? String)

        // The uncorrected printed digit (1) is rejected as a composite error.
        let printed = replacing(lines(text, 30), line: 1, index: 29, with: "1")
        let error = thrownError { () throws(EMRTDError) in try MRZ(printed) }
        #expect(error?.code == .mrzCheckDigit)
        #expect(error?.message == "MRZ check digit for the composite is 1, expected 2")
    }

    /// Part 5, 4.2.2 note j: a 12-character document number continues into the optional data.
    @Test func td1LongDocumentNumber() throws {
        let v = try #require(Vectors.appendixD()["additional_long_document_number_example"] as? [String: Any])
        let text = try #require(v["mrz_td1_lines"] as? String)
        let mrz = try MRZ(lines(text, 30).joined(separator: "\n"))
        #expect(mrz.format == .td1)
        #expect(mrz.documentNumber == "D23145890734")
        #expect(mrz.optionalData1 == "")
        #expect(mrz.dateOfBirth == "340712")
        #expect(mrz.sex == .male)
        #expect(mrz.dateOfExpiry == "950712")
        #expect(mrz.primaryIdentifier == "STEVENSON")
        #expect(mrz.secondaryIdentifier == "PETER JOHN")
        #expect(MRZKey(mrz: mrz).keySeedInput == v["mrz_information_ascii"] as? String)
        #expect(MRZKey(mrz: mrz).keySeedInput == "D23145890734934071279507122")
    }

    /// Part 6: the same long number in a TD2, given as one unbroken 72-character string.
    @Test func td2LongDocumentNumber() throws {
        let v = try #require(Vectors.appendixD()["additional_long_document_number_example"] as? [String: Any])
        let text = try #require(v["mrz_td2_line2_variant"] as? String)
        let mrz = try MRZ(text)
        #expect(mrz.format == .td2)
        #expect(mrz.documentCode == "I")
        #expect(mrz.documentNumber == "D23145890734")
        #expect(mrz.nationality == "UTO")
        #expect(mrz.primaryIdentifier == "STEVENSON")
        #expect(mrz.secondaryIdentifier == "PETER JOHN")
        #expect(mrz.optionalData1 == "")
        #expect(MRZKey(mrz: mrz).keySeedInput == v["mrz_information_ascii"] as? String)
    }

    @Test func longNumberLeavesTheRestOfTheOptionalData() throws {
        let mrz = try MRZBuilder.td1(
            documentCode: "I", issuingState: "UTO", documentNumber: "D23145890734", optionalData1: "XY12",
            dateOfBirth: "340712", sex: .male, dateOfExpiry: "950712", nationality: "UTO",
            primaryIdentifier: "Stevenson", secondaryIdentifier: "Peter John"
        )
        #expect(mrz.lines[0] == "I<UTOD23145890<7349<XY12<<<<<<")
        #expect(mrz.documentNumber == "D23145890734")
        #expect(mrz.optionalData1 == "XY12")
    }

    @Test func toleratesLineEndingsAndSurroundingWhitespace() throws {
        let reference = try MRZ(Self.td3Specimen.joined(separator: "\n"))
        let variants = [
            Self.td3Specimen.joined(separator: "\r\n"),
            "  \n\t" + Self.td3Specimen.joined(separator: "\r\n") + "\r\n\n  ",
            Self.td3Specimen.joined(),
            " " + Self.td3Specimen.joined(separator: "  \n   ") + "\n",
            Self.td3Specimen.joined(separator: "\r"),
        ]
        for text in variants {
            #expect(try MRZ(text) == reference)
        }
    }

    @Test func nameWithoutSecondaryIdentifier() throws {
        let mrz = try MRZ(
            """
            P<UTOERIKSSON<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<
            L898902C36UTO7408122F1204159ZE184226B<<<<<10
            """
        )
        #expect(mrz.primaryIdentifier == "ERIKSSON")
        #expect(mrz.secondaryIdentifier == "")
    }

    /// An unused personal number may carry `<` or `0` as its check digit (Part 4, 4.2.2).
    @Test func emptyPersonalNumberWithFillerOrZeroCheckDigit() throws {
        let withFiller = try MRZBuilder.td3(
            issuingState: "UTO", documentNumber: "L898902C3", dateOfBirth: "740812", sex: .female,
            dateOfExpiry: "120415", nationality: "UTO", primaryIdentifier: "Eriksson", secondaryIdentifier: "Anna Maria"
        )
        #expect(withFiller.lines[1].dropFirst(28).hasPrefix("<<<<<<<<<<<<<<<"))
        // '<' and '0' weigh the same, so the composite digit is unchanged.
        let withZero = replacing(withFiller.lines, line: 1, index: 42, with: "0")
        #expect(try MRZ(withZero).optionalData1 == "")
        let withOne = replacing(withFiller.lines, line: 1, index: 42, with: "1")
        #expect(thrownError { () throws(EMRTDError) in try MRZ(withOne) }?.message.contains("personal number") == true)
    }

    // MARK: - Every check digit is checked

    struct Sample: Sendable, CustomTestStringConvertible {
        let name: String
        let lines: [String]
        /// (line, index, field named in the error)
        let checkDigits: [(Int, Int, String)]
        var testDescription: String { name }
    }

    static let samples: [Sample] = [
        Sample(
            name: "TD3 Part 4 specimen", lines: td3Specimen,
            checkDigits: [
                (1, 9, "document number"), (1, 19, "date of birth"), (1, 27, "date of expiry"),
                (1, 42, "personal number"), (1, 43, "composite"),
            ]
        ),
        Sample(
            name: "TD1 App. D",
            lines: lines("I<UTOL898902C<3<<<<<<<<<<<<<<<6908061F9406236UTO<<<<<<<<<<<2ERIKSSON<<ANNA<MARIA<<<<<<<<<<", 30),
            checkDigits: [(0, 14, "document number"), (1, 6, "date of birth"), (1, 14, "date of expiry"), (1, 29, "composite")]
        ),
        Sample(
            name: "TD1 long number",
            lines: lines("I<UTOD23145890<7349<<<<<<<<<<<3407127M9507122UTO<<<<<<<<<<<2STEVENSON<<PETER<JOHN<<<<<<<<<", 30),
            checkDigits: [(0, 18, "document number"), (1, 6, "date of birth"), (1, 14, "date of expiry"), (1, 29, "composite")]
        ),
        Sample(
            name: "TD2 long number",
            lines: lines("I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<D23145890<UTO3407127M95071227349<<<8", 36),
            checkDigits: [(1, 31, "document number"), (1, 19, "date of birth"), (1, 27, "date of expiry"), (1, 35, "composite")]
        ),
        Sample(
            name: "TD2 built",
            lines: ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"],
            checkDigits: [(1, 9, "document number"), (1, 19, "date of birth"), (1, 27, "date of expiry"), (1, 35, "composite")]
        ),
        Sample(
            name: "CCCD",
            lines: ["IDVNM0890123456001089012345<<7", "8903152M2903150VNM<<<<<<<<<<<2", "NGUYEN<<VAN<DUC<<<<<<<<<<<<<<<"],
            checkDigits: [(0, 14, "document number"), (1, 6, "date of birth"), (1, 14, "date of expiry"), (1, 29, "composite")]
        ),
    ]

    @Test(arguments: samples)
    func everyCorruptedCheckDigitIsRejectedNamingItsField(sample: Sample) throws {
        _ = try MRZ(sample.lines.joined(separator: "\n"))  // the sample itself is valid
        for (line, index, field) in sample.checkDigits {
            let original = Array(sample.lines[line])[index]
            for c in Array("0123456789A<") where c != original {
                let text = replacing(sample.lines, line: line, index: index, with: c)
                let error = thrownError { () throws(EMRTDError) in try MRZ(text) }
                #expect(error?.code == .mrzCheckDigit, "\(field) \(c)")
                #expect(error?.message.contains("for the \(field) ") == true, "\(field) \(c): \(String(describing: error))")
            }
        }
    }

    @Test(arguments: samples)
    func everyChangedDigitIsCaught(sample: Sample) throws {
        // Every digit of these samples lies in a field covered by a check digit (directly or through the
        // composite), and changing one digit changes a weighted sum by 7, 3 or 1: never a multiple of 10.
        let checkPositions = Set(sample.checkDigits.map { "\($0.0):\($0.1)" })
        var undetected: [String] = []
        for (l, line) in sample.lines.enumerated() {
            for (i, c) in line.enumerated() where c.isASCII && c.isNumber && !checkPositions.contains("\(l):\(i)") {
                let swapped: Character = c == "9" ? "8" : Character(String(c.wholeNumberValue! + 1))
                let text = replacing(sample.lines, line: l, index: i, with: swapped)
                if thrownError({ () throws(EMRTDError) in try MRZ(text) }) == nil { undetected.append("\(l):\(i)") }
            }
        }
        #expect(undetected.isEmpty)
    }

    // MARK: - Malformed input never crashes

    @Test(arguments: [
        ("", EMRTDError.Code.mrzFormat),
        ("  \n \r\n\t", .mrzFormat),
        ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<", .mrzFormat),  // one line of 43
        ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<1", .mrzFormat),
        ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\nX", .mrzFormat),
        ("p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<\nl898902c36uto7408122f1204159ze184226b<<<<<10", .mrzCharacter),
        ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226b<<<<<10", .mrzCharacter),
        ("P<UTOÉRIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10", .mrzCharacter),
        ("P<UTOERIKSSON  ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10", .mrzCharacter),
        ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO74O8122F1204159ZE184226B<<<<<10", .mrzField),
        ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122Q1204159ZE184226B<<<<<10", .mrzField),
        ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10", .mrzFormat),
        // TD1 with '<' in the number's check digit position but nothing continuing it.
        ("I<UTOL898902C<<<<<<<<<<<<<<<<<\n6908061F9406236UTO<<<<<<<<<<<2\nERIKSSON<<ANNA<MARIA<<<<<<<<<<", .mrzCheckDigit),
    ])
    func malformedInputThrows(text: String, code: EMRTDError.Code) {
        let error = thrownError { () throws(EMRTDError) in try MRZ(text) }
        #expect(error?.code == code, "\(String(describing: error))")
        #expect(error?.message.isEmpty == false)
    }

    @Test func errorsNameThePosition() {
        let error = thrownError { () throws(EMRTDError) in
            try MRZ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE18422*B<<<<<10")
        }
        #expect(error?.message == "MRZ line 2 has an invalid character '*' at position 36 (only A–Z, 0–9 and '<' are allowed)")
        let dob = thrownError { () throws(EMRTDError) in
            try MRZ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408123F1204159ZE184226B<<<<<10")
        }
        #expect(dob?.message == "MRZ check digit for the date of birth is 3, expected 2")
    }

    @Test func everyPrefixAndHugeInputThrow() {
        let text = Self.td3Specimen.joined(separator: "\n")
        for n in 0..<text.count {
            #expect(thrownError { () throws(EMRTDError) in try MRZ(String(text.prefix(n))) } != nil, "prefix \(n)")
        }
        let huge = String(repeating: "<", count: 1_000_000)
        #expect(thrownError { () throws(EMRTDError) in try MRZ(huge) }?.code == .mrzFormat)
    }

    @Test func randomInputNeverCrashes() {
        var rng = SplitMix64(seed: 9303)
        let alphabet = Array("ABCIPDV0123456789<<<<<\n")
        for _ in 0..<5_000 {
            let length = [30 * 3 + 2, 36 * 2 + 1, 44 * 2 + 1, 90, 72, 88][Int(rng.next() % 6)]
            let text = String((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            _ = try? MRZ(text)
        }
    }
}

/// A small deterministic generator, so a failing random case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
