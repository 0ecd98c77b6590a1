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
    /// The code as pcsc-lite returns it (a `LONG`), as 32 unsigned bits: `0x8010000C`.
    public let rawValue: UInt32
    /// The code `rawValue`, known or not.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `SCARD_S_SUCCESS`: no error was encountered.
    public static let success = Self(rawValue: 0x0000_0000)
    /// `SCARD_E_CANCELLED`: the action was cancelled by an `SCardCancel` request.
    public static let cancelled = Self(rawValue: 0x8010_0002)
    /// `SCARD_E_INVALID_HANDLE`: the supplied handle was invalid.
    public static let invalidHandle = Self(rawValue: 0x8010_0003)
    /// `SCARD_E_INVALID_PARAMETER`: one or more of the supplied parameters could not be properly interpreted.
    public static let invalidParameter = Self(rawValue: 0x8010_0004)
    /// `SCARD_E_NO_MEMORY`: not enough memory available to complete this command.
    public static let noMemory = Self(rawValue: 0x8010_0006)
    /// `SCARD_E_INSUFFICIENT_BUFFER`: the data buffer to receive returned data is too small for the
    /// returned data.
    public static let insufficientBuffer = Self(rawValue: 0x8010_0008)
    /// `SCARD_E_UNKNOWN_READER`: the specified reader name is not recognized.
    public static let unknownReader = Self(rawValue: 0x8010_0009)
    /// `SCARD_E_TIMEOUT`: the user-specified timeout value has expired.
    public static let timeout = Self(rawValue: 0x8010_000A)
    /// `SCARD_E_SHARING_VIOLATION`: the smart card cannot be accessed because of other connections
    /// outstanding.
    public static let sharingViolation = Self(rawValue: 0x8010_000B)
    /// `SCARD_E_NO_SMARTCARD`: the operation requires a smart card, but none is in the device.
    public static let noSmartcard = Self(rawValue: 0x8010_000C)
    /// `SCARD_E_PROTO_MISMATCH`: the requested protocols are incompatible with the one in use with the card.
    public static let protocolMismatch = Self(rawValue: 0x8010_000F)
    /// `SCARD_E_NOT_READY`: the reader or smart card is not ready to accept commands.
    public static let notReady = Self(rawValue: 0x8010_0010)
    /// `SCARD_E_SYSTEM_CANCELLED`: the action was cancelled by the system, presumably to log off or
    /// shut down.
    public static let systemCancelled = Self(rawValue: 0x8010_0012)
    /// `SCARD_F_COMM_ERROR`: an internal communications error has been detected.
    public static let commError = Self(rawValue: 0x8010_0013)
    /// `SCARD_E_READER_UNAVAILABLE`: the specified reader is not currently available for use.
    public static let readerUnavailable = Self(rawValue: 0x8010_0017)
    /// `SCARD_E_NO_SERVICE`: the smart card resource manager (pcscd) is not running.
    public static let noService = Self(rawValue: 0x8010_001D)
    /// `SCARD_E_SERVICE_STOPPED`: the smart card resource manager has shut down.
    public static let serviceStopped = Self(rawValue: 0x8010_001E)
    /// `SCARD_E_NO_READERS_AVAILABLE`: cannot find a smart card reader.
    public static let noReadersAvailable = Self(rawValue: 0x8010_002E)
    /// `SCARD_E_COMM_DATA_LOST`: a communications error with the smart card; retry the operation.
    public static let commDataLost = Self(rawValue: 0x8010_002F)
    /// `SCARD_W_UNSUPPORTED_CARD`: the reader cannot communicate with the card, due to ATR
    /// configuration conflicts.
    public static let unsupportedCard = Self(rawValue: 0x8010_0065)
    /// `SCARD_W_UNRESPONSIVE_CARD`: the smart card is not responding to a reset.
    public static let unresponsiveCard = Self(rawValue: 0x8010_0066)
    /// `SCARD_W_UNPOWERED_CARD`: power has been removed from the smart card.
    public static let unpoweredCard = Self(rawValue: 0x8010_0067)
    /// `SCARD_W_RESET_CARD`: the card has been reset, so any shared state is invalid; reconnect
    /// and start over.
    public static let resetCard = Self(rawValue: 0x8010_0068)
    /// `SCARD_W_REMOVED_CARD`: the smart card has been removed.
    public static let removedCard = Self(rawValue: 0x8010_0069)

    /// What the code means and its value, e.g. `no card in the reader (0x8010000C)`.
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
