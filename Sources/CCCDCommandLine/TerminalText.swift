/// Text from a chip or a card image, made safe to print on a terminal: control characters
/// (an ESC could rewrite the screen, a newline forge a row) and bidirectional overrides (which
/// could reorder what a clerk reads) are shown as visible `\u{…}` escapes instead.
enum TerminalText {
    static func sanitize(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true  // C0 and C1 controls
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: return true  // bidi marks and overrides
        case 0x2028, 0x2029: return true  // line and paragraph separators
        default: return false
        }
    }
}
