public import EMRTDCore

/// The two trailing bytes of every response APDU (ISO/IEC 7816-4 section 5.6).
///
/// Like `Errno` in swift-system: a raw value with named members and a readable description,
/// so an unknown status word is still a value, never a trap.
public struct StatusWord: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(sw1: UInt8, sw2: UInt8) { rawValue = UInt16(sw1) << 8 | UInt16(sw2) }

    public var sw1: UInt8 { UInt8(rawValue >> 8) }
    public var sw2: UInt8 { UInt8(rawValue & 0xFF) }
    public var bytes: [UInt8] { [sw1, sw2] }

    /// 9000, or a warning (62xx/63xx other than an authentication failure) that still carries data.
    public var isSuccess: Bool { rawValue == 0x9000 }

    public static let success = StatusWord(rawValue: 0x9000)
    public static let endOfFileReached = StatusWord(rawValue: 0x6282)
    public static let authenticationFailed = StatusWord(rawValue: 0x6300)
    public static let memoryFailure = StatusWord(rawValue: 0x6581)
    public static let wrongLength = StatusWord(rawValue: 0x6700)
    public static let logicalChannelNotSupported = StatusWord(rawValue: 0x6881)
    public static let secureMessagingNotSupported = StatusWord(rawValue: 0x6882)
    public static let securityStatusNotSatisfied = StatusWord(rawValue: 0x6982)
    public static let authenticationMethodBlocked = StatusWord(rawValue: 0x6983)
    public static let referenceDataNotUsable = StatusWord(rawValue: 0x6984)
    public static let conditionsNotSatisfied = StatusWord(rawValue: 0x6985)
    public static let commandNotAllowed = StatusWord(rawValue: 0x6986)
    public static let secureMessagingDataObjectsMissing = StatusWord(rawValue: 0x6987)
    public static let secureMessagingDataObjectsIncorrect = StatusWord(rawValue: 0x6988)
    public static let incorrectData = StatusWord(rawValue: 0x6A80)
    public static let functionNotSupported = StatusWord(rawValue: 0x6A81)
    public static let fileNotFound = StatusWord(rawValue: 0x6A82)
    public static let incorrectParameters = StatusWord(rawValue: 0x6A86)
    public static let referencedDataNotFound = StatusWord(rawValue: 0x6A88)
    public static let wrongParameters = StatusWord(rawValue: 0x6B00)
    public static let instructionNotSupported = StatusWord(rawValue: 0x6D00)
    public static let classNotSupported = StatusWord(rawValue: 0x6E00)
    public static let noPreciseDiagnosis = StatusWord(rawValue: 0x6F00)

    /// 61xx: SW2 more bytes are waiting for GET RESPONSE.
    public var bytesAvailable: Int? { sw1 == 0x61 ? (sw2 == 0 ? 256 : Int(sw2)) : nil }
    /// 6Cxx: wrong Le; SW2 is the exact length the card can return.
    public var correctLength: Int? { sw1 == 0x6C ? (sw2 == 0 ? 256 : Int(sw2)) : nil }

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
