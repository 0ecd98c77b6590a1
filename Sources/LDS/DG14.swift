public import EMRTDCore

/// DG14: the SecurityInfos for Chip Authentication and PACE (ICAO Doc 9303-10 4.7.14, 9303-11 9.2).
///
/// ```
/// 6E L  SecurityInfos   -- SET OF SecurityInfo
/// ```
public struct DG14: Hashable, Sendable {
    public let securityInfos: SecurityInfos
    public let raw: [UInt8]

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
    public let publicKey: SubjectPublicKeyInfo
    public let raw: [UInt8]

    public init(_ bytes: [UInt8]) throws(EMRTDError) {
        let outer = try LDSParsing.outer(bytes, tag: 0x6F, file: "DG15")
        publicKey = try SubjectPublicKeyInfo.parse(outer.value)
        raw = bytes
    }
}
