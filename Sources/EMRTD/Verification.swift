import EMRTDCore
public import Foundation
public import LDS
public import PassiveAuthentication

/// One check of a document in the output contract: `passed`, `failed`, `issuer-unknown` (passive
/// authentication only), `not-supported`, `not-run`, and why.
public struct CheckOutcome: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case passed, failed
        case issuerUnknown = "issuer-unknown"
        case notSupported = "not-supported"
        case notRun = "not-run"
    }

    public var status: Status
    public var reason: String

    public init(_ status: Status, _ reason: String) {
        self.status = status
        self.reason = reason
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
    /// Nothing failed, but nothing proved the data either (no trusted CSCA, no EF.SOD).
    case unverified
}

/// Every check of a document and the verdict, as `cccd verify` and `cccd-read` report them.
/// Chip and Active Authentication count only once passive authentication has proved DG14 / DG15:
/// a chip that authenticates against a forged key proves nothing.
public struct DocumentVerification: Sendable {
    public let passive: PassiveAuthenticationResult
    /// EF.CardSecurity (PACE-CAM and CA keys of newer chips), verified like EF.SOD when present.
    public let cardSecurity: PassiveAuthenticationResult?
    public let chip: CheckOutcome
    public let active: CheckOutcome
    /// The comparison with the citizen's record (`cccd-read --expect`), when one was given.
    public let record: CheckOutcome?
    /// Each difference between the chip and the record.
    public let recordDifferences: [String]
    public let verdict: Verdict

    /// - Parameters:
    ///   - files: the raw files read (or loaded from a card image).
    ///   - chip: what Chip Authentication or PACE-CAM gave (`.notRun` for a card image).
    ///   - active: what Active Authentication gave.
    public init(
        files: [LDSFile: [UInt8]], trust: TrustStore, at date: Date = Date(),
        chip: ChipCheckResult = .notRun, active: ChipCheckResult = .notRun, recordDifferences: [String]? = nil
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
        self.init(passive: passive, cardSecurity: cardSecurity, chip: chip, active: active, recordDifferences: recordDifferences)
    }

    public init(
        passive: PassiveAuthenticationResult, cardSecurity: PassiveAuthenticationResult? = nil,
        chip: ChipCheckResult, active: ChipCheckResult, recordDifferences: [String]? = nil
    ) {
        self.passive = passive
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
        } else if passive.status == .passed {
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
            return CheckOutcome(.notSupported, why)
        case .failed(let why):
            // A failure stands whatever passive authentication says: the chip does not hold the key
            // its own data group announces.
            return CheckOutcome(.failed, why)
        case .passed(let what2):
            let how = "\(what) with the key of DG\(dataGroup) (\(what2))"
            return gate(proved: how, keyOf: LDSFile.dataGroups[dataGroup - 1], passive, cardSecurity: cardSecurity)
        case .passedWithKey(let file, let how):
            return gate(proved: how, keyOf: file, passive, cardSecurity: cardSecurity)
        }
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
