public import EMRTDCore
public import ISO7816
public import AccessControl
public import LDS
import MRZ
import Foundation
import PassiveAuthentication

/// What happened to one file during a read.
public enum FileOutcome: Sendable, Hashable {
    case read
    /// 6A82: the chip does not have it.
    case absent
    /// The chip refused it (6982): it needs access the reader did not establish, such as EAC.
    case denied
    /// Not asked for, on purpose.
    case skipped(SkipReason)
    case failed(EMRTDError)

    /// Why a file was not asked for.
    public enum SkipReason: String, Sendable, Hashable {
        /// The caller asked for it to be left out (`--skip-photo`).
        case requested
        /// DG3/DG4 need Extended Access Control (terminal certificates), which this reader does not run.
        case needsExtendedAccessControl = "needs-eac"
    }

    /// Data groups that need Extended Access Control: fingerprints (DG3) and iris (DG4).
    public static let needExtendedAccessControl: Set<Int> = [3, 4]
}

extension EMRTDError.Code {
    /// PACE-CAM's proof does not hold for the chip's static key (ICAO 9303-11 4.4.3.5.2).
    public static let chipAuthenticationMappingFailed = Self("pace.cam-failed")
}

extension ReadResult {
    /// The chip check of this read: PACE-CAM when PACE used it, else Chip Authentication.
    public var chipCheck: ChipCheckResult {
        switch chipAuthenticationMapping {
        case .verified(let file, let how): return .passedWithKey(of: file, how)
        case .failed(let why): return .failed(EMRTDError(.chipAuthenticationMappingFailed, "PACE-CAM: " + why))
        case .notRun: return chipAuthentication
        }
    }
}

/// The outcome of the PACE-CAM check (ICAO 9303-11 4.4.3.5.2).
public enum ChipAuthenticationMappingResult: Sendable, Hashable {
    case notRun
    /// PK.Map.IC = CA.IC · PK.IC holds for the static key of `keyOf`: EF.CardSecurity, or DG14 when
    /// the read has no EF.CardSecurity. `how` names the key and the file; it counts only after
    /// passive authentication of that file.
    case verified(keyOf: LDSFile, how: String)
    case failed(String)
}

/// The outcome of a check of the chip itself (Chip Authentication, Active Authentication).
public enum ChipCheckResult: Sendable, Hashable {
    case notRun
    /// The document does not offer it (no DG14 key, no DG15).
    case notSupported(EMRTDError)
    case passed(String)
    /// Passed with the static key of a file (DG14 or EF.CardSecurity), counting only once passive
    /// authentication has proved that file; the text says how.
    case passedWithKey(of: LDSFile, String)
    /// The chip could not prove it holds the key: the error says how, with a stable code
    /// (`ca.failed`, `aa.failed`, `pace.cam-failed`).
    case failed(EMRTDError)
}

/// The access control a read established.
public enum EstablishedAccess: Sendable, Hashable, CustomStringConvertible {
    /// None yet (a read that failed before, or a card image).
    case none
    /// Basic Access Control with the MRZ key.
    case bac
    /// PACE with this configuration and password ("MRZ", "CAN", "PIN", "PUK").
    case pace(PACE.Configuration, password: String)

    /// "none", "BAC", or "PACE-" with the password and the configuration
    /// ("PACE-CAN id-PACE-ECDH-GM-AES-CBC-CMAC-128 with brainpoolP256r1").
    public var description: String {
        switch self {
        case .none: "none"
        case .bac: "BAC"
        case .pace(let configuration, let password): "PACE-\(password) \(configuration)"
        }
    }
}

/// Which access control the reader may use.
public enum AccessControlPreference: Sendable {
    /// PACE when EF.CardAccess offers it, else BAC (ICAO 9303-11 4.2).
    case automatic
    case paceOnly
    case bacOnly
}

