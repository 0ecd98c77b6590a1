public import EMRTDCore

/// DG14: the SecurityInfos for Chip Authentication and PACE (ICAO Doc 9303-10 4.7.14, 9303-11 9.2).
///
/// ```
/// 6E L  SecurityInfos   -- SET OF SecurityInfo
/// ```
public struct DG14: Hashable, Sendable {
    /// The SecurityInfos: Chip Authentication (ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo),
    /// and, as the chip supports them, PACE, Terminal and Active Authentication.
    public let securityInfos: SecurityInfos
    /// The exact bytes of the file, as the SOD hashes them.
    public let raw: [UInt8]

    /// Parses DG14 as read. Throws `lds.unexpected-tag` when it does not start with 6E, and
    /// `asn1.invalid` for SecurityInfos that do not parse.
    public init(_ bytes: [UInt8]) throws(EMRTDError) {
        let outer = try LDSParsing.outer(bytes, tag: 0x6E, file: "DG14")
        securityInfos = try SecurityInfos.parse(outer.value)
        raw = bytes
    }
}

/// DG15: the Active Authentication public key (ICAO Doc 9303-10 4.7.15, 9303-11 6.1).
///
/// ```
/// 6F L  SubjectPublicKeyInfo
/// ```
public struct DG15: Hashable, Sendable {
    /// The Active Authentication public key (RSA or EC).
    public let publicKey: SubjectPublicKeyInfo
    /// The exact bytes of the file, as the SOD hashes them.
    public let raw: [UInt8]

    /// Parses DG15 as read. Throws `lds.unexpected-tag` when it does not start with 6F, and
    /// `asn1.invalid` for a SubjectPublicKeyInfo that does not parse.
    public init(_ bytes: [UInt8]) throws(EMRTDError) {
        let outer = try LDSParsing.outer(bytes, tag: 0x6F, file: "DG15")
        publicKey = try SubjectPublicKeyInfo.parse(outer.value)
        raw = bytes
    }
}
