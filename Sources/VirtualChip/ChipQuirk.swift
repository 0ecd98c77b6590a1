import Foundation

/// A behaviour of real eMRTD chips that breaks naive readers, which the virtual chip can show
/// (`cccd sim --quirk NAME`, combinable). Each comes from `CHIP-QUIRKS.md` (section K, the test
/// matrix) with the public reports behind it; none is a fault of a broken chip but what genuine
/// documents in circulation do, so a reader must read every one of them *genuine*, except where
/// the behaviour itself makes that impossible (``makesReadingImpossible``).
public enum ChipQuirk: String, CaseIterable, Sendable, Hashable, Comparable {
    // MARK: CCCD (A1, A3)
    case selectMF6D00 = "select-mf-6d00"
    case cardAccessHidden = "card-access-hidden"

    // MARK: SELECT MF variants and EF.CardAccess (C1, C2)
    case selectMF6982 = "select-mf-6982"
    case selectMF6A81 = "select-mf-6a81"
    case selectMF6A86 = "select-mf-6a86"
    case selectMF6A87 = "select-mf-6a87"
    case selectMF6985 = "select-mf-6985"
    case selectMFNoop = "select-mf-noop"
    case cardAccess6283 = "card-access-6283"
    case noShortFileIDs = "no-sfi"
    case noShortFileIDs6982 = "no-sfi-6982"

    // MARK: Lengths (C4, D1, D2, D3, E2)
    case leOnSelect6700 = "le-on-select-6700"
    case readPastEnd6B00 = "read-past-end-6b00"
    case readPastEnd6Cxx = "read-past-end-6cxx"
    case readPastEnd6700 = "read-past-end-6700"
    case maxLe231 = "max-le-231"
    case maxLe192 = "max-le-192"
    case maxLe160 = "max-le-160"
    case extendedLengthBare6700 = "extended-length-bare-6700"
    case extendedLengthWrapped6700 = "extended-length-wrapped-6700"
    case extendedLengthEmpty = "extended-length-empty"
    case generalAuthenticateNeedsLe = "ga-needs-le"

    // MARK: Secure messaging (B1, B2, B3, B5)
    case bareErrorsCommandCounted = "sm-bare-errors"
    case bareErrorsUncounted = "sm-bare-errors-uncounted"
    case bareErrorsBothCounted = "sm-bare-errors-counted"
    case closesSessionAfterError = "sm-closes-after-error"
    case paddingBug6282 = "sm-padding-6282"
    case badMACOn6282 = "sm-bad-mac-6282"
    case responseChaining = "response-chaining"

    // MARK: PACE, CA, AA, BAC (B4, E1, E3, F, G)
    case mseRequiresDO84 = "mse-needs-do84"
    case mseRefusesDO97 = "mse-do97-6f00"
    case internalAuthenticateNeedsDO97 = "aa-needs-do97"
    case aaTruncated231 = "aa-truncated-231"
    case aaExtendedEmpty = "aa-extended-empty"
    case bacRefused6985 = "bac-refused-6985"
    case bacRefused6A88 = "bac-refused-6a88"
    case bacLocksAfterFailure = "bac-locks-after-failure"