/// The raw result of reading a chip: the bytes of every file, exactly as read, and what happened
/// to each file asked for.
public struct ReadResult: Sendable {
    /// Every file read whole, byte for byte, by file.
    public var files: [LDSFile: [UInt8]] = [:]
    /// What happened to each file the reader asked for, in the order asked.
    public var outcomes: [(file: LDSFile, outcome: FileOutcome)] = []
    /// The access control that opened the chip; its description is what reports print ("BAC",
    /// "PACE-CAN id-PACE-ECDH-GM-AES-CBC-CMAC-128 with brainpoolP256r1").
    public var accessControl = EstablishedAccess.none
    /// Why the reader chose what it chose (a fallback, a default EF.CardAccess).
    public var accessNotes: [String] = []
    /// The PACE run, when PACE opened the chip.
    public var pace: PACE.Session?
    /// PACE-CAM: the chip's proof against its static key from EF.CardSecurity (DG14 when there is
    /// none). It counts only after passive authentication of that file.
    public var chipAuthenticationMapping: ChipAuthenticationMappingResult = .notRun
    /// Chip Authentication with DG14's key. Like every chip check it counts only after passive
    /// authentication of DG14.
    public var chipAuthentication: ChipCheckResult = .notRun
    /// Active Authentication with DG15's key (counts only after passive authentication of DG15).
    public var activeAuthentication: ChipCheckResult = .notRun
    /// APDUs and bytes of the whole read.
    public var statistics = TransmissionStatistics()
    /// Wall-clock time of the whole read.
    public var seconds: Double = 0
    /// What each phase cost: "access" (EF.CardAccess, PACE or BAC), "files" (EF.COM to EF.SOD,
    /// with Chip Authentication), "active" (Active Authentication).
    public var phases: [Phase] = []

    /// The cost of one part of the read.
    public struct Phase: Sendable {
        /// The parts of a read whose cost is reported apart.
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            /// EF.ATR/INFO, EF.CardAccess, PACE or BAC (EF.CardSecurity after PACE-CAM).
            case access
            /// EF.COM to EF.SOD, with Chip Authentication.
            case files
            /// Active Authentication.
            case active
        }
        /// Which part of the read: `access`, `files` or `active`.
        public let kind: Kind
        /// The kind's name, as reports print it.
        public var name: String { kind.rawValue }
        /// APDUs and bytes the part exchanged.
        public let statistics: TransmissionStatistics
        /// Wall-clock time the part took.
        public let seconds: Double
    }
    /// How many times access control was re-established after the chip dropped secure messaging.
    public var reauthentications = 0
    /// The READ BINARY length that worked with this chip by the end of the read.
    public var blockSize = 0

    /// An empty result: no file, no access control, every check `notRun`.
    public init() {}
}

/// Reads an eMRTD end to end: EF.CardAccess (when readable), application selection, access
/// control, EF.COM, the data groups EF.COM lists that need no EAC, and EF.SOD.
public struct DocumentReader {
    /// How the session adapts to the chip: block sizes, extended length, short file identifiers, time limits.
    public var options: ReaderOptions
    /// Leave DG2 out (a faster read at a counter that does not need the photo).
    public var skipPhoto = false
    /// Called with (file, bytes so far, total) while a file is read.
    public var progress: ((LDSFile, Int, Int) -> Void)?
    /// Called with every APDU exchanged (`--verbose`); access control data is withheld, see `APDUTraceEvent`.
    public var trace: (@Sendable (APDUTraceEvent) -> Void)?
    /// Where PACE, BAC and Chip Authentication take nonces and ephemeral keys: the system's, or a worked
    /// example's published values in vector tests.
    public var random: RandomSource = .system
    /// Which access control may open the chip: by default PACE when EF.CardAccess offers it, else BAC
    /// (ICAO 9303-11 4.2); or PACE only, or BAC only.
    public var accessControl: AccessControlPreference = .automatic
    /// Run Chip Authentication when DG14 offers it.
    public var chipAuthentication = true
    /// Run Active Authentication when DG15 is present.
    public var activeAuthentication = true

    /// A reader that reads every data group it may, with Chip and Active Authentication.
    public init(options: ReaderOptions = ReaderOptions()) {
        self.options = options
    }

    /// Data groups the reader reads when EF.COM lists them. DG3 and DG4 need Extended Access
    /// Control (terminal certificates), which a service counter does not have.
    public static let readableDataGroups: [Int] = [1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]

