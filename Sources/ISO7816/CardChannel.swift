public import EMRTDCore

/// A card in a reader, as the eMRTD core sees it: bytes in, bytes out.
///
/// The PC/SC transport and the virtual chip are two implementations; the protocol core
/// (secure messaging, BAC, PACE, LDS reading) makes no system calls of its own.
public protocol CardChannel: AnyObject {
    /// Sends one encoded command APDU and returns the encoded response APDU (data + SW1 SW2).
    func transmit(_ command: [UInt8]) throws(EMRTDError) -> [UInt8]

    /// Whether the card accepts extended length APDUs (from the ATR or EF.ATR/INFO).
    var supportsExtendedLength: Bool { get }
}

/// A channel that exchanges structured APDUs. A ``CardConnection`` talks to a ``CardChannel``;
/// a secure messaging channel wraps another `APDUChannel`.
public protocol APDUChannel: AnyObject {
    func send(_ command: CommandAPDU) throws(EMRTDError) -> ResponseAPDU
    var supportsExtendedLength: Bool { get }
}

/// Counters for what crossed the wire: APDUs, and bytes in both directions.
public struct TransmissionStatistics: Sendable, Hashable {
    public var apdus = 0
    public var bytesSent = 0
    public var bytesReceived = 0
    public init() {}
    public var bytes: Int { bytesSent + bytesReceived }
}

/// One event of the APDU trace shown with `--verbose`. Commands protected by secure messaging
/// are traced in their protected form only; BAC and PACE never pass key material through here.
public enum APDUTraceEvent: Sendable {
    case command([UInt8])
    case response([UInt8])
}

/// The transport level of ISO/IEC 7816-4 over a ``CardChannel``: response chaining with
/// GET RESPONSE on 61xx and re-issue with the right Le on 6Cxx, bounded so a card that keeps
/// answering 61xx cannot hold the reader forever.
public final class CardConnection: APDUChannel {
    public let channel: any CardChannel
    public private(set) var statistics = TransmissionStatistics()
    public var trace: (@Sendable (APDUTraceEvent) -> Void)?

    /// Upper bound on the bytes collected through GET RESPONSE for one command.
    public static let maximumResponseLength = 65536 + 2
    /// Upper bound on GET RESPONSE rounds for one command.
    public static let maximumGetResponseRounds = 300

    public init(channel: any CardChannel) {
        self.channel = channel
    }

    public var supportsExtendedLength: Bool { channel.supportsExtendedLength }

    /// Sends raw bytes, counting and tracing them.
    public func transmitRaw(_ bytes: [UInt8]) throws(EMRTDError) -> ResponseAPDU {
        trace?(.command(bytes))
        let reply = try channel.transmit(bytes)
        statistics.apdus += 1
        statistics.bytesSent += bytes.count
        statistics.bytesReceived += reply.count
        trace?(.response(reply))
        return try ResponseAPDU(bytes: reply)
    }

    public func send(_ command: CommandAPDU) throws(EMRTDError) -> ResponseAPDU {
        var response = try transmitRaw(command.encoded())

        // 6Cxx: the card tells the exact Le. Re-issuing changes nothing a MAC covers only for plain
        // commands; a protected command is never re-sent (the send sequence counter has moved on).
        if let exact = response.statusWord.correctLength, command.cla & 0x0C == 0, command.ne != nil {
            var again = command
            again.ne = exact
            response = try transmitRaw(again.encoded())
        }

        guard response.statusWord.bytesAvailable != nil else { return response }
        var data = response.data
        var rounds = 0
        while let available = response.statusWord.bytesAvailable {
            rounds += 1
            guard rounds <= Self.maximumGetResponseRounds else {
                throw EMRTDError(.malformedResponse, "the card kept answering 61xx after \(rounds - 1) GET RESPONSE commands")
            }
            let getResponse = CommandAPDU(cla: command.cla & 0x03, ins: 0xC0, p1: 0, p2: 0, ne: available)
            response = try transmitRaw(getResponse.encoded())
            data += response.data
            guard data.count <= Self.maximumResponseLength else {
                throw EMRTDError(.malformedResponse, "response chaining exceeded \(Self.maximumResponseLength) bytes")
            }
        }
        return ResponseAPDU(data: data, statusWord: response.statusWord)
    }
}
