public import AccessControl
public import EMRTDCore
public import ISO7816
import EMRTD
import Foundation
import LDS
import MRZ
public import PassiveAuthentication
import PCSC
import SecureMessaging

/// One check of the card suite: a stable id (for `--case`, JUnit and scripts), a title, and the
/// clause of ICAO Doc 9303 (or ISO/IEC 7816-4) it checks.
public struct ConformanceCase: Sendable, Hashable {
    /// The stable id, `area.what` ("sm.wrong-mac-closes-session"), that `--case` and the JUnit report use.
    public let id: String
    /// What a conforming chip does, in one sentence.
    public let title: String
    /// The clause it checks ("ICAO 9303-11 §9.8").
    public let reference: String
}

/// What one case concluded.
public enum CaseOutcome: Sendable, Hashable {
    case passed(String)
    case failed(String)
    /// The card does not have what the case checks (no Active Authentication, no extended length).
    case skipped(String)

    /// Whether the case failed (a skip is not a failure).
    public var isFailure: Bool { if case .failed = self { true } else { false } }
}

/// One case run: its outcome and how long it took.
public struct CaseResult: Sendable {
    /// The case.
    public let testCase: ConformanceCase
    /// Passed, failed or skipped, with what the chip answered.
    public let outcome: CaseOutcome
    /// Wall-clock time of the case, its card reset included.
    public let seconds: Double
}

/// The card a suite talks to. `reset` power-cycles it (or reconnects with a reset) and returns a
/// channel to the chip in its initial state: no application selected, no secure messaging.
public struct CardUnderTest {
    /// The card as the results name it (a reader, "virtual chip").
    public var name: String
    /// Power-cycles the card and returns a channel to it in its initial state.
    public var reset: () throws(EMRTDError) -> any CardChannel
    /// The answer to reset (for the extended length case); nil when the transport does not give it.
    public var answerToReset: () -> [UInt8]?

    /// A card named `name`, reset by `reset`, whose ATR `answerToReset` gives.
    public init(name: String, reset: @escaping () throws(EMRTDError) -> any CardChannel, answerToReset: @escaping () -> [UInt8]?) {
        self.name = name
        self.reset = reset
        self.answerToReset = answerToReset
    }
}

