import Cryptography
public import EMRTDASN1
public import EMRTDCore
public import Foundation
public import PKIX
public import SwiftASN1

extension ASN1Reader {
    static let cms = ASN1Reader(.cmsMalformed)
    static let sod = ASN1Reader(.sodMalformed)
    static let masterList = ASN1Reader(.masterListMalformed)
}

/// The Cryptographic Message Syntax as eMRTDs use it (RFC 5652): EF.SOD, EF.CardSecurity and CSCA
/// master lists are each a `ContentInfo` holding `SignedData`.
///
/// The parser is total and accepts BER (indefinite lengths, segmented OCTET STRINGs); it keeps the
/// bytes that signatures and hashes are computed over exactly as read. (The namespace is spelled
/// out: `CMS` is swift-certificates'.)
public enum CryptographicMessageSyntax {
    /// `id-signedData OBJECT IDENTIFIER ::= { iso(1) member-body(2) us(840) rsadsi(113549) pkcs(1) pkcs7(7) 2 }`
    public static let idSignedData: ASN1ObjectIdentifier = "1.2.840.113549.1.7.2"
    /// `id-data OBJECT IDENTIFIER ::= { ... pkcs7(7) 1 }`
    public static let idData: ASN1ObjectIdentifier = "1.2.840.113549.1.7.1"
    /// `id-contentType OBJECT IDENTIFIER ::= { ... pkcs9(9) 3 }`
    public static let idContentType: ASN1ObjectIdentifier = "1.2.840.113549.1.9.3"
    /// `id-messageDigest OBJECT IDENTIFIER ::= { ... pkcs9(9) 4 }`
    public static let idMessageDigest: ASN1ObjectIdentifier = "1.2.840.113549.1.9.4"
    /// `id-signingTime OBJECT IDENTIFIER ::= { ... pkcs9(9) 5 }`
    public static let idSigningTime: ASN1ObjectIdentifier = "1.2.840.113549.1.9.5"

    /// ```
    /// SignerIdentifier ::= CHOICE {
    ///     issuerAndSerialNumber IssuerAndSerialNumber,
    ///     subjectKeyIdentifier [0] SubjectKeyIdentifier }
    /// IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber CertificateSerialNumber }
    /// SubjectKeyIdentifier ::= OCTET STRING
    /// ```
    public enum SignerIdentifier: Hashable, Sendable {
        /// The issuer `Name` as encoded (with definite lengths if it was read as indefinite-length BER;
        /// compare it by value, see `X509Name`) and the serial number's INTEGER content octets.
        case issuerAndSerialNumber(issuer: [UInt8], serialNumber: [UInt8])
        case subjectKeyIdentifier([UInt8])
    }

    /// `Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }`
    public struct Attribute: Hashable, Sendable {
        /// `attrType`, e.g. `id-messageDigest`.
        public let type: ASN1ObjectIdentifier
        /// Each value's encoding as read.
        public let values: [[UInt8]]

        /// An attribute from its type and the encodings of its values.
        public init(type: ASN1ObjectIdentifier, values: [[UInt8]]) {
            self.type = type
            self.values = values
        }
    }
}

// MARK: - ContentInfo / SignedData

