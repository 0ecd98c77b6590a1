/// Hexadecimal text for byte strings: vectors are published as hex, and logs show APDUs as hex.
public enum Hex {
    /// Uppercase hex with no separators.
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses hex, ignoring spaces, tabs, newlines and colons. Throws on odd length or a non-hex character.
    public static func decode(_ text: String) throws(EMRTDError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count / 2)
        var high: UInt8? = nil
        for c in text.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: ":"):
                continue
            default:
                throw EMRTDError(.invalidHex, "invalid hex character '\(Character(Unicode.Scalar(c)))'")
            }
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        guard high == nil else { throw EMRTDError(.invalidHex, "hex string has an odd number of digits") }
        return out
    }
}

extension EMRTDError.Code {
    /// Text given as hex has a character that is not a hex digit or separator, or an odd number of digits.
    public static let invalidHex = Self("hex.invalid")
}

extension Array where Element == UInt8 {
    /// Uppercase hex, no separators.
    public var hex: String { Hex.encode(self) }
}

extension ArraySlice where Element == UInt8 {
    /// Uppercase hex, no separators.
    public var hex: String { Hex.encode(self) }
}
