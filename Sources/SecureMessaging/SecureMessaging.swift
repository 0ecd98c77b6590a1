public import EMRTDCore
public import ISO7816
import Cryptography

extension EMRTDError.Code {
    /// The MAC of a protected APDU did not verify.
    public static let smMACMismatch = Self("sm.mac-mismatch")
    /// A protected response carried no DO8E although it must be authenticated.
    public static let smMissingMAC = Self("sm.missing-mac")
    /// The secure messaging data objects were malformed (unknown tag, bad padding, bad length).
    public static let smMalformed = Self("sm.malformed")
    /// The card answered a protected command with an unprotected error and closed the session.
    public static let smSessionClosed = Self("sm.session-closed")
}

/// Secure messaging (ICAO Doc 9303 Part 11 section 9.8; ISO/IEC 7816-4 section 10): the state of
/// one session, its keys and its send sequence counter, for both sides of the wire.
///
/// 3DES sessions (after BAC, or PACE with 3DES) use an 8-byte SSC, CBC with a zero IV, and the
/// ISO/IEC 9797-1 MAC algorithm 3; AES sessions use a 16-byte SSC, CBC with IV = E(KSenc, SSC),
/// and AES-CMAC truncated to 8 bytes. Everything else is one code path.
///
/// ```
/// command:  CLA|0C INS P1 P2 Lc' [DO'87'|DO'85'] [DO'97'] DO'8E' Le'
/// response: [DO'87'|DO'85'] DO'99' DO'8E' SW1 SW2
/// DO'87' = 87 L 01 || E(KSenc, pad(data))    DO'85' = 85 L E(KSenc, pad(data))   (odd INS)
/// DO'97' = 97 L Ne                          DO'99' = 99 02 SW1 SW2
/// DO'8E' = 8E 08 MAC(KSmac, pad(SSC || pad(header) || DOs))
/// ```
public struct SecureMessaging: Sendable {
    /// The block cipher family of the session.
    public enum Algorithm: Sendable, Hashable {
        case tripleDES
        case aes

        var blockSize: Int { self == .tripleDES ? 8 : 16 }
    }

    /// 3DES or AES: fixes the block size, the SSC length, the cipher and the MAC.
    public let algorithm: Algorithm
    /// The retail MAC's key (3DES); the cipher keys live in `contexts`.
    private let macKey: SecretBytes
    private var ssc: [UInt8]
    /// The session's cipher and MAC contexts, keyed once (see `KeyedCipher`).
    private var contexts: Contexts

    /// Starts a session. `ssc` is 8 bytes for 3DES and 16 bytes for AES.
    public init(
        algorithm: Algorithm,
        encryptionKey: SecretBytes,
        macKey: SecretBytes,
        sendSequenceCounter ssc: [UInt8]
    ) throws(EMRTDError) {
        guard ssc.count == algorithm.blockSize else {
            throw EMRTDError(.invalidArgument, "send sequence counter must be \(algorithm.blockSize) bytes, not \(ssc.count)")
        }
        let keyLengths: Set<Int> = algorithm == .tripleDES ? [16, 24] : [16, 24, 32]
        guard keyLengths.contains(encryptionKey.count), keyLengths.contains(macKey.count) else {
            throw EMRTDError(.invalidArgument, "secure messaging keys have the wrong length for \(algorithm)")
        }
        self.algorithm = algorithm
        self.macKey = macKey
        self.ssc = ssc
        contexts = try Contexts(algorithm, encryptionKey: encryptionKey, macKey: macKey)
    }

    /// Cipher and MAC contexts keyed once per session: every APDU runs under the same two keys, and
    /// setting OpenSSL up per call cost several times the cipher itself (`cccd bench`). Copies of a
    /// `SecureMessaging` share them until one of the copies protects or unprotects something; that
    /// copy then makes its own (contexts are not for concurrent use).
    ///
    /// `@unchecked Sendable`: the contexts are used only by a value that holds the sole reference
    /// (`ownContexts()` copies first otherwise), so two threads never use the same one.
    private final class Contexts: @unchecked Sendable {
        let encrypt: KeyedCipher
        let decrypt: KeyedCipher
        /// AES: E(K_enc, SSC), the IV of each cryptogram (ICAO Doc 9303-11 9.8.6.1).
        let ivCipher: KeyedCipher?
        /// AES: the CMAC (3DES's retail MAC keeps its own code path: two keys, single-DES steps).
        let mac: KeyedCMAC?

