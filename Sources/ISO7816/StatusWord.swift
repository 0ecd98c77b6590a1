public import EMRTDCore

/// The two trailing bytes of every response APDU (ISO/IEC 7816-4 section 5.6).
///
/// Like `Errno` in swift-system: a raw value with named members and a readable description,
/// so an unknown status word is still a value, never a trap.
public struct StatusWord: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// SW1 SW2 as one big-endian number: `0x6982`.
    public let rawValue: UInt16
    /// The status word `rawValue`, known or not.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// The status word from the last two bytes of a response.
    public init(sw1: UInt8, sw2: UInt8) { rawValue = UInt16(sw1) << 8 | UInt16(sw2) }

    /// SW1, the category: `90` and `61` normal processing, `62`-`63` warning, `64`-`65` execution
    /// error, `67`-`6F` checking error (ISO/IEC 7816-4 5.6).
    public var sw1: UInt8 { UInt8(rawValue >> 8) }
    /// SW2, the detail within SW1's category (a byte count for 61xx and 6Cxx, tries left for 63Cx).
    public var sw2: UInt8 { UInt8(rawValue & 0xFF) }
    /// SW1 and SW2, as they end a response.
    public var bytes: [UInt8] { [sw1, sw2] }

    /// 9000, or a warning (62xx/63xx other than an authentication failure) that still carries data.
    public var isSuccess: Bool { rawValue == 0x9000 }

    /// 9000: normal processing, no further qualification.
    public static let success = StatusWord(rawValue: 0x9000)
    /// 6282: end of file or record reached before reading Ne bytes (READ BINARY past the end of an EF).
    public static let endOfFileReached = StatusWord(rawValue: 0x6282)
    /// 6300: warning, no information given; the chip's answer to a wrong BAC cryptogram or PACE password.
    public static let authenticationFailed = StatusWord(rawValue: 0x6300)
    /// 6581: execution error, memory failure.
    public static let memoryFailure = StatusWord(rawValue: 0x6581)
    /// 6700: wrong length, no further indication (Lc or Le not what the command takes).
    public static let wrongLength = StatusWord(rawValue: 0x6700)
    /// 6881: function in CLA not supported, logical channel not supported.
    public static let logicalChannelNotSupported = StatusWord(rawValue: 0x6881)
    /// 6882: function in CLA not supported, secure messaging not supported.
    public static let secureMessagingNotSupported = StatusWord(rawValue: 0x6882)
    /// 6982: security status not satisfied; the file needs access control (BAC, PACE) or Terminal
    /// Authentication first.
    public static let securityStatusNotSatisfied = StatusWord(rawValue: 0x6982)
    /// 6983: authentication method blocked (a password whose retry counter reached zero).
    public static let authenticationMethodBlocked = StatusWord(rawValue: 0x6983)
    /// 6984: reference data not usable.
    public static let referenceDataNotUsable = StatusWord(rawValue: 0x6984)
    /// 6985: conditions of use not satisfied; PACE-only chips answer BAC so.
    public static let conditionsNotSatisfied = StatusWord(rawValue: 0x6985)
    /// 6986: command not allowed (no current EF): READ BINARY before any EF is selected.
    public static let commandNotAllowed = StatusWord(rawValue: 0x6986)
    /// 6987: expected secure messaging data objects missing (a plain command where the chip wants SM).
    public static let secureMessagingDataObjectsMissing = StatusWord(rawValue: 0x6987)
    /// 6988: incorrect secure messaging data objects (a wrong MAC or counter); the chip
    /// then ends secure messaging.
    public static let secureMessagingDataObjectsIncorrect = StatusWord(rawValue: 0x6988)
    /// 6A80: incorrect parameters in the command data field.
    public static let incorrectData = StatusWord(rawValue: 0x6A80)
    /// 6A81: function not supported.
    public static let functionNotSupported = StatusWord(rawValue: 0x6A81)
    /// 6A82: file or application not found.
    public static let fileNotFound = StatusWord(rawValue: 0x6A82)
    /// 6A86: incorrect parameters P1-P2.
    public static let incorrectParameters = StatusWord(rawValue: 0x6A86)
    /// 6A88: referenced data or reference data not found (e.g. a key or password reference in MSE:Set AT).
    public static let referencedDataNotFound = StatusWord(rawValue: 0x6A88)
    /// 6B00: wrong parameters P1-P2; READ BINARY answers so to an offset beyond the EF.
    public static let wrongParameters = StatusWord(rawValue: 0x6B00)
    /// 6D00: instruction code not supported or invalid.
    public static let instructionNotSupported = StatusWord(rawValue: 0x6D00)
    /// 6E00: class not supported.
    public static let classNotSupported = StatusWord(rawValue: 0x6E00)
    /// 6F00: no precise diagnosis.
    public static let noPreciseDiagnosis = StatusWord(rawValue: 0x6F00)

    /// 61xx: SW2 more bytes are waiting for GET RESPONSE.
    public var bytesAvailable: Int? { sw1 == 0x61 ? (sw2 == 0 ? 256 : Int(sw2)) : nil }
    /// 6Cxx: wrong Le; SW2 is the exact length the card can return.
    public var correctLength: Int? { sw1 == 0x6C ? (sw2 == 0 ? 256 : Int(sw2)) : nil }

    /// The four hex digits, e.g. `6982`.
    public var hex: String { Hex.encode(bytes) }

    /// What the card means, in the words of ISO/IEC 7816-4 and ICAO Doc 9303.
    public var meaning: String {
        switch rawValue {
        case 0x9000: return "success"
        case 0x6282: return "end of file reached before reading the expected number of bytes"
        case 0x6300: return "authentication failed"
        case 0x6581: return "memory failure"
        case 0x6700: return "wrong length"
        case 0x6881: return "logical channel not supported"
        case 0x6882: return "secure messaging not supported"
        case 0x6982: return "security status not satisfied (access control required)"
        case 0x6983: return "authentication method blocked"
        case 0x6984: return "reference data not usable"
        case 0x6985: return "conditions of use not satisfied"
        case 0x6986: return "command not allowed (no current EF)"
        case 0x6987: return "expected secure messaging data objects missing"
        case 0x6988: return "secure messaging data objects incorrect"
        case 0x6A80: return "incorrect parameters in the data field"
        case 0x6A81: return "function not supported"
        case 0x6A82: return "file or application not found"
        case 0x6A86: return "incorrect parameters P1-P2"
        case 0x6A88: return "referenced data not found"
        case 0x6B00: return "wrong parameters (offset outside the EF)"
        case 0x6D00: return "instruction not supported"
        case 0x6E00: return "class not supported"
        case 0x6F00: return "no precise diagnosis"
        default: break
        }
        switch sw1 {
        case 0x61: return "\(bytesAvailable!) response bytes still available"
        case 0x62: return "warning: non-volatile memory unchanged"
        case 0x63 where sw2 & 0xF0 == 0xC0: return "verification failed, \(sw2 & 0x0F) tries left"
        case 0x63: return "warning: non-volatile memory changed"
        case 0x64: return "execution error"
        case 0x65: return "execution error: memory changed"
        case 0x68: return "function in CLA not supported"
        case 0x69: return "command not allowed"
        case 0x6A: return "wrong parameters P1-P2"
        case 0x6C: return "wrong Le: \(correctLength!) bytes available"
        default: return "unknown status"
        }
    }

    /// The hex digits and ``meaning``, e.g. `6A82 (file or application not found)`.
    public var description: String { "\(hex) (\(meaning))" }
}

extension EMRTDError.Code {
    /// The card answered with a status word the operation does not accept.
    public static let unexpectedStatus = Self("card.status")
    /// A response APDU had fewer than two bytes, or more than the command allowed.
    public static let malformedResponse = Self("card.malformed-response")
    /// A command APDU was malformed or could not be encoded.
    public static let malformedCommand = Self("card.malformed-command")
    /// The transport failed: card removed, reader gone, I/O error.
    public static let transport = Self("card.transport")
    /// The card left the reader (PC/SC, or the virtual chip pulled out in a test).
    public static let cardRemoved = Self("card.removed")
}

extension EMRTDError {
    /// An error that names the card's status word and what it means.
    public static func status(_ sw: StatusWord, during operation: String) -> EMRTDError {
        EMRTDError(.unexpectedStatus, "\(operation): the card answered \(sw)")
    }
}