extension CryptographicMessageSyntax {
    /// A `ContentInfo` holding `SignedData` (RFC 5652 3 and 5.1):
    ///
    /// ```
    /// ContentInfo ::= SEQUENCE {
    ///     contentType ContentType,                      -- id-signedData
    ///     content [0] EXPLICIT ANY DEFINED BY contentType }
    ///
    /// SignedData ::= SEQUENCE {
    ///     version CMSVersion,
    ///     digestAlgorithms DigestAlgorithmIdentifiers,  -- SET OF DigestAlgorithmIdentifier
    ///     encapContentInfo EncapsulatedContentInfo,
    ///     certificates [0] IMPLICIT CertificateSet OPTIONAL,
    ///     crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
    ///     signerInfos SignerInfos }                     -- SET OF SignerInfo
    ///
    /// EncapsulatedContentInfo ::= SEQUENCE {
    ///     eContentType ContentType,
    ///     eContent [0] EXPLICIT OCTET STRING OPTIONAL }
    /// ```
    public struct SignedData: Sendable {
        /// `version` (CMSVersion, RFC 5652 5.1): 3 when eContentType is other than id-data, as for EF.SOD.
        public let version: Int
        /// `digestAlgorithms`: those the signers use (each SignerInfo names its own).
        public let digestAlgorithms: [AlgorithmIdentifier]
        /// `eContentType`.
        public let contentType: ASN1ObjectIdentifier
        /// The value of `eContent` (segments joined when it is a constructed OCTET STRING); nil when
        /// the content is detached.
        public let content: [UInt8]?
        /// Each X.509 certificate of `certificates`, as encoded (other CertificateChoices are skipped).
        public let certificates: [[UInt8]]
        /// Each element of `crls`, as encoded (kept, not interpreted here).
        public let crls: [[UInt8]]
        /// `signerInfos`: one per signer; ICAO recommends one for EF.SOD, the Document Signer's.
        public let signerInfos: [SignerInfo]
        /// The ContentInfo as read.
        public let encoded: [UInt8]

        /// Parses a `ContentInfo` (DER or BER); the whole input must be that one element.
        public init(contentInfo bytes: [UInt8]) throws(EMRTDError) {
            let node = try ASN1Reader.cms.parse(bytes[...], what: "ContentInfo")
            try self.init(contentInfoNode: node)
        }

        init(contentInfoNode node: ASN1Node) throws(EMRTDError) {
            let r = ASN1Reader.cms
            let info = try r.children(node, .sequence, what: "ContentInfo")
            guard info.count == 2 else { throw r.fail("ContentInfo must have 2 elements, has \(info.count)") }
            let type = try r.oid(info[0], what: "ContentInfo.contentType")
            guard type == CryptographicMessageSyntax.idSignedData else {
                throw EMRTDError(.cmsNotSignedData, "ContentInfo holds \(KnownOID.describe(type)), not id-signedData")
            }
            let fields = try r.children(try r.explicit(info[1], tag: 0, what: "ContentInfo.content"), .sequence, what: "SignedData")
            guard fields.count >= 4 else { throw r.fail("SignedData has \(fields.count) elements, needs at least 4") }

            version = try r.int(fields[0], what: "SignedData.version")
            digestAlgorithms = try r.children(fields[1], .set, what: "SignedData.digestAlgorithms").map {
                (n: ASN1Node) throws(EMRTDError) in try r.algorithm(n, what: "SignedData.digestAlgorithms")
            }

            let encap = try r.children(fields[2], .sequence, what: "EncapsulatedContentInfo")
            guard (1...2).contains(encap.count) else {
                throw r.fail("EncapsulatedContentInfo must have 1 or 2 elements, has \(encap.count)")
            }
            contentType = try r.oid(encap[0], what: "eContentType")
            if encap.count == 2 {
                content = try r.octetString(try r.explicit(encap[1], tag: 0, what: "eContent"), what: "eContent")
            } else {
                content = nil
            }

            var rest = fields[3...]
            var certs: [[UInt8]] = []
            var revocations: [[UInt8]] = []
            if let next = rest.first, next.identifier == .context(0) {
                for choice in try r.children(next, .context(0), what: "SignedData.certificates") {
                    // CertificateChoices: only the plain Certificate (a SEQUENCE) is an X.509 certificate.
                    if choice.identifier == .sequence { certs.append(Array(choice.encodedBytes)) }
                }
                rest = rest.dropFirst()
            }
            if let next = rest.first, next.identifier == .context(1) {
                revocations = try r.children(next, .context(1), what: "SignedData.crls").map { Array($0.encodedBytes) }
                rest = rest.dropFirst()
            }
            guard rest.count == 1, let last = rest.first else {
                throw r.fail("SignedData has \(rest.count) elements after certificates/crls where signerInfos alone was expected")
            }
            certificates = certs
            crls = revocations
            signerInfos = try r.children(last, .set, what: "SignedData.signerInfos").map {
                (n: ASN1Node) throws(EMRTDError) in try SignerInfo(node: n)
            }
            encoded = Array(node.encodedBytes)
        }
    }
}

