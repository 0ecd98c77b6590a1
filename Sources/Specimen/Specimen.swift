public import EMRTDCore
public import LDS
public import MRZ

/// The built-in specimen CCCD: a synthetic holder (no real person), with the file layout of a
/// real card (EF.COM, DG1, DG2, DG13, EF.CardAccess), so the toolkit runs with no card at hand.
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

    /// The whole card image, with a `card.json` holding the MRZ and the CAN.
    public static func cardImage() throws(EMRTDError) -> CardImage {
        let mrz = try mrz()
        var files: [LDSFile: [UInt8]] = [:]
        files[.dg1] = DG1(mrz: mrz).raw
        files[.dg2] = DG2.encode(face: SpecimenFace.jpeg, type: .jpeg, width: SpecimenFace.width, height: SpecimenFace.height)
        files[.dg13] = DG13(record: record).raw
        files[.com] = EFCOM(dataGroups: [.dg1, .dg2, .dg13]).raw
        files[.cardAccess] = cardAccess
        var settings = CardSettings()
        settings.mrz = mrz.lines.joined(separator: "\n")
        settings.can = try CCCD.can(fromPersonalID: personalID)
        return CardImage(files: files, settings: settings)
    }
}
