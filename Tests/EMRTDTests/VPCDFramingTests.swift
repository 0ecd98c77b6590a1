import EMRTDCore
import Testing
import VirtualChip

@Suite("vpcd framing: length-prefixed messages, nothing allocated before its bytes arrive")
struct VPCDFramingTests {
    @Test("Control codes and APDUs")
    func messages() throws {
        let stream: [UInt8] = [0x00, 0x01, 0x01, 0x00, 0x01, 0x04, 0x00, 0x05, 0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x07]
        var rest = stream[...]
        var got: [VPCDMessage] = []
        while let frame = try VPCDMessage.frame(in: rest) {
            got.append(frame.message)
            rest = rest.dropFirst(frame.consumed)
        }
        #expect(got == [.powerOn, .getATR, .apdu([0x00, 0xB0, 0x00, 0x00, 0x00]), .unknownControl(0x07)])
        #expect(rest.isEmpty)
    }

    @Test("A frame whose bytes have not all arrived is not a message yet")
    func incomplete() throws {
        #expect(try VPCDMessage.frame(in: [0xFF, 0xFF, 0x00][...]) == nil)
        #expect(try VPCDMessage.frame(in: [0x00][...]) == nil)
    }

    @Test("An empty message is a protocol error; a reply too long for a frame is refused")
    func errors() throws {
        #expect(throws: EMRTDError(.vpcdProtocol, "")) { try VPCDMessage.frame(in: [0x00, 0x00, 0x01][...]) }
        #expect(throws: EMRTDError(.vpcdProtocol, "")) { try VPCDMessage.encodeFrame([UInt8](repeating: 0, count: 65536)) }
        #expect(try VPCDMessage.encodeFrame([0x90, 0x00]) == [0x00, 0x02, 0x90, 0x00])
    }
}
