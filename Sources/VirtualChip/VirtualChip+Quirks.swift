import EMRTDCore
import ISO7816
import LDS
import SecureMessaging

/// What a quirky chip remembers between commands.
struct QuirkState {
    /// BAC failed once and the chip refuses every key until it is reset (``ChipQuirk/bacLocksAfterFailure``).
    var bacLocked = false
    /// The rest of a long answer, handed out by GET RESPONSE (``ChipQuirk/responseChaining``).
    private var chained: [UInt8] = []
    private var chainedStatus: StatusWord? = nil

    /// A GET RESPONSE while a chain is pending: the next part.
    mutating func nextChainedPart(_ bytes: [UInt8]) -> [UInt8]? {
        guard let status = chainedStatus, bytes.count >= 4, bytes[0] & 0xFC == 0, bytes[1] == 0xC0 else {
            // Any other command ends the chain (ISO/IEC 7816-4 leaves the rest unreachable).
            chainedStatus = nil
            chained = []
            return nil
        }
        let asked = bytes.count == 5 ? (bytes[4] == 0 ? 256 : Int(bytes[4])) : 256
        let part = Array(chained.prefix(asked))
        chained.removeFirst(part.count)
        return part + statusAfter(final: status).bytes
    }

    /// An answer longer than 256 bytes to a short command: its first 256 bytes and 61xx.
    mutating func chain(_ response: ResponseAPDU, to command: [UInt8]) -> [UInt8] {
        let shortCommand = (try? CommandAPDU(bytes: command)).map { !$0.needsExtendedLength && ($0.ne ?? 0) <= 256 } ?? true
        guard shortCommand, response.data.count > 256 else { return response.encoded }
        chained = Array(response.data.dropFirst(256))
        chainedStatus = response.statusWord
        return Array(response.data.prefix(256)) + statusAfter(final: response.statusWord).bytes
    }

    private mutating func statusAfter(final status: StatusWord) -> StatusWord {
        guard !chained.isEmpty else {
            chainedStatus = nil
            return status
        }
        return StatusWord(sw1: 0x61, sw2: UInt8(min(chained.count, 256) & 0xFF))
    }
}

extension VirtualChip {
    /// The chip takes extended APDUs at the transport for these quirks, whatever card.json says.
    var quirksTakeExtendedAPDUs: Bool {
        !quirks.isDisjoint(with: [.extendedLengthWrapped6700, .extendedLengthEmpty, .aaTruncated231, .aaExtendedEmpty])
    }

    /// Quirks of chips that do extended length in full, apart from the quirk itself.
    func applyQuirkLimits() {
        if !quirks.isDisjoint(with: [.aaTruncated231, .aaExtendedEmpty]) {
            limits.extendedLength = true
            limits.maxResponseLength = max(limits.maxResponseLength, 65536)
        }
    }

    /// Answers given before secure messaging is looked at: the command never reaches the
    /// application, so a protected command is not counted (bare answers).
    func quirkAnswerBeforeSecureMessaging(_ received: CommandAPDU) -> ResponseAPDU? {
        guard !quirks.isEmpty else { return nil }
        let plain = received.cla & 0x0C == 0
        if plain, quirks.contains(.leOnSelect6700), received.ins == 0xA4 || received.ins == 0x22, received.ne != nil {
            return ResponseAPDU(statusWord: .wrongLength)
        }
        return nil
    }

