public import EMRTDCore

extension EMRTDError.Code {
    /// A check digit in the MRZ does not match its field (ICAO Doc 9303 Part 3, 4.9).
    public static let mrzCheckDigit = Self("mrz.check-digit")
    /// The MRZ does not have the line count and line lengths of TD1, TD2 or TD3.
    public static let mrzFormat = Self("mrz.format")
    /// A character outside the MRZ character set (A–Z, 0–9, `<`).
    public static let mrzCharacter = Self("mrz.character")
    /// A field has the right characters but an impossible value (a month 13, a sex `Q`, a missing number).
    public static let mrzField = Self("mrz.field")
}
