public import EMRTDCore

extension EMRTDError.Code {
    /// The PC/SC service (pcscd) is not running.
    public static let pcscNoService = Self("card.pcsc-no-service")
    /// No reader is connected.
    public static let pcscNoReaders = Self("card.pcsc-no-readers")
    /// The reader has no card.
    public static let pcscNoCard = Self("card.pcsc-no-card")
    /// The reader went away.
    public static let pcscReaderRemoved = Self("card.pcsc-reader-removed")
    /// Another program holds the card exclusively.
    public static let pcscSharingViolation = Self("card.pcsc-sharing-violation")
    /// A PC/SC wait ran out of time.
    public static let pcscTimeout = Self("card.pcsc-timeout")
    /// The wait was cancelled.
    public static let pcscCancelled = Self("card.pcsc-cancelled")
    /// A command that timed out is still in flight: the card takes no other until the reader gives it back.
    public static let pcscCardBusy = Self("card.pcsc-busy")
    /// The card was reset by someone else; the session must start over.
    public static let pcscCardReset = Self("card.pcsc-card-reset")
    /// Any other PC/SC failure.
    public static let pcscFailure = Self("card.pcsc-failure")
}

/// A PC/SC return code (pcsclite.h), as a value with a readable description, like `Errno` in
/// swift-system; `error(during:)` turns it into the toolkit's typed error.
public struct PCSCReturnCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let success = Self(rawValue: 0x0000_0000)
    public static let cancelled = Self(rawValue: 0x8010_0002)
    public static let invalidHandle = Self(rawValue: 0x8010_0003)
    public static let invalidParameter = Self(rawValue: 0x8010_0004)
    public static let noMemory = Self(rawValue: 0x8010_0006)
    public static let insufficientBuffer = Self(rawValue: 0x8010_0008)
    public static let unknownReader = Self(rawValue: 0x8010_0009)
    public static let timeout = Self(rawValue: 0x8010_000A)
    public static let sharingViolation = Self(rawValue: 0x8010_000B)
    public static let noSmartcard = Self(rawValue: 0x8010_000C)
    public static let protocolMismatch = Self(rawValue: 0x8010_000F)
    public static let notReady = Self(rawValue: 0x8010_0010)
    public static let systemCancelled = Self(rawValue: 0x8010_0012)
    public static let commError = Self(rawValue: 0x8010_0013)
    public static let readerUnavailable = Self(rawValue: 0x8010_0017)
    public static let noService = Self(rawValue: 0x8010_001D)
    public static let serviceStopped = Self(rawValue: 0x8010_001E)
    public static let noReadersAvailable = Self(rawValue: 0x8010_002E)
    public static let commDataLost = Self(rawValue: 0x8010_002F)
    public static let unsupportedCard = Self(rawValue: 0x8010_0065)
    public static let unresponsiveCard = Self(rawValue: 0x8010_0066)
    public static let unpoweredCard = Self(rawValue: 0x8010_0067)
    public static let resetCard = Self(rawValue: 0x8010_0068)
    public static let removedCard = Self(rawValue: 0x8010_0069)

    public var description: String {
        let text: String
        switch self {
        case .success: text = "success"
        case .cancelled: text = "the wait was cancelled"
        case .invalidHandle: text = "invalid handle (the context or card connection is gone)"
        case .invalidParameter: text = "invalid parameter"
        case .noMemory: text = "not enough memory"
        case .insufficientBuffer: text = "the response is larger than the buffer"
        case .unknownReader: text = "unknown reader"
        case .timeout: text = "timed out"
        case .sharingViolation: text = "another program is using the card exclusively"
        case .noSmartcard: text = "no card in the reader"
        case .protocolMismatch: text = "the card does not speak the requested protocol"
        case .notReady: text = "the reader or card is not ready"
        case .systemCancelled: text = "cancelled by the system"
        case .commError: text = "communication error with the reader"
        case .readerUnavailable: text = "the reader is not available (removed?)"
        case .noService: text = "the PC/SC service (pcscd) is not running"
        case .serviceStopped: text = "the PC/SC service (pcscd) stopped"
        case .noReadersAvailable: text = "no smart card reader is connected"
        case .commDataLost: text = "data was lost talking to the card"
        case .unsupportedCard: text = "the reader cannot talk to this card"
        case .unresponsiveCard: text = "the card does not answer a reset"
        case .unpoweredCard: text = "the card is not powered"
        case .resetCard: text = "the card was reset"
        case .removedCard: text = "the card was removed"
        default: text = "PC/SC error"
        }
        return "\(text) (0x\(String(rawValue, radix: 16, uppercase: true)))"
    }

    /// The typed error for this code, naming the operation.
    public func error(during operation: String) -> EMRTDError {
        let code: EMRTDError.Code
        switch self {
        case .noService, .serviceStopped: code = .pcscNoService
        case .noReadersAvailable: code = .pcscNoReaders
        case .noSmartcard: code = .pcscNoCard
        case .removedCard: code = .cardRemoved
        case .readerUnavailable, .unknownReader: code = .pcscReaderRemoved
        case .sharingViolation: code = .pcscSharingViolation
        case .timeout: code = .pcscTimeout
        case .cancelled: code = .pcscCancelled
        case .resetCard: code = .pcscCardReset
        default: code = .pcscFailure
        }
        return EMRTDError(code, "\(operation): \(self)")
    }
}
