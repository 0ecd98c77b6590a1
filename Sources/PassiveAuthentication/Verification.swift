import Cryptography
import EMRTDASN1
import EMRTDCore
import Foundation
import LDS
import PKIX

// The verification as small checks over one shared context, in the manner of swift-certificates'
// VerifierPolicy: each check looks at what the earlier ones found and adds its outcome and issues.
// A SignedData (EF.SOD, EF.CardSecurity, a master list) runs through
//   SignerLookup → SignerInfoSignature → IssuerLink → Validity → Revocation
// and EF.SOD additionally through DataGroupHashes. `finish()` derives the status.

/// What the checks share.
struct VerificationContext {
    let signedData: CryptographicMessageSyntax.SignedData
    let trust: TrustStore
    /// Validity periods are checked at this date; nil skips them.
    let date: Date?
    /// "EF.SOD", "EF.CardSecurity", "the master list": used in messages.
    let object: String
    /// "DSC" or "master list signer".
    let signerRole: String
    /// Certificates the SignedData carries, parsed (those that do not parse are reported and skipped).
    var embedded: [X509Certificate] = []
    var result = PassiveAuthenticationResult(status: .failed)
    /// An algorithm was met that this toolkit does not implement.
    var unsupported = false

    init(signedData: CryptographicMessageSyntax.SignedData, trust: TrustStore, date: Date?, object: String, signerRole: String) {
        self.signedData = signedData
        self.trust = trust
        self.date = date
        self.object = object
        self.signerRole = signerRole
    }

    mutating func note(_ code: EMRTDError.Code, _ message: String) {
        result.issues.append(EMRTDError(code, message))
    }

    var signerInfo: CryptographicMessageSyntax.SignerInfo? { signedData.signerInfos.first }
}

protocol VerificationCheck: Sendable {
    func run(_ context: inout VerificationContext)
}

extension VerificationContext {
    /// Runs the checks in order.
    mutating func run(_ checks: [any VerificationCheck]) {
        for check in checks { check.run(&self) }
    }

    /// The status from the parts: never `passed` unless signature and chain are valid and nothing
    /// mismatches.
    mutating func finish() -> PassiveAuthenticationResult {
        let mismatch = result.dataGroups.values.contains(.mismatch)
        if mismatch || result.signature == .invalid || result.chain == .invalid {
            result.status = .failed
        } else if result.signature == .notChecked {
            result.status = unsupported ? .notSupported : .failed
        } else if result.chain == .valid {
            result.status = .passed
        } else {
            result.status = .issuerUnknown
        }
        return result
    }

    static let standardChecks: [any VerificationCheck] = [
        SignerLookup(), SignerInfoSignature(), IssuerLink(), ValidityPeriods(), Revocation(),
    ]
}

// MARK: - Formatting

func day(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withFullDate]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
}

// MARK: - Signer

/// Does `certificate` carry the identity `sid` names? Names compare by value (RDN order and string
/// types differ between SignerInfos and certificates), serial numbers by magnitude.
func matches(_ certificate: X509Certificate, _ sid: CryptographicMessageSyntax.SignerIdentifier) -> Bool {
    switch sid {
    case .subjectKeyIdentifier(let ski):
        return certificate.subjectKeyIdentifier == ski
    case .issuerAndSerialNumber(let issuer, let serial):
        guard sameMagnitude(certificate.serialNumber, serial) else { return false }
        // The same bytes are the same name (the common case: the issuer copied from the certificate);
        // other encodings of a name are compared by value.
        if certificate.issuer.der == issuer { return true }
        guard let name = try? X509Name(der: issuer) else { return false }
        return certificate.issuer == name
    }
}

/// Whether two INTEGER encodings have the same magnitude (leading zero bytes ignored), without
/// copying either: this runs for every candidate signer of every document.
func sameMagnitude(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    let x = a.drop { $0 == 0 }, y = b.drop { $0 == 0 }
    return x.elementsEqual(y)
}

func describe(_ sid: CryptographicMessageSyntax.SignerIdentifier) -> String {
    switch sid {
    case .subjectKeyIdentifier(let ski):
        return "subject key identifier \(ski.hex)"
    case .issuerAndSerialNumber(let issuer, let serial):
        let name = (try? X509Name(der: issuer)).map { "\($0)" } ?? "an unreadable name"
        return "issuer \(name), serial \(serial.hex)"
    }
}

