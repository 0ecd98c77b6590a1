public import EMRTDCore

/// Error codes of passive authentication (domain `pa`).
///
/// Parse errors are thrown; verification outcomes are reported in
/// ``PassiveAuthenticationResult/issues`` with the same kind of stable codes.
extension EMRTDError.Code {
    // MARK: Parsing

    /// A CMS ContentInfo / SignedData structure is not valid BER or does not follow RFC 5652.
    public static let cmsMalformed = Self("pa.cms-malformed")
    /// The ContentInfo does not hold id-signedData.
    public static let cmsNotSignedData = Self("pa.cms-not-signed-data")
    /// The SignedData version is not one the profile allows.
    public static let cmsUnsupportedVersion = Self("pa.cms-unsupported-version")
    /// EF.SOD is not `77 L ContentInfo`, or its LDSSecurityObject is malformed, or bytes follow it.
    public static let sodMalformed = Self("pa.sod-malformed")
    /// The encapsulated content type is not the one the file must carry.
    public static let cmsUnexpectedContentType = Self("pa.unexpected-content-type")
    /// The LDSSecurityObject version is neither v0 nor v1.
    public static let sodUnsupportedVersion = Self("pa.sod-unsupported-version")
    /// A hash algorithm this toolkit does not implement (e.g. RIPEMD-160).
    public static let digestAlgorithmUnsupported = Self("pa.unsupported-hash-algorithm")
    /// A signature algorithm this toolkit does not implement.
    public static let signerAlgorithmUnsupported = Self("pa.unsupported-signature-algorithm")
    /// A CSCA master list is malformed.
    public static let masterListMalformed = Self("pa.master-list-malformed")
    /// A CSCA master list's own signature or signer chain does not verify.
    public static let masterListInvalid = Self("pa.master-list-invalid")
    /// A trust store input is neither a certificate, a CRL nor a master list.
    public static let trustUnrecognizedFile = Self("pa.trust-unrecognized-file")

    // MARK: Verification outcomes

    /// EF.SOD was not read (verification not run).
    public static let sodMissing = Self("pa.sod-missing")
    /// A data group's hash differs from the one listed in EF.SOD.
    public static let dataGroupMismatch = Self("pa.dg-mismatch")
    /// A data group was read but EF.SOD does not list it (reported; not a failure by itself).
    public static let dataGroupNotInSOD = Self("pa.dg-not-in-sod")
    /// The SignedData has no SignerInfo, or more than the profile allows.
    public static let cmsSignerInfoCount = Self("pa.signer-info-count")
    /// The certificate the SignerInfo names is neither in the SignedData nor in the trust store.
    public static let cmsSignerNotFound = Self("pa.signer-not-found")
    /// The contentType signed attribute is missing or differs from eContentType.
    public static let cmsContentTypeMismatch = Self("pa.content-type-mismatch")
    /// The messageDigest signed attribute is missing or differs from the hash of eContent.
    public static let cmsMessageDigestMismatch = Self("pa.message-digest-mismatch")
    /// The SignerInfo signature does not verify with the signer's key.
    public static let cmsSignatureInvalid = Self("pa.signature-invalid")
    /// No trusted CSCA issued the signer certificate.
    public static let chainIssuerUnknown = Self("pa.issuer-unknown")
    /// A trusted CSCA is named as issuer, but the certificate's signature does not verify with its key.
    public static let chainSignatureInvalid = Self("pa.chain-signature-invalid")
    /// A certificate of the chain is expired at the verification date.
    public static let chainCertificateExpired = Self("pa.certificate-expired")
    /// A certificate of the chain is not yet valid at the verification date.
    public static let chainCertificateNotYetValid = Self("pa.certificate-not-yet-valid")
    /// The signer certificate is listed in a CRL of its CSCA.
    public static let chainCertificateRevoked = Self("pa.certificate-revoked")
    /// A CRL was ignored (not signed by the CSCA it names, or out of date): reported, not a failure.
    public static let chainCRLIgnored = Self("pa.crl-ignored")
}
