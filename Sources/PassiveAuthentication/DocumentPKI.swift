public import Cryptography
public import EMRTDCore
public import Foundation
public import PKIX

extension EMRTDError.Code {
    /// A PKI directory is incomplete or unreadable.
    public static let pkiInvalid = Self("pki.invalid")
}

/// A country signing CA, a document signer it certifies, and the CSCA's CRL: the PKI of an
/// issuing state in miniature, for tests and for personalizing cards (`cccd pki init`).
///
/// ```
/// CSCA   self-signed, cA, keyCertSign | cRLSign
/// DSC    issued by the CSCA, digitalSignature, signs EF.SOD
/// CRL    issued by the CSCA
/// ```
public struct DocumentPKI: Sendable {
    /// The key type and signature scheme of both certificates and of the SODs the DSC signs.
    public enum Algorithm: String, Sendable, CaseIterable {
        case ecdsaBrainpoolP256r1 = "ecdsa-brainpoolP256r1"
        case ecdsaBrainpoolP384r1 = "ecdsa-brainpoolP384r1"
        case ecdsaP256 = "ecdsa-p256"
        case ecdsaP384 = "ecdsa-p384"
        case rsaPSS = "rsa-pss"
        case rsa = "rsa"

        /// The key generated for each certificate: the named curve, or a 2048-bit RSA modulus.
        public var keySpec: PrivateKey.KeySpec {
            switch self {
            case .ecdsaBrainpoolP256r1: return .ec(curve: "brainpoolP256r1")
            case .ecdsaBrainpoolP384r1: return .ec(curve: "brainpoolP384r1")
            case .ecdsaP256: return .ec(curve: "secp256r1")
            case .ecdsaP384: return .ec(curve: "secp384r1")
            case .rsaPSS, .rsa: return .rsa(bits: 2048)
            }
        }

        /// ECDSA (DER signatures) with SHA-256 or SHA-384 by curve size; RSASSA-PSS or PKCS #1 v1.5
        /// with SHA-256.
        public var scheme: SignatureScheme {
            switch self {
            case .ecdsaBrainpoolP256r1, .ecdsaP256: return .ecdsa(.sha256, encoding: .der)
            case .ecdsaBrainpoolP384r1, .ecdsaP384: return .ecdsa(.sha384, encoding: .der)
            case .rsaPSS: return .rsaPSS(hash: .sha256, mgf1Hash: .sha256, saltLength: 32)
            case .rsa: return .rsaPKCS1v15(.sha256)
            }
        }
    }

    /// The Country Signing CA certificate: self-signed, the trust anchor.
    public var csca: X509Certificate
    /// The CSCA's private key, to issue more signers (absent when only the signer was handed over).
    public var cscaKey: PrivateKey?
    /// The Document Signer certificate, issued by ``csca``; SODs carry it in their `certificates`.
    public var dsc: X509Certificate
    /// The Document Signer's private key, which signs EF.SOD.
    public var dscKey: any SigningKey
    /// The CSCA's CRL.
    public var crl: CertificateRevocationList
    /// The scheme the Document Signer signs SODs with.
    public var scheme: SignatureScheme

    /// A PKI from its parts, e.g. read back from the folder `cccd pki init` wrote.
    public init(csca: X509Certificate, cscaKey: PrivateKey?, dsc: X509Certificate, dscKey: any SigningKey, crl: CertificateRevocationList, scheme: SignatureScheme) {
        self.csca = csca
        self.cscaKey = cscaKey
        self.dsc = dsc
        self.dscKey = dscKey
        self.crl = crl
        self.scheme = scheme
    }

