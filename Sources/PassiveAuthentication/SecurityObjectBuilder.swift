public import Cryptography
public import EMRTDCore
public import Foundation
public import LDS
public import PKIX

// Producing signed objects, for personalization and for tests: DER throughout.

extension CryptographicMessageSyntax {
    /// A DER `ContentInfo` holding `SignedData` v3 over `content`:
    ///
    /// - `digestAlgorithms` = { the scheme's hash }, eContentType = `contentType`, eContent = `content`;
    /// - `certificates` = `certificates` (the signer's certificate first, by default alone);
    /// - one SignerInfo v1: sid = issuerAndSerialNumber of `signer`, signed attributes contentType,
    ///   signingTime and messageDigest (RFC 5652 11), signature with `scheme` over their DER SET OF.
    public static func signedData(
        contentType: OID, content: [UInt8], signer: X509Certificate, key: PrivateKey, scheme: SignatureScheme,
        certificates: [X509Certificate]? = nil, signingTime: Date = Date()
    ) throws(EMRTDError) -> [UInt8] {
        let digest = scheme.hash
        guard let digestOID = hashOID(digest) else {
            throw EMRTDError(.digestAlgorithmUnsupported, "no digest OID for \(digest)")
        }
        let digestAlgorithm = DER.algorithm(digestOID, parameters: DER.null)

        let attributes = [
            DER.sequence([DER.oid(idContentType), DER.setOf([DER.oid(contentType)])]),
            DER.sequence([DER.oid(idSigningTime), DER.setOf([DER.time(signingTime)])]),
            DER.sequence([DER.oid(idMessageDigest), DER.setOf([DER.octetString(digest.hash(content))])]),
        ]
        let signedAttributes = DER.setOf(attributes)  // tag 31: what the signature covers
        let signature = try key.signature(for: signedAttributes, scheme: scheme)
        let implicitAttributes = [0xA0] + signedAttributes.dropFirst()  // [0] IMPLICIT in the SignerInfo

        let signerInfo = DER.sequence([
            DER.integer(1),
            DER.sequence([signer.issuer.der, DER.unsignedInteger(signer.serialNumber)]),
            digestAlgorithm,
            implicitAttributes,
            scheme.algorithmIdentifier,
            DER.octetString(signature),
        ])
        let certs = certificates ?? [signer]
        var fields = [
            DER.integer(3),
            DER.setOf([digestAlgorithm]),
            DER.sequence([DER.oid(contentType), DER.tlv(0xA0, DER.octetString(content))]),
        ]
        if !certs.isEmpty { fields.append(DER.tlv(0xA0, certs.flatMap(\.der))) }
        fields.append(DER.setOf([signerInfo]))
        return DER.sequence([DER.oid(idSignedData), DER.tlv(0xA0, DER.sequence(fields))])
    }
}

extension SecurityObjectDocument {
    /// A DER EF.SOD (`77 L ContentInfo`) over the given data groups (hashed with `hash` as given, raw
    /// bytes with their tag), signed by `signer` / `key` with `scheme` (signed attributes contentType,
    /// signingTime, messageDigest; sid = issuerAndSerialNumber; the DSC in `certificates`).
    /// `ldsVersion` (e.g. ("0108", "040000")) makes an LDSSecurityObject v1.
    public static func sign(
        dataGroups: [Int: [UInt8]], hash: HashAlgorithm, signer: X509Certificate, key: PrivateKey,
        scheme: SignatureScheme, ldsVersion: (String, String)? = nil, signingTime: Date = Date()
    ) throws(EMRTDError) -> [UInt8] {
        try sign(
            dataGroupHashes: dataGroups.mapValues { hash.hash($0) }, hashAlgorithm: hash, signer: signer, key: key,
            scheme: scheme, ldsVersion: ldsVersion, signingTime: signingTime)
    }

    /// As ``sign(dataGroups:hash:signer:key:scheme:ldsVersion:signingTime:)`` with the hashes given
    /// (they are listed as they are, under `hashAlgorithm`).
    public static func sign(
        dataGroupHashes: [Int: [UInt8]], hashAlgorithm: HashAlgorithm, signer: X509Certificate, key: PrivateKey,
        scheme: SignatureScheme, ldsVersion: (String, String)? = nil, signingTime: Date = Date()
    ) throws(EMRTDError) -> [UInt8] {
        let content = try LDSSecurityObject.encode(
            hashAlgorithm: hashAlgorithm, dataGroupHashes: dataGroupHashes, ldsVersion: ldsVersion)
        let contentInfo = try CryptographicMessageSyntax.signedData(
            contentType: LDSSecurityObject.contentType, content: content, signer: signer, key: key, scheme: scheme,
            signingTime: signingTime)
        return DER.tlv(0x77, contentInfo)
    }
}

extension CardSecurityDocument {
    /// A DER EF.CardSecurity: `SecurityInfos` (the DER SET, as for DG14) signed like EF.SOD under
    /// id-SecurityObject.
    public static func sign(
        securityInfos: [UInt8], signer: X509Certificate, key: PrivateKey, scheme: SignatureScheme, signingTime: Date = Date()
    ) throws(EMRTDError) -> [UInt8] {
        try CryptographicMessageSyntax.signedData(
            contentType: contentType, content: securityInfos, signer: signer, key: key, scheme: scheme,
            signingTime: signingTime)
    }
}

extension DER {
    /// INTEGER from an unsigned big-endian magnitude (a leading zero added when the top bit is set).
    static func unsignedInteger(_ magnitude: [UInt8]) -> [UInt8] {
        var bytes = Array(magnitude.drop { $0 == 0 })
        if bytes.isEmpty || bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return tlv(0x02, bytes)
    }
}