extension CryptographicMessageSyntax.SignedData {
    /// ``certificates`` as X.509 certificates, each parsed on its own: one that does not parse is a
    /// failure in its place, not an error for the whole SignedData.
    public var parsedCertificates: [Result<X509Certificate, EMRTDError>] {
        certificates.map { der in Result { () throws(EMRTDError) -> X509Certificate in try VerificationCache.shared.certificate(der) } }
    }
}

// MARK: - SignerInfo

extension CryptographicMessageSyntax {
    /// ```
    /// SignerInfo ::= SEQUENCE {
    ///     version CMSVersion,                           -- 1 with issuerAndSerialNumber, 3 with [0]
    ///     sid SignerIdentifier,
    ///     digestAlgorithm DigestAlgorithmIdentifier,
    ///     signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
    ///     signatureAlgorithm SignatureAlgorithmIdentifier,
    ///     signature SignatureValue,                     -- OCTET STRING
    ///     unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
    ///
    /// SignedAttributes ::= SET SIZE (1..MAX) OF Attribute
    /// ```
    ///
    /// RFC 5652 5.4: the signature is computed over the DER encoding of the SET OF `signedAttrs`, i.e.
    /// the `[0]` tag replaced by the SET tag `31` (``signedAttributesForSignature``); without signed
    /// attributes, over the eContent value itself.
    public struct SignerInfo: Sendable {
        /// `version` (RFC 5652 5.3): 1 with issuerAndSerialNumber, 3 with subjectKeyIdentifier.
        public let version: Int
        /// `sid`: the signer's certificate, by issuer and serial number or by subject key identifier.
        public let sid: SignerIdentifier
        /// `digestAlgorithm`: the hash of the eContent in the messageDigest attribute, and of the signed
        /// attributes for the signature.
        public let digestAlgorithm: AlgorithmIdentifier
        /// The signed attributes, nil if absent.
        public let signedAttributes: [Attribute]?
        /// The `[0] IMPLICIT` element exactly as read, nil if absent.
        public let signedAttributesEncoded: [UInt8]?
        /// The bytes the signature covers: the signed attributes as a DER `SET OF` (tag `31`). The bytes
        /// as read are used when their lengths are definite; an indefinite-length encoding is
        /// re-encoded with definite lengths.
        public let signedAttributesForSignature: [UInt8]?
        /// `signatureAlgorithm`: e.g. ecdsa-with-SHA256, id-RSASSA-PSS or sha256WithRSAEncryption.
        public let signatureAlgorithm: AlgorithmIdentifier
        /// `signature`: the SignatureValue octets (for ECDSA, a DER `Ecdsa-Sig-Value`).
        public let signature: [UInt8]
        /// `unsignedAttrs`, nil if absent; the signature does not cover them.
        public let unsignedAttributes: [Attribute]?