/// Finds the signer certificate by the SignerInfo's sid among the SignedData's certificates, then
/// the trust store's.
struct SignerLookup: VerificationCheck {
    func run(_ context: inout VerificationContext) {
        for (index, parsed) in context.signedData.parsedCertificates.enumerated() {
            switch parsed {
            case .success(let certificate):
                context.embedded.append(certificate)
            case .failure(let error):
                context.note(.cmsMalformed, "certificate \(index + 1) of \(context.object) cannot be read: \(error.message)")
            }
        }
        guard let info = context.signerInfo else {
            context.note(.cmsSignerInfoCount, "\(context.object) has no SignerInfo")
            return
        }
        if context.signedData.signerInfos.count > 1 {
            context.note(
                .cmsSignerInfoCount,
                "\(context.object) has \(context.signedData.signerInfos.count) SignerInfos; only the first is verified")
        }
        guard let signer = context.embedded.first(where: { matches($0, info.sid) })
            ?? context.trust.cscas.first(where: { matches($0, info.sid) })
        else {
            context.note(
                .cmsSignerNotFound,
                "the \(context.signerRole) certificate (\(describe(info.sid))) is neither in \(context.object) nor in the trust store")
            return
        }
        context.result.signer = signer
    }
}

/// RFC 5652 5.6: contentType and messageDigest signed attributes, then the signature over the DER
/// signed attributes (or over eContent when there are none), with the algorithm the SignerInfo
/// names (PSS parameters included), not the one of the certificate.
struct SignerInfoSignature: VerificationCheck {
    func run(_ context: inout VerificationContext) {
        guard let signer = context.result.signer, let info = context.signerInfo else { return }
        guard let digest = hashForOID(info.digestAlgorithm.algorithm) else {
            context.unsupported = true
            context.note(.signerAlgorithmUnsupported, "the SignerInfo digest algorithm \(info.digestAlgorithm) is not supported")
            return
        }
        let scheme: SignatureScheme
        do {
            scheme = try SignatureScheme.fromAlgorithmIdentifier(
                oid: info.signatureAlgorithm.algorithm,
                parameters: info.signatureAlgorithm.parameters, digest: digest)
        } catch {
            context.unsupported = true
            context.note(.signerAlgorithmUnsupported, "the SignerInfo signature algorithm \(info.signatureAlgorithm) is not supported: \(error.message)")
            return
        }
        guard let content = context.signedData.content else {
            context.result.signature = .invalid
            context.note(.cmsMalformed, "\(context.object) has no eContent to verify")
            return
        }

        var attributesOK = true
        var messages: [[UInt8]]
        if let signedAttributes = info.signedAttributesForSignature {
            do {
                switch try info.contentTypeAttribute() {
                case nil:
                    attributesOK = false
                    context.note(.cmsContentTypeMismatch, "the SignerInfo of \(context.object) has no contentType signed attribute")
                case let type? where type != context.signedData.contentType:
                    attributesOK = false
                    context.note(
                        .cmsContentTypeMismatch,
                        "the contentType signed attribute (\(KnownOID.describe(type))) differs from eContentType (\(KnownOID.describe(context.signedData.contentType)))")
                default:
                    break
                }
            } catch {
                attributesOK = false
                context.note(error.code, error.message)
            }
            do {
                switch try info.messageDigestAttribute() {
                case nil:
                    attributesOK = false
                    context.note(.cmsMessageDigestMismatch, "the SignerInfo of \(context.object) has no messageDigest signed attribute")
                case let value? where value != digest.hash(content):
                    attributesOK = false
                    context.note(
                        .cmsMessageDigestMismatch,
                        "the messageDigest signed attribute does not match the \(digest) hash of the content of \(context.object)")
                default:
                    break
                }
            } catch {
                attributesOK = false
                context.note(error.code, error.message)
            }
            messages = [signedAttributes]
            // RFC 5652 asks for the DER SET OF; a signer that emitted BER may have signed its own bytes.
            if var asRead = info.signedAttributesEncoded, !asRead.isEmpty {
                asRead[0] = 0x31
                if asRead != signedAttributes { messages.append(asRead) }
            }
        } else {
            messages = [content]
        }

        var valid = false
        do {
            for message in messages where !valid {
                valid = try signer.publicKey.isValidSignature(info.signature, for: message, scheme: scheme)
            }
            if !valid {
                context.note(
                    .cmsSignatureInvalid,
                    "the \(scheme) signature of \(context.object) does not verify with the \(context.signerRole)'s key")
            }
        } catch {
            if error.code == .unsupportedAlgorithm {
                context.unsupported = true
                context.note(.signerAlgorithmUnsupported, "the signature of \(context.object) cannot be checked: \(error.message)")
                // Signed attributes already found wrong make the signature worthless whatever it is.
                if !attributesOK { context.result.signature = .invalid }
                return
            }
            context.note(
                .cmsSignatureInvalid,
                "the signature of \(context.object) cannot be verified with the \(context.signerRole)'s key: \(error.message)")
        }
        context.result.signature = valid && attributesOK ? .valid : .invalid
    }
}

// MARK: - Chain