    /// Reads the chip behind `channel` opened with `key`: EF.ATR/INFO and EF.CardAccess, access control,
    /// EF.CardSecurity after PACE, EF.COM, DG14 and Chip Authentication, every other data group that
    /// needs no EAC, EF.SOD (and the data groups it lists that EF.COM left out), then Active Authentication.
    ///
    /// Throws for the card, not the document: a malformed key, access refused, EF.COM or DG1 unreadable, the
    /// card gone, secure messaging broken before DG1. A file that fails later is its outcome in the result.
    public func read(from channel: any CardChannel, key: AccessKey) throws(EMRTDError) -> ReadResult {
        try key.validate()
        let start = DispatchTime.now().uptimeNanoseconds
        var phaseStart = (time: start, stats: TransmissionStatistics())
        func endPhase(_ kind: ReadResult.Phase.Kind, _ result: inout ReadResult) {
            let now = DispatchTime.now().uptimeNanoseconds
            let stats = session.connection.statistics
            var delta = TransmissionStatistics()
            delta.apdus = stats.apdus - phaseStart.stats.apdus
            delta.bytesSent = stats.bytesSent - phaseStart.stats.bytesSent
            delta.bytesReceived = stats.bytesReceived - phaseStart.stats.bytesReceived
            result.phases.append(ReadResult.Phase(kind: kind, statistics: delta, seconds: Double(now - phaseStart.time) / 1e9))
            phaseStart = (now, stats)
        }
        let session = EMRTDSession(channel: channel, options: options, random: random)
        session.connection.trace = trace
        var result = ReadResult()

        Self.readATRInfo(session, into: &result)  // CardSecurityCheck.swift

        // EF.CardAccess lives in the master file and needs no access control; chips that hide it
        // (CCCD cards answer 6982 or 6D00 on some readers) are not an error.
        do {
            result.files[.cardAccess] = try session.readFile(.cardAccess)
            result.outcomes.append((.cardAccess, .read))
        } catch {
            result.outcomes.append((.cardAccess, Self.outcome(for: error)))
        }

        let beforeAccess = result
        try openChip(session, key: key, cardAccess: beforeAccess, into: &result)
        endPhase(.access, &result)
        Self.recordCardSecurity(session, into: &result)  // CardSecurityCheck.swift

        let com = try session.readFile(.com)
        result.files[.com] = com
        result.outcomes.append((.com, .read))
        let listed: [LDSFile]
        do {
            listed = try EFCOM(com).dataGroups
        } catch {
            throw EMRTDError(error.code, "EF.COM: \(error.message)")
        }

        var wanted = listed.filter { file in
            guard let n = file.dataGroupNumber else { return false }
            return Self.readableDataGroups.contains(n)
        }
        if !wanted.contains(.dg1) { wanted.insert(.dg1, at: 0) }
        wanted.sort { ($0.dataGroupNumber ?? 0) < ($1.dataGroupNumber ?? 0) }
        for file in listed where !wanted.contains(file) {
            result.outcomes.append((file, .skipped(.needsExtendedAccessControl)))
        }

        // Chip Authentication comes right after access control and DG14 (ICAO 9303-11 section 7.2),
        // so every later file is read under keys only the genuine chip can have. PACE-CAM already
        // authenticated the chip.
        var order = wanted + [.sod]
        if let i = order.firstIndex(of: .dg14) { order.remove(at: i); order.insert(.dg14, at: 0) }
        var brokenSession: (file: LDSFile, error: EMRTDError)? = nil
        var index = 0
        while index < order.count {
            let file = order[index]
            index += 1
            if file == .dg2 && skipPhoto {
                result.outcomes.append((file, .skipped(.requested)))
                continue
            }
            if let broken = brokenSession {
                result.outcomes.append((file, .failed(EMRTDError(.smSessionClosed, "not read: secure messaging broke while \(broken.file.name) was read"))))
                continue
            }
            do {
                let bytes = try session.readFile(file) { done, total in progress?(file, done, total) }
                result.files[file] = bytes
                result.outcomes.append((file, .read))
                if file == .dg14 && chipAuthentication && session.paceSession?.configuration.mapping != .chipAuthentication {
                    result.chipAuthentication = try Self.runChipAuthentication(session, dg14: bytes)
                }
                if file == .sod {
                    // EF.SOD is what the issuer signed: a data group it lists that EF.COM left out
                    // is read too, so that no signed data group goes unchecked.
                    order += Self.unlistedSignedGroups(sod: bytes, attempted: Set(order))
                }
            } catch {
                // A missing, refused or malformed file is that file's outcome. Secure messaging that
                // could not be restored (the session already re-authenticated) ends the reading of
                // files once DG1 is in, and every file not read yet says why; anything else (a card
                // pulled out, a reader gone, DG1 unreadable, secure messaging broken before DG1) ends
                // the read, so nothing is ever read past a broken session.
                if Self.sessionLevel.contains(error.code.domain), result.files[.dg1] != nil {
                    brokenSession = (file, error)
                    result.outcomes.append((file, .failed(error)))
                    continue
                }
                guard Self.fileLevel.contains(error.code) || error.code.domain == "tlv", file != .dg1 else { throw error }
                result.outcomes.append((file, Self.outcome(for: error)))
            }
        }

        endPhase(.files, &result)
        if let broken = brokenSession {
            result.accessNotes.append("secure messaging broke while \(broken.file.name) was read and could not be restored: the files after it were not read")
        } else if let dg15 = result.files[.dg15], activeAuthentication {
            result.activeAuthentication = try Self.runActiveAuthentication(session, dg15: dg15, dg14: result.files[.dg14])
        }
        if let pace = session.paceSession, pace.configuration.mapping == .chipAuthentication {
            result.chipAuthenticationMapping = Self.checkChipAuthenticationMapping(
                pace, files: result.files, cardSecurityOutcome: result.outcomes.last { $0.file == .cardSecurity }?.outcome)
        }
        result.pace = session.paceSession
        endPhase(.active, &result)
        result.statistics = session.connection.statistics
        result.reauthentications = session.reauthentications
        result.blockSize = session.blockSize
        result.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return result
    }