        init(node: ASN1Node) throws(EMRTDError) {
            let r = ASN1Reader.cms
            let fields = try r.children(node, .sequence, what: "SignerInfo")
            guard fields.count >= 5 else { throw r.fail("SignerInfo has \(fields.count) elements, needs at least 5") }
            version = try r.int(fields[0], what: "SignerInfo.version")

            if fields[1].identifier == .sequence {
                let parts = try r.children(fields[1], .sequence, what: "IssuerAndSerialNumber")
                guard parts.count == 2 else { throw r.fail("IssuerAndSerialNumber must have 2 elements") }
                _ = try r.children(parts[0], .sequence, what: "IssuerAndSerialNumber.issuer")
                sid = .issuerAndSerialNumber(
                    issuer: parts[0].hasDefiniteLengths ? Array(parts[0].encodedBytes) : DERWriter.reencoded(parts[0]),
                    serialNumber: try r.integerBytes(parts[1], what: "IssuerAndSerialNumber.serialNumber")
                )
            } else if fields[1].identifier == .context(0) {
                sid = .subjectKeyIdentifier(Array(try r.primitive(fields[1], .context(0), what: "SignerInfo.sid")))
            } else {
                throw r.fail("SignerInfo.sid: unexpected \(fields[1].identifier)")
            }

            digestAlgorithm = try r.algorithm(fields[2], what: "SignerInfo.digestAlgorithm")
            var index = 3
            if fields[index].identifier == .context(0) {
                let node = fields[index]
                signedAttributes = try Self.attributes(node, .context(0), what: "signedAttrs")
                signedAttributesEncoded = Array(node.encodedBytes)
                var bytes = node.hasDefiniteLengths ? Array(node.encodedBytes) : DERWriter.reencoded(node)
                bytes[0] = 0x31
                signedAttributesForSignature = bytes
                index += 1
            } else {
                signedAttributes = nil
                signedAttributesEncoded = nil
                signedAttributesForSignature = nil
            }
            guard fields.count >= index + 2 else { throw r.fail("SignerInfo ends before its signature") }
            signatureAlgorithm = try r.algorithm(fields[index], what: "SignerInfo.signatureAlgorithm")
            signature = try r.octetString(fields[index + 1], what: "SignerInfo.signature")
            index += 2
            if index < fields.count, fields[index].identifier == .context(1) {
                unsignedAttributes = try Self.attributes(fields[index], .context(1), what: "unsignedAttrs")
                index += 1
            } else {
                unsignedAttributes = nil
            }
            guard index == fields.count else { throw r.fail("SignerInfo has \(fields.count - index) unexpected trailing elements") }
        }

        static func attributes(_ node: ASN1Node, _ id: ASN1Identifier, what: StaticString) throws(EMRTDError) -> [Attribute] {
            let r = ASN1Reader.cms
            var out: [Attribute] = []
            for item in try r.children(node, id, what: "\(what)") {
                let parts = try r.children(item, .sequence, what: "\(what) Attribute")
                guard parts.count == 2 else { throw r.fail("\(what) Attribute must have 2 elements") }
                let type = try r.oid(parts[0], what: "\(what) attrType")
                let values = try r.children(parts[1], .set, what: "\(what) attrValues").map { Array($0.encodedBytes) }
                out.append(Attribute(type: type, values: values))
            }
            return out
        }

        /// The single value of the signed attribute `type`; nil if absent. Throws if it appears twice
        /// or has other than one value (RFC 5652 11.1, 11.2).
        func singleSignedValue(_ type: ASN1ObjectIdentifier, name: String) throws(EMRTDError) -> ASN1Node? {
            let matches = (signedAttributes ?? []).filter { $0.type == type }
            guard let attribute = matches.first else { return nil }
            guard matches.count == 1, attribute.values.count == 1 else {
                throw EMRTDError(.cmsMalformed, "the \(name) signed attribute must appear once with one value")
            }
            return try ASN1Reader.cms.parse(attribute.values[0][...], what: name)
        }

        /// The `contentType` signed attribute (`ContentType ::= OBJECT IDENTIFIER`).
        public func contentTypeAttribute() throws(EMRTDError) -> ASN1ObjectIdentifier? {
            guard let node = try singleSignedValue(CryptographicMessageSyntax.idContentType, name: "contentType") else { return nil }
            return try ASN1Reader.cms.oid(node, what: "contentType attribute")
        }

        /// The `messageDigest` signed attribute (`MessageDigest ::= OCTET STRING`).
        public func messageDigestAttribute() throws(EMRTDError) -> [UInt8]? {
            guard let node = try singleSignedValue(CryptographicMessageSyntax.idMessageDigest, name: "messageDigest") else { return nil }
            return try ASN1Reader.cms.octetString(node, what: "messageDigest attribute")
        }

        /// The `signingTime` signed attribute (`Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }`),
        /// nil if absent or unreadable.
        public var signingTime: Date? {
            guard let node = try? singleSignedValue(CryptographicMessageSyntax.idSigningTime, name: "signingTime") else { return nil }
            return try? ASN1Reader.cms.time(node, what: "signingTime")
        }
    }
}

// MARK: - Hash algorithms

/// The hash algorithm of a digest `AlgorithmIdentifier` (NIST and OIW OIDs), nil if not implemented.
func hashForOID(_ oid: ASN1ObjectIdentifier) -> HashAlgorithm? { HashAlgorithm(oid: oid) }
