public import EMRTDCore
public import ISO7816
public import LDS
public import AccessControl
import MRZ
import Cryptography
import SecureMessaging

/// A virtual eMRTD chip: the card side of ICAO Doc 9303, serving a ``CardImage``.
///
/// It answers SELECT (application by DF name, EF by file identifier), READ BINARY (by offset,
/// by short file identifier, odd INS with DO'54'/DO'53', short or extended length), GET CHALLENGE
/// and EXTERNAL AUTHENTICATE (BAC), and secure messaging, with the status words of real chips:
/// 6982 before access control, 6A82 for a missing file, 6300 for a failed BAC, 6988 for a bad
/// MAC (after which the session is gone). Its limits come from the image's `card.json`, so a test
/// can model a chip that refuses long reads or extended length.
public final class VirtualChip: CardChannel {
    /// Defects a test can switch on. They model faults of real chips, not features.
    public struct Faults: Sendable {
        /// The status words real chips give to a READ BINARY they cannot answer in full.
        public enum TooLongRead: Sendable, CaseIterable {
            /// 6700, wrong length.
            case wrongLength
            /// 6Cxx with the largest length the chip accepts.
            case exactLength
            /// 6B00, wrong parameters (as if the offset were beyond the file).
            case wrongParameters
        }

        /// Protected responses (counted from 1 over the chip's life) whose MAC is corrupted.
        public var corruptResponseMAC: Set<Int> = []
        /// After this many APDUs the card is "removed": every later transmit fails.
        public var removeAfterAPDUs: Int? = nil
        /// How the chip refuses a READ BINARY longer than `maxResponseLength`.
        public var tooLongRead = TooLongRead.wrongLength
        /// Files the chip refuses (6982) whatever access was established.
        public var deniedFiles: Set<LDSFile> = []
        /// Reading this file makes the chip drop secure messaging (6988), every time.
        public var sessionBreaksOn: LDSFile? = nil
        /// No fault: an honest chip.
        public init() {}
    }

    /// The files and settings the chip serves (while it is blank: what personalization wrote so far).
    public internal(set) var image: CardImage
    /// What the chip supports (extended length, the longest READ BINARY answer, short file identifiers, odd
    /// INS, BAC); from the image's `card.json`, widened by the Active Authentication quirks.
    public var limits: ChipLimits
    /// Transport trouble switched on: corrupted MACs, removal, refused files, broken sessions.
    public var faults: Faults
    /// Conformance defects (VirtualChip+Defects.swift); none by default.
    public var defects = Defects()
    /// Behaviours of real chips (ChipQuirk.swift, VirtualChip+Quirks.swift); none by default.
    public var quirks: Set<ChipQuirk> = [] {
        didSet { applyQuirkLimits() }
    }
    var quirkState = QuirkState()
    let random: RandomSource
    private var bacKeys: BAC.AccessKeys?
    /// The MRZ key (BAC, PACE-MRZ), from card.json.
    var mrzKey: MRZKey?
    /// The PACE protocols EF.CardAccess offers.
    var paceConfigurations: [PACE.Configuration]
    /// SK.IC, the static Chip Authentication key (PACE-CAM), from card.json.
    var chipAuthenticationKey: [UInt8]?
    /// The PACE run under way, between MSE:Set AT and the last GENERAL AUTHENTICATE.
    var paceRun: PACE.ChipSide?
    /// Chip Authentication (DG14's key and card.json's private key), when the image has both.
    var chipAuthentication: ChipAuthentication.Configuration?
    /// Set by MSE:Set AT for Chip Authentication, until its GENERAL AUTHENTICATE.
    var chipAuthenticationSelected = false
    /// The session that replaces the current one once the current answer is sent.
    var pendingSession: SecureMessaging?
    /// Active Authentication: the private key of DG15 (card.json) and, for ECDSA, the hash DG14 names.
    var activeAuthenticationKey: PrivateKey?
    var activeAuthenticationHash: HashAlgorithm?
    /// Personalization (JMRTD passport applet commands) until the lock; a chip made from a card
    /// image is locked from the start.
    var personalization: Personalization? = nil