        init(_ algorithm: Algorithm, encryptionKey: SecretBytes, macKey: SecretBytes) throws(EMRTDError) {
            switch algorithm {
            case .tripleDES:
                encrypt = try KeyedCipher(.tripleDESCBC, key: encryptionKey, encrypt: true)
                decrypt = try KeyedCipher(.tripleDESCBC, key: encryptionKey, encrypt: false)
                ivCipher = nil
                mac = nil
            case .aes:
                encrypt = try KeyedCipher(.aesCBC, key: encryptionKey, encrypt: true)
                decrypt = try KeyedCipher(.aesCBC, key: encryptionKey, encrypt: false)
                ivCipher = try KeyedCipher(.aesECB, key: encryptionKey, encrypt: true)
                mac = try KeyedCMAC(aesKey: macKey)
            }
        }

        private init(copying other: Contexts) throws(EMRTDError) {
            encrypt = try other.encrypt.copy()
            decrypt = try other.decrypt.copy()
            ivCipher = try other.ivCipher?.copy()
            mac = try other.mac?.copy()
        }

        func copy() throws(EMRTDError) -> Contexts { try Contexts(copying: self) }
    }

    /// This value's own contexts (copied first if another copy shares them).
    private mutating func ownContexts() throws(EMRTDError) -> Contexts {
        if !isKnownUniquelyReferenced(&contexts) { contexts = try contexts.copy() }
        return contexts
    }

    /// The current send sequence counter (it is not secret: both sides derive it from public nonces).
    public var sendSequenceCounter: [UInt8] { ssc }

    // MARK: - Terminal side

    /// Wraps a plain command into its protected form.
    public mutating func protect(_ command: CommandAPDU) throws(EMRTDError) -> CommandAPDU {
        if let ne = command.ne, ne < 1 || ne > CommandAPDU.maximumExtendedNe {
            throw EMRTDError(.malformedCommand, "expected length \(ne) is outside 1...65536")
        }
        guard command.data.count <= CommandAPDU.maximumExtendedNc - 64 else {
            throw EMRTDError(.malformedCommand, "command data of \(command.data.count) bytes is too long to protect")
        }
        incrementSSC()
        let cla = command.cla | 0x0C
        var objects: [UInt8] = []
        if !command.data.isEmpty {
            let cryptogram = try encrypt(ISO9797Padding.pad(command.data, blockSize: algorithm.blockSize))
            objects += command.ins & 1 == 1
                ? TLV(tag: 0x85, value: cryptogram).encoded()
                : TLV(tag: 0x87, value: [0x01] + cryptogram).encoded()
        }
        let extended = command.needsExtendedLength
        if let ne = command.ne {
            objects += TLV(tag: 0x97, value: Self.encodeLe(ne, extended: extended)).encoded()
        }
        let header = ISO9797Padding.pad([cla, command.ins, command.p1, command.p2], blockSize: algorithm.blockSize)
        let mac = try computeMAC(header + objects)
        objects += TLV(tag: 0x8E, value: mac).encoded()
        let protectedExtended = extended || objects.count > CommandAPDU.maximumShortNc
        return CommandAPDU(
            cla: cla, ins: command.ins, p1: command.p1, p2: command.p2, data: objects,
            ne: protectedExtended ? CommandAPDU.maximumExtendedNe : CommandAPDU.maximumShortNe
        )
    }