    /// Orders quirks as they are declared, grouped by the part of the protocol they concern, for stable listings.
    public static func < (a: ChipQuirk, b: ChipQuirk) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// What the chip does.
    public var behaviour: String {
        switch self {
        case .selectMF6D00: "SELECT of the master file (P1 00) answered 6D00"
        case .cardAccessHidden: "EF.CardAccess hidden: READ BINARY by SFI 1C 6982; SELECT 011C 9000, then READ BINARY 6982"
        case .selectMF6982: "SELECT MF answered 6982"
        case .selectMF6A81: "SELECT MF answered 6A81"
        case .selectMF6A86: "SELECT MF answered 6A86"
        case .selectMF6A87: "SELECT MF answered 6A87"
        case .selectMF6985: "SELECT MF answered 6985"
        case .selectMFNoop: "SELECT MF answered 9000 without selecting it"
        case .cardAccess6283: "SELECT EF.CardAccess before access control answered 6283 (selected file invalidated); not readable by SFI"
        case .noShortFileIDs: "READ BINARY by short file identifier refused with 6A86"
        case .noShortFileIDs6982: "READ BINARY by short file identifier refused with 6982"
        case .leOnSelect6700: "plain SELECT and MSE with Le refused with 6700"
        case .readPastEnd6B00: "READ BINARY asking past the end of a file answered 6B00"
        case .readPastEnd6Cxx: "READ BINARY asking past the end of a file answered 6Cxx with what is left"
        case .readPastEnd6700: "READ BINARY asking past the end of a file answered 6700"
        case .maxLe231: "READ BINARY with Le over 231 refused with 6700"
        case .maxLe192: "READ BINARY with Le over 192 refused with 6700"
        case .maxLe160: "READ BINARY with Le over 160 refused with 6700"
        case .extendedLengthBare6700: "announces extended length (ATR) but refuses extended APDUs with a bare 6700, before secure messaging"
        case .extendedLengthWrapped6700: "announces extended length but answers extended APDUs with a protected 6700"
        case .extendedLengthEmpty: "announces extended length but answers extended READ BINARY with no data and 9000"
        case .generalAuthenticateNeedsLe: "GENERAL AUTHENTICATE without Le refused with 6700"
        case .bareErrorsCommandCounted: "error status words under secure messaging sent bare (no DO'99', DO'8E'), the command counted in the SSC, the answer not"
        case .bareErrorsUncounted: "error status words sent bare, neither command nor answer counted in the SSC"
        case .bareErrorsBothCounted: "error status words sent bare, command and answer both counted in the SSC"
        case .closesSessionAfterError: "after any answer but 9000 the chip closes secure messaging: the next protected command gets a bare 6988"
        case .paddingBug6282: "6282 answers padded 00…80 instead of 80…00 (zeros after the data once unpadded)"
        case .badMACOn6282: "6282 answers (a read past the end) carry a wrong MAC"
        case .responseChaining: "answers longer than 256 bytes to a short command come in 61xx parts (GET RESPONSE)"
        case .mseRequiresDO84: "MSE:Set AT for PACE without DO'84' refused with 6A87"
        case .mseRefusesDO97: "protected MSE with DO'97' refused with 6F00"
        case .internalAuthenticateNeedsDO97: "protected INTERNAL AUTHENTICATE without DO'97' answered 6C80"
        case .aaTruncated231: "INTERNAL AUTHENTICATE in a short APDU: the signature cut to 231 bytes, 9000"
        case .aaExtendedEmpty: "INTERNAL AUTHENTICATE with extended Le answered with no data and 9000"
        case .bacRefused6985: "BAC refused with 6985 (a PACE-only document)"
        case .bacRefused6A88: "BAC refused with 6A88 (a PACE-only document)"
        case .bacLocksAfterFailure: "after one failed BAC, every BAC fails (6300) until the chip is reset"
        }
    }

