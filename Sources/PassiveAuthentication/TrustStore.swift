import EMRTDASN1
public import EMRTDCore
import Foundation
import SwiftASN1
public import PKIX

/// Trust anchors (CSCA certificates, link certificates included) and CRLs for passive
/// authentication, from certificate files, CRL files, ICAO CSCA master lists or folders of them.
public struct TrustStore: Sendable {
    /// The trusted certificates, without duplicates, in the order added.
    public private(set) var cscas: [X509Certificate] = []
    /// The CRLs, in the order added (each is checked against its CSCA when used).
    public private(set) var crls: [CertificateRevocationList] = []
    /// Files of a folder that were not added, each with the reason ("path: reason").
    public private(set) var skipped: [String] = []

    private var known: Set<[UInt8]> = []

    /// An empty store: no signer chains to anything (chain `unknown`).
    public init() {}

    /// A store of these CSCAs (duplicates dropped) and CRLs.
    public init(cscas: [X509Certificate], crls: [CertificateRevocationList] = []) {
        for certificate in cscas { add(certificate) }
        for crl in crls { add(crl) }
    }

    /// Adds a CSCA or link certificate to trust, unless the same DER is already there.
    public mutating func add(_ certificate: X509Certificate) {
        guard known.insert(certificate.der).inserted else { return }
        cscas.append(certificate)
    }

    /// Adds a CRL; it counts only where a trusted certificate of its issuer signed it.
    public mutating func add(_ crl: CertificateRevocationList) {
        crls.append(crl)
    }

    /// Adds the certificates of a master list. The caller decides whether the list is trusted;
    /// ``add(contentsOf:)`` adds a list only if its own signature verifies.
    public mutating func add(_ masterList: MasterList) {
        for certificate in masterList.certificates { add(certificate) }
    }

    /// Adds a file or, for a folder, every file in it recursively (files that are none of the kinds
    /// below are listed in ``skipped``). A file may be a DER or PEM certificate (or several), a DER or
    /// PEM CRL, or a CSCA master list (CMS, recognised by content whatever its extension) whose
    /// signature must verify.
    public mutating func add(contentsOf path: String) throws(EMRTDError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw EMRTDError(.io, "\(path) does not exist")
        }
        guard isDirectory.boolValue else {
            try add(fileContents: try Self.read(path), name: path)
            return
        }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else {
            throw EMRTDError(.io, "cannot list \(path)")
        }
        var files: [String] = []
        while let item = enumerator.nextObject() as? String {
            let full = (path as NSString).appendingPathComponent(item)
            var dir: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &dir), !dir.boolValue,
               !(item as NSString).lastPathComponent.hasPrefix(".") {
                files.append(full)
            }
        }
        for file in files.sorted() {
            do {
                try add(fileContents: try Self.read(file), name: file)
            } catch {
                skipped.append("\(file): \(error.message)")
            }
        }
    }

    /// Adds the contents of one file (see ``add(contentsOf:)``); `name` is used in messages.
    public mutating func add(fileContents bytes: [UInt8], name: String = "input") throws(EMRTDError) {
        if let text = String(bytes: bytes.prefix(64 * 1024 * 1024), encoding: .utf8), text.contains("-----BEGIN ") {
            var found = false
            if text.contains("-----BEGIN X509 CRL-----") {
                do {
                    for crl in try CertificateRevocationList.parse(fileContents: bytes) { add(crl) }
                } catch {
                    throw EMRTDError(.trustUnrecognizedFile, "\(name): the PEM CRL cannot be read: \(errorDescription(error))")
                }
                found = true
            }
            if text.contains("-----BEGIN CERTIFICATE-----") {
                do {
                    for certificate in try X509Certificate.parse(fileContents: bytes) { add(certificate) }
                } catch {
                    throw EMRTDError(.trustUnrecognizedFile, "\(name): the PEM certificate cannot be read: \(errorDescription(error))")
                }
                found = true
            }
            guard found else { throw EMRTDError(.trustUnrecognizedFile, "\(name) holds no PEM certificate or CRL") }
            return
        }

        let r = ASN1Reader(.trustUnrecognizedFile)
        guard let root = try? r.parse(bytes, what: name), let first = (try? r.children(root, .sequence, what: name))?.first
        else {
            throw EMRTDError(.trustUnrecognizedFile, "\(name) is neither a certificate, a CRL nor a master list")
        }
        if first.identifier == .objectIdentifier {
            // A ContentInfo: a CSCA master list.
            let list = try MasterList(bytes)
            let verification = list.verify()
            guard verification.signature == .valid, verification.chain == .valid else {
                throw EMRTDError(
                    .masterListInvalid,
                    "\(name): the master list does not verify: \(verification.reasons.joined(separator: "; "))")
            }
            add(list)
            return
        }
        if let certificate = try? X509Certificate(der: bytes) {
            add(certificate)
            return
        }
        if let crl = try? CertificateRevocationList(der: bytes) {
            add(crl)
            return
        }
        throw EMRTDError(.trustUnrecognizedFile, "\(name) is neither a certificate, a CRL nor a master list")
    }

    /// The trusted certificates that may have issued `certificate`: those whose subject key
    /// identifier equals its authority key identifier, then those whose subject equals its issuer
    /// (names compared by value). Whether one really did is for signature verification to say.
    public func issuers(of certificate: X509Certificate) -> [X509Certificate] {
        var out: [X509Certificate] = []
        if let aki = certificate.authorityKeyIdentifier {
            out = cscas.filter { $0.subjectKeyIdentifier == aki }
        }
        for candidate in cscas where candidate.subject == certificate.issuer && !out.contains(where: { $0.der == candidate.der }) {
            out.append(candidate)
        }
        return out
    }

    static func read(_ path: String) throws(EMRTDError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EMRTDError(.io, "cannot read \(path)")
        }
        return [UInt8](data)
    }
}
