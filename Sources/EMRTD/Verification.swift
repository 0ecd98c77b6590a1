public import EMRTDCore
public import Foundation
public import LDS
public import PassiveAuthentication

/// One check of a document in the output contract: `passed`, `failed`, `issuer-unknown` (passive
/// authentication only), `not-supported`, `not-run`, and why.
public struct CheckOutcome: Sendable, Hashable {
    /// How a check came out; the raw value is the contract's `status`.
    public enum Status: String, Sendable, Hashable {
        case passed, failed
        case issuerUnknown = "issuer-unknown"
        case notSupported = "not-supported"
        case notRun = "not-run"
        /// The read (`checks.files` only): a file the reader set out to read could not be read whole.
        case incomplete
    }

    /// How the check came out.
    public var status: Status
    /// What was checked and what came of it, for a person.
    public var reason: String

    /// The error that decided the outcome, when one did: a stable code for programs (`ca.failed`,
    /// `aa.failed`, `pace.cam-failed`, `aa.unsupported` …).
    public var code: EMRTDError.Code?

    /// A check with `status`, because of `reason` (and the error `code` that decided it).
    public init(_ status: Status, _ reason: String, code: EMRTDError.Code? = nil) {
        self.status = status
        self.reason = reason
        self.code = code
    }
}

/// What a reader may conclude about a document.
public enum Verdict: String, Sendable, Hashable {
    /// Passive authentication passed (signature and chain to a trusted CSCA, every data group
    /// read matches), and no chip check failed.
    case genuine
    /// Something failed: a data group, the signature, the chain, revocation, validity, or the
    /// chip (Chip Authentication, PACE-CAM, Active Authentication).
    case notGenuine = "not-genuine"
    /// Nothing failed, but nothing proved the data either (no trusted CSCA, no EF.SOD), or a data
    /// group the reader set out to read could not be read whole.
    case unverified
}

/// A file the reader set out to read and could not read whole: it keeps a verdict from `genuine`.
public struct FileProblem: Sendable, Hashable {
    /// The file the reader set out to read.
    public let file: LDSFile
    /// Why it was not read whole; its code names the failure (`lds.read-failed`, `lds.access-denied`…).
    public let error: EMRTDError

    /// `file` could not be read whole, because of `error`.
    public init(file: LDSFile, error: EMRTDError) {
        self.file = file
        self.error = error
    }

    /// "DG13: DG13 ends after 268 bytes, but its header announces 536 [lds.read-failed]".
    public var reason: String { "\(file.name): \(error.message) [\(error.code)]" }
}

/// Every check of a document and the verdict, as `cccd verify` and `cccd-read` report them.
/// Chip and Active Authentication count only once passive authentication has proved DG14 / DG15:
/// a chip that authenticates against a forged key proves nothing.
public struct DocumentVerification: Sendable {
    /// Passive authentication of EF.SOD: the data group hashes, the signature, the chain to a CSCA (ICAO 9303-11 5.1).
    public let passive: PassiveAuthenticationResult
    /// EF.CardSecurity (PACE-CAM and CA keys of newer chips), verified like EF.SOD when present.
    public let cardSecurity: PassiveAuthenticationResult?
    /// Chip Authentication with DG14's key, or PACE-CAM: a success is `notRun` until passive authentication
    /// has proved the key's file; a failure always counts.
    public let chip: CheckOutcome
    /// Active Authentication with DG15's key: a success is `notRun` until passive authentication has proved
    /// DG15; a failure always counts.
    public let active: CheckOutcome
    /// The comparison with the citizen's record (`cccd-read --expect`), when one was given.
    public let record: CheckOutcome?
    /// Each difference between the chip and the record.
    public let recordDifferences: [String]
    /// The files the reader set out to read and could not read whole (empty for a card image).
    public let incompleteFiles: [FileProblem]
    /// `genuine`, `not-genuine` or `unverified`: the policy of the README's verification contract.
    public let verdict: Verdict

