public import Cryptography
import EMRTDASN1
public import EMRTDCore
public import Foundation
public import PKIX
public import SwiftASN1

// Producing signed objects, for personalization and for tests: DER throughout.

extension CryptographicMessageSyntax {
    /// A DER `ContentInfo` holding `SignedData` v3 over `content`:
    ///
    /// - `digestAlgorithms` = { the scheme's hash }, eContentType = `contentType`, eContent = `content`;
    /// - `certificates` = `certificates` (the signer's certificate first, by default alone);
    /// - one SignerInfo v1: sid = issuerAndSerialNumber of `signer`, signed attributes contentType,
    ///   signingTime and messageDigest (RFC 5652 11), signature with `scheme` over their DER SET OF.
    public static func signedData(
        contentType: ASN1ObjectIdentifier, content: [UInt8], signer: X509Certificate, key: any SigningKey, scheme: SignatureScheme,
        certificates: [X509Certificate]? = nil, signingTime: Date = Date()
    ) throws(EMRTDError) -> [UInt8] {
        let digest = scheme.hash
        let digestAlgorithm = digest.algorithmIdentifier

        let attributes = [
            DERWriter.sequence([DERWriter.oid(idContentType), DERWriter.set(of: [DERWriter.oid(contentType)])]),
            DERWriter.sequence([DERWriter.oid(idSigningTime), DERWriter.set(of: [DERWriter.time(signingTime)])]),
            DERWriter.sequence([DERWriter.oid(idMessageDigest), DERWriter.set(of: [DERWriter.octetString(digest.hash(content))])]),
        ]
        let signedAttributes = DERWriter.set(of: attributes)  // tag 31: what the signature covers
        let signature = try key.signature(for: signedAttributes, scheme: scheme)
        let implicitAttributes = [0xA0] + signedAttributes.dropFirst()  // [0] IMPLICIT in the SignerInfo

        let signerInfo = DERWriter.sequence([
            DERWriter.integer(1),
            DERWriter.sequence([signer.issuer.der, DERWriter.unsignedInteger(signer.serialNumber)]),
            digestAlgorithm,
            implicitAttributes,
            scheme.algorithmIdentifier,
            DERWriter.octetString(signature),
        ])
        let certs = certificates ?? [signer]
        var fields = [
            DERWriter.integer(3),
            DERWriter.set(of: [digestAlgorithm]),
            DERWriter.sequence([DERWriter.oid(contentType), DERWriter.explicit(0, DERWriter.octetString(content))]),
        ]
        if !certs.isEmpty { fields.append(DERWriter.constructed(.context(0), certs.map(\.der))) }
        fields.append(DERWriter.set(of: [signerInfo]))
        return DERWriter.sequence([DERWriter.oid(idSignedData), DERWriter.explicit(0, DERWriter.sequence(fields))])
    }
}

extension SecurityObjectDocument {
    /// A DER EF.SOD (`77 L ContentInfo`) over the given data groups (hashed with `hash` as given, raw
    /// bytes with their tag), signed by `signer` / `key` with `scheme` (signed attributes contentType,
    /// signingTime, messageDigest; sid = issuerAndSerialNumber; the DSC in `certificates`).
    /// `ldsVersion` (e.g. ("0108", "040000")) makes an LDSSecurityObject v1.
    public static func sign(
        dataGroups: [Int: [UInt8]], hash: HashAlgorithm, signer: X509Certificate, key: any SigningKey,
        scheme: SignatureScheme, ldsVersion: (String, String)? = nil, signingTime: Date = Date()
    ) throws(EMRTDError) -> [UInt8] {
        try sign(
            dataGroupHashes: dataGroups.mapValues { hash.hash($0) }, hashAlgorithm: hash, signer: signer, key: key,
            scheme: scheme, ldsVersion: ldsVersion, signingTime: signingTime)
    }

    /// As ``sign(dataGroups:hash:signer:key:scheme:ldsVersion:signingTime:)`` with the hashes given
    /// (they are listed as they are, under `hashAlgorithm`).
    public static func sign(
        dataGroupHashes: [Int: [UInt8]], hashAlgorithm: HashAlgorithm, signer: X509Certificate, key: any SigningKey,
        scheme: SignatureScheme, ldsVersion: (String, String)? = nil, signingTime: Date = Date()
    ) throws(EMRTDError) -> [UInt8] {
        let content = try LDSSecurityObject.encode(
            hashAlgorithm: hashAlgorithm, dataGroupHashes: dataGroupHashes, ldsVersion: ldsVersion)
        let contentInfo = try CryptographicMessageSyntax.signedData(
            contentType: LDSSecurityObject.contentType, content: content, signer: signer, key: key, scheme: scheme,
            signingTime: signingTime)
        return DERWriter.constructed(.application(23), [contentInfo])
    }
}

extension CardSecurityDocument {
    /// A DER EF.CardSecurity: `SecurityInfos` (the DER SET, as for DG14) signed like EF.SOD under
    /// id-SecurityObject.
    public static func sign(
        securityInfos: [UInt8], signer: X509Certificate, key: any SigningKey, scheme: SignatureScheme, signingTime: Date = Date()
    ) throws(EMRTDError) -> [UInt8] {
        try CryptographicMessageSyntax.signedData(
            contentType: contentType, content: securityInfos, signer: signer, key: key, scheme: scheme,
            signingTime: signingTime)
    }
}
