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
    /// Command APDUs transmitted, GET RESPONSE rounds and re-issued commands included.
    public var apdus = 0
    /// Bytes of the command APDUs transmitted.
    public var bytesSent = 0
    /// Bytes of the response APDUs received, status words included.
    public var bytesReceived = 0
    /// All counters at zero.
    public init() {}
    /// Bytes in both directions.
    public var bytes: Int { bytesSent + bytesReceived }
}

/// One event of the APDU trace shown with `--verbose`. Commands protected by secure messaging
/// are traced in their protected form only. The exchanges of access control (GET CHALLENGE,
/// EXTERNAL and GENERAL AUTHENTICATE) are traced without their data: nonces and cryptograms
/// would let anyone test guesses of the MRZ key or CAN offline.
public enum APDUTraceEvent: Sendable, CustomStringConvertible {
    case command([UInt8])
    case response([UInt8])
    /// The header of an access control command and the length of its data.
    case redactedCommand(header: [UInt8], dataLength: Int)
    /// The status word of an access control response and the length of its data.
    case redactedResponse(statusWord: StatusWord, dataLength: Int)

    /// One trace line: `>` and the command in hex, `<` and the response; withheld data shows as its length.
    public var description: String {
        switch self {
        case .command(let bytes): return "> " + Hex.encode(bytes)
        case .response(let bytes): return "< " + Hex.encode(bytes)
        case .redactedCommand(let header, let n): return "> " + Hex.encode(header) + " [\(n) bytes of access control data withheld]"
        case .redactedResponse(let sw, let n): return "< [\(n) bytes of access control data withheld] " + sw.hex
        }
    }

    /// Instructions whose data must not be traced: GET CHALLENGE, EXTERNAL AUTHENTICATE, GENERAL AUTHENTICATE.
    /// EXTERNAL/MUTUAL AUTHENTICATE, GET CHALLENGE, GENERAL AUTHENTICATE, and PUT DATA (which carries
    /// private keys and passwords to a card being personalized).
    static let accessControlInstructions: Set<UInt8> = [0x82, 0x84, 0x86, 0x87, 0xDA]
}

/// The transport level of ISO/IEC 7816-4 over a ``CardChannel``: response chaining with
/// GET RESPONSE on 61xx and re-issue with the right Le on 6Cxx, bounded so a card that keeps
/// answering 61xx cannot hold the reader forever.
public final class CardConnection: APDUChannel {
    /// The card this connection talks to.
    public let channel: any CardChannel
    /// What has crossed the wire on this connection so far.
    public private(set) var statistics = TransmissionStatistics()
    /// Called with every APDU sent and received, access control data withheld; nil: no trace.
    public var trace: (@Sendable (APDUTraceEvent) -> Void)?

    /// Upper bound on the bytes collected through GET RESPONSE for one command.
    public static let maximumResponseLength = 65536 + 2
    /// Upper bound on GET RESPONSE rounds for one command.
    public static let maximumGetResponseRounds = 300

    /// A connection to the card behind `channel`; nothing is sent before the first command.
    public init(channel: any CardChannel) {
        self.channel = channel
    }

    /// Whether the card takes extended length APDUs, as the channel says.
    public var supportsExtendedLength: Bool { channel.supportsExtendedLength }

    /// Sends raw bytes, counting and tracing them.
    /// `redact` withholds the data from the trace (by default: access control instructions).
    public func transmitRaw(_ bytes: [UInt8], redact: Bool? = nil) throws(EMRTDError) -> ResponseAPDU {
        let secret = redact ?? (bytes.count >= 4 && APDUTraceEvent.accessControlInstructions.contains(bytes[1]))
        if let trace {
            trace(secret ? .redactedCommand(header: Array(bytes.prefix(4)), dataLength: bytes.count - 4) : .command(bytes))
        }
        let reply = try channel.transmit(bytes)
        // No response APDU is longer than 65536 data bytes and the status word (ISO/IEC 7816-4 5.1).
        guard reply.count <= Self.maximumResponseLength else {
            throw EMRTDError(.malformedResponse, "the card answered \(reply.count) bytes, more than any response APDU holds (\(Self.maximumResponseLength))")
        }
        statistics.apdus += 1
        statistics.bytesSent += bytes.count
        statistics.bytesReceived += reply.count
        let response = try ResponseAPDU(bytes: reply)
        if let trace {
            trace(secret ? .redactedResponse(statusWord: response.statusWord, dataLength: response.data.count) : .response(reply))
        }
        return response
    }

    /// Sends `command` and returns the whole response: on 6Cxx a plain command is sent again with
    /// Le = SW2; on 61xx the rest is fetched with GET RESPONSE and joined, up to ``maximumGetResponseRounds``
    /// rounds and ``maximumResponseLength`` bytes.
    public func send(_ command: CommandAPDU) throws(EMRTDError) -> ResponseAPDU {
        // The rest of an access control answer (GET RESPONSE, a re-issue) is withheld like its start.
        let redact = APDUTraceEvent.accessControlInstructions.contains(command.ins)
        var response = try transmitRaw(command.encoded(), redact: redact)

        // 6Cxx: the card tells the exact Le. Re-issuing changes nothing a MAC covers only for plain
        // commands; a protected command is never re-sent (the send sequence counter has moved on).
        if let exact = response.statusWord.correctLength, command.cla & 0x0C == 0, command.ne != nil {
            var again = command
            again.ne = exact
            response = try transmitRaw(again.encoded(), redact: redact)
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
            response = try transmitRaw(getResponse.encoded(), redact: redact)
            data += response.data
            guard data.count <= Self.maximumResponseLength else {
                throw EMRTDError(.malformedResponse, "response chaining exceeded \(Self.maximumResponseLength) bytes")
            }
        }
        return ResponseAPDU(data: data, statusWord: response.statusWord)
    }
}
