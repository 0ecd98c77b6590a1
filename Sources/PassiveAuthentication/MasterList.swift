import EMRTDASN1
public import EMRTDCore
public import Foundation
public import PKIX
public import SwiftASN1

/// An ICAO CSCA master list (ICAO Doc 9303-12 9): a CMS SignedData whose eContent lists CSCA
/// certificates, signed by a master list signer that a CSCA of the issuing State certified.
///
/// ```
/// ContentInfo { contentType id-signedData, content SignedData }
///   eContentType = id-icao-cscaMasterList (2.23.136.1.1.2)
///
/// CscaMasterList ::= SEQUENCE {
///     version CscaMasterListVersion,                -- v0(0)
///     certList SET OF Certificate }
/// ```
public struct MasterList: Sendable {
    /// `id-icao-cscaMasterList` (2.23.136.1.1.2).
    public static let contentType: ASN1ObjectIdentifier = "2.23.136.1.1.2"

    /// An entry of certList that is not a readable X.509 certificate, kept so that a report can name it.
    public struct UnreadableCertificate: Sendable, Hashable {
        /// Position in certList (0-based).
        public let index: Int
        /// The entry's encoding as read.
        public let der: [UInt8]
        /// Why it could not be read.
        public let reason: String
    }

    /// The CMS SignedData around the list, signed by the master list signer.
    public let signedData: CryptographicMessageSyntax.SignedData
    /// `version` of CscaMasterList: 0 (v0), the only one defined.
    public let version: Int
    /// Every certificate of certList that could be read, in list order.
    public let certificates: [X509Certificate]
    /// The certificates of certList that could not be read, with why.
    public let unreadableCertificates: [UnreadableCertificate]
    /// The master list signer's certificate (from the SignedData's certificates, found by sid).
    public let signer: X509Certificate?
    /// The file as read.
    public let raw: [UInt8]

    /// Parses a master list (DER or BER ContentInfo, e.g. an `.ml` / `.mls` file).
    public init(_ bytes: [UInt8]) throws(EMRTDError) {
        let signed = try CryptographicMessageSyntax.SignedData(contentInfo: bytes)
        guard signed.contentType == Self.contentType else {
            throw EMRTDError(
                .cmsUnexpectedContentType,
                "the SignedData encapsulates \(KnownOID.describe(signed.contentType)), not a CSCA master list (\(Self.contentType))")
        }
        guard let content = signed.content else { throw EMRTDError(.masterListMalformed, "the master list has no eContent") }
        let r = ASN1Reader.masterList
        let root = try r.parse(content, what: "CscaMasterList")
        let fields = try r.children(root, .sequence, what: "CscaMasterList")
        guard fields.count == 2 else { throw r.fail("CscaMasterList has \(fields.count) elements, expected 2") }
        version = try r.int(fields[0], what: "CscaMasterList.version")
        var parsed: [X509Certificate] = []
        var unreadable: [UnreadableCertificate] = []
        for (index, node) in try r.children(fields[1], .set, what: "CscaMasterList.certList").enumerated() {
            let der = Array(node.encodedBytes)
            do {
                parsed.append(try X509Certificate(der: der))
            } catch {
                unreadable.append(UnreadableCertificate(index: index, der: der, reason: errorDescription(error)))
            }
        }
        certificates = parsed
        unreadableCertificates = unreadable
        signer = signed.signerInfos.first.flatMap { info in
            signed.parsedCertificates.lazy.compactMap { try? $0.get() }.first { matches($0, info.sid) }
        }
        signedData = signed
        raw = bytes
    }

    /// Verifies the list's own signature (signer found by sid, messageDigest = hash of the eContent,
    /// signature over the signed attributes) and that the signer was issued by a CSCA of the list
    /// itself or of `trusting`. Validity periods are checked only when `date` is given.
    ///
    /// A list whose signer chains to a CSCA *in the list* is intact, not trusted: trust comes from
    /// knowing that CSCA (pass it in `trusting`).
    public func verify(trusting anchors: [X509Certificate] = [], at date: Date? = nil) -> PassiveAuthenticationResult {
        let trust = TrustStore(cscas: anchors + certificates)
        var context = VerificationContext(
            signedData: signedData, trust: trust, date: date, object: "the master list", signerRole: "master list signer")
        context.run(VerificationContext.standardChecks)
        return context.finish()
    }
}
