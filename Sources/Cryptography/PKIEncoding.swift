// A small, lenient DER reader and a strict DER writer, and PEM armour, for the public-key code
// here and in the X509 module (package access). Not a general ASN.1 library: it reads one TLV at a
// time (definite lengths only, single-byte tags), bounds-checks every length, and never traps on
// malformed input: every failure throws.

public import EMRTDCore

extension EMRTDError.Code {
    /// A DER encoding (of a key, a signature parameter block, a certificate …) was malformed.
    public static let malformedDER = Self("crypto.malformed-der")
    /// PEM text had no usable block, bad armour or bad base64.
    public static let malformedPEM = Self("crypto.malformed-pem")
}

/// DER reading and writing shared by Cryptography and X509.
package enum PKIDER {
    // MARK: Tags

    package static let boolean: UInt8 = 0x01
    package static let integer: UInt8 = 0x02
    package static let bitString: UInt8 = 0x03
    package static let octetString: UInt8 = 0x04
    package static let null: UInt8 = 0x05
    package static let objectIdentifier: UInt8 = 0x06
    package static let utf8String: UInt8 = 0x0C
    package static let printableString: UInt8 = 0x13
    package static let utcTime: UInt8 = 0x17
    package static let generalizedTime: UInt8 = 0x18
    package static let sequence: UInt8 = 0x30
    package static let set: UInt8 = 0x31

    /// Context-specific tag `[n]`, constructed or primitive.
    package static func context(_ n: UInt8, constructed: Bool) -> UInt8 {
        0x80 | (constructed ? 0x20 : 0) | (n & 0x1F)
    }

    // MARK: Reading

    /// One TLV: its tag, its contents and its whole encoding, as slices of the input.
    package struct Node: Sendable {
        package let tag: UInt8
        package let contents: ArraySlice<UInt8>
        package let encoded: ArraySlice<UInt8>

        package var isConstructed: Bool { tag & 0x20 != 0 }

        /// A reader over the contents (for SEQUENCE, SET and constructed context tags).
        package func children() -> Reader { Reader(contents) }

        /// The contents of a BOOLEAN (any non-zero byte is true, as BER allows).
        package func boolean() throws(EMRTDError) -> Bool {
            guard tag == PKIDER.boolean, contents.count == 1 else { throw PKIDER.error("expected a BOOLEAN") }
            return contents.first! != 0
        }

        /// The big-endian contents of an INTEGER that must not be negative, without leading zeros
        /// (zero is `[0]`).
        package func unsignedInteger() throws(EMRTDError) -> [UInt8] {
            guard tag == PKIDER.integer, let first = contents.first else { throw PKIDER.error("expected an INTEGER") }
            guard first & 0x80 == 0 else { throw PKIDER.error("a negative INTEGER where a non-negative one is required") }
            let stripped = contents.drop { $0 == 0 }
            return stripped.isEmpty ? [0] : Array(stripped)
        }

        /// A small non-negative INTEGER.
        package func smallInteger() throws(EMRTDError) -> Int {
            let bytes = try unsignedInteger()
            guard bytes.count <= 4 else { throw PKIDER.error("an INTEGER is too large") }
            return bytes.reduce(0) { $0 << 8 | Int($1) }
        }

        /// The arcs of an OBJECT IDENTIFIER.
        package func objectIdentifier() throws(EMRTDError) -> [UInt] {
            guard tag == PKIDER.objectIdentifier else { throw PKIDER.error("expected an OBJECT IDENTIFIER") }
            guard let arcs = PKIDER.decodeOID(contents) else { throw PKIDER.error("malformed OBJECT IDENTIFIER") }
            return arcs
        }

        /// The bytes of a BIT STRING that must have no unused bits.
        package func bitStringBytes() throws(EMRTDError) -> ArraySlice<UInt8> {
            guard tag == PKIDER.bitString, let unused = contents.first else { throw PKIDER.error("expected a BIT STRING") }
            guard unused == 0 else { throw PKIDER.error("a BIT STRING with \(unused) unused bits where whole bytes are required") }
            return contents.dropFirst()
        }

        /// The contents of an OCTET STRING.
        package func octets() throws(EMRTDError) -> ArraySlice<UInt8> {
            guard tag == PKIDER.octetString else { throw PKIDER.error("expected an OCTET STRING") }
            return contents
        }
    }

    /// Reads consecutive TLVs from a byte range.
    package struct Reader: Sendable {
        private var remaining: ArraySlice<UInt8>

        package init(_ bytes: ArraySlice<UInt8>) { remaining = bytes }
        package init(_ bytes: [UInt8]) { remaining = bytes[...] }

        package var isAtEnd: Bool { remaining.isEmpty }

        /// The tag of the next TLV, if any.
        package var nextTag: UInt8? { remaining.first }

        /// Reads the next TLV.
        package mutating func read() throws(EMRTDError) -> Node {
            var i = remaining.startIndex
            let end = remaining.endIndex
            guard i < end else { throw PKIDER.error("unexpected end of data") }
            let tag = remaining[i]
            guard tag & 0x1F != 0x1F else { throw PKIDER.error("multi-byte tags are not supported") }
            i += 1
            guard i < end else { throw PKIDER.error("truncated length") }
            let first = remaining[i]
            i += 1
            var length = 0
            if first < 0x80 {
                length = Int(first)
            } else {
                let count = Int(first & 0x7F)
                guard count != 0 else { throw PKIDER.error("indefinite lengths are not DER") }
                guard count <= 4 else { throw PKIDER.error("a length of \(count) bytes is too long") }
                guard end - i >= count else { throw PKIDER.error("truncated length") }
                for _ in 0..<count {
                    length = length << 8 | Int(remaining[i])
                    i += 1
                }
            }
            guard length <= end - i else { throw PKIDER.error("a length of \(length) runs past the end of the data") }
            let contents = remaining[i..<(i + length)]
            let node = Node(tag: tag, contents: contents, encoded: remaining[remaining.startIndex..<(i + length)])
            remaining = remaining[(i + length)...]
            return node
        }

        /// Reads the next TLV and checks its tag.
        package mutating func read(_ tag: UInt8, _ what: @autoclosure () -> String) throws(EMRTDError) -> Node {
            let node = try read()
            guard node.tag == tag else {
                throw PKIDER.error("expected \(what()) (tag \(hexByte(tag))), found tag \(hexByte(node.tag))")
            }
            return node
        }

        /// Reads the next TLV when it has `tag`; nil (and nothing consumed) otherwise.
        package mutating func readIfPresent(_ tag: UInt8) throws(EMRTDError) -> Node? {
            guard nextTag == tag else { return nil }
            return try read()
        }

        /// Throws unless everything was read.
        package func finish(_ what: @autoclosure () -> String) throws(EMRTDError) {
            guard isAtEnd else { throw PKIDER.error("\(remaining.count) unexpected bytes after \(what())") }
        }
    }

    /// Parses `bytes` as exactly one TLV.
    package static func single(_ bytes: ArraySlice<UInt8>) throws(EMRTDError) -> Node {
        var reader = Reader(bytes)
        let node = try reader.read()
        try reader.finish("the encoding")
        return node
    }

    package static func single(_ bytes: [UInt8]) throws(EMRTDError) -> Node { try single(bytes[...]) }

    /// The arcs of an OID's contents; nil when malformed (empty, truncated, non-minimal, too large).
    package static func decodeOID(_ contents: ArraySlice<UInt8>) -> [UInt]? {
        guard !contents.isEmpty, contents.last! & 0x80 == 0 else { return nil }
        var values: [UInt] = []
        var value: UInt = 0
        var started = false
        for byte in contents {
            if !started && byte == 0x80 { return nil }  // non-minimal subidentifier
            guard value >> 57 == 0 else { return nil }  // would overflow 64 bits
            value = value << 7 | UInt(byte & 0x7F)
            started = true
            if byte & 0x80 == 0 {
                values.append(value)
                value = 0
                started = false
            }
        }
        let first = values[0]
        let head: [UInt] = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80]
        return head + values.dropFirst()
    }

    static func error(_ why: String) -> EMRTDError { EMRTDError(.malformedDER, "malformed DER: \(why)") }

    private static func hexByte(_ b: UInt8) -> String { [b].hex }

    // MARK: Writing

    /// The encoding of one TLV.
    package static func tlv(_ tag: UInt8, _ contents: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [tag]
        let n = contents.count
        if n < 0x80 {
            out.append(UInt8(n))
        } else {
            var lengthBytes: [UInt8] = []
            var v = n
            while v > 0 {
                lengthBytes.insert(UInt8(v & 0xFF), at: 0)
                v >>= 8
            }
            out.append(0x80 | UInt8(lengthBytes.count))
            out += lengthBytes
        }
        out += contents
        return out
    }

    package static func sequence(_ parts: [[UInt8]]) -> [UInt8] { tlv(sequence, parts.flatMap { $0 }) }

    /// A non-negative INTEGER from big-endian magnitude bytes (leading zeros are removed, and one is
    /// added when the top bit is set).
    package static func unsignedInteger(_ magnitude: some Collection<UInt8>) -> [UInt8] {
        var bytes = Array(magnitude.drop { $0 == 0 })
        if bytes.isEmpty { bytes = [0] } else if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return tlv(integer, bytes)
    }

    package static func integer(_ value: Int) -> [UInt8] {
        precondition(value >= 0)
        var bytes: [UInt8] = []
        var v = value
        repeat {
            bytes.insert(UInt8(v & 0xFF), at: 0)
            v >>= 8
        } while v > 0
        return unsignedInteger(bytes)
    }

    package static func boolean(_ value: Bool) -> [UInt8] { [boolean, 1, value ? 0xFF : 0x00] }

    package static let nullValue: [UInt8] = [null, 0]

    package static func octetString(_ bytes: [UInt8]) -> [UInt8] { tlv(octetString, bytes) }

    /// A BIT STRING of whole bytes.
    package static func bitString(_ bytes: [UInt8]) -> [UInt8] { tlv(bitString, [0] + bytes) }

    package static func oid(_ arcs: [UInt]) -> [UInt8] {
        precondition(arcs.count >= 2 && arcs[0] <= 2 && (arcs[0] == 2 || arcs[1] < 40), "invalid OID")
        var contents: [UInt8] = []
        for value in [arcs[0] * 40 + arcs[1]] + arcs.dropFirst(2) {
            var chunk: [UInt8] = [UInt8(value & 0x7F)]
            var v = value >> 7
            while v > 0 {
                chunk.insert(UInt8(v & 0x7F) | 0x80, at: 0)
                v >>= 7
            }
            contents += chunk
        }
        return tlv(objectIdentifier, contents)
    }
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
