public import Cryptography
public import EMRTDASN1
public import EMRTDCore
public import LDS
public import SwiftASN1

/// The LDS Security Object (ICAO Doc 9303-10 4.6.2.2): the hash of every data group, signed by the
/// Document Signer inside EF.SOD.
///
/// ```
/// LDSSecurityObject ::= SEQUENCE {
///     version LDSSecurityObjectVersion,             -- v0(0), v1(1): v1 when ldsVersionInfo is present
///     hashAlgorithm DigestAlgorithmIdentifier,
///     dataGroupHashValues SEQUENCE SIZE (2..ub-DataGroups) OF DataGroupHash,
///     ldsVersionInfo LDSVersionInfo OPTIONAL }
///
/// DataGroupHash ::= SEQUENCE {
///     dataGroupNumber DataGroupNumber,              -- INTEGER 1..16
///     dataGroupHashValue OCTET STRING }
///
/// LDSVersionInfo ::= SEQUENCE {
///     ldsVersion PRINTABLE STRING,                  -- e.g. "0108"
///     unicodeVersion PRINTABLE STRING }             -- e.g. "040000"
/// ```
public struct LDSSecurityObject: Hashable, Sendable {
    /// `id-icao-mrtd-security-ldsSecurityObject` (2.23.136.1.1.1).
    public static let contentType: ASN1ObjectIdentifier = "2.23.136.1.1.1"

    /// `version`: 0, or 1 when `ldsVersionInfo` is present.
    public let version: Int
    /// The hash every data group is hashed with (SHA-1 or SHA-2).
    public let hashAlgorithm: HashAlgorithm
    /// `hashAlgorithm` as encoded: the OID and its parameters.
    public let hashAlgorithmIdentifier: AlgorithmIdentifier
    /// Data group number (1...16) to the hash listed for it.
    public let dataGroupHashes: [Int: [UInt8]]
    /// `ldsVersionInfo`, nil when absent.
    public let ldsVersion: String?
    /// `unicodeVersion` of `ldsVersionInfo` (e.g. `040000`), nil when absent.
    public let unicodeVersion: String?
    /// The encoding as read (the eContent value).
    public let encoded: [UInt8]

    /// Parses the eContent of EF.SOD.
    public init(encoded bytes: [UInt8]) throws(EMRTDError) {
        let r = ASN1Reader.sod
        let root = try r.parse(bytes[...], what: "LDSSecurityObject")
        let fields = try r.children(root, .sequence, what: "LDSSecurityObject")
        guard (3...4).contains(fields.count) else {
            throw r.fail("LDSSecurityObject has \(fields.count) elements, expected 3 or 4")
        }
        version = try r.int(fields[0], what: "LDSSecurityObject.version")
        guard version == 0 || version == 1 else {
            throw EMRTDError(.sodUnsupportedVersion, "unsupported LDSSecurityObject version \(version), expected 0 or 1")
        }
        hashAlgorithmIdentifier = try r.algorithm(fields[1], what: "LDSSecurityObject.hashAlgorithm")
        guard let hash = hashForOID(hashAlgorithmIdentifier.algorithm) else {
            throw EMRTDError(
                .digestAlgorithmUnsupported,
                "EF.SOD hashes data groups with \(hashAlgorithmIdentifier), which is not supported"
            )
        }
        hashAlgorithm = hash
        var hashes: [Int: [UInt8]] = [:]
        for item in try r.children(fields[2], .sequence, what: "dataGroupHashValues") {
            let pair = try r.children(item, .sequence, what: "DataGroupHash")
            guard pair.count == 2 else { throw r.fail("DataGroupHash must have 2 elements, has \(pair.count)") }
            let number = try r.int(pair[0], what: "dataGroupNumber")
            guard (1...16).contains(number) else { throw r.fail("dataGroupNumber \(number) is outside 1...16") }
            guard hashes[number] == nil else { throw r.fail("DG\(number) is listed twice") }
            hashes[number] = try r.octetString(pair[1], what: "DG\(number) hash")
        }
        dataGroupHashes = hashes
        if fields.count == 4 {
            let info = try r.children(fields[3], .sequence, what: "ldsVersionInfo")
            guard info.count == 2 else { throw r.fail("LDSVersionInfo must have 2 elements, has \(info.count)") }
            ldsVersion = try r.string(info[0], what: "ldsVersion")
            unicodeVersion = try r.string(info[1], what: "unicodeVersion")
        } else {
            ldsVersion = nil
            unicodeVersion = nil
        }
        encoded = bytes
    }

    /// The DER encoding of an LDSSecurityObject: v1 when `ldsVersion` (ldsVersion, unicodeVersion)
    /// is given, v0 otherwise.
    public static func encode(
        hashAlgorithm: HashAlgorithm, dataGroupHashes: [Int: [UInt8]], ldsVersion: (String, String)? = nil
    ) throws(EMRTDError) -> [UInt8] {
        guard dataGroupHashes.keys.allSatisfy({ (1...16).contains($0) }) else {
            throw EMRTDError(.invalidArgument, "data group numbers must be within 1...16")
        }
        let hashes = dataGroupHashes.keys.sorted().map { n in
            DERWriter.sequence([DERWriter.integer(n), DERWriter.octetString(dataGroupHashes[n]!)])
        }
        var fields = [
            DERWriter.integer(ldsVersion == nil ? 0 : 1),
            hashAlgorithm.algorithmIdentifier,
            DERWriter.sequence(hashes),
        ]
        if let (lds, unicode) = ldsVersion {
            fields.append(DERWriter.sequence([DERWriter.printableString(lds), DERWriter.printableString(unicode)]))
        }
        return DERWriter.sequence(fields)
    }
}

