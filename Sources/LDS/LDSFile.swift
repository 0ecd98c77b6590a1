public import ISO7816

/// An elementary file of the eMRTD (ICAO Doc 9303-10, sections 3.10-3.11 and 4.6-4.7).
///
/// ```
/// file            FID   SFI  tag  where
/// EF.ATR/INFO     2F01  01   -    master file
/// EF.CardAccess   011C  1C   -    master file (SecurityInfos, a SET)
/// EF.CardSecurity 011D  1D   -    master file (CMS SignedData)
/// EF.COM          011E  1E   60   eMRTD application
/// EF.SOD          011D  1D   77   eMRTD application
/// DG1 ... DG16    0101-0110  01-10  61 75 63 76 65 66 67 68 69 6A 6B 6C 6D 6E 6F 70
/// ```
///
/// ``name`` is also the file's name in a card image directory (``CardImage``).
public struct LDSFile: Hashable, Sendable, CustomStringConvertible {
    /// File identifier for SELECT.
    public let fileID: UInt16
    /// Short file identifier for READ BINARY with SFI (bits 5..1 of P1).
    public let shortFileID: UInt8
    /// "EF.COM", "EF.SOD", "EF.CardAccess", "EF.CardSecurity", "EF.ATR", "DG1" ... "DG16".
    public let name: String
    /// The outer tag of the file's content, nil for files that are not a single application-tagged object.
    public let tag: TLVTag?
    /// True for the files of the master file (EF.CardAccess, EF.CardSecurity, EF.ATR/INFO), read before
    /// the eMRTD application is selected.
    public let isInMasterFile: Bool
    /// 1...16 for data groups.
    public let dataGroupNumber: Int?

    private init(
        _ name: String, fid: UInt16, sfi: UInt8, tag: TLVTag?, masterFile: Bool = false, dataGroup: Int? = nil
    ) {
        self.name = name
        self.fileID = fid
        self.shortFileID = sfi
        self.tag = tag
        self.isInMasterFile = masterFile
        self.dataGroupNumber = dataGroup
    }

    /// The eMRTD (LDS1) application identifier, selected before any application file (ICAO Doc 9303
    /// Part 10 section 3.1).
    public static let applicationID: [UInt8] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01]

    /// EF.COM (FID 011E, SFI 1E, tag 60): LDS version and the data groups present.
    public static let com = LDSFile("EF.COM", fid: 0x011E, sfi: 0x1E, tag: 0x60)
    /// EF.SOD (FID 011D, SFI 1D, tag 77): the document security object, the signed hashes of the data groups.
    public static let sod = LDSFile("EF.SOD", fid: 0x011D, sfi: 0x1D, tag: 0x77)
    /// EF.CardAccess (FID 011C, SFI 1C, master file): the SecurityInfos for PACE, readable without
    /// access control.
    public static let cardAccess = LDSFile("EF.CardAccess", fid: 0x011C, sfi: 0x1C, tag: nil, masterFile: true)
    /// EF.CardSecurity (FID 011D, SFI 1D, master file): SecurityInfos in CMS SignedData, read after PACE.
    public static let cardSecurity = LDSFile("EF.CardSecurity", fid: 0x011D, sfi: 0x1D, tag: nil, masterFile: true)
    /// EF.ATR/INFO (FID 2F01, SFI 01, master file), named `EF.ATR`: the extended length information.
    public static let atrInfo = LDSFile("EF.ATR", fid: 0x2F01, sfi: 0x01, tag: nil, masterFile: true)

    private static let dataGroupTags: [TLVTag] = [
        0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70,
    ]

    /// DG1 ... DG16, in order.
    public static let dataGroups: [LDSFile] = (1...16).map { n in
        LDSFile("DG\(n)", fid: 0x0100 + UInt16(n), sfi: UInt8(n), tag: dataGroupTags[n - 1], dataGroup: n)
    }

    /// DG1 (tag 61): the MRZ.
    public static var dg1: LDSFile { dataGroups[0] }
    /// DG2 (tag 75): the encoded face.
    public static var dg2: LDSFile { dataGroups[1] }
    /// DG3 (tag 63): encoded fingerprints, readable only after Terminal Authentication.
    public static var dg3: LDSFile { dataGroups[2] }
    /// DG4 (tag 76): encoded irises, readable only after Terminal Authentication.
    public static var dg4: LDSFile { dataGroups[3] }
    /// DG11 (tag 6B): additional personal details.
    public static var dg11: LDSFile { dataGroups[10] }
    /// DG12 (tag 6C): additional document details.
    public static var dg12: LDSFile { dataGroups[11] }
    /// DG13 (tag 6D): optional details; on the CCCD, the holder's personal data in Vietnamese.
    public static var dg13: LDSFile { dataGroups[12] }
    /// DG14 (tag 6E): SecurityInfos for Chip Authentication and PACE.
    public static var dg14: LDSFile { dataGroups[13] }
    /// DG15 (tag 6F): the Active Authentication public key.
    public static var dg15: LDSFile { dataGroups[14] }

    /// Every known file: EF.COM, EF.SOD, EF.CardAccess, EF.CardSecurity, EF.ATR, DG1 ... DG16.
    public static let all: [LDSFile] = [com, sod, cardAccess, cardSecurity, atrInfo] + dataGroups

    /// DG`n` for n in 1...16, else nil.
    public static func dataGroup(_ n: Int) -> LDSFile? {
        (1...16).contains(n) ? dataGroups[n - 1] : nil
    }

    /// The file with this ``name`` (case-sensitive; "EF.ATR/INFO" is accepted for EF.ATR).
    public init?(name: String) {
        let wanted = name == "EF.ATR/INFO" ? "EF.ATR" : name
        guard let file = Self.all.first(where: { $0.name == wanted }) else { return nil }
        self = file
    }

    /// The data group or EF.COM / EF.SOD whose content starts with `tag` (as listed in EF.COM).
    public init?(tag: TLVTag) {
        guard let file = Self.all.first(where: { $0.tag == tag }) else { return nil }
        self = file
    }

    /// The file's name, e.g. `EF.COM` or `DG13`.
    public var description: String { name }
}