    /// PACE when EF.CardAccess offers a protocol this reader implements, BAC otherwise or when PACE
    /// is refused for a reason other than the password; every choice is explained in `accessNotes`.
    func openChip(_ session: EMRTDSession, key: AccessKey, cardAccess read: ReadResult, into result: inout ReadResult) throws(EMRTDError) {
        var offered: [PACE.Configuration] = []
        if let bytes = read.files[.cardAccess] {
            do {
                let all = try SecurityInfos.parse(bytes)
                let infos = all.paceInfos
                offered = infos.compactMap { try? PACE.Configuration($0) }
                let unknown: [String] = all.infos.compactMap {
                    if case .unknown(let oid, _) = $0, oid.hasPrefix(SecurityInfos.idPACE) { return oid.description }
                    return nil
                }
                if offered.isEmpty && !(infos.isEmpty && unknown.isEmpty) {
                    result.accessNotes.append("EF.CardAccess offers only PACE protocols this reader does not implement ("
                        + (infos.map(\.protocolName) + unknown).joined(separator: ", ") + ")")
                }
            } catch {
                result.accessNotes.append("EF.CardAccess is malformed (\(error.message)), so PACE is not tried")
            }
        } else if let outcome = read.outcomes.first(where: { $0.file == .cardAccess })?.outcome, outcome != .absent {
            // CCCD chips may hide EF.CardAccess before the application is selected; their known
            // EF.CardAccess says what they offer.
            if let defaults = try? SecurityInfos.parse(Self.cccdCardAccess).paceInfos.compactMap({ try? PACE.Configuration($0) }) {
                offered = defaults
                result.accessNotes.append("EF.CardAccess could not be read; trying the CCCD default (\(defaults.map(\.description).joined(separator: ", ")))")
            }
        }

        let password = key.pacePassword
        let mayUseBAC: Bool = {
            if case .mrz = key, accessControl != .paceOnly { return true }
            return false
        }()

        if accessControl != .bacOnly, let configuration = offered.first {
            do {
                try session.performPACE(configuration, password: password)
                result.accessControl = .pace(configuration, password: password.name)
                return
            } catch {
                let protocolProblem = error.code == .paceUnsupported || error.code == .paceFailed
                guard protocolProblem && mayUseBAC else { throw error }
                result.accessNotes.append("PACE failed (\(error.message)); falling back to BAC")
                session.resetToPlain()
            }
        } else if offered.isEmpty {
            guard mayUseBAC else {
                throw EMRTDError(.accessControlUnavailable, "the \(password.name) opens a chip only with PACE, and this chip offers no PACE protocol this reader implements")
            }
            if accessControl != .bacOnly { result.accessNotes.append("PACE is not offered: using BAC") }
        }
        guard case .mrz(let mrzKey) = key else {
            throw EMRTDError(.accessControlUnavailable, "BAC needs the MRZ key")
        }
        try session.selectApplication()
        try session.establishAccess(with: .mrz(mrzKey))
        result.accessControl = .bac
    }