    /// Verifies what a read of the chip gave: its files, its chip checks, and what happened to
    /// every file it set out to read.
    public init(read: ReadResult, trust: TrustStore, at date: Date = Date(), recordDifferences: [String]? = nil) {
        self.init(
            files: read.files, trust: trust, at: date, chip: read.chipCheck, active: read.activeAuthentication,
            recordDifferences: recordDifferences, outcomes: read.outcomes)
    }

    /// - Parameters:
    ///   - files: the raw files read (or loaded from a card image).
    ///   - chip: what Chip Authentication or PACE-CAM gave (`.notRun` for a card image).
    ///   - active: what Active Authentication gave.
    ///   - outcomes: what happened to each file a read set out to read (none for a card image,
    ///     which may hold any subset of files).
    public init(
        files: [LDSFile: [UInt8]], trust: TrustStore, at date: Date = Date(),
        chip: ChipCheckResult = .notRun, active: ChipCheckResult = .notRun, recordDifferences: [String]? = nil,
        outcomes: [(file: LDSFile, outcome: FileOutcome)] = []
    ) {
        var groups: [Int: [UInt8]] = [:]
        for (file, bytes) in files {
            if let n = file.dataGroupNumber { groups[n] = bytes }
        }
        let passive: PassiveAuthenticationResult
        if let sod = files[.sod] {
            passive = PassiveAuthentication.verify(sod: sod, dataGroups: groups, trust: trust, at: date)
        } else {
            passive = PassiveAuthenticationResult(status: .notRun, issues: [EMRTDError(.sodMissing, "EF.SOD was not read")])
        }
        let cardSecurity = files[.cardSecurity].map { PassiveAuthentication.verify(cardSecurity: $0, trust: trust, at: date) }
        self.init(
            passive: passive, cardSecurity: cardSecurity, chip: chip, active: active, recordDifferences: recordDifferences,
            incompleteFiles: Self.incompleteFiles(outcomes, signed: passive))
    }

    /// The verdict from checks already made: the chip checks are gated on `passive` and `cardSecurity`, and
    /// `recordDifferences` (nil when no record was given) becomes the `record` check.
    public init(
        passive: PassiveAuthenticationResult, cardSecurity: PassiveAuthenticationResult? = nil,
        chip: ChipCheckResult, active: ChipCheckResult, recordDifferences: [String]? = nil,
        incompleteFiles: [FileProblem] = []
    ) {
        self.passive = passive
        self.incompleteFiles = incompleteFiles
        self.cardSecurity = cardSecurity
        self.chip = Self.gate(chip, on: 14, passive, cardSecurity: cardSecurity, what: "Chip Authentication")
        self.active = Self.gate(active, on: 15, passive, what: "Active Authentication")
        self.recordDifferences = recordDifferences ?? []
        if let differences = recordDifferences {
            record = differences.isEmpty
                ? CheckOutcome(.passed, "every chip field (MRZ, DG13, portrait) is the record's")
                : CheckOutcome(.failed, "\(differences.count) difference(s) from the record: " + differences.joined(separator: "; "))
        } else {
            record = nil
        }
        let failed = passive.status == .failed || cardSecurity?.status == .failed
            || self.chip.status == .failed || self.active.status == .failed || record?.status == .failed
        if failed {
            verdict = .notGenuine
        } else if passive.status == .passed && incompleteFiles.isEmpty {
            verdict = .genuine
        } else {
            verdict = .unverified
        }
    }

    /// A chip check counts only when passive authentication proved the file of its key: the data
    /// group matching in EF.SOD, or EF.CardSecurity (PACE-CAM, CardSecurityCheck.swift).
    static func gate(
        _ result: ChipCheckResult, on dataGroup: Int, _ passive: PassiveAuthenticationResult,
        cardSecurity: PassiveAuthenticationResult? = nil, what: String
    ) -> CheckOutcome {
        switch result {
        case .notRun:
            return CheckOutcome(.notRun, "\(what) was not run")
        case .notSupported(let why):
            return CheckOutcome(.notSupported, why.message, code: why.code)
        case .failed(let why):
            // A failure stands whatever passive authentication says: the chip does not hold the key
            // its own data group announces.
            return CheckOutcome(.failed, why.message, code: why.code)
        case .passed(let what2):
            let how = "\(what) with the key of DG\(dataGroup) (\(what2))"
            return gate(proved: how, keyOf: LDSFile.dataGroups[dataGroup - 1], passive, cardSecurity: cardSecurity)
        case .passedWithKey(let file, let how):
            return gate(proved: how, keyOf: file, passive, cardSecurity: cardSecurity)
        }
    }