    /// A new CSCA (valid `cscaYears` from `notBefore`), a DSC (valid `dscYears`) and an empty CRL
    /// (next update in `crlYears`). With `documentSignerKey` (a key generated in a hardware security
    /// module), the DSC certifies that key instead of a new one in memory.
    public static func generate(
        algorithm: Algorithm = .ecdsaBrainpoolP256r1, country: String = "VN", organization: String = "cccd-toolkit TEST",
        notBefore: Date = Date().addingTimeInterval(-86_400), cscaYears: Int = 20, dscYears: Int = 15, crlYears: Int = 10,
        documentSignerKey: (any SigningKey)? = nil
    ) throws(EMRTDError) -> DocumentPKI {
        let year = 365.25 * 86_400
        let cscaKey = try PrivateKey.generate(algorithm.keySpec)
        let cscaName = X509Name(country: country, organization: organization, commonName: "CSCA \(country) TEST")
        var cscaBuilder = CertificateBuilder(
            subject: cscaName, serialNumber: try SecureRandom.bytes(8).withPositiveSign, notBefore: notBefore,
            notAfter: notBefore.addingTimeInterval(Double(cscaYears) * year), publicKey: cscaKey.publicKey,
            isCA: true, pathLength: 0, keyUsage: [.keyCertSign, .cRLSign])
        cscaBuilder.authorityKeyIdentifier = cscaKey.publicKey.keyIdentifier
        let csca = try cscaBuilder.sign(with: cscaKey, scheme: algorithm.scheme)
        let (dsc, dscKey) = try issueDocumentSigner(
            csca: csca, cscaKey: cscaKey, algorithm: algorithm, notBefore: notBefore,
            notAfter: notBefore.addingTimeInterval(Double(dscYears) * year), key: documentSignerKey)
        let crl = try CRLBuilder(
            issuer: cscaName, thisUpdate: notBefore, nextUpdate: notBefore.addingTimeInterval(Double(crlYears) * year),
            authorityKeyIdentifier: cscaKey.publicKey.keyIdentifier
        ).sign(with: cscaKey, scheme: algorithm.scheme)
        return DocumentPKI(csca: csca, cscaKey: cscaKey, dsc: dsc, dscKey: dscKey, crl: crl, scheme: algorithm.scheme)
    }

    /// Another document signer under `csca` (tests issue expired or revoked ones this way), for a
    /// new key in memory or for `key` (one in a hardware security module).
    public static func issueDocumentSigner(
        csca: X509Certificate, cscaKey: PrivateKey, algorithm: Algorithm, notBefore: Date, notAfter: Date, commonName: String = "Document Signer TEST",
        key given: (any SigningKey)? = nil
    ) throws(EMRTDError) -> (X509Certificate, any SigningKey) {
        let key: any SigningKey
        if let given { key = given } else { key = try PrivateKey.generate(algorithm.keySpec) }
        let subject = X509Name(
            country: csca.subject.countryCode ?? "VN", organization: "cccd-toolkit TEST", commonName: commonName)
        let builder = CertificateBuilder(
            subject: subject, issuer: csca.subject, serialNumber: try SecureRandom.bytes(8).withPositiveSign,
            notBefore: notBefore, notAfter: notAfter, publicKey: key.publicKey, keyUsage: [.digitalSignature],
            authorityKeyIdentifier: csca.subjectKeyIdentifier)
        return (try builder.sign(with: cscaKey, scheme: algorithm.scheme), key)
    }

    /// EF.SOD over `dataGroups` (raw bytes by number), signed by the DSC.
    public func signSecurityObject(dataGroups: [Int: [UInt8]], hash: HashAlgorithm = .sha256, signingTime: Date = Date()) throws(EMRTDError) -> [UInt8] {
        try SecurityObjectDocument.sign(
            dataGroups: dataGroups, hash: hash, signer: dsc, key: dscKey, scheme: scheme,
            ldsVersion: ("0107", "040000"), signingTime: signingTime)
    }

    /// EF.CardSecurity over `securityInfos` (a DER SET), signed by the DSC.
    public func signCardSecurity(securityInfos: [UInt8], signingTime: Date = Date()) throws(EMRTDError) -> [UInt8] {
        try CardSecurityDocument.sign(securityInfos: securityInfos, signer: dsc, key: dscKey, scheme: scheme, signingTime: signingTime)
    }

