// PEM armour (RFC 7468) for the keys here and the certificates and CRLs of the PKIX module
// (package access). What is inside the armour is DER, read by the EMRTDASN1 layer.

public import EMRTDCore

extension EMRTDError.Code {
    /// PEM text had no usable block, bad armour or bad base64.
    public static let malformedPEM = Self("crypto.malformed-pem")
}

/// PEM armour (RFC 7468) with a strict base64 decoder.
package enum PKIPEM {
    /// Every `-----BEGIN label-----` … `-----END label-----` block of `text`, in order.
    /// Throws for an unterminated block or bad base64; returns an empty array when there is none.
    package static func blocks(_ text: String) throws(EMRTDError) -> [(label: String, der: [UInt8])] {
        var out: [(String, [UInt8])] = []
        var label: String? = nil
        var body = ""
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline }) {
            let line = rawLine.trimmingASCIIWhitespace()
            if let open = label {
                if line.hasPrefix("-----END ") {
                    guard line == "-----END \(open)-----" else {
                        throw EMRTDError(.malformedPEM, "PEM block '\(open)' ends with '\(line)'")
                    }
                    out.append((open, try base64Decode(body)))
                    label = nil
                    body = ""
                } else if line.contains(":") {
                    // RFC 1421 headers (Proc-Type, DEK-Info): an encrypted legacy key.
                    throw EMRTDError(.malformedPEM, "PEM headers (encrypted legacy keys) are not supported")
                } else {
                    body += line
                }
            } else if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 {
                label = String(line.dropFirst(11).dropLast(5))
            }
        }
        if let open = label { throw EMRTDError(.malformedPEM, "PEM block '\(open)' is not terminated") }
        return out
    }

    /// `der` in PEM armour with 64-character lines and a final newline.
    package static func encode(label: String, der: [UInt8]) -> String {
        let b64 = Array(base64Encode(der))
        var text = "-----BEGIN \(label)-----\n"
        var i = 0
        while i < b64.count {
            let end = min(i + 64, b64.count)
            text += String(b64[i..<end]) + "\n"
            i = end
        }
        return text + "-----END \(label)-----\n"
    }

    /// True when `bytes` look like PEM text rather than DER.
    package static func looksLikePEM(_ bytes: [UInt8]) -> Bool {
        let marker = Array("-----BEGIN ".utf8)
        guard bytes.count >= marker.count else { return false }
        for start in 0...(bytes.count - marker.count) where bytes[start] == marker[0] {
            if Array(bytes[start..<(start + marker.count)]) == marker { return true }
        }
        return false
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    package static func base64Encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i]
            let b1: UInt8 = i + 1 < bytes.count ? bytes[i + 1] : 0
            let b2: UInt8 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base64, ignoring whitespace; padding is required to a multiple of four.
    package static func base64Decode(_ text: String) throws(EMRTDError) -> [UInt8] {
        var values: [UInt8] = []
        var padding = 0
        for c in text.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = c - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = c - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="): padding += 1; continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): continue
            default: throw EMRTDError(.malformedPEM, "invalid base64 character")
            }
            guard padding == 0 else { throw EMRTDError(.malformedPEM, "base64 data after padding") }
            values.append(v)
        }
        guard padding <= 2, (values.count + padding) % 4 == 0, values.count % 4 != 1 else {
            throw EMRTDError(.malformedPEM, "base64 length is not a multiple of four")
        }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var i = 0
        while i + 1 < values.count {
            out.append(values[i] << 2 | values[i + 1] >> 4)
            if i + 2 < values.count { out.append(values[i + 1] << 4 | values[i + 2] >> 2) }
            if i + 3 < values.count { out.append(values[i + 2] << 6 | values[i + 3]) }
            i += 4
        }
        return out
    }
}

extension StringProtocol {
    /// Without leading and trailing ASCII spaces and tabs.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
