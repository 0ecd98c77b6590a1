public import EMRTDCore

/// A command APDU (ISO/IEC 7816-4 section 5.1): header, optional data field (Nc bytes) and
/// optional expected length (Ne), in any of the four cases, short or extended.
///
/// ```
/// case 1: CLA INS P1 P2
/// case 2: CLA INS P1 P2 Le
/// case 3: CLA INS P1 P2 Lc Data
/// case 4: CLA INS P1 P2 Lc Data Le
/// ```
public struct CommandAPDU: Hashable, Sendable, CustomStringConvertible {
    /// CLA, the class byte (ISO/IEC 7816-4 5.4.1): `00` for a plain interindustry command, `0C` under
    /// secure messaging with the header authenticated; bits 2-1 name the logical channel.
    public var cla: UInt8
    /// INS, the instruction byte: `A4` SELECT, `B0` READ BINARY, `84` GET CHALLENGE, `88` INTERNAL
    /// AUTHENTICATE, `86` GENERAL AUTHENTICATE, `22` MANAGE SECURITY ENVIRONMENT…
    public var ins: UInt8
    /// P1, the first parameter byte (ISO/IEC 7816-4 5.1); what it means depends on INS (for READ
    /// BINARY, the high byte of the offset or a short EF identifier).
    public var p1: UInt8
    /// P2, the second parameter byte; what it means depends on INS.
    public var p2: UInt8
    /// The command data field: Nc bytes, announced by Lc; empty in cases 1 and 2.
    public var data: [UInt8]
    /// Ne, the maximum number of response bytes expected; `nil` for no Le field.
    /// 256 is the short maximum (Le = 00), 65536 the extended one (Le = 0000).
    public var ne: Int?

    /// Largest Nc a short Lc field (one byte, `01`-`FF`) announces.
    public static let maximumShortNc = 255
    /// Largest Ne a short Le field asks for (`00` stands for 256).
    public static let maximumShortNe = 256
    /// Largest Nc an extended Lc field (`00` and two bytes) announces.
    public static let maximumExtendedNc = 65535
    /// Largest Ne an extended Le field asks for (`0000` stands for 65536).
    public static let maximumExtendedNe = 65536

    /// A command from its fields: no `data` and no `ne` make case 1. Sizes are checked when it is
    /// ``encoded(extended:)``.
    public init(cla: UInt8 = 0x00, ins: UInt8, p1: UInt8, p2: UInt8, data: [UInt8] = [], ne: Int? = nil) {
        self.cla = cla
        self.ins = ins
        self.p1 = p1
        self.p2 = p2
        self.data = data
        self.ne = ne
    }

    /// Whether the encoding needs extended length fields.
    public var needsExtendedLength: Bool {
        data.count > Self.maximumShortNc || (ne ?? 0) > Self.maximumShortNe
    }

    /// The encoded APDU. Extended length is used when `extended` is true or when the sizes need it.
    public func encoded(extended forceExtended: Bool = false) throws(EMRTDError) -> [UInt8] {
        guard data.count <= Self.maximumExtendedNc else {
            throw EMRTDError(.malformedCommand, "command data of \(data.count) bytes exceeds 65535")
        }
        if let ne, ne < 1 || ne > Self.maximumExtendedNe {
            throw EMRTDError(.malformedCommand, "expected length \(ne) is outside 1...65536")
        }
        var out: [UInt8] = [cla, ins, p1, p2]
        let extended = forceExtended || needsExtendedLength
        if !extended {
            if !data.isEmpty {
                out.append(UInt8(data.count))
                out += data
            }
            if let ne { out.append(UInt8(truncatingIfNeeded: ne)) }  // 256 encodes as 00
            return out
        }
        if !data.isEmpty {
            out += [0x00, UInt8(data.count >> 8), UInt8(data.count & 0xFF)]
            out += data
        }
        if let ne {
            let le = ne == 65536 ? 0 : ne
            if data.isEmpty { out.append(0x00) }
            out += [UInt8(le >> 8), UInt8(le & 0xFF)]
        }
        return out
    }