/// EF.SOD, the Document Security Object (ICAO Doc 9303-10 4.6.2):
///
/// ```
/// EF.SOD ::= [APPLICATION 23] ContentInfo          -- tag 77
/// ContentInfo.contentType = id-signedData, SignedData.version = v3,
/// eContentType = id-icao-mrtd-security-ldsSecurityObject (2.23.136.1.1.1), eContent = LDSSecurityObject
/// ```
///
/// Under INTEROP rules the LDSSecurityObject is also accepted under plain `id-data`
/// (1.2.840.113549.1.7.1), for which RFC 5652 5.1 also allows SignedData v1. BER (indefinite
/// lengths) is accepted; trailing bytes after the `77` element are not.
public struct SecurityObjectDocument: Sendable {
    /// The file as read.
    public let raw: [UInt8]
    /// The CMS SignedData inside the `77` wrapper.
    public let signedData: CryptographicMessageSyntax.SignedData
    /// The LDSSecurityObject its eContent holds.
    public let securityObject: LDSSecurityObject

    /// The hash algorithm of the data group hashes.
    public var hashAlgorithm: HashAlgorithm { securityObject.hashAlgorithm }
    /// Data group number to hash.
    public var dataGroupHashes: [Int: [UInt8]] { securityObject.dataGroupHashes }
    /// The one SignerInfo ICAO requires (the first, if there are more).
    public var signerInfo: CryptographicMessageSyntax.SignerInfo? { signedData.signerInfos.first }

    /// Parses EF.SOD as read from the chip: tag `77` around a ContentInfo whose SignedData (v3)
    /// encapsulates an LDSSecurityObject.
    public init(_ efSOD: [UInt8]) throws(EMRTDError) {
        let r = ASN1Reader.sod
        let outer = try r.parse(efSOD[...], what: "EF.SOD")
        let wrapped = try r.children(
            outer, .application(23), what: "EF.SOD (tag 77)"
        )
        guard wrapped.count == 1 else { throw r.fail("EF.SOD tag 77 must hold exactly one ContentInfo, holds \(wrapped.count)") }
        let signed = try CryptographicMessageSyntax.SignedData(contentInfoNode: wrapped[0])
        guard signed.contentType == LDSSecurityObject.contentType || signed.contentType == CryptographicMessageSyntax.idData else {
            throw EMRTDError(
                .cmsUnexpectedContentType,
                "EF.SOD encapsulates \(KnownOID.describe(signed.contentType)), expected \(LDSSecurityObject.contentType) (LDS security object) or id-data"
            )
        }
        let allowedVersions = signed.contentType == CryptographicMessageSyntax.idData ? [1, 3] : [3]
        guard allowedVersions.contains(signed.version) else {
            throw EMRTDError(.cmsUnsupportedVersion, "EF.SOD SignedData version is \(signed.version), expected 3")
        }
        guard let content = signed.content else {
            throw EMRTDError(.sodMalformed, "EF.SOD has no eContent (detached content)")
        }
        securityObject = try LDSSecurityObject(encoded: content)
        signedData = signed
        raw = efSOD
    }
}

/// EF.CardSecurity (BSI TR-03110-3 A.1.2.2, ICAO Doc 9303-11 9.2.5): a ContentInfo (no `77` wrapper)
/// whose SignedData encapsulates SecurityInfos under `id-SecurityObject` (0.4.0.127.0.7.3.2.1),
/// signed by a Document Signer like EF.SOD.
public struct CardSecurityDocument: Sendable {
    /// `id-SecurityObject` (bsi-de protocols(2) ... 3.2.1).
    public static let contentType: ASN1ObjectIdentifier = "0.4.0.127.0.7.3.2.1"

    /// The file as read.
    public let raw: [UInt8]
    /// The CMS SignedData (v3).
    public let signedData: CryptographicMessageSyntax.SignedData
    /// The SecurityInfos it encapsulates: the chip's PACE, Chip Authentication and Terminal
    /// Authentication infos, signed (unlike EF.CardAccess).
    public let securityInfos: SecurityInfos

    /// Parses EF.CardSecurity as read from the chip.
    public init(_ bytes: [UInt8]) throws(EMRTDError) {
        let signed = try CryptographicMessageSyntax.SignedData(contentInfo: bytes)
        guard signed.contentType == Self.contentType else {
            throw EMRTDError(
                .cmsUnexpectedContentType,
                "EF.CardSecurity encapsulates \(KnownOID.describe(signed.contentType)), expected id-SecurityObject (\(Self.contentType))"
            )
        }
        guard signed.version == 3 else {
            throw EMRTDError(.cmsUnsupportedVersion, "EF.CardSecurity SignedData version is \(signed.version), expected 3")
        }
        guard let content = signed.content else {
            throw EMRTDError(.cmsMalformed, "EF.CardSecurity has no eContent")
        }
        securityInfos = try SecurityInfos.parse(content)
        signedData = signed
        raw = bytes
    }
}
