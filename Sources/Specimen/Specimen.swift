public import EMRTDCore
public import LDS
public import MRZ
import Cryptography
import ISO7816
import PassiveAuthentication
public import Personalization

/// The built-in specimen CCCD: a synthetic holder (no real person), with the file layout of a
/// real card (EF.COM, DG1, DG2, DG13, DG14, DG15, EF.SOD, EF.CardAccess) and a chip that does
/// PACE, BAC, Chip and Active Authentication, so the toolkit runs with no card at hand.
public enum Specimen {
    /// The holder's 12-digit personal ID: province 079 (Ho Chi Minh City), century-and-sex digit
    /// 1 (female, born 1900-1999), birth year 95, then a serial.
    public static let personalID = "079195001234"
    /// The holder's date of birth as the MRZ writes it (YYMMDD): 14 March 1995.
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

    /// The specimen as a citizen record (`cccd perso` builds cards from the same kind of record).
    public static var citizen: CitizenRecord {
        CitizenRecord(
            personalID: record.personalIDNumber, fullName: record.fullName, dateOfBirth: record.dateOfBirth, sex: record.sex,
            nationality: record.nationality, ethnicity: record.ethnicity, religion: record.religion,
            placeOfOrigin: record.placeOfOrigin, placeOfResidence: record.placeOfResidence,
            identifyingMarks: record.identifyingMarks, dateOfIssue: record.dateOfIssue, dateOfExpiry: record.dateOfExpiry,
            fatherName: record.fatherName, motherName: record.motherName, spouseName: record.spouseName,
            oldIDNumber: record.oldIDNumber, field16: record.field16, photo: nil)
    }

    /// The specimen's MRZ, built with every check digit.
    public static func mrz() throws(EMRTDError) -> MRZ {
        try citizen.mrz()
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
    /// `faceSize` makes the portrait that large (bytes); `pace: false` leaves PACE out (a BAC-only card);
    /// `chipAuthenticationMapping` makes a PACE-CAM card with an EF.CardSecurity signed by the test PKI.
    public static func cardImage(faceSize: Int = 0, pace: Bool = true, chipAuthenticationMapping: Bool = false) throws(EMRTDError) -> CardImage {
        let keys = Personalizer.ChipKeys(
            chipAuthentication: try Hex.decode(chipAuthenticationKey),
            activeAuthentication: try PrivateKey(pem: activeAuthenticationKeyPEM))
        return try Personalizer.cardImage(
            record: citizen, photo: face(size: faceSize), pki: testPKI, keys: keys, pace: pace,
            chipAuthenticationMapping: chipAuthenticationMapping,
            extraDG13Fields: [DG13.Field(index: 17, values: ["Trường mẫu 17: số không có trong bố cục CCCD"])],
            protectedGroups: [.dg3: dg3])
    }

    /// DG3 as a CCCD lists it: a fingerprint biometric group template (ISO/IEC 7816-11 7F61) with no
    /// instance. Its content matters little: the chip refuses it without Extended Access Control,
    /// but EF.COM and EF.SOD list it, as on real cards (CHIP-QUIRKS.md A3).
    static var dg3: [UInt8] {
        TLV(tag: 0x63, children: [TLV(tag: 0x7F61, children: [TLV(tag: 0x02, value: [0x00])])]).encoded()
    }
}