/// The card conformance suite: how a chip answers, checked against ICAO Doc 9303 Parts 3, 10 and
/// 11 and ISO/IEC 7816-4. Every case starts from a reset chip, so one failure cannot hide another.
public struct CardSuite {
    /// EF.COM, DG1 and EF.SOD, read by short file identifier and after SELECT, give no data before access control.
    public static let accessBeforeAuthentication = ConformanceCase(
        id: "access.before-auth-6982", title: "Files are refused (6982) before BAC or PACE", reference: "ICAO 9303-11 §4.2")
    /// BAC with an altered document number is refused (6300), and so is PACE with an altered password.
    public static let wrongKeyRefused = ConformanceCase(
        id: "access.wrong-key-refused", title: "A wrong BAC key or PACE password is refused", reference: "ICAO 9303-11 §4.3, §4.4")
    /// A protected READ BINARY whose MAC is flipped is refused, and the session keys then fail under any counter.
    public static let wrongMACClosesSession = ConformanceCase(
        id: "sm.wrong-mac-closes-session", title: "A command with a wrong MAC is refused and ends secure messaging", reference: "ICAO 9303-11 §9.8")
    /// After three good exchanges, resending an earlier protected command is refused.
    public static let sscReplayRefused = ConformanceCase(
        id: "sm.ssc-replay-refused", title: "The send sequence counter advances: a replayed command is refused", reference: "ICAO 9303-11 §9.8")
    /// READ BINARY at EF.COM's end, and 16 bytes past it, gives no data (6B00).
    public static let readBeyondEnd = ConformanceCase(
        id: "read.beyond-end", title: "READ BINARY at or past the end of a file returns no data", reference: "ISO/IEC 7816-4 §7.2.3")
    /// READ BINARY by the SFIs of EF.COM and DG1 returns those files, not the current one; skipped when the
    /// chip has no SFI reads.
    public static let shortFileIdentifier = ConformanceCase(
        id: "read.sfi", title: "READ BINARY with a short file identifier reads that file", reference: "ISO/IEC 7816-4 §7.2.2; ICAO 9303-10 §4")
    /// READ BINARY B1 with DO'54' returns in DO'53' the bytes B0 gives at the same offset of EF.SOD; skipped
    /// when B1 is not implemented.
    public static let oddINS = ConformanceCase(
        id: "read.odd-ins", title: "READ BINARY with odd INS (B1) reads from the offset in DO'54'", reference: "ISO/IEC 7816-4 §7.2.3")
    /// When the ATR announces extended length, one READ BINARY returns more than 256 bytes of a large file.
    public static let extendedLength = ConformanceCase(
        id: "read.extended-length", title: "Extended length works when the ATR announces it", reference: "ISO/IEC 7816-4 §5.1, §8.1.1.2.7")
    /// EF.COM's tag list names exactly the data groups that answer SELECT.
    public static let efCOMConsistent = ConformanceCase(
        id: "lds.ef-com-consistent", title: "EF.COM lists exactly the data groups present", reference: "ICAO 9303-10 §4.6.1")
    /// Every file read parses as BER-TLV, constructed objects included, under its LDS tag and with no trailing bytes.
    public static let tlvWellFormed = ConformanceCase(
        id: "lds.tlv-well-formed", title: "Every file read is well-formed BER-TLV with its LDS tag", reference: "ICAO 9303-10 §4.7; ISO/IEC 7816-4 §6.3")
    /// DG1's MRZ parses with every check digit right (ICAO 9303-3 4.9).
    public static let dg1CheckDigits = ConformanceCase(
        id: "lds.dg1-check-digits", title: "DG1 holds an MRZ whose check digits are right", reference: "ICAO 9303-10 §4.7.1; 9303-3 §4.9")
    /// A CCCD's DG13 is version 1 under OID 1.0.10646.1.0.8, with a 12-digit ID and a name; skipped without
    /// DG13 or when DG1's issuing state is not VNM.
    public static let dg13Layout = ConformanceCase(
        id: "lds.dg13-cccd-layout", title: "DG13 follows the CCCD layout (CCCD cards)", reference: "ICAO 9303-10 §4.7.13; CCCD profile")
    /// EF.SOD's signature verifies, it chains to a CSCA when ``trust`` holds any, and it hashes every data
    /// group read, each matching.
    public static let sodCoversDataGroups = ConformanceCase(
        id: "pa.sod-covers-data-groups", title: "EF.SOD is validly signed and hashes every data group present", reference: "ICAO 9303-10 §4.6.2; 9303-11 §5.1")
    /// Chip Authentication with DG14's key works and EF.COM reads under the new keys; skipped without DG14.
    public static let chipAuthentication = ConformanceCase(
        id: "chip.chip-authentication", title: "Chip Authentication with the key of DG14", reference: "ICAO 9303-11 §6.2")
    /// The chip signs a fresh challenge with DG15's key; skipped without DG15.
    public static let activeAuthentication = ConformanceCase(
        id: "chip.active-authentication", title: "Active Authentication with the key of DG15", reference: "ICAO 9303-11 §6.1")

    /// Every case, in the order they run.
    public static let cases: [ConformanceCase] = [
        accessBeforeAuthentication, wrongKeyRefused, wrongMACClosesSession, sscReplayRefused, readBeyondEnd,
        shortFileIdentifier, oddINS, extendedLength, efCOMConsistent, tlvWellFormed, dg1CheckDigits, dg13Layout,
        sodCoversDataGroups, chipAuthentication, activeAuthentication,
    ]

    /// The card the cases run against.
    public let card: CardUnderTest
    /// The access key that opens it: PACE when EF.CardAccess offers it, else BAC (the MRZ key).
    public let key: AccessKey
    /// Case ids (or prefixes ending in `*`) to run; empty runs every case.
    public var only: [String] = []
    /// CSCAs for the EF.SOD case: when it holds any, the signer must chain to one of them.
    public var trust = TrustStore(cscas: [], crls: [])