    /// The trust store that makes this PKI's documents genuine: the CSCA and its CRL.
    public var trustStore: TrustStore { TrustStore(cscas: [csca], crls: [crl]) }

    // MARK: - Files

    /// The file names of a PKI directory.
    public static let files = (csca: "csca.pem", cscaKey: "csca.key", dsc: "dsc.pem", dscKey: "dsc.key", crl: "crl.pem")

    /// Writes `csca.pem`, `csca.key`, `dsc.pem`, `dsc.key`, `crl.pem`; keys with mode 0600.
    public func write(to directory: String) throws(EMRTDError) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw EMRTDError(.io, "cannot create \(directory): \(error.localizedDescription)")
        }
        var entries: [(String, String, Int)] = [(Self.files.csca, csca.pem, 0o644), (Self.files.dsc, dsc.pem, 0o644), (Self.files.crl, crl.pem, 0o644)]
        // A key in a hardware security module has no file: only the certificate is written.
        if let key = dscKey as? PrivateKey { entries.append((Self.files.dscKey, key.pem, 0o600)) }
        if let cscaKey { entries.append((Self.files.cscaKey, cscaKey.pem, 0o600)) }
        for (name, text, mode) in entries {
            let path = (directory as NSString).appendingPathComponent(name)
            // Created with its final mode, so a key is never readable by others even for a moment.
            guard fm.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
                throw EMRTDError(.io, "cannot write \(path)")
            }
            _ = try? fm.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        }
    }

    /// Loads a directory written by ``write(to:)``; the signature scheme follows the DSC's key. With
    /// `signer` (a key in a hardware security module), the DSC's key is that one, and it must match
    /// `dsc.pem`; the directory then has no `dsc.key`.
    public static func load(from directory: String, signer: (any SigningKey)? = nil) throws(EMRTDError) -> DocumentPKI {
        func read(_ name: String) throws(EMRTDError) -> [UInt8] {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw EMRTDError(.pkiInvalid, "\(path) is missing (a PKI directory holds \(Self.files.csca), \(Self.files.dsc), \(Self.files.dscKey), \(Self.files.crl))")
            }
            return [UInt8](data)
        }
        guard let csca = try X509Certificate.parse(fileContents: read(files.csca)).first,
              let dsc = try X509Certificate.parse(fileContents: read(files.dsc)).first,
              let crl = try CertificateRevocationList.parse(fileContents: read(files.crl)).first
        else { throw EMRTDError(.pkiInvalid, "\(directory): a certificate or the CRL is empty") }
        let dscKey: any SigningKey
        if let signer {
            guard signer.publicKey == dsc.publicKey else {
                throw EMRTDError(.pkiInvalid, "\(signer) is not the key of \(directory)/\(files.dsc) (\(dsc.subject))")
            }
            dscKey = signer
        } else {
            dscKey = try PrivateKey(pem: String(decoding: read(files.dscKey), as: UTF8.self))
        }
        let cscaPath = (directory as NSString).appendingPathComponent(files.cscaKey)
        let cscaKey = try FileManager.default.contents(atPath: cscaPath).map { (data: Data) throws(EMRTDError) in
            try PrivateKey(pem: String(decoding: data, as: UTF8.self))
        }
        let scheme: SignatureScheme
        switch dscKey.publicKey.kind {
        case .ec(_, _, let bits): scheme = .ecdsa(bits > 256 ? .sha384 : .sha256, encoding: .der)
        default: scheme = dsc.signatureScheme.flatMap { s -> SignatureScheme? in
            if case .rsaPSS = s { return s } else { return nil }
        } ?? .rsaPKCS1v15(.sha256)
        }
        return DocumentPKI(csca: csca, cscaKey: cscaKey, dsc: dsc, dscKey: dscKey, crl: crl, scheme: scheme)
    }
}

extension Array where Element == UInt8 {
    /// A random serial number made positive (top bit clear) and non-zero.
    var withPositiveSign: [UInt8] {
        var v = self
        if !v.isEmpty { v[0] = (v[0] & 0x7F) | 0x01 }
        return v
    }
}
