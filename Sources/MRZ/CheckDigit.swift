public import EMRTDCore

/// The MRZ check digit of ICAO Doc 9303 Part 3, section 4.9.
///
/// Each character gets a value (`0`–`9` are 0–9, `A`–`Z` are 10–35, the filler `<` is 0), the values are
/// multiplied by the repeating weights 7, 3, 1, and the check digit is the sum modulo 10.
public enum CheckDigit {
    /// The check digit of `field`, as the character `"0"`…`"9"`.
    ///
    /// Throws ``EMRTDError/Code/mrzCharacter`` for any character outside A–Z, 0–9 and `<`
    /// (lowercase included: the MRZ has no lowercase, and silently folding it would hide a typo).
    public static func compute(_ field: String) throws(EMRTDError) -> Character {
        var sum = 0
        var index = 0
        for scalar in field.unicodeScalars {
            guard scalar.isASCII, let v = value(UInt8(scalar.value)) else {
                throw EMRTDError(
                    .mrzCharacter,
                    "character '\(scalar.escaped(asASCII: false))' at position \(index + 1) is not allowed in an MRZ field (only A–Z, 0–9 and '<')"
                )
            }
            sum += v * weights[index % 3]
            index += 1
        }
        return Character(Unicode.Scalar(UInt8(ascii: "0") + UInt8(sum % 10)))
    }

    private static let weights = [7, 3, 1]

    /// The value of one MRZ character, or nil when it is not an MRZ character.
    static func value(_ c: UInt8) -> Int? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(c - UInt8(ascii: "0"))
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return Int(c - UInt8(ascii: "A")) + 10
        case UInt8(ascii: "<"): return 0
        default: return nil
        }
    }

    /// The check digit of bytes already known to be MRZ characters (anything else counts as 0).
    static func digit<C: Collection>(of field: C) -> UInt8 where C.Element == UInt8 {
        var sum = 0
        for (i, c) in field.enumerated() { sum += (value(c) ?? 0) * weights[i % 3] }
        return UInt8(ascii: "0") + UInt8(sum % 10)
    }
}