    /// Verifies and decrypts a protected response. Every successful or warning response must carry
    /// a valid DO'8E'; an error status word without data is returned as it is, since chips send
    /// those unprotected when they abort the session.
    public mutating func unprotect(_ response: ResponseAPDU) throws(EMRTDError) -> ResponseAPDU {
        incrementSSC()
        let sw = response.statusWord
        if response.data.isEmpty && !(sw.isSuccess || sw.sw1 == 0x62 || sw.sw1 == 0x63) {
            return response
        }
        let objects: [TLV]
        do {
            objects = try BERTLV.parseAll(response.data)
        } catch {
            throw EMRTDError(.smMalformed, "protected response is not a list of data objects: \(error.message)")
        }
        var cryptogram: TLV? = nil
        var statusObject: TLV? = nil
        var macObject: TLV? = nil
        var macInput: [UInt8] = []
        for object in objects {
            switch object.tag.rawValue {
            case 0x85, 0x87:
                guard cryptogram == nil, statusObject == nil, macObject == nil else {
                    throw EMRTDError(.smMalformed, "protected response has its data object out of order")
                }
                cryptogram = object
                macInput += object.raw
            case 0x99:
                guard statusObject == nil, macObject == nil else {
                    throw EMRTDError(.smMalformed, "protected response has DO'99' out of order")
                }
                guard object.value.count == 2 else {
                    throw EMRTDError(.smMalformed, "DO'99' holds \(object.value.count) bytes, not 2")
                }
                statusObject = object
                macInput += object.raw
            case 0x8E:
                guard macObject == nil else { throw EMRTDError(.smMalformed, "protected response has two DO'8E'") }
                macObject = object
            default:
                throw EMRTDError(.smMalformed, "protected response holds unexpected data object \(object.tag)")
            }
        }
        guard let macObject else {
            throw EMRTDError(.smMissingMAC, "the card's response (SW \(sw.hex)) carries no MAC (DO'8E')")
        }
        guard macObject.value.count == 8 else {
            throw EMRTDError(.smMalformed, "DO'8E' holds \(macObject.value.count) bytes, not 8")
        }
        let expected = try computeMAC(macInput)
        guard constantTimeEquals(expected, macObject.value) else {
            throw EMRTDError(.smMACMismatch, "the MAC of the card's response does not verify")
        }
        // DO'99' is authenticated, the trailing status word is not: trust the former. Some chips
        // omit DO'99'; the MAC then covers the data alone and the outer status word stands.
        let status = statusObject.map { StatusWord(sw1: $0.value[0], sw2: $0.value[1]) } ?? sw
        var data: [UInt8] = []
        if let cryptogram {
            var body = cryptogram.value
            if cryptogram.tag.rawValue == 0x87 {
                guard body.first == 0x01 else {
                    throw EMRTDError(.smMalformed, "DO'87' lacks the padding-content indicator 01")
                }
                body.removeFirst()
            }
            data = try ISO9797Padding.unpadForSM(decrypt(body))
        }
        return ResponseAPDU(data: data, statusWord: status)
    }

    // MARK: - Card side

    /// Verifies and decrypts a protected command (the chip's side of ``protect(_:)``).
    public mutating func unprotectCommand(_ command: CommandAPDU) throws(EMRTDError) -> CommandAPDU {
        incrementSSC()
        guard command.cla & 0x0C == 0x0C else {
            throw EMRTDError(.smMalformed, "command is not protected (CLA \(Hex.encode([command.cla])))")
        }
        let objects: [TLV]
        do {
            objects = try BERTLV.parseAll(command.data)
        } catch {
            throw EMRTDError(.smMalformed, "protected command is not a list of data objects: \(error.message)")
        }
        var macInput = ISO9797Padding.pad([command.cla, command.ins, command.p1, command.p2], blockSize: algorithm.blockSize)
        var cryptogram: TLV? = nil
        var le: TLV? = nil
        var mac: TLV? = nil
        for object in objects {
            guard mac == nil else { throw EMRTDError(.smMalformed, "data object after DO'8E'") }
            switch object.tag.rawValue {
            case 0x85, 0x87:
                guard cryptogram == nil, le == nil else { throw EMRTDError(.smMalformed, "cryptogram out of order") }
                cryptogram = object
                macInput += object.raw
            case 0x97:
                guard le == nil else { throw EMRTDError(.smMalformed, "two DO'97'") }
                guard object.value.count <= 2 else { throw EMRTDError(.smMalformed, "DO'97' too long") }
                le = object
                macInput += object.raw
            case 0x8E:
                mac = object
            default:
                throw EMRTDError(.smMalformed, "unexpected data object \(object.tag) in protected command")
            }
        }
        guard let mac else { throw EMRTDError(.smMissingMAC, "protected command has no DO'8E'") }
        guard constantTimeEquals(try computeMAC(macInput), mac.value) else {
            throw EMRTDError(.smMACMismatch, "the MAC of the command does not verify")
        }
        var data: [UInt8] = []
        if let cryptogram {
            var body = cryptogram.value
            if cryptogram.tag.rawValue == 0x87 {
                guard body.first == 0x01 else { throw EMRTDError(.smMalformed, "DO'87' lacks the indicator 01") }
                body.removeFirst()
            }
            data = try ISO9797Padding.unpadForSM(decrypt(body))
        }
        var ne: Int? = nil
        if let le {
            let v = le.value.reduce(0) { $0 << 8 | Int($1) }
            ne = v != 0 ? v : (le.value.count == 2 ? 65536 : 256)
        }
        return CommandAPDU(cla: command.cla & ~0x0C, ins: command.ins, p1: command.p1, p2: command.p2, data: data, ne: ne)
    }

