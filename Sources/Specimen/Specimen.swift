public import EMRTDCore
public import LDS
public import MRZ
import Cryptography
import ISO7816
import PassiveAuthentication

/// The built-in specimen CCCD: a synthetic holder (no real person), with the file layout of a
/// real card (EF.COM, DG1, DG2, DG13, DG14, DG15, EF.SOD, EF.CardAccess) and a chip that does
/// PACE, BAC, Chip and Active Authentication, so the toolkit runs with no card at hand.
public enum Specimen {
    /// The holder's 12-digit personal ID: province 079 (Ho Chi Minh City), century-and-sex digit
    /// 1 (female, born 1900-1999), birth year 95, then a serial.
    public static let personalID = "079195001234"
    public static let dateOfBirth = "950314"
    /// The 40th birthday, as the CCCD rules set it for a card issued at 26.
    public static let dateOfExpiry = "350314"

    /// The DG13 record, with Vietnamese diacritics and an address long enough for long-form lengths.
    public static let record = DG13.Record(
        personalIDNumber: personalID,
        fullName: "Trần Thị Ngọc Ánh",
        dateOfBirth: "14/03/1995",
        sex: "Nữ",
        nationality: "Việt Nam",
        ethnicity: "Kinh",
        religion: "Không",
        placeOfOrigin: "Xã Tân Phú, Huyện Đức Hòa, Tỉnh Long An",
        placeOfResidence: "Số 12 Đường Nguyễn Thị Minh Khai, Phường Đa Kao, Quận 1, Thành phố Hồ Chí Minh, Việt Nam (địa chỉ mẫu, không có thật)",
        identifyingMarks: "Nốt ruồi C:1cm trên sau đuôi mắt phải",
        dateOfIssue: "10/05/2021",
        dateOfExpiry: "14/03/2035",
        fatherName: "Trần Văn Hùng",
        motherName: "Lê Thị Mai",
        spouseName: nil,
        oldIDNumber: "025123456",
        field16: "0123456789ABCDEF"
    )

    /// The EF.CardAccess that CCCD reader apps ship (PACE-ECDH-GM-AES-128 on brainpoolP256r1,
    /// CA ECDH AES-128, TA v2), from the project's notes on the card.
    public static let cardAccess: [UInt8] = try! Hex.decode(
        "3134300D060804007F0007020202020101300F060A04007F000702020302020201013012060A04007F0007020204020202010202010D"
    )

    /// The specimen's MRZ, built with every check digit.
    public static func mrz() throws(EMRTDError) -> MRZ {
        try MRZBuilder.cccd(
            personalID: personalID, dateOfBirth: dateOfBirth, sex: .female, dateOfExpiry: dateOfExpiry,
            surname: "Trần", givenNames: "Thị Ngọc Ánh"
        )
    }

    /// DG14 as on a CCCD: Chip Authentication with ECDH on brainpoolP256r1 and AES-128 (key 1).
    static func dg14() throws(EMRTDError) -> [UInt8] {
        let group = try ECGroup.standard(parameterID: 13)
        let publicKey = try group.publicKey(Hex.decode(chipAuthenticationKey)).encoded
        let infos = SecurityInfos.encode([
            ChipAuthenticationInfo.encode(protocolOID: "0.4.0.127.0.7.2.2.3.2.2", version: 1, keyID: 1),
            ChipAuthenticationPublicKeyInfo.encode(publicKey: publicKey, parameterID: 13, keyID: 1),
        ])
        return TLV(tag: 0x6E, value: infos).encoded()
    }

    /// DG15: the Active Authentication public key (RSA-2048, ISO/IEC 9796-2).
    static func dg15() throws(EMRTDError) -> [UInt8] {
        let key = try PrivateKey(pem: activeAuthenticationKeyPEM)
        return TLV(tag: 0x6F, value: key.publicKey.subjectPublicKeyInfo).encoded()
    }

    /// The specimen face as a JPEG of at least `size` bytes: comment segments (COM, FFFE) after the
    /// start of image make it as large as a real portrait (about 20 KB on a CCCD) and stay a valid JPEG.
    public static func face(size: Int = 0) -> [UInt8] {
        var jpeg = SpecimenFace.jpeg
        var padding: [UInt8] = []
        var missing = size - jpeg.count
        while missing > 4 {
            let n = min(missing - 4, 65_533)
            padding += [0xFF, 0xFE, UInt8((n + 2) >> 8), UInt8((n + 2) & 0xFF)] + [UInt8](repeating: 0x20, count: n)
            missing -= n + 4
        }
        jpeg.insert(contentsOf: padding, at: 2)
        return jpeg
    }

    /// The whole card image: EF.COM, DG1, DG2, DG13, DG14, DG15, EF.CardAccess and an EF.SOD signed
    /// by the test PKI's document signer; `card.json` holds the MRZ, the CAN and the chip's keys.
    /// `faceSize` makes the portrait that large (bytes); `pace: false` leaves PACE out (a BAC-only card).
    public static func cardImage(faceSize: Int = 0, pace: Bool = true) throws(EMRTDError) -> CardImage {
        let mrz = try mrz()
        var files: [LDSFile: [UInt8]] = [:]
        files[.dg1] = DG1(mrz: mrz).raw
        files[.dg2] = DG2.encode(face: face(size: faceSize), type: .jpeg, width: SpecimenFace.width, height: SpecimenFace.height)
        files[.dg13] = DG13(record: record).raw
        files[.dg14] = try dg14()
        files[.dg15] = try dg15()
        files[.com] = EFCOM(dataGroups: [.dg1, .dg2, .dg13, .dg14, .dg15]).raw
        if pace { files[.cardAccess] = cardAccess }
        var groups: [Int: [UInt8]] = [:]
        for (file, bytes) in files { if let n = file.dataGroupNumber { groups[n] = bytes } }
        files[.sod] = try testPKI.signSecurityObject(dataGroups: groups)
        var settings = CardSettings()
        settings.mrz = mrz.lines.joined(separator: "\n")
        settings.can = try CCCD.can(fromPersonalID: personalID)
        settings.chipAuthenticationKey = chipAuthenticationKey
        settings.activeAuthenticationKey = activeAuthenticationKeyPEM
        return CardImage(files: files, settings: settings)
    }
}