    /// The catalogue section, the documents and the public reports behind it.
    public var source: String {
        switch self {
        case .selectMF6D00: "A1: Vietnamese CCCD (AndyQ/NFCPassportReader#219; ZeroPass/dmrtd#28)"
        case .cardAccessHidden: "A1: Vietnamese CCCD (AndyQ/NFCPassportReader#187, #166; cccd_vietnam#4)"
        case .selectMF6982: "C1: New Zealand passport (gmrtd#414)"
        case .selectMF6A81: "C1: Chinese passport (gmrtd#460)"
        case .selectMF6A86: "C1: Australian passport, French ID on iOS (gmrtd#414; AndyQ#164)"
        case .selectMF6A87: "C1: Ukrainian passport (gmrtd#460)"
        case .selectMF6985: "C1: documents in AndyQ/NFCPassportReader#164"
        case .selectMFNoop: "C1: European passports (AndyQ/NFCPassportReader PR#106)"
        case .cardAccess6283: "C2: Malaysian passport (gmrtd nfc_session.go)"
        case .noShortFileIDs: "C2, K sfi_read: older passports (jmrtd PassportService: SFI disabled for some)"
        case .noShortFileIDs6982: "C2, K sfi_read"
        case .leOnSelect6700: "C4: German documents (AndyQ/NFCPassportReader PR#153, #169)"
        case .readPastEnd6B00: "D1: Russian passport (AndyQ/NFCPassportReader#89)"
        case .readPastEnd6Cxx: "D1: passports answering 6CE7 (AndyQ/NFCPassportReader#29)"
        case .readPastEnd6700: "D1: old Dutch passports (AndyQ/NFCPassportReader#24)"
        case .maxLe231: "D2: 3DES sessions (AndyQ/NFCPassportReader#29, #223)"
        case .maxLe192: "D2: Ukrainian passport (gmrtd PR#410)"
        case .maxLe160: "D1: old Dutch passports (AndyQ/NFCPassportReader#24)"
        case .extendedLengthBare6700: "B1, D3: Chinese passport 2018 (gmrtd#457)"
        case .extendedLengthWrapped6700: "B1, D3: US passports (gmrtd#457)"
        case .extendedLengthEmpty: "D3: Chinese passport, extended Le (AndyQ/NFCPassportReader#223)"
        case .generalAuthenticateNeedsLe: "E2: (AndyQ TagReader retries GA with Le on 6700)"
        case .bareErrorsCommandCounted: "B1: chips as dmrtd handles them (mrtd_sm.dart)"
        case .bareErrorsUncounted: "B1: Chinese passport (gmrtd#457, PR#458; jmrtd restores the SSC on 67xx)"
        case .bareErrorsBothCounted: "B1: chips as AndyQ/NFCPassportReader counts them"
        case .closesSessionAfterError: "B2: passports in AndyQ/NFCPassportReader#42, Russian passport (#89)"
        case .paddingBug6282: "B3: Slovenian passport (dmrtd mrtd_api.dart)"
        case .badMACOn6282: "B3: US passport, last block of EF.SOD (gmrtd#6)"
        case .responseChaining: "B5: Finnish passport (AndyQ/NFCPassportReader#174)"
        case .mseRequiresDO84: "E1: older Ukrainian passports (gmrtd#108)"
        case .mseRefusesDO97: "B4: Norwegian passports (AndyQ/NFCPassportReader#124)"
        case .internalAuthenticateNeedsDO97: "B4: Norwegian passports (AndyQ/NFCPassportReader#113)"
        case .aaTruncated231: "G, D2: Australian passport (AndyQ/NFCPassportReader#194)"
        case .aaExtendedEmpty: "G, D3: Chinese passport (AndyQ/NFCPassportReader#223)"
        case .bacRefused6985: "E3: Dutch passport 2023, German ID cards (AndyQ#164, #27)"
        case .bacRefused6A88: "E3: German passports 2022–2023 (AndyQ#169; bettse/passy#3)"
        case .bacLocksAfterFailure: "F: (RogueMaster/flipperzero-firmware-wPlugins#668)"
        }
    }

    /// What the reader of this toolkit does about it.
    public var readerStrategy: String {
        switch self {
        case .selectMF6D00, .selectMF6982, .selectMF6A81, .selectMF6A86, .selectMF6A87, .selectMF6985, .selectMFNoop:
            "never selects the MF: EF.CardAccess is read by SFI, then by SELECT 011C (P1 02)"
        case .cardAccessHidden: "EF.CardAccess unreadable: PACE with the CCCD's known EF.CardAccess, else BAC"
        case .cardAccess6283: "EF.CardAccess unreadable: PACE with the CCCD's known EF.CardAccess, else BAC"
        case .noShortFileIDs, .noShortFileIDs6982:
            "the first refused SFI read is followed by SELECT; when SELECT finds the file, no more SFI reads this session"
        case .leOnSelect6700: "SELECT and MSE are sent without Le (case 3)"
        case .readPastEnd6B00, .readPastEnd6700:
            "the refused first read is followed by an 8-byte header read; later files start with their header"
        case .readPastEnd6Cxx: "reads the length the chip names; later files still start with a whole block"
        case .maxLe231, .maxLe192, .maxLe160: "steps the block down (223, 192, 160, …) and keeps the length that worked"
        case .extendedLengthBare6700, .extendedLengthWrapped6700:
            "short reads from the first refusal on; a bare 6700 is counted 0 in the SSC first"
        case .extendedLengthEmpty: "short reads from the first empty extended answer on"
        case .generalAuthenticateNeedsLe: "GENERAL AUTHENTICATE always carries Le"
        case .bareErrorsCommandCounted, .bareErrorsUncounted, .bareErrorsBothCounted:
            "guesses the SSC count of a bare error (0 for 67xx/6Cxx, else +1), drops a guess the chip refutes (6988) once, re-authenticates and resumes"
        case .closesSessionAfterError:
            "re-authenticates and resumes; then starts files with their header so that no read can fail"
        case .paddingBug6282: "cuts zeros past the size the file's header announces"
        case .badMACOn6282: "re-authenticates, resumes, and starts files with their header from then on"
        case .responseChaining: "GET RESPONSE until 9000, then unwraps the whole answer"
        case .mseRequiresDO84: "MSE:Set AT always carries DO'84'"
        case .mseRefusesDO97: "MSE is sent without Le, so without DO'97'"
        case .internalAuthenticateNeedsDO97: "INTERNAL AUTHENTICATE always carries Le (DO'97')"
        case .aaTruncated231: "asks for a signature over 231 bytes with extended Le when the chip announces extended length"
        case .aaExtendedEmpty: "an empty answer to an extended INTERNAL AUTHENTICATE is asked again with Le 256"
        case .bacRefused6985, .bacRefused6A88: "PACE first whenever EF.CardAccess offers it"
        case .bacLocksAfterFailure: "a refused key is never retried: the read ends with the chip's 6300, the card must be presented again"
        }
    }

