import EMRTDCore
public import Foundation
import LDS
import PKIX

// Passive authentication (ICAO Doc 9303-11 5.1; Doc 9303-12 for the PKI):
//
//  1. EF.SOD parses (BER accepted) and encapsulates an LDSSecurityObject (LDS OID or id-data).
//  2. Each data group read is hashed *as read* and compared with EF.SOD's list; a data group read
//     but not listed is reported as not-in-sod (not a failure); one listed but not read is not-read.
//  3. The SignerInfo: signer found by sid (issuer and serial by value, or SKI) in EF.SOD then the
//     trust store; contentType = eContentType; messageDigest = hash of eContent; signature over the
//     DER signed attributes with the SignerInfo's algorithm.
//  4. The chain: DSC signed by a trusted CSCA (verified directly), both valid at the date, DSC not
//     revoked by a CRL that the CSCA signed.
//
// `passed` needs 2-4 all good; `issuer-unknown` means 2-3 good but no trusted CSCA; anything found
// wrong is `failed`.

/// Passive authentication of EF.SOD and the data groups read.
///
/// - Parameters:
///   - sod: EF.SOD as read (`77 L ContentInfo`).
///   - dataGroups: data group number to the raw bytes read from the chip (never a re-encoding).
///   - trust: CSCAs and CRLs.
///   - date: the date the certificates must be valid at.
public func verify(
    sod: [UInt8], dataGroups: [Int: [UInt8]], trust: TrustStore, at date: Date = Date()
) -> PassiveAuthenticationResult {
    guard !sod.isEmpty else {
        return PassiveAuthenticationResult(
            status: .notRun, issues: [EMRTDError(.sodMissing, "EF.SOD was not read")])
    }
    let document: SecurityObjectDocument
    do {
        document = try SecurityObjectDocument(sod)
    } catch {
        let unsupported = error.code == .digestAlgorithmUnsupported
        return PassiveAuthenticationResult(
            status: unsupported ? .notSupported : .failed,
            issues: [EMRTDError(error.code, "EF.SOD cannot be used: \(error.message)")])
    }
    return verify(document: document, dataGroups: dataGroups, trust: trust, at: date)
}

/// Passive authentication of a parsed EF.SOD and the data groups read.
public func verify(
    document: SecurityObjectDocument, dataGroups: [Int: [UInt8]], trust: TrustStore, at date: Date = Date()
) -> PassiveAuthenticationResult {
    var context = VerificationContext(
        signedData: document.signedData, trust: trust, date: date, object: "EF.SOD", signerRole: "DSC")
    context.run([DataGroupHashes(document: document, dataGroups: dataGroups)] + VerificationContext.standardChecks)
    return context.finish()
}

/// Signature and chain of EF.CardSecurity (its SecurityInfos are signed by a Document Signer like
/// EF.SOD). Gate PACE-CAM and Chip Authentication results on this.
public func verify(cardSecurity: [UInt8], trust: TrustStore, at date: Date = Date()) -> PassiveAuthenticationResult {
    guard !cardSecurity.isEmpty else {
        return PassiveAuthenticationResult(
            status: .notRun, issues: [EMRTDError(.sodMissing, "EF.CardSecurity was not read")])
    }
    let document: CardSecurityDocument
    do {
        document = try CardSecurityDocument(cardSecurity)
    } catch {
        return PassiveAuthenticationResult(
            status: .failed, issues: [EMRTDError(error.code, "EF.CardSecurity cannot be used: \(error.message)")])
    }
    var context = VerificationContext(
        signedData: document.signedData, trust: trust, date: date, object: "EF.CardSecurity", signerRole: "DSC")
    context.run(VerificationContext.standardChecks)
    return context.finish()
}
