public import EMRTDCore
public import ISO7816
public import AccessControl
public import LDS
public import MRZ
public import SecureMessaging

extension EMRTDError.Code {
    /// The file is not on the chip (6A82).
    public static let fileNotFound = Self("lds.file-not-found")
    /// Reading the file needs more access than was established (6982), e.g. EAC-protected DG3.
    public static let accessDenied = Self("lds.access-denied")
    /// The chip's answers to READ BINARY did not add up to the file its header announced.
    public static let fileReadFailed = Self("lds.read-failed")
    /// The file's header announces more than any LDS file may hold.
    public static let fileTooLarge = Self("lds.file-too-large")
    /// The eMRTD application could not be selected.
    public static let applicationNotFound = Self("lds.application-not-found")
    /// The requested access control is not available with this key or chip.
    public static let accessControlUnavailable = Self("access.unavailable")
}

/// The access control a session established, kept to re-establish it after a secure messaging failure.
public enum AccessProcedure: Sendable {
    case bac(MRZKey)
    case pace(PACE.Configuration, PACE.Password)
}

/// How the reader adapts to a chip.
public struct ReaderOptions: Sendable {
    /// The largest READ BINARY Le to start with for short APDUs. 223 is the largest whose secure
    /// messaging response still fits a short response APDU with both 3DES and AES.
    public var shortBlockSize = 223
    /// The Le to start with when extended length is used.
    public var extendedBlockSize = 0xFE00
    /// `nil`: use extended length when the channel says the chip supports it.
    public var extendedLength: Bool? = nil
    /// READ BINARY with a short file identifier first (saves a SELECT per file).
    public var useShortFileIdentifiers = true
    /// How often access is re-established after a secure messaging failure in one file before giving up.
    public var maximumReauthentications = 2
    /// How often access is re-established in a whole session: a chip that keeps closing secure
    /// messaging is not chased forever.
    public var maximumReauthenticationsPerSession = 6
    /// How long a command, and the whole session, may take (enforced by a ``TimedChannel``).
    public var timeLimits = TimeLimits.defaults

    /// The defaults: 223-byte short reads, extended length when the channel supports it, short file
    /// identifiers, `TimeLimits.defaults`.
    public init() {}
}

/// A session with an eMRTD application: selection, access control, and reading of LDS files with
/// block-size step-down, extended length, odd-INS reads and recovery from secure messaging errors.
public final class EMRTDSession {
    /// ICAO eMRTD application identifier (Doc 9303 Part 10 section 3.1).
    public static let applicationID = LDSFile.applicationID
    /// The largest file the reader accepts: the card image limit, so whatever is read can be dumped.
    public static let maximumFileSize = CardImage.maximumFileSize

    /// The plain connection under every channel: it counts and traces the APDUs.
    public let connection: CardConnection
    /// How the session reads; ``blockSize`` starts from it.
    public var options: ReaderOptions
    /// Where commands go now: the plain connection, then secure messaging once access control succeeded
    /// (a closed channel while access is being re-established).
    public private(set) var channel: any APDUChannel {
        // Every secure messaging channel of the session shares what was learned of the chip.
        didSet { (channel as? SecureChannel)?.habits = habits }
    }
    /// What this session learned of the chip's secure messaging (CHIP-QUIRKS.md B1, B2).
    public let habits = SecureMessagingHabits()
    /// The chip refused READ BINARY with a short file identifier: files are selected from now on.
    public private(set) var shortFileIDsRefused = false
    /// Something was learned since the last failure: a failure at the same place is then worth
    /// one more re-authentication; with nothing new learned it would only repeat.
    private var lessonsLearned = 0
    private var procedure: AccessProcedure?
    private var random: RandomSource

    /// The READ BINARY length that works with this chip, learned while reading. For odd-INS reads
    /// it bounds the whole DO'53', so the protected answer still fits a short response with AES.
    public internal(set) var blockSize: Int
    /// A first READ BINARY of a whole block was refused once: files then start with their header.
    private var firstReadRefused = false
    /// How many times secure messaging had to be re-established.
    public private(set) var reauthentications = 0

