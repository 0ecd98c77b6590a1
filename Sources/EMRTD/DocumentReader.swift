public import EMRTDCore
public import ISO7816
public import AccessControl
public import LDS
import Foundation

/// What happened to one file during a read.
public enum FileOutcome: Sendable, Hashable {
    case read
    /// 6A82: the chip does not have it.
    case absent
    /// The chip refused it (6982): it needs access the reader did not establish, such as EAC.
    case denied
    /// Not asked for (e.g. `--skip-photo`).
    case skipped
    case failed(EMRTDError)
}

/// The raw result of reading a chip: the bytes of every file, exactly as read, and what happened
/// to each file asked for.
public struct ReadResult: Sendable {
    public var files: [LDSFile: [UInt8]] = [:]
    public var outcomes: [(file: LDSFile, outcome: FileOutcome)] = []
    /// The access control that opened the chip ("BAC").
    public var accessControl = ""
    public var statistics = TransmissionStatistics()
    public var seconds: Double = 0
    public var reauthentications = 0
    public var blockSize = 0

    public init() {}
}

/// Reads an eMRTD end to end: EF.CardAccess (when readable), application selection, access
/// control, EF.COM, the data groups EF.COM lists that need no EAC, and EF.SOD.
public struct DocumentReader {
    public var options: ReaderOptions
    /// Leave DG2 out (a faster read at a counter that does not need the photo).
    public var skipPhoto = false
    /// Called with (file, bytes so far, total) while a file is read.
    public var progress: ((LDSFile, Int, Int) -> Void)?
    public var trace: (@Sendable (APDUTraceEvent) -> Void)?
    public var random: RandomSource = .system

    public init(options: ReaderOptions = ReaderOptions()) {
        self.options = options
    }

    /// Data groups the reader reads when EF.COM lists them. DG3 and DG4 need Extended Access
    /// Control (terminal certificates), which a service counter does not have.
    public static let readableDataGroups: [Int] = [1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]

    public func read(from channel: any CardChannel, key: AccessKey) throws(EMRTDError) -> ReadResult {
        let start = DispatchTime.now().uptimeNanoseconds
        let session = EMRTDSession(channel: channel, options: options, random: random)
        session.connection.trace = trace
        var result = ReadResult()

        // EF.CardAccess lives in the master file and needs no access control; chips that hide it
        // (CCCD cards answer 6982 or 6D00 on some readers) are not an error.
        do {
            result.files[.cardAccess] = try session.readFile(.cardAccess)
            result.outcomes.append((.cardAccess, .read))
        } catch {
            result.outcomes.append((.cardAccess, Self.outcome(for: error)))
        }

        try session.selectApplication()
        try session.establishAccess(with: key)
        result.accessControl = "BAC"

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
            result.outcomes.append((file, .skipped))
        }

        for file in wanted + [.sod] {
            if file == .dg2 && skipPhoto {
                result.outcomes.append((file, .skipped))
                continue
            }
            do {
                let bytes = try session.readFile(file) { done, total in progress?(file, done, total) }
                result.files[file] = bytes
                result.outcomes.append((file, .read))
            } catch {
                // A missing, refused or malformed file is that file's outcome; anything else (a card
                // pulled out, secure messaging or access control that could not be restored) ends
                // the read, so nothing is ever read past a broken session.
                guard Self.fileLevel.contains(error.code) || error.code.domain == "tlv", file != .dg1 else { throw error }
                result.outcomes.append((file, Self.outcome(for: error)))
            }
        }

        result.statistics = session.connection.statistics
        result.reauthentications = session.reauthentications
        result.blockSize = session.blockSize
        result.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return result
    }

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