/// DSC → CSCA by direct signature verification (explicit EC parameters work), choosing among the
/// trust store's issuers of the signer (by AKI = SKI, else by issuer name by value). A link
/// certificate (new CSCA key certified by the old one) is a valid anchor when it is in the store.
struct IssuerLink: VerificationCheck {
    func run(_ context: inout VerificationContext) {
        guard let signer = context.result.signer else { return }
        let candidates = context.trust.issuers(of: signer)
        guard !candidates.isEmpty else {
            context.result.chain = .unknown
            context.note(.chainIssuerUnknown, "no trusted CSCA issued the \(context.signerRole) (issuer \(signer.issuer))")
            return
        }
        let verified = candidates.filter { csca in
            VerificationCache.shared.isSigned(signer.der, by: csca) { () throws(EMRTDError) in try signer.isSignedBy(csca.publicKey) }
        }
        guard !verified.isEmpty else {
            context.result.chain = .invalid
            context.note(
                .chainSignatureInvalid,
                "the \(context.signerRole) names the trusted CSCA \(signer.issuer) as issuer, but its signature does not verify with that CSCA's key")
            return
        }
        // Prefer an issuer valid at the date (an old and a renewed certificate may share the key).
        let date = context.date
        context.result.csca = verified.first { date.map($0.isValid(at:)) ?? true } ?? verified[0]
        context.result.chain = .valid
    }
}

/// Validity periods of the signer and its CSCA at the verification date. An expired signer without
/// a known CSCA is reported but leaves the chain unknown.
struct ValidityPeriods: VerificationCheck {
    func run(_ context: inout VerificationContext) {
        guard let date = context.date, let signer = context.result.signer else { return }
        var ok = check(signer, role: context.signerRole, at: date, &context)
        if let csca = context.result.csca {
            ok = check(csca, role: "CSCA", at: date, &context) && ok
        }
        if !ok && context.result.chain == .valid { context.result.chain = .invalid }
    }

    private func check(_ certificate: X509Certificate, role: String, at date: Date, _ context: inout VerificationContext) -> Bool {
        if date > certificate.notAfter {
            context.note(.chainCertificateExpired, "\(role) expired on \(day(certificate.notAfter))")
            return false
        }
        if date < certificate.notBefore {
            context.note(.chainCertificateNotYetValid, "\(role) is not valid before \(day(certificate.notBefore))")
            return false
        }
        return true
    }
}

/// CRLs of the trust store issued by the CSCA: a CRL counts only if a trusted certificate of its
/// issuer's name signed it; a listed signer fails the chain.
struct Revocation: VerificationCheck {
    func run(_ context: inout VerificationContext) {
        guard let signer = context.result.signer, let csca = context.result.csca else { return }
        for crl in context.trust.crls where crl.issuer == csca.subject {
            let keys = [csca] + context.trust.cscas.filter { $0.subject == crl.issuer && $0.der != csca.der }
            guard keys.contains(where: { key in
                VerificationCache.shared.isSigned(crl.der, by: key) { () throws(EMRTDError) in try crl.isSignedBy(key.publicKey) }
            }) else {
                context.note(.chainCRLIgnored, "a CRL naming \(crl.issuer) as issuer is not signed by that CSCA and was ignored")
                continue
            }
            if let date = context.date, let next = crl.nextUpdate, next < date {
                context.note(.chainCRLIgnored, "the CRL of \(crl.issuer) issued \(day(crl.thisUpdate)) is out of date (next update \(day(next))); it was still applied")
            }
            if crl.isRevoked(signer) {
                context.result.chain = .invalid
                context.note(.chainCertificateRevoked, "\(context.signerRole) revoked by CRL of \(crl.issuer) issued \(day(crl.thisUpdate))")
            }
        }
    }
}

// MARK: - Data groups

/// ICAO Doc 9303-11 5.1: hash of the raw bytes read against the SOD's list.
struct DataGroupHashes: VerificationCheck {
    let document: SecurityObjectDocument
    let dataGroups: [Int: [UInt8]]

    func run(_ context: inout VerificationContext) {
        let algorithm = document.hashAlgorithm
        context.result.dataGroups.reserveCapacity(document.dataGroupHashes.count + dataGroups.count)
        for n in dataGroups.keys.sorted() {
            guard let expected = document.dataGroupHashes[n] else {
                context.result.dataGroups[n] = .notInSOD
                context.note(.dataGroupNotInSOD, "DG\(n) was read but EF.SOD does not cover it")
                continue
            }
            let actual = algorithm.hash(dataGroups[n]!)
            if actual == expected {
                context.result.dataGroups[n] = .match
            } else {
                context.result.dataGroups[n] = .mismatch
                let detail = expected.count == actual.count
                    ? "" : " (EF.SOD lists a \(expected.count)-byte value; \(algorithm) gives \(actual.count) bytes)"
                context.note(.dataGroupMismatch, "DG\(n) does not match its hash in EF.SOD\(detail)")
            }
        }
        for n in document.dataGroupHashes.keys where dataGroups[n] == nil {
            context.result.dataGroups[n] = .notRead
        }
    }
}