    /// A suite that runs every case on `card`, opened with `key`, with no CSCA to chain EF.SOD to.
    public init(card: CardUnderTest, key: AccessKey) {
        self.card = card
        self.key = key
    }

    /// Whether `id` is selected by `filters` (exact ids, or prefixes written `prefix*`).
    public static func matches(_ id: String, _ filters: [String]) -> Bool {
        filters.isEmpty || filters.contains { f in f.hasSuffix("*") ? id.hasPrefix(String(f.dropLast())) : id == f }
    }

    /// Runs the selected cases; `progress` sees each result as it comes.
    public func run(progress: (CaseResult) -> Void = { _ in }) -> [CaseResult] {
        var results: [CaseResult] = []
        // The files, read once under access control, feed the LDS and PA cases.
        var files: Files?
        for testCase in Self.cases where Self.matches(testCase.id, only) {
            let start = DispatchTime.now().uptimeNanoseconds
            let outcome: CaseOutcome
            do throws(EMRTDError) {
                outcome = try evaluate(testCase, files: &files)
            } catch {
                outcome = .failed("\(error.message) [\(error.code)]")
            }
            let result = CaseResult(testCase: testCase, outcome: outcome, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            progress(result)
            results.append(result)
        }
        return results
    }

    private func evaluate(_ testCase: ConformanceCase, files: inout Files?) throws(EMRTDError) -> CaseOutcome {
        switch testCase.id {
        case Self.accessBeforeAuthentication.id: return try checkAccessBeforeAuthentication()
        case Self.wrongKeyRefused.id: return try checkWrongKey()
        case Self.wrongMACClosesSession.id: return try checkWrongMAC()
        case Self.sscReplayRefused.id: return try checkReplay()
        case Self.readBeyondEnd.id: return try checkReadBeyondEnd()
        case Self.shortFileIdentifier.id: return try checkShortFileIdentifier()
        case Self.oddINS.id: return try checkOddINS()
        case Self.extendedLength.id: return try checkExtendedLength()
        case Self.chipAuthentication.id: return try checkChipAuthentication()
        case Self.activeAuthentication.id: return try checkActiveAuthentication()
        default:
            if files == nil { files = try readFiles() }
            let read = files!
            switch testCase.id {
            case Self.efCOMConsistent.id: return LDSChecks.efCOM(read)
            case Self.tlvWellFormed.id: return LDSChecks.tlv(read)
            case Self.dg1CheckDigits.id: return LDSChecks.dg1(read)
            case Self.dg13Layout.id: return LDSChecks.dg13(read)
            case Self.sodCoversDataGroups.id: return LDSChecks.sod(read, trust: trust)
            default: return .skipped("unknown case")
            }
        }
    }

    // MARK: - Sessions

    /// A protected link whose secure messaging state the cases can copy and tamper with.
    final class Link {
        let connection: CardConnection
        var sm: SecureMessaging

        init(connection: CardConnection, sm: SecureMessaging) {
            self.connection = connection
            self.sm = sm
        }

        func send(_ command: CommandAPDU) throws(EMRTDError) -> ResponseAPDU {
            let protected = try sm.protect(command)
            let response = try connection.send(protected)
            return try unprotect(response)
        }

        /// Unprotects an answer; error status words sent without secure messaging pass as they are.
        func unprotect(_ response: ResponseAPDU) throws(EMRTDError) -> ResponseAPDU {
            if response.data.isEmpty && !response.statusWord.isSuccess && response.statusWord.sw1 != 0x62 {
                return response
            }
            return try sm.unprotect(response)
        }

        func select(_ file: LDSFile) throws(EMRTDError) -> StatusWord {
            try send(CommandAPDU(ins: 0xA4, p1: 0x02, p2: 0x0C, data: [UInt8(file.fileID >> 8), UInt8(file.fileID & 0xFF)])).statusWord
        }

        func read(offset: Int, length: Int) throws(EMRTDError) -> ResponseAPDU {
            try send(CommandAPDU(ins: 0xB0, p1: UInt8(offset >> 8 & 0x7F), p2: UInt8(offset & 0xFF), ne: length))
        }
    }

    /// The card as every case but the extended length one sees it: short APDUs only, so a chip whose
    /// ATR lies about extended length fails that case alone.
    final class ShortAPDUChannel: CardChannel {
        let card: any CardChannel
        init(_ card: any CardChannel) { self.card = card }
        var supportsExtendedLength: Bool { false }
        func transmit(_ command: [UInt8]) throws(EMRTDError) -> [UInt8] { try card.transmit(command) }
    }

    /// Resets the card; the channel speaks short APDUs unless a case asks for more.
    func reset() throws(EMRTDError) -> any CardChannel {
        ShortAPDUChannel(try card.reset())
    }

    /// The PACE protocols the chip's EF.CardAccess offers (none when it cannot be read).
    private func offeredPACE(_ channel: any CardChannel) -> [PACE.Configuration] {
        let session = EMRTDSession(channel: channel)
        guard let bytes = try? session.readFile(.cardAccess), let infos = try? SecurityInfos.parse(bytes) else { return [] }
        return infos.paceInfos.compactMap { try? PACE.Configuration($0) }
    }

    /// Resets the chip and opens it with `key`: PACE when offered, else BAC (ICAO 9303-11 §4.2).
    func open(with key: AccessKey? = nil) throws(EMRTDError) -> Link {
        let key = key ?? self.key
        let channel = try reset()
        let offered = offeredPACE(channel)
        let connection = CardConnection(channel: channel)
        if let configuration = offered.first {
            let session = try PACE.authenticate(on: connection, password: key.pacePassword, configuration: configuration)
            let link = Link(connection: connection, sm: session.secureMessaging)
            let sw = try link.send(CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x0C, data: EMRTDSession.applicationID)).statusWord
            guard sw.isSuccess else { throw EMRTDError(.applicationNotFound, "SELECT of the eMRTD application under PACE answered \(sw)") }
            return link
        }
        guard case .mrz(let mrzKey) = key else {
            throw EMRTDError(.accessControlUnavailable, "the chip offers no PACE, and BAC needs the MRZ key")
        }
        try selectApplicationPlain(connection)
        let session = try BAC.authenticate(on: connection, keys: BAC.accessKeys(for: mrzKey))
        return Link(connection: connection, sm: session.secureMessaging)
    }

