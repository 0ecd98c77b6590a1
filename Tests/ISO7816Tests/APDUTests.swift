import EMRTDCore
import Testing

@testable import ISO7816

@Suite("Command and response APDUs (ISO/IEC 7816-4 section 5.1)")
struct APDUTests {
    @Test("The four cases encode in short form", arguments: [
        (CommandAPDU(ins: 0xA4, p1: 4, p2: 0x0C), "00A4040C"),
        (CommandAPDU(ins: 0x84, p1: 0, p2: 0, ne: 8), "0084000008"),
        (CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 256), "00B0000000"),
        (CommandAPDU(ins: 0xA4, p1: 2, p2: 0x0C, data: [0x01, 0x1E]), "00A4020C02011E"),
        (CommandAPDU(ins: 0x82, p1: 0, p2: 0, data: [1, 2, 3], ne: 40), "008200000301020328"),
    ])
    func shortForms(command: CommandAPDU, hex: String) throws {
        #expect(try command.encoded().hex == hex)
        #expect(try CommandAPDU(bytes: command.encoded()) == command)
    }

    @Test("Extended length is used when sizes need it, and parses back")
    func extendedForms() throws {
        let case2 = CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 65536)
        #expect(try case2.encoded().hex == "00B00000000000")
        let case2b = CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 1000)
        #expect(try case2b.encoded().hex == "00B000000003E8")
        let data = [UInt8](repeating: 0xAB, count: 300)
        let case3 = CommandAPDU(ins: 0xD6, p1: 0, p2: 0, data: data)
        #expect(try case3.encoded().prefix(7).hex == "00D6000000012C")
        let case4 = CommandAPDU(ins: 0xD6, p1: 0, p2: 0, data: data, ne: 65536)
        let encoded = try case4.encoded()
        #expect(encoded.count == 4 + 3 + 300 + 2)
        #expect(encoded.suffix(2) == [0, 0])
        for c in [case2, case2b, case3, case4] {
            #expect(try CommandAPDU(bytes: c.encoded()) == c)
        }
        // Forced extended form for a small case-4 command.
        let small = CommandAPDU(ins: 0x2A, p1: 0, p2: 0, data: [1], ne: 10)
        #expect(try small.encoded(extended: true).hex == "002A0000000001" + "01" + "000A")
        #expect(try CommandAPDU(bytes: small.encoded(extended: true)) == small)
    }

    @Test("Malformed command APDUs are refused", arguments: [
        "", "00A404", "00A4040C05A000", "00A4040C02A0000001", "00B0000000", "00B00000000002AB",
    ])
    func malformed(hex: String) throws {
        let bytes = try Hex.decode(hex)
        if hex == "00B0000000" {
            // Case 2 with Le = 00 is valid (Ne = 256).
            #expect(try CommandAPDU(bytes: bytes).ne == 256)
            return
        }
        #expect(throws: EMRTDError.self) { try CommandAPDU(bytes: bytes) }
    }

    @Test("Sizes beyond the extended maximum are refused")
    func oversized() {
        let big = CommandAPDU(ins: 0xD6, p1: 0, p2: 0, data: [UInt8](repeating: 0, count: 65536))
        #expect(throws: EMRTDError.self) { try big.encoded() }
        #expect(throws: EMRTDError.self) { try CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 0).encoded() }
    }

    @Test("Response APDUs need a status word")
    func responses() throws {
        #expect(throws: EMRTDError.self) { try ResponseAPDU(bytes: [0x90]) }
        let r = try ResponseAPDU(bytes: [1, 2, 0x62, 0x82])
        #expect(r.data == [1, 2])
        #expect(r.statusWord == .endOfFileReached)
        #expect(r.encoded == [1, 2, 0x62, 0x82])
    }

    @Test("Status words have readable meanings")
    func statusWords() {
        #expect(StatusWord.authenticationFailed.description == "6300 (authentication failed)")
        #expect(StatusWord(rawValue: 0x6A82).meaning == "file or application not found")
        #expect(StatusWord(rawValue: 0x6110).bytesAvailable == 16)
        #expect(StatusWord(rawValue: 0x6C20).correctLength == 32)
        #expect(StatusWord(rawValue: 0x63C2).meaning == "verification failed, 2 tries left")
        #expect(StatusWord(rawValue: 0x1234).meaning == "unknown status")
    }
}

/// A card scripted by a closure, for the transport-level paths.
final class ClosureCard: CardChannel {
    var handler: ([UInt8]) -> [UInt8]
    var sent: [[UInt8]] = []
    init(_ handler: @escaping ([UInt8]) -> [UInt8]) { self.handler = handler }
    var supportsExtendedLength: Bool { false }
    func transmit(_ command: [UInt8]) throws(EMRTDError) -> [UInt8] {
        sent.append(command)
        return handler(command)
    }
}

@Suite("Transport: GET RESPONSE on 61xx, re-issue on 6Cxx")
struct TransportTests {
    @Test("61xx chains are collected with GET RESPONSE")
    func getResponse() throws {
        var part = 0
        let card = ClosureCard { command in
            if command[1] == 0xC0 {
                part += 1
                return part == 1 ? [0xBB, 0xBB, 0x61, 0x01] : [0xCC, 0x90, 0x00]
            }
            return [0xAA, 0x61, 0x02]
        }
        let connection = CardConnection(channel: card)
        let r = try connection.send(CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 256))
        #expect(r.data == [0xAA, 0xBB, 0xBB, 0xCC])
        #expect(r.statusWord == .success)
        #expect(card.sent[1].hex == "00C0000002")
        #expect(card.sent[2].hex == "00C0000001")
        #expect(connection.statistics.apdus == 3)
    }

    @Test("An endless 61xx chain ends in an error, not a hang")
    func endlessChain() {
        let card = ClosureCard { _ in [0x00, 0x61, 0x01] }
        let connection = CardConnection(channel: card)
        #expect(throws: EMRTDError.self) { try connection.send(CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 1)) }
        #expect(card.sent.count <= CardConnection.maximumGetResponseRounds + 1)
    }

    @Test("6Cxx re-issues a plain command with the exact Le")
    func wrongLe() throws {
        let card = ClosureCard { command in
            command.last == 0x05 ? [1, 2, 3, 4, 5, 0x90, 0x00] : [0x6C, 0x05]
        }
        let r = try CardConnection(channel: card).send(CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 223))
        #expect(r.data == [1, 2, 3, 4, 5])
        #expect(card.sent.map(\.hex) == ["00B00000DF", "00B0000005"])
    }

    @Test("A protected command is never re-sent on 6Cxx")
    func protectedNotReissued() throws {
        let card = ClosureCard { _ in [0x6C, 0x05] }
        let r = try CardConnection(channel: card).send(CommandAPDU(cla: 0x0C, ins: 0xB0, p1: 0, p2: 0, ne: 223))
        #expect(r.statusWord.correctLength == 5)
        #expect(card.sent.count == 1)
    }
}
