public import Cryptography
public import EMRTDCore
import ISO7816
public import LDS
import MRZ
public import PassiveAuthentication
import SwiftASN1

extension EMRTDError.Code {
    /// The portrait is not a JPEG or JPEG 2000 this toolkit can put in DG2.
    public static let photoInvalid = Self("record.photo")
}

/// Builds the whole chip content of a CCCD from a citizen record, a portrait and the issuer's PKI:
/// EF.COM, DG1 (TD1 MRZ), DG2 (ISO/IEC 19794-5 in CBEFF), DG13 (the CCCD layout), DG14 (Chip
/// Authentication, ECDH brainpoolP256r1 AES-128, as on CCCD cards), DG15 (Active Authentication,
/// RSA-2048), EF.CardAccess (PACE-ECDH-GM-AES-128) and EF.SOD signed by the DSC; the chip's keys
/// and access data go in card.json.
public enum Personalizer {
    /// The chip's private keys.
    public struct ChipKeys: Sendable {
        /// Chip Authentication, a brainpoolP256r1 scalar.
        public var chipAuthentication: [UInt8]
        /// Active Authentication.
        public var activeAuthentication: PrivateKey

        /// Keys the issuer already has: a brainpoolP256r1 scalar and an Active Authentication private key.
        public init(chipAuthentication: [UInt8], activeAuthentication: PrivateKey) {
            self.chipAuthentication = chipAuthentication
            self.activeAuthentication = activeAuthentication
        }

        /// Fresh keys, for a new card.
        public static func generate() throws(EMRTDError) -> ChipKeys {
            ChipKeys(
                chipAuthentication: try ECGroup.standard(parameterID: 13).generatePrivateKey(),
                activeAuthentication: try PrivateKey.generate(.rsa(bits: 2048)))
        }
    }

    /// The EF.CardAccess of a CCCD: PACE-ECDH-GM-AES-128 (brainpoolP256r1), CA ECDH AES-128, TA v2.
    public static let cardAccess: [UInt8] = SecurityInfos.encode(cardAccessInfos(paceProtocol: "0.4.0.127.0.7.2.2.4.2.2"))

    /// The SecurityInfos of a CCCD's EF.CardAccess with `paceProtocol` on brainpoolP256r1.
    static func cardAccessInfos(paceProtocol: ASN1ObjectIdentifier) -> [[UInt8]] {
        [
            ChipAuthenticationInfo.encode(protocolOID: "0.4.0.127.0.7.2.2.3.2.2", version: 1),
            PACEInfo(protocolOID: paceProtocol, version: 2, parameterID: 13).raw,
            TerminalAuthenticationInfo.encode(version: 1),
        ]
    }

    /// `pace: false` makes a BAC-only card; `chipAuthenticationMapping` a PACE-CAM card (with
    /// `pace`): EF.CardAccess offers PACE-CAM and a signed EF.CardSecurity carries the chip's key
    /// (Personalizer+PACECAM.swift).
    /// - Parameters:
    ///   - extraDG13Fields: fields appended to DG13 after the CCCD layout (numbers the layout does
    ///     not define, as newer cards carry).
    ///   - protectedGroups: EAC-protected data groups (DG3, DG4) to list in EF.COM and EF.SOD, as a
    ///     CCCD lists DG3; the chip refuses them to a reader without Extended Access Control.
    public static func cardImage(
        record: CitizenRecord, photo: [UInt8], pki: DocumentPKI, keys: ChipKeys, pace: Bool = true,
        chipAuthenticationMapping: Bool = false, extraDG13Fields: [DG13.Field] = [], protectedGroups: [LDSFile: [UInt8]] = [:]
    ) throws(EMRTDError) -> CardImage {
        guard pace || !chipAuthenticationMapping else {
            throw EMRTDError(.invalidArgument, "PACE-CAM needs PACE: a BAC-only card cannot have it")
        }
        try record.validate()
        let mrz = try record.mrz()
        let (type, width, height) = try portraitFormat(photo)
        var files: [LDSFile: [UInt8]] = [:]
        files[.dg1] = DG1(mrz: mrz).raw
        files[.dg2] = DG2.encode(face: photo, type: type, width: width, height: height)
        files[.dg13] = DG13(fields: record.dg13.fields + extraDG13Fields).raw
        for (file, bytes) in protectedGroups where file == .dg3 || file == .dg4 { files[file] = bytes }
        files[.dg14] = try dg14(chipAuthenticationKey: keys.chipAuthentication)
        files[.dg15] = TLV(tag: 0x6F, value: keys.activeAuthentication.publicKey.subjectPublicKeyInfo).encoded()
        files[.com] = EFCOM(dataGroups: [.dg1, .dg2] + [.dg3, .dg4].filter { files[$0] != nil } + [.dg13, .dg14, .dg15]).raw
        if pace { files[.cardAccess] = chipAuthenticationMapping ? paceCAMCardAccess : cardAccess }
        if chipAuthenticationMapping {
            files[.cardSecurity] = try cardSecurity(chipAuthenticationKey: keys.chipAuthentication, pki: pki)
        }
        var groups: [Int: [UInt8]] = [:]
        for (file, bytes) in files { if let n = file.dataGroupNumber { groups[n] = bytes } }
        files[.sod] = try pki.signSecurityObject(dataGroups: groups)
        var settings = CardSettings()
        settings.mrz = mrz.lines.joined(separator: "\n")
        settings.can = try CCCD.can(fromPersonalID: record.personalID)
        settings.chipAuthenticationKey = keys.chipAuthentication.hex
        settings.activeAuthenticationKey = keys.activeAuthentication.pem
        return CardImage(files: files, settings: settings)
    }

