public import EMRTDCore

/// Names written in MRZ characters (ICAO Doc 9303 Part 3, 6: transliteration of national characters).
///
/// Latin letters lose their diacritics (`Ễ` → `E`, `Đ` → `D`, as Doc 9303 allows for Vietnamese and most
/// languages); ligatures and a few letters become two letters (`Æ` → `AE`, `ß` → `SS`, `Þ` → `TH`);
/// spaces and hyphens become `<`; apostrophes and full stops are dropped. Non-Latin scripts throw.
public enum Transliteration {
    /// `name` in MRZ characters, upper case, words separated by one `<`: `Nguyễn Văn Đức` gives
    /// `NGUYEN<VAN<DUC`. Throws `mrz.character` for a character with no transliteration (a digit,
    /// a symbol, a non-Latin letter).
    public static func mrzName(_ name: String) throws(EMRTDError) -> String {
        var out: [UInt8] = []
        for scalar in name.unicodeScalars {
            if scalar.isASCII {
                let c = UInt8(scalar.value)
                switch c {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): out.append(c)
                case UInt8(ascii: "a")...UInt8(ascii: "z"): out.append(c - 0x20)
                case 0x20, UInt8(ascii: "-"), UInt8(ascii: "<"), 0x09: out.append(MRZ.filler)
                case UInt8(ascii: "'"), UInt8(ascii: "."), UInt8(ascii: ","): continue
                default:
                    throw EMRTDError(.mrzCharacter, "name character '\(scalar.escaped(asASCII: true))' has no MRZ transliteration")
                }
                continue
            }
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark:
                continue  // a combining diacritic of decomposed text
            case .spaceSeparator:
                out.append(MRZ.filler)
                continue
            default:
                break
            }
            guard let letters = latinBase(scalar) else {
                throw EMRTDError(.mrzCharacter, "name character '\(scalar.escaped(asASCII: true))' has no MRZ transliteration")
            }
            out += letters.utf8
        }
        // Collapse runs of fillers and trim them: one `<` separates the words of a name.
        var collapsed: [UInt8] = []
        for c in out where !(c == MRZ.filler && (collapsed.isEmpty || collapsed.last == MRZ.filler)) {
            collapsed.append(c)
        }
        if collapsed.last == MRZ.filler { collapsed.removeLast() }
        return String(decoding: collapsed, as: UTF8.self)
    }

    /// The base letter(s) of a precomposed Latin letter, read from its Unicode name
    /// ("LATIN CAPITAL LETTER E WITH CIRCUMFLEX AND TILDE" → "E"; "… D WITH STROKE" → "D").
    /// Names are part of the Unicode standard and stable, and this needs no normalization tables.
    private static func latinBase(_ scalar: Unicode.Scalar) -> String? {
        guard let name = scalar.properties.name else { return nil }
        let words = name.split(separator: " ")
        guard words.count >= 4, words[0] == "LATIN", words[1] == "CAPITAL" || words[1] == "SMALL",
            words[2] == "LETTER"
        else { return nil }
        var base = words[3]
        if base == "DOTLESS", words.count >= 5 { base = words[4] }
        switch base {
        case "SHARP": return "SS"
        case "THORN": return "TH"
        case "ETH": return "D"
        case "AE", "OE", "IJ": return String(base)
        default:
            guard base.count == 1, let c = base.utf8.first, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c) else {
                return nil
            }
            return String(base)
        }
    }
}