    var applicationSelected = false
    /// Secure messaging came from PACE (EF.CardSecurity is readable only then): VirtualChip+MasterFile.swift.
    var accessByPACE = false
    var currentFile: LDSFile? = nil
    private var challenge: [UInt8]? = nil
    var session: SecureMessaging? = nil
    private var protectedResponses = 0

    /// Called with the chip's content when personalization locks it (`cccd sim --blank --save`).
    public var onLock: ((CardImage) -> Void)?

    /// Every command APDU received, in order (for tests of what the reader sent).
    public private(set) var commandLog: [CommandAPDU] = []
    /// Whether ``commandLog`` grows: a chip that serves for long (`cccd sim`, a fuzzer) keeps none.
    public var logsCommands = true
    /// Command APDUs received through ``transmit(_:)`` since the chip was made (resets do not clear it).
    public private(set) var apduCount = 0

    /// A chip serving `image`, with its keys from `card.json` (MRZ, CAN, Chip and Active Authentication
    /// private keys); `random` gives its nonces and ephemeral keys. Throws when `card.json` holds a key
    /// that does not parse.
    public init(image: CardImage, faults: Faults = Faults(), random: RandomSource = .system) throws(EMRTDError) {
        self.image = image
        self.limits = image.settings.chip
        self.faults = faults
        self.random = random
        paceConfigurations = []
        try load(image)
    }

    /// Takes the keys and protocols of `image`: card.json's MRZ, CAN and private keys, EF.CardAccess's
    /// PACE, DG14's Chip Authentication. `mrzKey` overrides card.json's MRZ (personalization sets
    /// the BAC key apart from DG1).
    func load(_ image: CardImage, mrzKey override: MRZKey? = nil) throws(EMRTDError) {
        self.image = image
        if let override {
            mrzKey = override
        } else if let mrzText = image.settings.mrz {
            mrzKey = MRZKey(mrz: try MRZ(mrzText))
        } else {
            mrzKey = nil
        }
        bacKeys = mrzKey.map { BAC.accessKeys(for: $0) }
        paceConfigurations = Self.offeredPACE(in: image)
        let dg14 = image.files[.dg14].flatMap { try? DG14($0) }
        chipAuthentication = dg14.flatMap { try? ChipAuthentication.configuration(from: $0.securityInfos) }
        if let pem = image.settings.activeAuthenticationKey {
            let key: PrivateKey
            do {
                key = try PrivateKey(pem: pem)
            } catch {
                throw EMRTDError(.imageInvalidSettings, "card.json: activeAuthenticationKey is not a PKCS #8 PEM private key")
            }
            activeAuthenticationKey = key
            if case .ec = key.publicKey.kind {
                let algorithm = dg14?.securityInfos.activeAuthenticationInfos.first?.signatureAlgorithm
                activeAuthenticationHash = algorithm.flatMap { ActiveAuthentication.ecdsaHash($0) } ?? .sha256
            } else {
                activeAuthenticationHash = nil
            }
        } else {
            activeAuthenticationKey = nil
            activeAuthenticationHash = nil
        }
        if let hex = image.settings.chipAuthenticationKey {
            do {
                chipAuthenticationKey = try Hex.decode(hex)
            } catch {
                throw EMRTDError(.imageInvalidSettings, "card.json: chipAuthenticationKey is not hex")
            }
        } else {
            chipAuthenticationKey = nil
        }
    }

    /// Whether the ATR announces extended length: the chip's limit, or a defect or quirk that claims it.
    public var supportsExtendedLength: Bool { announcesExtendedLength }

    /// Whether secure messaging is established.
    public var isSecured: Bool { session != nil }

    /// Power-cycles the chip: every session state is lost.
    public func reset() {
        applicationSelected = false
        currentFile = nil
        challenge = nil
        session = nil
        paceRun = nil
        chipAuthenticationSelected = false
        pendingSession = nil
        quirkState = QuirkState()
        accessByPACE = false
    }

    /// Starts secure messaging with the session PACE established.
    func establish(_ sm: SecureMessaging) {
        session = sm
        accessByPACE = true
        challenge = nil
    }