    /// The verdict policy for a read: which file outcomes keep a document from `genuine`.
    ///
    /// A file counts when the reader set out to read it and could not read it whole: a failed read
    /// (truncated, malformed, secure messaging broken, every block length refused) of any file but
    /// the optional master-file ones (EF.CardAccess, EF.ATR/INFO); a data group refused (6982) that
    /// needs no Extended Access Control; a data group or EF.SOD the chip says it lacks (6A82) while
    /// EF.SOD lists it. DG3/DG4 refused for want of EAC, files skipped on purpose (`--skip-photo`) and
    /// data groups EF.COM lists but neither EF.SOD nor the chip has change nothing: what the issuer
    /// signed is complete without them.
    public static func incompleteFiles(
        _ outcomes: [(file: LDSFile, outcome: FileOutcome)], signed passive: PassiveAuthenticationResult
    ) -> [FileProblem] {
        var problems: [FileProblem] = []
        for (file, outcome) in outcomes where !file.isOptionalMasterFile {
            let group = file.dataGroupNumber
            switch outcome {
            case .read, .skipped:
                continue
            case .failed(let error):
                problems.append(FileProblem(file: file, error: error))
            case .denied:
                guard group.map({ !FileOutcome.needExtendedAccessControl.contains($0) }) ?? (file == .sod) else { continue }
                problems.append(FileProblem(file: file, error: EMRTDError(.accessDenied, "the chip refused to give it (6982), though it needs no Extended Access Control")))
            case .absent:
                if file == .sod {
                    problems.append(FileProblem(file: file, error: EMRTDError(.fileNotFound, "the chip has no EF.SOD (6A82), so nothing it holds can be verified")))
                } else if let group, passive.dataGroups[group] != nil {
                    problems.append(FileProblem(file: file, error: EMRTDError(.fileNotFound, "EF.SOD lists it, but the chip says it does not have it (6A82)")))
                }
            }
        }
        return problems
    }

    /// The read's completeness in the contract's words (`checks.files`).
    public var filesOutcome: CheckOutcome {
        incompleteFiles.isEmpty
            ? CheckOutcome(.passed, "every file the reader set out to read was read whole")
            : CheckOutcome(.incomplete, incompleteFiles.map(\.reason).joined(separator: "; "))
    }

    /// Why the document is not genuine, one line per check that kept it from `genuine` (empty when
    /// it is): what an audit log or a QA station records.
    public var reasons: [String] {
        var why: [String] = []
        let passive = passiveOutcome
        if passive.status != .passed { why.append("passive: " + passive.reason) }
        if let cardSecurity, cardSecurity.status != .passed { why.append("EF.CardSecurity: " + cardSecurity.reasons.joined(separator: "; ")) }
        for problem in incompleteFiles { why.append("file " + problem.reason) }
        if chip.status == .failed { why.append("chip: " + chip.reason) }
        if active.status == .failed { why.append("active: " + active.reason) }
        why += recordDifferences
        return why
    }

    /// The passive authentication outcome in the contract's words.
    public var passiveOutcome: CheckOutcome {
        let status: CheckOutcome.Status = switch passive.status {
        case .passed: .passed
        case .failed: .failed
        case .issuerUnknown: .issuerUnknown
        case .notRun: .notRun
        case .notSupported: .notSupported
        }
        let reason = passive.reasons.isEmpty
            ? (status == .passed ? "EF.SOD signed by a document signer that chains to a trusted CSCA; every data group read matches" : passive.status.rawValue)
            : passive.reasons.joined(separator: "; ")
        return CheckOutcome(status, reason)
    }
}

extension LDSFile {
    /// EF.CardAccess and EF.ATR/INFO: read when the chip shows them, but a reader does without
    /// them (it falls back to BAC, or to its own block size), so their loss proves nothing.
    var isOptionalMasterFile: Bool { self == .cardAccess || self == .atrInfo }
}