    private func selectApplicationPlain(_ connection: CardConnection) throws(EMRTDError) {
        let sw = try connection.send(CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x0C, data: EMRTDSession.applicationID)).statusWord
        guard sw.isSuccess else { throw EMRTDError(.applicationNotFound, "SELECT of the eMRTD application answered \(sw)") }
    }

    /// A reader session (the production reading code) opened with the suite's key, reading by
    /// SELECT and short APDUs so the read cases alone judge SFI and extended length.
    func readerSession() throws(EMRTDError) -> EMRTDSession {
        let channel = try reset()
        let offered = offeredPACE(channel)
        var options = ReaderOptions()
        options.useShortFileIdentifiers = false
        options.extendedLength = false
        let session = EMRTDSession(channel: channel, options: options)
        if let configuration = offered.first {
            try session.performPACE(configuration, password: key.pacePassword)
        } else {
            try session.selectApplication()
            try session.establishAccess(with: key)
        }
        return session
    }

    // MARK: - Access control

    private func checkAccessBeforeAuthentication() throws(EMRTDError) -> CaseOutcome {
        let connection = CardConnection(channel: try reset())
        try selectApplicationPlain(connection)
        var leaks: [String] = []
        for file in [LDSFile.com, .dg1, .sod] {
            let bySFI = try connection.send(CommandAPDU(ins: 0xB0, p1: 0x80 | file.shortFileID, p2: 0, ne: 4))
            if !bySFI.data.isEmpty || bySFI.statusWord.isSuccess {
                leaks.append("READ BINARY of \(file.name) by SFI answered \(bySFI.statusWord.hex) with \(bySFI.data.count) bytes")
            }
            let select = try connection.send(CommandAPDU(ins: 0xA4, p1: 0x02, p2: 0x0C, data: [UInt8(file.fileID >> 8), UInt8(file.fileID & 0xFF)]))
            if select.statusWord.isSuccess {
                let read = try connection.send(CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 4))
                if !read.data.isEmpty || read.statusWord.isSuccess {
                    leaks.append("SELECT and READ BINARY of \(file.name) answered \(read.statusWord.hex) with \(read.data.count) bytes")
                }
            }
        }
        guard leaks.isEmpty else { return .failed("the chip serves files without access control: " + leaks.joined(separator: "; ")) }
        return .passed("EF.COM, DG1 and EF.SOD are refused before access control")
    }

    private func checkWrongKey() throws(EMRTDError) -> CaseOutcome {
        var notes: [String] = []
        var problems: [String] = []
        var ran = false
        // BAC, with the MRZ key whose document number is altered (its check digit recomputed).
        if case .mrz(let right) = key {
            let wrong = try MRZKey(documentNumber: Self.alter(right.documentNumber), dateOfBirth: right.dateOfBirth, dateOfExpiry: right.dateOfExpiry)
            let connection = CardConnection(channel: try reset())
            try selectApplicationPlain(connection)
            do throws(EMRTDError) {
                _ = try BAC.authenticate(on: connection, keys: BAC.accessKeys(for: wrong))
                problems.append("BAC with a wrong MRZ key succeeded")
            } catch {
                switch error.code {
                case .bacAuthenticationFailed: ran = true; notes.append("BAC with a wrong MRZ key refused")
                case .bacRefused: notes.append("BAC is refused as such (a PACE-only chip): \(error.message)")
                case .bacFailed where error.message.contains("6D00") || error.message.contains("GET CHALLENGE"):
                    notes.append("BAC is not offered")
                default: ran = true; problems.append("BAC with a wrong MRZ key: \(error.message) [\(error.code)] instead of 6300")
                }
            }
        }
        // PACE, with a password of the same kind but another value.
        let channel = try reset()
        if let configuration = offeredPACE(channel).first {
            let wrong: PACE.Password
            switch key {
            case .mrz(let right):
                wrong = .mrz(try MRZKey(documentNumber: Self.alter(right.documentNumber), dateOfBirth: right.dateOfBirth, dateOfExpiry: right.dateOfExpiry))
            case .can(let v): wrong = .can(Self.alter(v))
            case .pin(let v): wrong = .pin(Self.alter(v))
            case .puk(let v): wrong = .puk(Self.alter(v))
            }
            ran = true
            do throws(EMRTDError) {
                _ = try PACE.authenticate(on: CardConnection(channel: channel), password: wrong, configuration: configuration)
                problems.append("PACE with a wrong \(wrong.name) succeeded")
            } catch {
                if error.code == .paceAuthenticationFailed {
                    notes.append("PACE-\(wrong.name) refused")
                } else {
                    problems.append("PACE with a wrong \(wrong.name): \(error.message) [\(error.code)]")
                }
            }
        }
        if !problems.isEmpty { return .failed(problems.joined(separator: "; ")) }
        guard ran else { return .skipped("neither BAC (needs the MRZ key) nor PACE could be tried: " + notes.joined(separator: "; ")) }
        return .passed(notes.joined(separator: "; "))
    }

    /// Changes the last character of a key (a digit stays a digit; a letter becomes another).
    /// A wrong secret of the same length: the last digit changed, built in wipeable storage.
    static func alter(_ secret: SecretBytes) -> SecretBytes {
        SecretBytes(count: max(secret.count, 1)) { out in
            secret.withUnsafeBytes { s in
                guard let last = s.last else { out[0] = 0x31; return }
                out.copyMemory(from: s)
                out[s.count - 1] = last == 0x39 ? 0x30 : (0x30...0x38).contains(last) ? last + 1 : (last == 0x41 ? 0x42 : 0x41)
            }
        }
    }

    static func alter(_ text: String) -> String {
        guard let last = text.last else { return "1" }
        let replacement: Character = last.isNumber ? (last == "9" ? "0" : Character(String((Int(String(last)) ?? 0) + 1))) : (last == "A" ? "B" : "A")
        return String(text.dropLast()) + String(replacement)
    }

    // MARK: - Secure messaging

    private func checkWrongMAC() throws(EMRTDError) -> CaseOutcome {
        let link = try open()
        let sw = try link.select(.com)
        guard sw.isSuccess else { return .failed("SELECT EF.COM under secure messaging answered \(sw)") }
        let before = link.sm
        var protected = try link.sm.protect(CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 4))
        guard protected.data.count >= 10 else { return .failed("the protected command has no MAC to corrupt") }
        protected.data[protected.data.count - 1] ^= 0x01  // the last byte of DO'8E'
        let answer = try link.connection.send(protected)
        if answer.statusWord.isSuccess || answer.data.count > 2 {
            return .failed("the chip answered \(answer.statusWord.hex) with \(answer.data.count) bytes to a command whose MAC is wrong")
        }
        // The session must be gone: no continuation of the counter may work any more.
        var afterCommand = before
        _ = try afterCommand.protect(CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 4))
        // The response would have advanced the counter once more: protecting a dummy does the same.
        var afterExchange = afterCommand
        _ = try afterExchange.protect(CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 4))
        for (label, state) in [("counter unchanged", before), ("counter after the command", afterCommand), ("counter after the exchange", afterExchange)] {
            var sm = state
            let probe = try sm.protect(CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 4))
            let reply = try link.connection.send(probe)
            if reply.statusWord.isSuccess || reply.data.count > 2, (try? sm.unprotect(reply))?.statusWord.isSuccess == true {
                return .failed("after refusing a wrong MAC (\(answer.statusWord.hex)) the chip kept its session keys: a protected READ BINARY (\(label)) succeeded")
            }
        }
        return .passed("wrong MAC refused with \(answer.statusWord.hex); the session keys no longer work")
    }

    private func checkReplay() throws(EMRTDError) -> CaseOutcome {
        let link = try open()
        guard try link.select(.com).isSuccess else { return .failed("SELECT EF.COM under secure messaging failed") }
        var exchanges = 0
        // Several exchanges: each response's MAC verifies only with the counter advanced by two.
        var replay: CommandAPDU?
        for _ in 0..<3 {
            let protected = try link.sm.protect(CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 4))
            let response = try link.connection.send(protected)
            let plain: ResponseAPDU
            do throws(EMRTDError) {
                plain = try link.unprotect(response)
            } catch {
                return .failed("the chip's answer to exchange \(exchanges + 1) does not verify with the send sequence counter: \(error.message)")
            }
            guard plain.statusWord.isSuccess || plain.statusWord == .endOfFileReached else {
                return .failed("a protected READ BINARY of EF.COM answered \(plain.statusWord)")
            }
            exchanges += 1
            replay = protected
        }
        guard let replay else { return .failed("no exchange took place") }
        let answer = try link.connection.send(replay)
        if answer.statusWord.isSuccess || answer.data.count > 2 {
            return .failed("a replayed protected command (an old send sequence counter) was answered \(answer.statusWord.hex) with \(answer.data.count) bytes")
        }
        return .passed("\(exchanges) exchanges verified with the counter; the replay was refused with \(answer.statusWord.hex)")
    }

    // MARK: - Reading

    /// EF.COM's size from its header, after it is selected on `link`.
    private func selectedSize(_ link: Link, _ file: LDSFile) throws(EMRTDError) -> (Int, [UInt8])? {
        guard try link.select(file).isSuccess else { return nil }
        let head = try link.read(offset: 0, length: 8)
        guard !head.data.isEmpty, let header = try? BERTLV.readHeader(head.data) else { return nil }
        return (header.headerLength + header.valueLength, head.data)
    }

    private func checkReadBeyondEnd() throws(EMRTDError) -> CaseOutcome {
        let link = try open()
        guard let (size, _) = try selectedSize(link, .com) else { return .failed("EF.COM could not be selected and read") }
        var problems: [String] = []
        for offset in [size, size + 16] where offset <= 0x7FFF {
            let r = try link.read(offset: offset, length: 4)
            if !r.data.isEmpty || r.statusWord.isSuccess {
                problems.append("offset \(offset) of the \(size)-byte EF.COM answered \(r.statusWord.hex) with \(r.data.count) bytes")
            }
        }
        guard problems.isEmpty else { return .failed(problems.joined(separator: "; ") + " (expected 6B00)") }
        return .passed("no data past the end of EF.COM")
    }

    private func checkShortFileIdentifier() throws(EMRTDError) -> CaseOutcome {
        let link = try open()
        var expected: [LDSFile: [UInt8]] = [:]
        for file in [LDSFile.com, .dg1] {
            guard try link.select(file).isSuccess else { return .failed("SELECT \(file.name) failed") }
            let r = try link.read(offset: 0, length: 16)
            guard !r.data.isEmpty else { return .failed("READ BINARY of \(file.name) after SELECT answered \(r.statusWord)") }
            expected[file] = r.data
        }
        // The current file is now DG1: an SFI read of EF.COM must not read it.
        var checked: [String] = []
        for file in [LDSFile.com, .dg1] {
            let r = try link.send(CommandAPDU(ins: 0xB0, p1: 0x80 | file.shortFileID, p2: 0, ne: 16))
            if [StatusWord.incorrectParameters, .functionNotSupported, .instructionNotSupported, .wrongParameters, .commandNotAllowed].contains(r.statusWord) {
                return .skipped("the chip does not read by short file identifier (\(r.statusWord.hex))")
            }
            guard r.statusWord.isSuccess || r.statusWord == .endOfFileReached else {
                return .failed("READ BINARY of \(file.name) by SFI \(String(format: "%02X", file.shortFileID)) answered \(r.statusWord)")
            }
            guard r.data == expected[file] else {
                return .failed("READ BINARY by SFI \(String(format: "%02X", file.shortFileID)) returned other bytes than \(file.name) (\(Hex.encode(Array(r.data.prefix(4))))… instead of \(Hex.encode(Array(expected[file]!.prefix(4))))…)")
            }
            checked.append(file.name)
        }
        return .passed("SFI reads of \(checked.joined(separator: " and ")) match the selected files")
    }

    private func checkOddINS() throws(EMRTDError) -> CaseOutcome {
        let link = try open()
        guard let (size, _) = try selectedSize(link, .sod) else { return .failed("EF.SOD could not be selected and read") }
        let offset = min(32, size - 8)
        let plain = try link.read(offset: offset, length: 8)
        guard plain.data.count == 8 else { return .failed("READ BINARY (B0) at offset \(offset) of EF.SOD answered \(plain.statusWord)") }
        let command = CommandAPDU(ins: 0xB1, p1: 0, p2: 0, data: TLV(tag: 0x54, value: [UInt8(offset)]).encoded(), ne: 10)
        let r = try link.send(command)
        if [StatusWord.instructionNotSupported, .functionNotSupported, .classNotSupported].contains(r.statusWord) {
            return .skipped("the chip does not implement READ BINARY with odd INS (\(r.statusWord.hex))")
        }
        guard r.statusWord.isSuccess || r.statusWord == .endOfFileReached else { return .failed("odd-INS READ BINARY answered \(r.statusWord)") }
        guard let object = try? BERTLV.parsePrefix(r.data[...]).0, object.tag.rawValue == 0x53 else {
            return .failed("the odd-INS answer is not a DO'53' (\(Hex.encode(Array(r.data.prefix(6)))))")
        }
        guard !object.value.isEmpty, Array(plain.data.prefix(object.value.count)) == object.value else {
            return .failed("odd-INS READ BINARY at offset \(offset) returned \(Hex.encode(object.value)), B0 at the same offset \(Hex.encode(plain.data))")
        }
        return .passed("DO'53' at offset \(offset) matches READ BINARY B0")
    }

    private func checkExtendedLength() throws(EMRTDError) -> CaseOutcome {
        let link = try open()
        guard let atr = card.answerToReset() else { return .skipped("the transport gives no ATR") }
        guard ATR.announcesExtendedLength(atr) else { return .skipped("the ATR does not announce extended length") }
        // The largest file the reader may read, to ask for more than a short APDU can carry.
        var target: (LDSFile, Int)?
        for file in [LDSFile.dg2, .sod, .dg13, .dg14, .dg15] {
            if let (size, _) = try selectedSize(link, file), size > 300 { target = (file, size); break }
        }
        guard let (file, size) = target else { return .skipped("no file larger than 300 bytes to read with extended length") }
        guard try link.select(file).isSuccess else { return .failed("SELECT \(file.name) failed") }
        let want = min(size, 1024)
        let r: ResponseAPDU
        do throws(EMRTDError) {
            r = try link.read(offset: 0, length: want)
        } catch {
            return .failed("extended READ BINARY of \(want) bytes: \(error.message)")
        }
        guard r.statusWord.isSuccess || r.statusWord == .endOfFileReached, r.data.count > 256 else {
            return .failed("the ATR announces extended length, but READ BINARY with Le=\(want) on \(file.name) answered \(r.statusWord.hex) with \(r.data.count) bytes")
        }
        return .passed("\(r.data.count) bytes of \(file.name) in one extended READ BINARY")
    }

    // MARK: - Files

    /// What the chip holds: each file read whole, and which data groups answer SELECT.
    struct Files {
        var bytes: [LDSFile: [UInt8]] = [:]
        /// Data groups that exist (SELECT 9000, or 6982 for EAC-protected ones).
        var present: Set<Int> = []
        var failures: [LDSFile: EMRTDError] = [:]
    }

    func readFiles() throws(EMRTDError) -> Files {
        let session = try readerSession()
        var files = Files()
        for n in 1...16 {
            let file = LDSFile.dataGroup(n)!
            let sw = try session.channel.send(CommandAPDU(ins: 0xA4, p1: 0x02, p2: 0x0C, data: [UInt8(file.fileID >> 8), UInt8(file.fileID & 0xFF)])).statusWord
            if sw.isSuccess || sw == .securityStatusNotSatisfied { files.present.insert(n) }
        }
        var wanted = [LDSFile.com, .sod]
        wanted += files.present.sorted().filter { $0 != 3 && $0 != 4 }.compactMap { LDSFile.dataGroup($0) }
        for file in wanted {
            do throws(EMRTDError) {
                files.bytes[file] = try session.readFile(file)
            } catch {
                files.failures[file] = error
            }
        }
        return files
    }

    // MARK: - Chip

    /// The file, or nil when the chip does not have it (6A82).
    static func readIfPresent(_ session: EMRTDSession, _ file: LDSFile) throws(EMRTDError) -> [UInt8]? {
        do throws(EMRTDError) {
            return try session.readFile(file)
        } catch {
            if error.code == .fileNotFound { return nil }
            throw error
        }
    }

    private func checkChipAuthentication() throws(EMRTDError) -> CaseOutcome {
        let session = try readerSession()
        guard let dg14 = try Self.readIfPresent(session, .dg14) else { return .skipped("no DG14") }
        let configuration: ChipAuthentication.Configuration
        do throws(EMRTDError) {
            configuration = try ChipAuthentication.configuration(from: DG14(dg14).securityInfos)
        } catch {
            return .skipped("DG14 offers no Chip Authentication this reader implements (\(error.message))")
        }
        do throws(EMRTDError) {
            try session.performChipAuthentication(configuration)
        } catch {
            return .failed("\(error.message) [\(error.code)]")
        }
        // Reading on under the new keys proves them again.
        _ = try session.readFile(.com)
        return .passed("\(configuration); EF.COM read under the new keys")
    }

    private func checkActiveAuthentication() throws(EMRTDError) -> CaseOutcome {
        let session = try readerSession()
        guard let dg15 = try Self.readIfPresent(session, .dg15) else { return .skipped("no DG15: the chip does not offer Active Authentication") }
        let dg14 = try? session.readFile(.dg14)
        let configuration: ActiveAuthentication.Configuration
        do throws(EMRTDError) {
            configuration = try ActiveAuthentication.configuration(dg15: DG15(dg15), dg14: dg14.flatMap { try? DG14($0) })
        } catch {
            return .failed("DG15 holds no usable public key: \(error.message)")
        }
        do throws(EMRTDError) {
            try ActiveAuthentication.perform(configuration, over: session.channel)
        } catch {
            return .failed("\(error.message) [\(error.code)]")
        }
        return .passed("the chip signed a fresh challenge with the key of DG15")
    }
}