    /// Answers one command APDU, as a PC/SC reader would pass it: with GET RESPONSE chaining when a quirk
    /// asks for it, and a removal error once ``Faults/removeAfterAPDUs`` is passed.
    public func transmit(_ bytes: [UInt8]) throws(EMRTDError) -> [UInt8] {
        apduCount += 1
        if let limit = faults.removeAfterAPDUs, apduCount > limit {
            reset()
            throw EMRTDError(.cardRemoved, "the card was removed from the reader")
        }
        if let part = quirkState.nextChainedPart(bytes) { return part }
        let response = process(bytes)
        return quirks.contains(.responseChaining) ? quirkState.chain(response, to: bytes) : response.encoded
    }

    /// Handles one command APDU and returns the response APDU.
    public func process(_ bytes: [UInt8]) -> ResponseAPDU {
        guard let received = try? CommandAPDU(bytes: bytes) else {
            return ResponseAPDU(statusWord: .wrongLength)
        }
        // Bits 0x0C: secure messaging; 0x10: command chaining (GENERAL AUTHENTICATE of PACE).
        guard received.cla & 0xE3 == 0 else { return ResponseAPDU(statusWord: .classNotSupported) }
        if let answer = quirkAnswerBeforeSecureMessaging(received) { return answer }
        if received.needsExtendedLength && !limits.extendedLength && !quirksTakeExtendedAPDUs {
            return ResponseAPDU(statusWord: .wrongLength)
        }

        let isProtected = received.cla & 0x0C == 0x0C
        var command = received
        var beforeCommand: SecureMessaging? = nil
        if isProtected {
            guard var sm = session else {
                return ResponseAPDU(statusWord: .secureMessagingDataObjectsMissing)
            }
            let before = sm
            beforeCommand = sm
            do {
                command = try sm.unprotectCommand(received)
                session = sm
                defects.accepted(before: before)
            } catch where defects.replay(received) != nil || defects.contains(.smErrorKeepsSession) {
                guard let replayed = defects.replay(received) else { return ResponseAPDU(statusWord: .secureMessagingDataObjectsIncorrect) }
                (command, session) = replayed
            } catch {
                // A chip discards its session keys on any secure messaging error.
                dropSession()
                return ResponseAPDU(statusWord: error.code == .smMissingMAC ? .secureMessagingDataObjectsMissing : .secureMessagingDataObjectsIncorrect)
            }
        } else if session != nil {
            // A plain command ends secure messaging, and with it the access rights.
            dropSession()
        }
        if logsCommands { commandLog.append(command) }

        let response = execute(command)
        if let breaking = faults.sessionBreaksOn, isProtected, currentFile == breaking, command.ins == 0xB0 || command.ins == 0xB1 {
            dropSession()
            return ResponseAPDU(statusWord: .secureMessagingDataObjectsIncorrect)
        }
        guard isProtected, var sm = session else { return response }
        if !quirks.isEmpty, let before = beforeCommand, let answer = quirkProtect(response, to: command, counterBefore: before) {
            return answer
        }
        do {
            var protected = try sm.protectResponse(response, oddINS: command.ins & 1 == 1)
            session = sm
            // Chip Authentication: the answer goes out under the old keys, then the new ones apply.
            if let next = pendingSession {
                session = next
                pendingSession = nil
            }
            protectedResponses += 1
            if faults.corruptResponseMAC.contains(protectedResponses), !protected.data.isEmpty {
                protected.data[protected.data.count - 1] ^= 0x01
            }
            return protected
        } catch {
            dropSession()
            return ResponseAPDU(statusWord: .noPreciseDiagnosis)
        }
    }

    func dropSession() {
        session = nil
        accessByPACE = false
        challenge = nil
        paceRun = nil
        chipAuthenticationSelected = false
        pendingSession = nil
    }

    /// A blank chip has no access keys yet: everything is open until the lock.
    private var accessGranted: Bool {
        session != nil || !limits.requireAccessControl || personalization != nil || defects.contains(.noAccessControl)
    }

    private func execute(_ command: CommandAPDU) -> ResponseAPDU {
        quirks.isEmpty ? executeStandard(command) : executeWithQuirks(command)
    }

