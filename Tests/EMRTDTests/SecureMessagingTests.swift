import EMRTDCore
import ISO7816
import SecureMessaging
import Testing

/// Secure messaging on hostile or quirky responses (ICAO 9303-11 9.8; INTEROP notes).
@Suite("Secure messaging: strict MACs, quirky chips")
struct SecureMessagingTests {
    // App. D.4 session keys and counter.
    static let ksEnc = SecretBytes(try! Hex.decode("979EC13B1CBFE9DCD01AB0FED307EAE5"))
    static let ksMac = SecretBytes(try! Hex.decode("F1CB1F1FB5ADF208806B89DC579DC1F8"))
    static let ssc = try! Hex.decode("887022120C06C226")

    func pair(_ algorithm: SecureMessaging.Algorithm = .tripleDES) throws -> (SecureMessaging, SecureMessaging) {
        let ssc = algorithm == .tripleDES ? Self.ssc : [UInt8](repeating: 0, count: 16)
        let a = try SecureMessaging(algorithm: algorithm, encryptionKey: Self.ksEnc, macKey: Self.ksMac, sendSequenceCounter: ssc)
        return (a, a)
    }

    @Test("A copy is a value: it goes on from where it was copied, whatever the original does next", arguments: [SecureMessaging.Algorithm.tripleDES, .aes])
    func copiesAreIndependent(algorithm: SecureMessaging.Algorithm) throws {
        var (original, _) = try pair(algorithm)
        let command = CommandAPDU(ins: 0xB0, p1: 0, p2: 0, data: [1, 2, 3, 4, 5, 6, 7, 8, 9], ne: 223)
        _ = try original.protect(command)
        var copy = original
        let fromOriginal = try original.protect(command)
        _ = try original.protect(command)
        let fromCopy = try copy.protect(command)
        #expect(fromCopy == fromOriginal)
        #expect(try copy.protect(command) != fromCopy)
    }

    @Test("Terminal and chip agree on every command shape", arguments: [SecureMessaging.Algorithm.tripleDES, .aes])
    func roundTrips(algorithm: SecureMessaging.Algorithm) throws {
        var (terminal, chip) = try pair(algorithm)
        let commands = [
            CommandAPDU(ins: 0xA4, p1: 2, p2: 0x0C, data: [0x01, 0x1E]),
            CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 223),
            CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 256),
            CommandAPDU(ins: 0xB1, p1: 0, p2: 0, data: [0x54, 0x02, 0x80, 0x00], ne: 200),
            CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 0xFE00),
            CommandAPDU(ins: 0xD6, p1: 0, p2: 0, data: [UInt8](repeating: 7, count: 1000)),
            CommandAPDU(ins: 0x2A, p1: 0, p2: 0),
        ]
        for command in commands {
            let protected = try terminal.protect(command)
            #expect(protected.cla == 0x0C)
            let decoded = try chip.unprotectCommand(CommandAPDU(bytes: protected.encoded()))
            #expect(decoded == command)
            let reply = ResponseAPDU(data: [UInt8](repeating: 0x42, count: min(command.ne ?? 0, 300)), statusWord: .success)
            let wire = try chip.protectResponse(reply, oddINS: command.ins & 1 == 1)
            #expect(try terminal.unprotect(ResponseAPDU(bytes: wire.encoded)) == reply)
        }
        #expect(terminal.sendSequenceCounter == chip.sendSequenceCounter)
    }

    @Test("A flipped bit anywhere in a protected response is caught")
    func everyBitMatters() throws {
        var (_, chip) = try pair()
        let wire = try chip.protectResponse(ResponseAPDU(data: [1, 2, 3, 4, 5], statusWord: .success)).encoded
        for i in 0..<(wire.count - 2) {
            for bit in [0x01, 0x80] as [UInt8] {
                var (terminal, _) = try pair()
                _ = try terminal.protect(CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 5))
                var tampered = wire
                tampered[i] ^= bit
                // Either the structure or the MAC fails; never a silent success.
                #expect(throws: EMRTDError.self) { try terminal.unprotect(ResponseAPDU(bytes: tampered)) }
            }
        }
    }

    @Test("A success without DO'8E' is refused; an unprotected error is passed on as it is")
    func missingMAC() throws {
        var (terminal, _) = try pair()
        #expect(throws: EMRTDError(.smMissingMAC, "")) {
            try terminal.unprotect(ResponseAPDU(data: [0x99, 0x02, 0x90, 0x00], statusWord: .success))
        }
        var (t2, _) = try pair()
        let plain = try t2.unprotect(ResponseAPDU(statusWord: .fileNotFound))
        #expect(plain.statusWord == .fileNotFound)
    }

    @Test("Data objects out of order are refused")
    func outOfOrder() throws {
        var (terminal, c2) = try pair()
        var t1 = terminal
        _ = try terminal.protect(CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 4))
        _ = try c2.unprotectCommand(try t1.protect(CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 4)))
        let wire = try c2.protectResponse(ResponseAPDU(data: [1, 2, 3, 4], statusWord: .success))
        let objects = try BERTLV.parseAll(wire.data)
        let reordered = objects[1].raw + objects[0].raw + objects[2].raw
        #expect(throws: EMRTDError(.smMalformed, "")) {
            try terminal.unprotect(ResponseAPDU(data: reordered, statusWord: .success))
        }
    }

    @Test("Unknown data objects and bad padding are refused as malformed")
    func malformed() throws {
        var (terminal, _) = try pair()
        #expect(throws: EMRTDError(.smMalformed, "")) {
            try terminal.unprotect(ResponseAPDU(data: [0x81, 0x01, 0x00, 0x8E, 0x08, 0, 0, 0, 0, 0, 0, 0, 0], statusWord: .success))
        }
        var (t2, _) = try pair()
        #expect(throws: EMRTDError(.smMalformed, "")) {
            try t2.unprotect(ResponseAPDU(data: [0x87, 0x82, 0xFF], statusWord: .success))
        }
    }

    @Test("Keys and counters of the wrong size are refused")
    func wrongSizes() {
        #expect(throws: EMRTDError.self) {
            try SecureMessaging(algorithm: .aes, encryptionKey: Self.ksEnc, macKey: Self.ksMac, sendSequenceCounter: Self.ssc)
        }
        #expect(throws: EMRTDError.self) {
            try SecureMessaging(algorithm: .tripleDES, encryptionKey: SecretBytes([1, 2, 3]), macKey: Self.ksMac, sendSequenceCounter: Self.ssc)
        }
    }

    @Test("Secrets print redacted")
    func redacted() {
        #expect(Self.ksEnc.description == "<secret: 16 bytes>")
        #expect(!"\(Self.ksEnc)".contains("979E"))
    }
}
