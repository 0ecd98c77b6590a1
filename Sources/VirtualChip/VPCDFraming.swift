public import EMRTDCore

/// One message from vpcd to the card side.
///
/// vsmartcard's vpcd protocol: "every message, both ways, is a 2-byte big-endian length and that
/// many bytes. A 1-byte message is a control code (00 power off, 01 power on, 02 reset, 04 get
/// ATR); anything longer is a command APDU."
public enum VPCDMessage: Sendable, Hashable {
    case powerOff
    case powerOn
    case reset
    case getATR
    /// A control code the card side does not know (logged and ignored).
    case unknownControl(UInt8)
    case apdu([UInt8])

    /// Splits the first frame off `buffer`: the message and how many bytes it took, or `nil` when
    /// the buffer does not yet hold a whole frame (a stream is read until it does).
    /// A zero length is a protocol error: vpcd never sends an empty message.
    ///
    /// Nothing is allocated from the length field before its bytes are in `buffer`.
    public static func frame(in buffer: ArraySlice<UInt8>) throws(EMRTDError) -> (message: VPCDMessage, consumed: Int)? {
        guard buffer.count >= 2 else { return nil }
        let start = buffer.startIndex
        let length = Int(buffer[start]) << 8 | Int(buffer[start + 1])
        guard length > 0 else { throw EMRTDError(.vpcdProtocol, "vpcd sent an empty message") }
        guard buffer.count >= 2 + length else { return nil }
        let body = buffer[(start + 2)..<(start + 2 + length)]
        return (message(body), 2 + length)
    }

    /// The message a frame body carries (`body` is not empty).
    public static func message(_ body: ArraySlice<UInt8>) -> VPCDMessage {
        guard body.count == 1 else { return .apdu(Array(body)) }
        switch body[body.startIndex] {
        case 0x00: return .powerOff
        case 0x01: return .powerOn
        case 0x02: return .reset
        case 0x04: return .getATR
        case let code: return .unknownControl(code)
        }
    }

    /// A frame to vpcd: the length, then the bytes. Messages over 65535 bytes cannot be framed.
    public static func encodeFrame(_ data: [UInt8]) throws(EMRTDError) -> [UInt8] {
        guard data.count <= 0xFFFF else {
            throw EMRTDError(.vpcdProtocol, "a vpcd message holds at most 65535 bytes, not \(data.count)")
        }
        return [UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
    }
}