    func executeStandard(_ command: CommandAPDU) -> ResponseAPDU {
        switch command.ins {
        case 0xA4: return select(command)
        case 0xB0, 0xB1: return readBinary(command)
        case 0x84: return getChallenge(command)
        case 0x82: return limits.bac ? externalAuthenticate(command) : ResponseAPDU(statusWord: .instructionNotSupported)
        case 0x22: return manageSecurityEnvironment(command)
        case 0x86: return generalAuthenticate(command)
        case 0x88: return internalAuthenticate(command)
        case 0xE0, 0xD6, 0xDA: return personalize(command)
        default: return ResponseAPDU(statusWord: .instructionNotSupported)
        }
    }

    // MARK: - Files

    /// Whether `file` is visible in the current context: master file entries before the
    /// application is selected, application files after. EF.CardAccess stays selectable from both,
    /// as on CCCD chips that answer 9000 to a direct SELECT of 011C.
    private func visible(_ file: LDSFile) -> Bool {
        if file == .cardAccess { return true }
        return file.isInMasterFile != applicationSelected
    }

    private func lookup(fileID: UInt16) -> LDSFile? {
        image.files.keys.first { $0.fileID == fileID && visible($0) }
    }

    private func lookup(shortFileID: UInt8) -> LDSFile? {
        image.files.keys.first { $0.shortFileID == shortFileID && visible($0) }
    }

    private func mayRead(_ file: LDSFile) -> StatusWord? {
        if faults.deniedFiles.contains(file) { return .securityStatusNotSatisfied }
        if file.isInMasterFile { return masterFileAccess(file) }
        guard accessGranted else { return .securityStatusNotSatisfied }
        // DG3 and DG4 (fingerprints, iris) need Extended Access Control, which this chip does not
        // grant; the personalization applet writes them before its lock.
        if (file.fileID == 0x0103 || file.fileID == 0x0104) && personalization == nil { return .securityStatusNotSatisfied }
        return nil
    }

    private func select(_ command: CommandAPDU) -> ResponseAPDU {
        switch command.p1 {
        case 0x04:
            guard command.data == LDSFile.applicationID else {
                return ResponseAPDU(statusWord: .fileNotFound)
            }
            applicationSelected = true
            currentFile = nil
            return ResponseAPDU(statusWord: .success)
        case 0x00, 0x02:
            guard command.data.count == 2 else { return ResponseAPDU(statusWord: .incorrectData) }
            let fid = UInt16(command.data[0]) << 8 | UInt16(command.data[1])
            if fid == 0x3F00 {
                applicationSelected = false
                currentFile = nil
                return ResponseAPDU(statusWord: .success)
            }
            let known = LDSFile.all.contains { $0.fileID == fid && !$0.isInMasterFile }
            if applicationSelected, known, fid != LDSFile.cardAccess.fileID, !accessGranted {
                return ResponseAPDU(statusWord: .securityStatusNotSatisfied)
            }
            guard let file = lookup(fileID: fid) else { return ResponseAPDU(statusWord: .fileNotFound) }
            if let denied = mayRead(file) { return ResponseAPDU(statusWord: denied) }
            currentFile = file
            guard command.p2 & 0x0C != 0x0C else { return ResponseAPDU(statusWord: .success) }
            // File control parameters: size and identifier.
            let size = image.files[file]?.count ?? 0
            let fcp = TLV(tag: 0x62, children: [
                TLV(tag: 0x80, value: [UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]),
                TLV(tag: 0x82, value: [0x01]),
                TLV(tag: 0x83, value: command.data),
            ])
            return ResponseAPDU(data: fcp.encoded(), statusWord: .success)
        default:
            return ResponseAPDU(statusWord: .incorrectParameters)
        }
    }