    /// The EF.CardAccess of CCCD cards (PACE-ECDH-GM-AES-128 on brainpoolP256r1, CA, TA), as
    /// reader apps ship it for chips that hide the file (CCCD.md).
    public static let cccdCardAccess: [UInt8] = SecurityInfos.encode([
        ChipAuthenticationInfo.encode(protocolOID: "0.4.0.127.0.7.2.2.3.2.2", version: 1),
        PACEInfo(protocolOID: "0.4.0.127.0.7.2.2.4.2.2", version: 2, parameterID: 13).raw,
        TerminalAuthenticationInfo.encode(version: 1),
    ])

    /// Chip Authentication with DG14's key. A chip that cannot continue with the new keys has
    /// failed; the read stops there, since every later answer would be unauthenticated.
    static func runChipAuthentication(_ session: EMRTDSession, dg14: [UInt8]) throws(EMRTDError) -> ChipCheckResult {
        let configuration: ChipAuthentication.Configuration
        do {
            configuration = try ChipAuthentication.configuration(from: DG14(dg14).securityInfos)
        } catch {
            return .notSupported(error)
        }
        do {
            try session.performChipAuthentication(configuration)
            return .passed("\(configuration)")
        } catch {
            // The chip is not the one DG14 describes (a clone). Reading goes on under the access
            // keys alone so the clerk sees what the chip holds, but it cannot be genuine.
            try session.reestablish()
            return .failed(error)
        }
    }

    /// Active Authentication with DG15's key: a challenge signed by the chip. A signature that does
    /// not verify is a failed check (a clone), not a failed read.
    static func runActiveAuthentication(_ session: EMRTDSession, dg15: [UInt8], dg14: [UInt8]?) throws(EMRTDError) -> ChipCheckResult {
        let configuration: ActiveAuthentication.Configuration
        do {
            configuration = try ActiveAuthentication.configuration(dg15: DG15(dg15), dg14: dg14.flatMap { try? DG14($0) })
        } catch {
            return .notSupported(error)
        }
        do {
            try ActiveAuthentication.perform(configuration, over: session.channel, extendedLength: session.extendedLengthUsable)
            let kind: String = switch configuration.publicKey.kind {
            case .rsa(let bits): "RSA-\(bits), ISO/IEC 9796-2"
            case .ec(let curve, _, let bits): "ECDSA \(curve ?? "\(bits)-bit curve")"
            case .other(let name): name
            }
            return .passed(kind)
        } catch where error.code == .aaFailed {
            return .failed(error)
        }
    }

    /// The data groups EF.SOD lists that were not read yet and need no Extended Access Control.
    static func unlistedSignedGroups(sod: [UInt8], attempted: Set<LDSFile>) -> [LDSFile] {
        guard let signed = try? SecurityObjectDocument(sod) else { return [] }
        return signed.dataGroupHashes.keys.sorted().compactMap { n in
            guard readableDataGroups.contains(n), let file = LDSFile.dataGroup(n), !attempted.contains(file) else { return nil }
            return file
        }
    }

    /// Error domains of a session that could not be kept (secure messaging, after its own
    /// re-authentications). Access control refused while restoring it ends the read.
    static let sessionLevel: Set<Substring> = ["sm"]

    /// Errors that concern one file only.
    static let fileLevel: Set<EMRTDError.Code> = [.fileNotFound, .accessDenied, .fileReadFailed, .fileTooLarge]

    static func outcome(for error: EMRTDError) -> FileOutcome {
        switch error.code {
        case .fileNotFound: return .absent
        case .accessDenied: return .denied
        default: return .failed(error)
        }
    }
}