    /// DG14 as on a CCCD: Chip Authentication with ECDH on brainpoolP256r1 and AES-128 (key 1).
    public static func dg14(chipAuthenticationKey: [UInt8]) throws(EMRTDError) -> [UInt8] {
        TLV(tag: 0x6E, value: SecurityInfos.encode(try chipAuthenticationInfos(chipAuthenticationKey: chipAuthenticationKey))).encoded()
    }

    /// DG14's SecurityInfos: ChipAuthenticationInfo and ChipAuthenticationPublicKeyInfo, key ID 1.
    static func chipAuthenticationInfos(chipAuthenticationKey: [UInt8]) throws(EMRTDError) -> [[UInt8]] {
        let group = try ECGroup.standard(parameterID: 13)
        let publicKey = try group.publicKey(chipAuthenticationKey).encoded
        return [
            ChipAuthenticationInfo.encode(protocolOID: "0.4.0.127.0.7.2.2.3.2.2", version: 1, keyID: 1),
            ChipAuthenticationPublicKeyInfo.encode(publicKey: publicKey, parameterID: 13, keyID: 1),
        ]
    }

    /// The image type and size of a portrait: JPEG (from its SOF marker) or JPEG 2000 (its ihdr box).
    public static func portraitFormat(_ image: [UInt8]) throws(EMRTDError) -> (FaceImage.ImageType, Int, Int) {
        if image.starts(with: [0xFF, 0xD8, 0xFF]) {
            var i = 2
            while i + 9 < image.count {
                guard image[i] == 0xFF else { break }
                let marker = image[i + 1]
                let length = Int(image[i + 2]) << 8 | Int(image[i + 3])
                // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
                if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                    let height = Int(image[i + 5]) << 8 | Int(image[i + 6])
                    let width = Int(image[i + 7]) << 8 | Int(image[i + 8])
                    guard width > 0, height > 0 else { break }
                    return (.jpeg, width, height)
                }
                guard length >= 2 else { break }
                i += 2 + length
            }
            throw EMRTDError(.photoInvalid, "the JPEG portrait has no frame header (SOF) giving its size")
        }
        if image.starts(with: [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) {
            let ihdr: [UInt8] = Array("ihdr".utf8)
            var i = 0
            while i + 12 <= image.count {
                if Array(image[i..<(i + 4)]) == ihdr {
                    let h = image[(i + 4)..<(i + 8)].reduce(0) { $0 << 8 | Int($1) }
                    let w = image[(i + 8)..<(i + 12)].reduce(0) { $0 << 8 | Int($1) }
                    if w > 0 && h > 0 && w <= 0xFFFF && h <= 0xFFFF { return (.jpeg2000, w, h) }
                    break
                }
                i += 1
            }
            throw EMRTDError(.photoInvalid, "the JPEG 2000 portrait has no image header (ihdr)")
        }
        throw EMRTDError(.photoInvalid, "the portrait is neither JPEG nor JPEG 2000")
    }
}