    private func readBinary(_ command: CommandAPDU) -> ResponseAPDU {
        let file: LDSFile
        let offset: Int
        if command.ins == 0xB1 {
            guard limits.oddInsRead else { return ResponseAPDU(statusWord: .instructionNotSupported) }
            guard let current = currentFile else { return ResponseAPDU(statusWord: .commandNotAllowed) }
            guard let object = try? BERTLV.parse(command.data), object.tag.rawValue == 0x54,
                  (1...3).contains(object.value.count)
            else { return ResponseAPDU(statusWord: .incorrectData) }
            file = current
            offset = defects.contains(.oddInsIgnoresOffset) ? 0 : object.value.reduce(0) { $0 << 8 | Int($1) }
        } else if command.p1 & 0x80 != 0 {
            guard limits.shortFileIDs else { return ResponseAPDU(statusWord: .incorrectParameters) }
            let sfi = command.p1 & 0x1F
            guard let found = defects.contains(.sfiIgnored) ? currentFile : lookup(shortFileID: sfi) else {
                if applicationSelected && !accessGranted { return ResponseAPDU(statusWord: .securityStatusNotSatisfied) }
                return ResponseAPDU(statusWord: .fileNotFound)
            }
            file = found
            offset = Int(command.p2)
        } else {
            guard let current = currentFile else { return ResponseAPDU(statusWord: .commandNotAllowed) }
            file = current
            offset = Int(command.p1 & 0x7F) << 8 | Int(command.p2)
        }
        if let denied = mayRead(file) { return ResponseAPDU(statusWord: denied) }
        currentFile = file

        let content = image.files[file] ?? []
        let requested = command.ne ?? 256
        let limit = limits.maxResponseLength
        if requested > limit {
            switch faults.tooLongRead {
            case .exactLength where limit < 256:
                return ResponseAPDU(statusWord: StatusWord(sw1: 0x6C, sw2: UInt8(limit)))
            case .wrongParameters:
                return ResponseAPDU(statusWord: .wrongParameters)
            default:
                return ResponseAPDU(statusWord: .wrongLength)
            }
        }
        guard offset < content.count else { return beyondEndAnswer(requested: requested) }
        if command.ins == 0xB1 {
            // The answer is DO'53' around the data; its header counts towards Ne.
            var room = requested - 2
            while room > 0 && 1 + BERTLV.encodeLength(room).count + room > requested { room -= 1 }
            guard room > 0 else { return ResponseAPDU(statusWord: .wrongLength) }
            let end = min(content.count, offset + room)
            let object = TLV(tag: 0x53, value: Array(content[offset..<end]))
            return ResponseAPDU(data: object.encoded(), statusWord: end - offset < room ? .endOfFileReached : .success)
        }
        let end = min(content.count, offset + requested)
        let status: StatusWord = end - offset < requested ? .endOfFileReached : .success
        return ResponseAPDU(data: Array(content[offset..<end]), statusWord: status)
    }

    // MARK: - Active Authentication

    private func internalAuthenticate(_ command: CommandAPDU) -> ResponseAPDU {
        guard let key = activeAuthenticationKey else { return ResponseAPDU(statusWord: .instructionNotSupported) }
        guard accessGranted else { return ResponseAPDU(statusWord: .securityStatusNotSatisfied) }
        guard command.data.count == 8 else { return ResponseAPDU(statusWord: .wrongLength) }
        guard let signature = try? ActiveAuthentication.sign(challenge: command.data, key: key, ecdsaHash: activeAuthenticationHash) else {
            return ResponseAPDU(statusWord: .noPreciseDiagnosis)
        }
        return ResponseAPDU(data: signature, statusWord: .success)
    }

    // MARK: - Basic Access Control

    private func getChallenge(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.ne == 8 else { return ResponseAPDU(statusWord: .wrongLength) }
        guard let nonce = try? random.bytes(8) else { return ResponseAPDU(statusWord: .noPreciseDiagnosis) }
        challenge = nonce
        return ResponseAPDU(data: nonce, statusWord: .success)
    }

    private func externalAuthenticate(_ command: CommandAPDU) -> ResponseAPDU {
        guard let keys = bacKeys else { return ResponseAPDU(statusWord: .conditionsNotSatisfied) }
        guard let rndIC = challenge else { return ResponseAPDU(statusWord: .conditionsNotSatisfied) }
        challenge = nil  // one attempt per challenge
        guard command.data.count == 40 else { return ResponseAPDU(statusWord: .wrongLength) }
        guard let result = try? BAC.respond(to: command.data, challenge: rndIC, keys: keys, random: random) else {
            return failedBACAnswer()
        }
        session = result.session.secureMessaging
        return ResponseAPDU(data: result.response, statusWord: .success)
    }
}