    /// A session over `channel`, bounded by `options.timeLimits` unless they are unlimited; nothing is sent yet.
    public init(channel: any CardChannel, options: ReaderOptions = ReaderOptions(), random: RandomSource = .system) {
        let limited: any CardChannel = options.timeLimits == .unlimited ? channel : TimedChannel(channel, limits: options.timeLimits)
        let connection = CardConnection(channel: limited)
        self.connection = connection
        self.channel = connection
        self.options = options
        self.random = random
        let extended = options.extendedLength ?? channel.supportsExtendedLength
        blockSize = extended ? options.extendedBlockSize : options.shortBlockSize
    }

    /// Whether commands go through secure messaging.
    public var isSecured: Bool { channel is SecureChannel }

    /// SELECT the eMRTD application by its DF name.
    public func selectApplication() throws(EMRTDError) {
        let response = try channel.send(CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x0C, data: Self.applicationID))
        guard response.statusWord.isSuccess else {
            throw EMRTDError(.applicationNotFound, "the chip has no eMRTD application (SELECT answered \(response.statusWord))")
        }
    }

    /// The result of the last PACE run (mapping, chip keys for PACE-CAM).
    public private(set) var paceSession: PACE.Session?

    /// Establishes Basic Access Control with `key` (the application must be selected) and switches
    /// to secure messaging.
    public func establishAccess(with key: AccessKey) throws(EMRTDError) {
        switch key {
        case .mrz(let mrzKey):
            channel = try BAC.establish(on: connection, key: mrzKey, random: random)
            procedure = .bac(mrzKey)
        case .can, .pin, .puk:
            throw EMRTDError(.accessControlUnavailable, "a \(key) opens a chip only with PACE")
        }
    }

    /// Chip Authentication done in this session, redone after a re-authentication.
    public private(set) var chipAuthentication: ChipAuthentication.Configuration?

    /// Runs Chip Authentication v1 with DG14's key and proves it at once: a protected READ BINARY
    /// under the new keys only works if the chip holds the private key.
    public func performChipAuthentication(_ configuration: ChipAuthentication.Configuration) throws(EMRTDError) {
        guard let secure = channel as? SecureChannel else {
            throw EMRTDError(.caUnsupported, "Chip Authentication needs secure messaging (BAC or PACE) first")
        }
        channel = ClosedChannel()
        let next = try ChipAuthentication.perform(configuration, over: secure)
        channel = next
        do throws(EMRTDError) {
            // One byte of EF.COM under the new keys; by SELECT when the chip does not read by short
            // file identifier (learned in this session, or refused now).
            let selectAndRead: () throws(EMRTDError) -> ResponseAPDU = {
                _ = try next.send(CommandAPDU(ins: 0xA4, p1: 0x02, p2: 0x0C, data: [0x01, 0x1E]))
                return try next.send(CommandAPDU(ins: 0xB0, p1: 0, p2: 0, ne: 1))
            }
            var probe: ResponseAPDU
            if shortFileIDsRefused || !options.useShortFileIdentifiers {
                probe = try selectAndRead()
            } else {
                probe = try next.send(CommandAPDU(ins: 0xB0, p1: 0x80 | LDSFile.com.shortFileID, p2: 0, ne: 1))
                if Self.refusesShortFileID(probe.statusWord, secured: true) {
                    probe = try selectAndRead()
                    if probe.statusWord.isSuccess { noteShortFileIDsRefused() }
                }
            }
            guard probe.statusWord.isSuccess || probe.statusWord == .endOfFileReached else {
                throw EMRTDError(.caFailed, "after Chip Authentication the chip answered \(probe.statusWord)")
            }
        } catch {
            channel = ClosedChannel()
            throw EMRTDError(.caFailed, "the chip cannot answer with the Chip Authentication keys (\(error.message)): it does not hold the private key of DG14")
        }
        chipAuthentication = configuration
    }

    /// Runs access control again (BAC or PACE, and Chip Authentication if it succeeded before):
    /// after a failed Chip Authentication, to go on reading under the access keys alone.
    public func reestablish() throws(EMRTDError) {
        try reestablishAccess()
    }

    /// Drops any secure messaging state and talks plain APDUs again (after a refused PACE, before BAC).
    public func resetToPlain() {
        channel = connection
        procedure = nil
        paceSession = nil
        chipAuthentication = nil
    }

    /// Runs PACE (before the application is selected, ICAO 9303-11 4.2), then selects the eMRTD
    /// application under the new secure messaging.
    public func performPACE(_ configuration: PACE.Configuration, password: PACE.Password, ephemerals: PACE.Ephemerals = PACE.Ephemerals()) throws(EMRTDError) {
        channel = ClosedChannel()
        let result = try PACE.establish(on: connection, password: password, configuration: configuration, ephemerals: ephemerals)
        channel = result.channel
        paceSession = result.session
        procedure = .pace(configuration, password)
        if configuration.mapping == .chipAuthentication && cardSecurity == nil {
            readCardSecurity()
        }
        try selectApplication()
    }

    /// EF.CardSecurity as read right after PACE-CAM, in the master file where PACE left the chip
    /// (ICAO 9303-11 4.4.3.5.2: the reader needs its key to check the mapping), before the
    /// application is selected; `nil` until then. Only PACE-CAM needs it: with GM or IM, DG14 holds
    /// all Chip Authentication needs, and probing for it would cost APDUs on every read.
    public private(set) var cardSecurity: Result<[UInt8], EMRTDError>?

    /// Reads EF.CardSecurity without re-authenticating on a failure: a re-authentication selects
    /// the application, whose file with the same identifiers is EF.SOD. Secure messaging broken
    /// here is restored once the read has given up, and the file's outcome says what happened.
    private func readCardSecurity() {
        let allowed = options.maximumReauthentications
        options.maximumReauthentications = 0
        defer { options.maximumReauthentications = allowed }
        do {
            cardSecurity = .success(try readFile(.cardSecurity))
        } catch {
            cardSecurity = .failure(error)
            if error.code.domain == "sm" {
                // The application is selected by re-establishing access; EF.CardSecurity stays unread.
                try? reestablishAccess()
            }
        }
    }

    /// Re-runs access control after the chip dropped secure messaging, then re-selects the application.
    /// Until it succeeds the session talks through a closed channel: a failed re-authentication
    /// must never leave later reads going out in plain APDUs.
    private func reestablishAccess() throws(EMRTDError) {
        guard let procedure else { throw EMRTDError(.smSessionClosed, "secure messaging failed and no access key is known") }
        reauthentications += 1
        channel = ClosedChannel()
        switch procedure {
        case .pace(let configuration, let password):
            try performPACE(configuration, password: password)
        case .bac(let key):
            let plain = PlainChannel(connection)
            let response = try plain.send(CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x0C, data: Self.applicationID))
            guard response.statusWord.isSuccess else {
                throw EMRTDError(.applicationNotFound, "re-selecting the eMRTD application failed (\(response.statusWord))")
            }
            try establishAccess(with: .mrz(key))
        }
        if let chipAuthentication {
            try performChipAuthentication(chipAuthentication)
        }
    }

    /// Reads a whole elementary file. After a secure messaging failure it re-establishes access
    /// and resumes from the last good offset (ICAO 9303 leaves the chip's session closed).
    public func readFile(_ file: LDSFile, progress: ((Int, Int) -> Void)? = nil) throws(EMRTDError) -> [UInt8] {
        var buffer: [UInt8] = []
        var expectedTotal: Int? = nil
        var failures = 0
        var lastFailure: (offset: Int, lessons: Int)? = nil
        while true {
            do {
                try readFile(file, into: &buffer, total: &expectedTotal, progress: progress)
                return buffer
            } catch {
                let recoverable = error.code.domain == "sm" && procedure != nil
                guard recoverable, failures < options.maximumReauthentications,
                      reauthentications < options.maximumReauthenticationsPerSession
                else { throw error }
                if habits.dropsSessionAfterErrors || expectedTotal == nil {
                    // A chip that closes secure messaging after an error, or that failed a first
                    // read (which may ask past a short file's end, answered 6282 with a bad MAC by
                    // some chips, CHIP-QUIRKS.md B3): start files with their header from now on, so
                    // no read asks past the end.
                    if !firstReadRefused { firstReadRefused = true; lessonsLearned += 1 }
                }
                // The same failure at the same place with nothing learned since would only repeat:
                // a strategy that failed once is not tried again.
                if let last = lastFailure, last.offset == buffer.count, last.lessons == lessonsLearned + habits.wrongGuesses {
                    throw error
                }
                lastFailure = (buffer.count, lessonsLearned + habits.wrongGuesses)
                failures += 1
                try reestablishAccess()
            }
        }
    }

    private func readFile(
        _ file: LDSFile, into buffer: inout [UInt8], total: inout Int?, progress: ((Int, Int) -> Void)?
    ) throws(EMRTDError) {
        var useSFI = options.useShortFileIdentifiers && !shortFileIDsRefused && buffer.isEmpty
        if !useSFI || !buffer.isEmpty {
            try select(file)
        }
        if total == nil {
            // The first read asks for a whole block: most files are then read in one APDU fewer. A chip
            // that refuses a length beyond a short file's end gets the 8 bytes that hold any tag and
            // length instead, and that refusal teaches nothing about the block size.
            // A portrait or an EF.SOD is never shorter than a block, so even a chip that refuses
            // reads past the end gets a whole block for them.
            let headerFirst = firstReadRefused && file != .dg2 && file != .sod
            let head = try readChunk(file, offset: 0, length: headerFirst ? 8 : blockSize, useSFI: &useSFI, allowShort: true).data
            buffer = head
            let header: (tag: TLVTag, headerLength: Int, valueLength: Int)
            do {
                header = try BERTLV.readHeader(head)
            } catch {
                throw EMRTDError(.fileReadFailed, "\(file.name) does not start with a valid TLV header: \(error.message)")
            }
            let size = header.headerLength + header.valueLength
            guard size <= Self.maximumFileSize else {
                throw EMRTDError(.fileTooLarge, "\(file.name) announces \(size) bytes, more than the \(Self.maximumFileSize) an LDS file may hold")
            }
            buffer = try Self.trimmed(buffer, to: size, file)
            total = size
        }
        let size = total!
        progress?(buffer.count, size)
        while buffer.count < size {
            let want = min(blockSize, size - buffer.count)
            let chunk = try readChunk(file, offset: buffer.count, length: want, useSFI: &useSFI, allowShort: false)
            buffer = try Self.trimmed(buffer + chunk.data, to: size, file)
            progress?(buffer.count, size)
            if chunk.endOfFile && buffer.count < size {
                throw EMRTDError(.fileReadFailed, "\(file.name) ends after \(buffer.count) bytes, but its header announces \(size)")
            }
        }
    }

    /// A file's bytes cut to the size its header announces. Only zeros may be cut: some chips
    /// pad the last block of a 6282 answer wrongly (00…80 for 80…00), which leaves zeros after the
    /// data once the padding is removed (CHIP-QUIRKS.md B3); anything else is a chip returning
    /// more than the file.
    static func trimmed(_ bytes: [UInt8], to size: Int, _ file: LDSFile) throws(EMRTDError) -> [UInt8] {
        guard bytes.count > size else { return bytes }
        guard bytes[size...].allSatisfy({ $0 == 0 }) else {
            throw EMRTDError(.fileReadFailed, "\(file.name) returned \(bytes.count) bytes for a \(size)-byte file")
        }
        return Array(bytes[..<size])
    }

    func select(_ file: LDSFile) throws(EMRTDError) {
        let fid = [UInt8(file.fileID >> 8), UInt8(file.fileID & 0xFF)]
        let response = try channel.send(CommandAPDU(ins: 0xA4, p1: 0x02, p2: 0x0C, data: fid))
        switch response.statusWord {
        case .success: return
        case .fileNotFound: throw EMRTDError(.fileNotFound, "\(file.name) is not on the chip (6A82)")
        case .securityStatusNotSatisfied:
            throw EMRTDError(.accessDenied, "\(file.name) needs access control the reader has not established (6982)")
        default: throw EMRTDError.status(response.statusWord, during: "SELECT \(file.name)")
        }
    }

    /// One READ BINARY, stepping the length down on 6700 / 6Cxx / 6282 / 6B00 until the chip
    /// accepts it, and remembering the length that worked.
    private func readChunk(
        _ file: LDSFile, offset: Int, length: Int, useSFI: inout Bool, allowShort: Bool
    ) throws(EMRTDError) -> (data: [UInt8], endOfFile: Bool) {
        var want = length
        var attempts = 0
        // SELECT found the file the chip would not read by short file identifier: once a read
        // succeeds, the chip does not do short file identifiers (a hidden file proves nothing).
        var selectedAfterRefusal = false
        while true {
            attempts += 1
            guard attempts <= 32 else {
                throw EMRTDError(.fileReadFailed, "\(file.name): the chip refused every READ BINARY length at offset \(offset)")
            }
            let response = try readBinary(file, offset: offset, length: want, useSFI: useSFI)
            switch response.statusWord {
            case .success, .endOfFileReached:
                guard response.data.count <= want else {
                    throw EMRTDError(.fileReadFailed, "\(file.name): the chip returned \(response.data.count) bytes where \(want) were asked")
                }
                if response.data.isEmpty && want > CommandAPDU.maximumShortNe {
                    // An extended read answered with nothing (CHIP-QUIRKS.md D3): short reads from now on.
                    want = min(options.shortBlockSize, want)
                    blockSize = want
                    continue
                }
                guard !response.data.isEmpty else {
                    throw EMRTDError(.fileReadFailed, "\(file.name): the chip returned no data at offset \(offset) (SW \(response.statusWord.hex))")
                }
                let short = response.statusWord == .endOfFileReached && response.data.count < want
                if selectedAfterRefusal { noteShortFileIDsRefused() }
                return (response.data, short)
            case let sw where useSFI && Self.refusesShortFileID(sw, secured: isSecured || file.isInMasterFile):
                // The chip does not take short file identifiers (or hides the file behind them):
                // SELECT by file identifier decides. When SELECT finds the file, the chip does not
                // read by short file identifier, and the session stops trying (CHIP-QUIRKS.md C2).
                useSFI = false
                try select(file)
                selectedAfterRefusal = true
                continue
            case .fileNotFound:
                throw EMRTDError(.fileNotFound, "\(file.name) is not on the chip (6A82)")
            case .securityStatusNotSatisfied:
                throw EMRTDError(.accessDenied, "reading \(file.name) needs access control the reader has not established (6982)")
            default:
                break
            }
            let sw = response.statusWord
            if let exact = sw.correctLength, exact < want {
                want = exact
                if allowShort {
                    // At a file's start the exact length may be the file's end, not the chip's
                    // limit; the chip says so at once, so later files still start with a block.
                    continue
                }
            } else if want > CommandAPDU.maximumShortNe && (sw == .wrongLength || sw == .wrongParameters) {
                // The chip refuses extended length after all: short reads from now on.
                want = min(options.shortBlockSize, want)
            } else if allowShort && offset == 0 && want > 8 && (sw == .wrongLength || sw == .wrongParameters) && !firstReadRefused {
                // Refused beyond a short file's end, or beyond the chip's limit: ask for the header
                // only, and from now on start files with the header (one wasted APDU at most).
                firstReadRefused = true
                want = 8
                continue
            } else if sw == .wrongLength || sw == .wrongParameters || sw.sw1 == 0x6C {
                guard let smaller = Self.stepDown(from: want) else {
                    throw EMRTDError(.fileReadFailed, "\(file.name): READ BINARY failed at offset \(offset) even with 1 byte (\(sw))")
                }
                want = smaller
            } else {
                throw EMRTDError.status(sw, during: "READ BINARY \(file.name) at offset \(offset)")
            }
            blockSize = min(blockSize, max(want, 1))
        }
    }

    /// Status words with which a chip refuses READ BINARY by short file identifier. 6982 counts
    /// once access is established, or for the master file's files, which need none: a chip that
    /// means it is then refused at the SELECT that follows.
    static func refusesShortFileID(_ sw: StatusWord, secured: Bool) -> Bool {
        [.fileNotFound, .incorrectParameters, .functionNotSupported, .instructionNotSupported, .commandNotAllowed].contains(sw)
            || (secured && sw == .securityStatusNotSatisfied)
    }

    private func noteShortFileIDsRefused() {
        guard !shortFileIDsRefused else { return }
        shortFileIDsRefused = true
        lessonsLearned += 1
    }

    /// Whether extended length may be used: the chip announced it and has not refused it yet.
    public var extendedLengthUsable: Bool {
        channel.supportsExtendedLength && blockSize > CommandAPDU.maximumShortNe
    }

    /// The next shorter READ BINARY length to try.
    static func stepDown(from length: Int) -> Int? {
        let ladder = [223, 192, 160, 128, 96, 64, 32, 16, 8, 4, 1]
        return ladder.first { $0 < length }
    }

    private func readBinary(_ file: LDSFile, offset: Int, length: Int, useSFI: Bool) throws(EMRTDError) -> ResponseAPDU {
        if offset > 0x7FFF {
            // Offsets beyond 15 bits need the odd INS B1 with the offset in DO'54' and the data
            // returned in DO'53', whose header counts towards Ne: ask for no more than fits.
            var offsetBytes: [UInt8] = []
            var v = offset
            while v > 0 { offsetBytes.insert(UInt8(v & 0xFF), at: 0); v >>= 8 }
            var content = length
            while content > 1 && content + 1 + BERTLV.encodeLength(content).count > max(length, 8) { content -= 1 }
            let ne = content + 1 + BERTLV.encodeLength(content).count
            let command = CommandAPDU(ins: 0xB1, p1: 0, p2: 0, data: TLV(tag: 0x54, value: offsetBytes).encoded(), ne: ne)
            var response = try channel.send(command)
            if !response.data.isEmpty {
                let object: TLV
                do {
                    object = try BERTLV.parsePrefix(response.data[...]).0
                } catch {
                    throw EMRTDError(.fileReadFailed, "\(file.name): malformed odd-INS READ BINARY response: \(error.message)")
                }
                guard object.tag.rawValue == 0x53 else {
                    throw EMRTDError(.fileReadFailed, "\(file.name): odd-INS READ BINARY returned tag \(object.tag), not 53")
                }
                guard object.value.count <= content else {
                    throw EMRTDError(.fileReadFailed, "\(file.name): the chip returned \(object.value.count) bytes where \(content) were asked")
                }
                response.data = object.value
            }
            return response
        }
        let p1: UInt8
        let p2: UInt8
        if useSFI && offset <= 0xFF {
            p1 = 0x80 | file.shortFileID
            p2 = UInt8(offset)
        } else {
            p1 = UInt8(offset >> 8)
            p2 = UInt8(offset & 0xFF)
        }
        return try channel.send(CommandAPDU(ins: 0xB0, p1: p1, p2: p2, ne: length))
    }
}

/// A channel for plain APDUs over the connection (re-selection before access control).
private final class PlainChannel: APDUChannel {
    let connection: CardConnection
    init(_ connection: CardConnection) { self.connection = connection }
    var supportsExtendedLength: Bool { connection.supportsExtendedLength }
    func send(_ command: CommandAPDU) throws(EMRTDError) -> ResponseAPDU { try connection.send(command) }
}

/// Where the session talks while access is being re-established: nothing gets through.
private final class ClosedChannel: APDUChannel {
    var supportsExtendedLength: Bool { false }
    func send(_ command: CommandAPDU) throws(EMRTDError) -> ResponseAPDU {
        throw EMRTDError(.smSessionClosed, "secure messaging is closed and access could not be re-established")
    }
}