    /// The application's answer, changed by the chip's quirks.
    func executeWithQuirks(_ command: CommandAPDU) -> ResponseAPDU {
        let extended = (command.ne ?? 0) > 256 || command.data.count > 255
        let protected = isSecured
        switch command.ins {
        case 0xA4:
            let selectsMF = command.p1 == 0x00 && (command.data.isEmpty || command.data == [0x3F, 0x00])
            if selectsMF, let sw = selectMFAnswer {
                return ResponseAPDU(statusWord: sw)
            }
            if quirks.contains(.cardAccess6283), !protected, command.data == [0x01, 0x1C] {
                return ResponseAPDU(statusWord: StatusWord(sw1: 0x62, sw2: 0x83))
            }
        case 0xB0, 0xB1:
            if command.ins == 0xB0, command.p1 & 0x80 != 0 {
                if quirks.contains(.noShortFileIDs) { return ResponseAPDU(statusWord: .incorrectParameters) }
                if quirks.contains(.noShortFileIDs6982) { return ResponseAPDU(statusWord: .securityStatusNotSatisfied) }
                if command.p1 & 0x1F == LDSFile.cardAccess.shortFileID {
                    if quirks.contains(.cardAccessHidden) { return ResponseAPDU(statusWord: .securityStatusNotSatisfied) }
                    if quirks.contains(.cardAccess6283) { return ResponseAPDU(statusWord: .fileNotFound) }
                }
            }
            if quirks.contains(.cardAccessHidden), command.p1 & 0x80 == 0, currentFile == .cardAccess {
                return ResponseAPDU(statusWord: .securityStatusNotSatisfied)
            }
            if extended && quirks.contains(.extendedLengthWrapped6700) { return ResponseAPDU(statusWord: .wrongLength) }
            if extended && quirks.contains(.extendedLengthEmpty) { return ResponseAPDU(statusWord: .success) }
            if let limit = readLimit, (command.ne ?? 256) > limit { return ResponseAPDU(statusWord: .wrongLength) }
            let answer = executeStandard(command)
            guard answer.statusWord == .endOfFileReached else { return answer }
            // A read that asked past the end of the file.
            if quirks.contains(.readPastEnd6B00) { return ResponseAPDU(statusWord: .wrongParameters) }
            if quirks.contains(.readPastEnd6700) { return ResponseAPDU(statusWord: .wrongLength) }
            if quirks.contains(.readPastEnd6Cxx), answer.data.count < 256, !answer.data.isEmpty, command.ins == 0xB0 {
                return ResponseAPDU(statusWord: StatusWord(sw1: 0x6C, sw2: UInt8(answer.data.count)))
            }
            return answer
        case 0x22:
            if protected && command.ne != nil && quirks.contains(.mseRefusesDO97) {
                return ResponseAPDU(statusWord: StatusWord(sw1: 0x6F, sw2: 0x00))
            }
            if quirks.contains(.mseRequiresDO84), command.p1 == 0xC1, command.p2 == 0xA4,
               (try? BERTLV.parseAll(command.data))?.contains(where: { $0.tag.rawValue == 0x84 }) != true {
                return ResponseAPDU(statusWord: StatusWord(sw1: 0x6A, sw2: 0x87))
            }
        case 0x86:
            if command.ne == nil && quirks.contains(.generalAuthenticateNeedsLe) { return ResponseAPDU(statusWord: .wrongLength) }
        case 0x88:
            if protected && command.ne == nil && quirks.contains(.internalAuthenticateNeedsDO97) {
                return ResponseAPDU(statusWord: StatusWord(sw1: 0x6C, sw2: 0x80))
            }
            if extended && quirks.contains(.aaExtendedEmpty) { return ResponseAPDU(statusWord: .success) }
            var answer = executeStandard(command)
            if !extended && quirks.contains(.aaTruncated231) && answer.data.count > 231 {
                answer.data = Array(answer.data.prefix(231))
            }
            return answer
        case 0x82:
            if quirks.contains(.bacRefused6985) { return ResponseAPDU(statusWord: .conditionsNotSatisfied) }
            if quirks.contains(.bacRefused6A88) { return ResponseAPDU(statusWord: StatusWord(sw1: 0x6A, sw2: 0x88)) }
            if quirks.contains(.bacLocksAfterFailure) {
                if quirkState.bacLocked { return ResponseAPDU(statusWord: StatusWord(sw1: 0x63, sw2: 0x00)) }
                let answer = executeStandard(command)
                if !answer.statusWord.isSuccess { quirkState.bacLocked = true }
                return answer
            }
        default:
            break
        }
        return executeStandard(command)
    }

    /// How the chip protects an answer under secure messaging, when a quirk changes it; `nil` for
    /// the standard answer. `counterBefore` is the session as it was before the command.
    func quirkProtect(_ response: ResponseAPDU, to command: CommandAPDU, counterBefore: SecureMessaging) -> ResponseAPDU? {
        guard var sm = session else { return nil }
        let sw = response.statusWord
        let closes = quirks.contains(.closesSessionAfterError) && sw != .success
        let bareError = response.data.isEmpty && !(sw.isSuccess || sw.sw1 == 0x62 || sw.sw1 == 0x63)
        if bareError {
            if quirks.contains(.bareErrorsCommandCounted) {
                if closes { dropSession() }
                return response
            }
            if quirks.contains(.bareErrorsUncounted) {
                if closes { dropSession() } else { session = counterBefore }
                return response
            }
            if quirks.contains(.bareErrorsBothCounted) {
                _ = try? sm.protectResponse(response, oddINS: command.ins & 1 == 1)
                session = sm
                if closes { dropSession() }
                return response
            }
        }
        let padding = quirks.contains(.paddingBug6282) && sw == .endOfFileReached && !response.data.isEmpty
        let badMAC = quirks.contains(.badMACOn6282) && sw == .endOfFileReached
        guard closes || padding || badMAC else { return nil }
        var plain = response
        if padding {
            // 00…80 instead of 80…00: after the reader removes "80" the zeros remain.
            let block = sm.algorithm == .tripleDES ? 8 : 16
            let padded = (plain.data.count / block + 1) * block
            plain.data += [UInt8](repeating: 0, count: padded - plain.data.count - 1)
        }
        guard var protected = try? sm.protectResponse(plain, oddINS: command.ins & 1 == 1) else { return nil }
        session = sm
        if badMAC, !protected.data.isEmpty { protected.data[protected.data.count - 1] ^= 0x01 }
        if closes { dropSession() }
        return protected
    }

    private var selectMFAnswer: StatusWord? {
        if quirks.contains(.selectMF6D00) { return .instructionNotSupported }
        if quirks.contains(.selectMF6982) { return .securityStatusNotSatisfied }
        if quirks.contains(.selectMF6A81) { return .functionNotSupported }
        if quirks.contains(.selectMF6A86) { return .incorrectParameters }
        if quirks.contains(.selectMF6A87) { return StatusWord(sw1: 0x6A, sw2: 0x87) }
        if quirks.contains(.selectMF6985) { return .conditionsNotSatisfied }
        if quirks.contains(.selectMFNoop) { return .success }
        return nil
    }

    private var readLimit: Int? {
        if quirks.contains(.maxLe160) { return 160 }
        if quirks.contains(.maxLe192) { return 192 }
        if quirks.contains(.maxLe231) { return 231 }
        return nil
    }
}
