public import EMRTDCore
import LDS
public import PassiveAuthentication
import SwiftASN1

/// PACE with Chip Authentication Mapping (ICAO 9303-11 4.4.3.5): the card offers PACE-ECDH-CAM in
/// EF.CardAccess, and EF.CardSecurity, signed by the document signer, carries the Chip
/// Authentication public key the reader checks PACE-CAM against.
extension Personalizer {
    /// id-PACE-ECDH-CAM-AES-CBC-CMAC-128.
    static let paceCAMProtocol: ASN1ObjectIdentifier = "0.4.0.127.0.7.2.2.4.6.2"

    /// The EF.CardAccess of a PACE-CAM card: PACE-ECDH-CAM-AES-128 (brainpoolP256r1, the curve of the
    /// Chip Authentication key) in place of Generic Mapping, CA ECDH AES-128, TA v2.
    public static let paceCAMCardAccess: [UInt8] = SecurityInfos.encode(cardAccessInfos(paceProtocol: paceCAMProtocol))

    /// The SecurityInfos of EF.CardSecurity: every SecurityInfo of EF.CardAccess and of DG14
    /// (ChipAuthenticationInfo and ChipAuthenticationPublicKeyInfo with key ID 1), as ICAO 9303-11
    /// 9.2 asks of a PACE-CAM chip, DER.
    public static func cardSecurityInfos(chipAuthenticationKey: [UInt8]) throws(EMRTDError) -> [UInt8] {
        let infos = cardAccessInfos(paceProtocol: paceCAMProtocol) + (try chipAuthenticationInfos(chipAuthenticationKey: chipAuthenticationKey))
        var unique: [[UInt8]] = []
        for info in infos where !unique.contains(info) { unique.append(info) }
        return SecurityInfos.encode(unique)
    }

    /// EF.CardSecurity: ``cardSecurityInfos(chipAuthenticationKey:)`` signed by the PKI's document signer.
    public static func cardSecurity(chipAuthenticationKey: [UInt8], pki: DocumentPKI) throws(EMRTDError) -> [UInt8] {
        try pki.signCardSecurity(securityInfos: cardSecurityInfos(chipAuthenticationKey: chipAuthenticationKey))
    }
}