    /// Protects a response (the chip's side of ``unprotect(_:)``). `oddINS` selects DO'85'.
    public mutating func protectResponse(_ response: ResponseAPDU, oddINS: Bool = false) throws(EMRTDError) -> ResponseAPDU {
        incrementSSC()
        var objects: [UInt8] = []
        if !response.data.isEmpty {
            let cryptogram = try encrypt(ISO9797Padding.pad(response.data, blockSize: algorithm.blockSize))
            objects += oddINS
                ? TLV(tag: 0x85, value: cryptogram).encoded()
                : TLV(tag: 0x87, value: [0x01] + cryptogram).encoded()
        }
        objects += TLV(tag: 0x99, value: response.statusWord.bytes).encoded()
        objects += TLV(tag: 0x8E, value: try computeMAC(objects)).encoded()
        return ResponseAPDU(data: objects, statusWord: response.statusWord)
    }

    // MARK: - Primitives

    static func encodeLe(_ ne: Int, extended: Bool) -> [UInt8] {
        if extended || ne > 256 {
            let v = ne == 65536 ? 0 : ne
            return [UInt8(v >> 8), UInt8(v & 0xFF)]
        }
        return [UInt8(truncatingIfNeeded: ne)]
    }

    /// Counts a command that the other side answered with a bare status word (no DO'99', no
    /// DO'8E'), after ``protect(_:)`` counted the command: `2` also counts the answer, `1` counts
    /// the command alone, `0` counts neither (the chip refused the command before secure messaging).
    /// ICAO 9303-11 leaves it open, and chips differ (CHIP-QUIRKS.md B1).
    public mutating func countBareAnswer(_ counted: Int) {
        switch counted {
        case 2: incrementSSC()
        case 0: decrementSSC()
        default: break
        }
    }

    private mutating func decrementSSC() {
        var i = ssc.count - 1
        while i >= 0 {
            ssc[i] &-= 1
            if ssc[i] != 0xFF { break }
            i -= 1
        }
    }

    private mutating func incrementSSC() {
        var i = ssc.count - 1
        while i >= 0 {
            ssc[i] &+= 1
            if ssc[i] != 0 { break }
            i -= 1
        }
    }

    private mutating func encrypt(_ padded: [UInt8]) throws(EMRTDError) -> [UInt8] {
        let contexts = try ownContexts()
        switch algorithm {
        case .tripleDES:
            return try contexts.encrypt(padded)
        case .aes:
            let iv = try contexts.ivCipher!(ssc)
            return try contexts.encrypt(iv: iv, padded)
        }
    }

    private mutating func decrypt(_ cryptogram: [UInt8]) throws(EMRTDError) -> [UInt8] {
        guard !cryptogram.isEmpty, cryptogram.count % algorithm.blockSize == 0 else {
            throw EMRTDError(.smMalformed, "cryptogram of \(cryptogram.count) bytes is not whole cipher blocks")
        }
        let contexts = try ownContexts()
        switch algorithm {
        case .tripleDES:
            return try contexts.decrypt(cryptogram)
        case .aes:
            let iv = try contexts.ivCipher!(ssc)
            return try contexts.decrypt(iv: iv, cryptogram)
        }
    }

    /// MAC over SSC || input, padded with ISO/IEC 9797-1 method 2; 8 bytes.
    private mutating func computeMAC(_ input: [UInt8]) throws(EMRTDError) -> [UInt8] {
        switch algorithm {
        case .tripleDES:
            return try LegacyCiphers.RetailMAC.mac(key: macKey, ssc + input)
        case .aes:
            let padded = ISO9797Padding.pad(ssc + input, blockSize: 16)
            return Array(try ownContexts().mac!(padded).prefix(8))
        }
    }
}

extension ISO9797Padding {
    /// Removes method 2 padding, reporting a failure as a secure messaging error.
    static func unpadForSM(_ data: [UInt8]) throws(EMRTDError) -> [UInt8] {
        do {
            return try unpad(data)
        } catch {
            throw EMRTDError(.smMalformed, "decrypted data has invalid padding")
        }
    }
}