    /// Parses an encoded command APDU (the card side needs this). Total: any malformed length
    /// field is an error.
    public init(bytes: [UInt8]) throws(EMRTDError) {
        guard bytes.count >= 4 else {
            throw EMRTDError(.malformedCommand, "command APDU of \(bytes.count) bytes is shorter than its header")
        }
        cla = bytes[0]; ins = bytes[1]; p1 = bytes[2]; p2 = bytes[3]
        data = []
        ne = nil
        let body = bytes[4...]
        let n = body.count
        let b = body.startIndex
        if n == 0 { return }  // case 1
        if n == 1 {  // case 2 short
            ne = body[b] == 0 ? 256 : Int(body[b])
            return
        }
        if body[b] != 0 {  // short case 3 or 4
            let lc = Int(body[b])
            if n == 1 + lc {
                data = Array(body[(b + 1)...])
            } else if n == 2 + lc {
                data = Array(body[(b + 1)..<(b + 1 + lc)])
                ne = body[b + 1 + lc] == 0 ? 256 : Int(body[b + 1 + lc])
            } else {
                throw EMRTDError(.malformedCommand, "Lc \(lc) does not match the \(n - 1) bytes that follow")
            }
            return
        }
        // Extended: first body byte 00.
        if n == 3 {  // case 2 extended
            let le = Int(body[b + 1]) << 8 | Int(body[b + 2])
            ne = le == 0 ? 65536 : le
            return
        }
        guard n >= 3 else { throw EMRTDError(.malformedCommand, "truncated extended length field") }
        let lc = Int(body[b + 1]) << 8 | Int(body[b + 2])
        guard lc > 0 else { throw EMRTDError(.malformedCommand, "extended Lc of zero") }
        if n == 3 + lc {
            data = Array(body[(b + 3)...])
        } else if n == 5 + lc {
            data = Array(body[(b + 3)..<(b + 3 + lc)])
            let le = Int(body[b + 3 + lc]) << 8 | Int(body[b + 4 + lc])
            ne = le == 0 ? 65536 : le
        } else {
            throw EMRTDError(.malformedCommand, "extended Lc \(lc) does not match the \(n - 3) bytes that follow")
        }
    }

    /// The ISO case (1-4) of this command.
    public var isoCase: Int {
        switch (data.isEmpty, ne == nil) {
        case (true, true): return 1
        case (true, false): return 2
        case (false, true): return 3
        case (false, false): return 4
        }
    }

    /// `C-APDU`, the header in hex, Nc and Ne, for logs; the data field is left out.
    public var description: String {
        let header = Hex.encode([cla, ins, p1, p2])
        return "C-APDU \(header) Nc=\(data.count) Ne=\(ne.map(String.init) ?? "-")"
    }
}

/// A response APDU: data followed by the status word.
public struct ResponseAPDU: Hashable, Sendable, CustomStringConvertible {
    /// The response data field (Nr bytes), without SW1 SW2.
    public var data: [UInt8]
    /// SW1-SW2, the trailer that ends every response (ISO/IEC 7816-4 5.6).
    public var statusWord: StatusWord

    /// A response from its parts, e.g. the data of all GET RESPONSE rounds joined under the last status word.
    public init(data: [UInt8] = [], statusWord: StatusWord) {
        self.data = data
        self.statusWord = statusWord
    }

    /// Splits an encoded response into its data and the last two bytes, SW1 SW2. Fewer than two bytes is
    /// `card.malformed-response`.
    public init(bytes: [UInt8]) throws(EMRTDError) {
        guard bytes.count >= 2 else {
            throw EMRTDError(.malformedResponse, "response APDU of \(bytes.count) bytes has no status word")
        }
        data = Array(bytes[..<(bytes.count - 2)])
        statusWord = StatusWord(sw1: bytes[bytes.count - 2], sw2: bytes[bytes.count - 1])
    }

    /// The data followed by SW1 SW2, as the card sends it.
    public var encoded: [UInt8] { data + statusWord.bytes }

    /// `R-APDU`, the data length and the status word, for logs; the data is left out.
    public var description: String { "R-APDU \(data.count) bytes, SW \(statusWord)" }
}
