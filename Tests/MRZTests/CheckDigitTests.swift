import EMRTDCore
import MRZ
import Testing

/// ICAO Doc 9303 Part 3, 4.9, with the values of Part 11 Appendix D.2.
@Suite struct CheckDigitTests {
    @Test(arguments: [
        ("L898902C<", "3"),  // App. D.2 document number
        ("690806", "1"),  // App. D.2 date of birth
        ("940623", "6"),  // App. D.2 date of expiry
        ("D23145890734", "9"),  // App. D.2 long document number (Part 5 note j)
        ("520727", "3"),  // Part 3, 4.9 worked example
        ("AB2134<<<", "5"),  // Part 3, 4.9 worked example
        ("", "0"),
        ("<<<<<<<<<", "0"),
        ("Z", "5"),  // 35 x 7 = 245
    ])
    func knownValues(field: String, digit: Character) throws {
        #expect(try CheckDigit.compute(field) == digit)
    }

    @Test func weightsRepeatSevenThreeOne() throws {
        // A single 1 in each position is weighted 7, 3, 1, 7, …
        let digits = try (0..<6).map { i in
            try CheckDigit.compute(String(repeating: "0", count: i) + "1")
        }
        #expect(digits == ["7", "3", "1", "7", "3", "1"])
    }

    @Test(arguments: ["l898902c<", "6908 06", "L898902C-", "ÉRIK", "\u{0}", "12\n3"])
    func rejectsCharactersOutsideTheMRZSet(field: String) {
        let error = thrownError { () throws(EMRTDError) in try CheckDigit.compute(field) }
        #expect(error?.code == .mrzCharacter)
    }
}
