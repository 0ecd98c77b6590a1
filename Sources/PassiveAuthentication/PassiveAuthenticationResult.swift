public import EMRTDCore
public import PKIX

/// The outcome of passive authentication (ICAO Doc 9303-11 5.1), with each part kept apart: the data
/// group hashes, the SignerInfo signature, and the chain from the Document Signer to a trusted CSCA.
///
/// ``status`` is ``Status/passed`` only when the signature is valid, the chain is valid and no data
/// group mismatches. The same type reports on EF.CardSecurity and on CSCA master lists (which have no
/// data groups).
public struct PassiveAuthenticationResult: Sendable, CustomStringConvertible {
    /// The verdict, from the signature, the chain and the data groups.
    public enum Status: String, Sendable, Hashable {
        /// Signature valid, chain to a trusted CSCA valid, every data group read matches.
        case passed
        /// Something was checked and found wrong; see ``PassiveAuthenticationResult/reasons``.
        case failed
        /// Signature valid and data groups match, but no trusted CSCA issued the signer.
        case issuerUnknown = "issuer-unknown"
        /// Nothing to verify (EF.SOD was not read).
        case notRun = "not-run"
        /// The security object uses an algorithm this toolkit does not implement.
        case notSupported = "not-supported"
    }

    /// Whether the SignerInfo signature verifies with the signer's key, its contentType and messageDigest
    /// attributes matching the content (RFC 5652 5.4, 5.6); `not-checked` when it could not be checked
    /// (no signer certificate, an unsupported algorithm).
    public enum SignatureStatus: String, Sendable, Hashable {
        case valid, invalid
        case notChecked = "not-checked"
    }

    /// Whether the signer chains to a trusted CSCA: `valid` (signed by one, both within their validity,
    /// not revoked), `invalid` (a signature, a date or a CRL says no), `unknown` (no trusted CSCA issued it).
    public enum ChainStatus: String, Sendable, Hashable {
        case valid, invalid, unknown
    }

    /// What comparing one data group's hash with EF.SOD found (ICAO 9303-11 5.1).
    public enum DataGroupStatus: String, Sendable, Hashable {
        /// The hash of the bytes read equals the one in the security object.
        case match
        /// It does not.
        case mismatch
        /// Read, but the security object has no hash for it (reported, not a failure).
        case notInSOD = "not-in-sod"
        /// Listed in the security object, not read (fine).
        case notRead = "not-read"
    }

    /// The verdict: ``Status/passed`` only when the signature, the chain and every data group read are.
    public var status: Status
    /// Everything found worth saying, failures and notes alike, each with a stable code
    /// (`pa.dg-mismatch`, `pa.certificate-expired`, …) and a specific message.
    public var issues: [EMRTDError]
    /// Whether the SignerInfo signature verifies.
    public var signature: SignatureStatus
    /// Whether the signer chains to a trusted CSCA.
    public var chain: ChainStatus
    /// Data group number to what its hash comparison found; empty for EF.CardSecurity and master lists.
    public var dataGroups: [Int: DataGroupStatus]
    /// The Document Signer (or master list signer) certificate, when found.
    public var signer: X509Certificate?
    /// The trusted CSCA that issued ``signer``, when found.
    public var csca: X509Certificate?

    /// The messages of ``issues``, e.g. "DG13 does not match its hash in EF.SOD".
    public var reasons: [String] { issues.map(\.message) }

    /// True if some issue has this code.
    public func has(_ code: EMRTDError.Code) -> Bool { issues.contains { $0.code == code } }

    /// A result from its parts; the verifier fills one in, check by check.
    public init(
        status: Status, issues: [EMRTDError] = [], signature: SignatureStatus = .notChecked,
        chain: ChainStatus = .unknown, dataGroups: [Int: DataGroupStatus] = [:],
        signer: X509Certificate? = nil, csca: X509Certificate? = nil
    ) {
        self.status = status
        self.issues = issues
        self.signature = signature
        self.chain = chain
        self.dataGroups = dataGroups
        self.signer = signer
        self.csca = csca
    }

    /// A report over several lines: the verdict with the signature and chain, each data group, each issue.
    public var description: String {
        var lines = ["passive authentication: \(status.rawValue) (signature \(signature.rawValue), chain \(chain.rawValue))"]
        for n in dataGroups.keys.sorted() { lines.append("  DG\(n): \(dataGroups[n]!.rawValue)") }
        for issue in issues { lines.append("  - \(issue.message)") }
        return lines.joined(separator: "\n")
    }
}