    /// A behaviour that makes a genuine read impossible in some sessions (the read then ends in a
    /// typed error): BAC locked after a wrong key.
    public var makesReadingImpossible: Bool { self == .bacLocksAfterFailure }

    /// What the chip must announce or have for the quirk to mean anything.
    var announcesExtendedLength: Bool {
        [.extendedLengthBare6700, .extendedLengthWrapped6700, .extendedLengthEmpty, .aaTruncated231, .aaExtendedEmpty].contains(self)
    }

    /// Quirks that show up together on real documents, each read as one chip.
    public static let combinations: [(name: String, quirks: [ChipQuirk], documents: String)] = [
        ("cccd", [.selectMF6D00, .cardAccessHidden], "Vietnamese CCCD (A1, A3, A4): MF and EF.CardAccess hidden, DG3 listed, DG13 long"),
        ("cccd-bare-errors", [.selectMF6D00, .cardAccessHidden, .bareErrorsCommandCounted], "a CCCD whose errors come bare (A1 with B1)"),
        ("older-passport", [.noShortFileIDs, .bareErrorsCommandCounted], "an older BAC passport: no SFI, bare errors (B1, C2)"),
        ("older-passport-uncounted", [.noShortFileIDs, .bareErrorsUncounted], "no SFI, bare errors not counted at all (B1, C2)"),
        ("china-2018", [.extendedLengthBare6700, .bareErrorsUncounted, .selectMF6A81], "Chinese passport 2018 (B1, C1, D3)"),
        ("russia", [.readPastEnd6B00, .closesSessionAfterError], "Russian passport: 6B00 past the end, then 6988 (B1, D1)"),
        ("slovenia", [.paddingBug6282, .readPastEnd6Cxx], "Slovenian passport (B3)"),
        ("us-passport", [.extendedLengthWrapped6700, .badMACOn6282], "US passport (B1, B3)"),
        ("ukraine", [.maxLe192, .mseRequiresDO84, .selectMF6A87], "Ukrainian passport (C1, D2, E1)"),
        ("norway", [.mseRefusesDO97, .internalAuthenticateNeedsDO97], "Norwegian passport (B4)"),
        ("finland", [.responseChaining], "Finnish passport (B5)"),
        ("germany", [.leOnSelect6700, .bacRefused6A88, .generalAuthenticateNeedsLe], "German passport 2022–2023 (C4, E2, E3)"),
        ("netherlands-old", [.maxLe160, .readPastEnd6700], "old Dutch passport (D1)"),
        ("australia", [.aaTruncated231, .selectMF6A86], "Australian passport (C1, G)"),
    ]

    /// Parses `NAME[,NAME…]`: quirk names and combination names.
    public static func parse(_ text: String) -> Set<ChipQuirk>? {
        var result: Set<ChipQuirk> = []
        for part in text.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            if let quirk = ChipQuirk(rawValue: part) {
                result.insert(quirk)
            } else if let combination = combinations.first(where: { $0.name == part }) {
                result.formUnion(combination.quirks)
            } else {
                return nil
            }
        }
        return result
    }
}
