public import EMRTDCore
public import LDS
public import PassiveAuthentication
import Cryptography
import ISO7816
import MRZ
import Personalization
public import VirtualChip

/// A known defect of a chip, and the card-suite case that must catch it: either a behaviour of the
/// virtual chip (``VirtualChip/Defect``) or a defect of the card image it serves, made by
/// transforming a good image. Image defects other than EF.SOD's own are re-signed with the given
/// document signer, so that only the defect is wrong.
public struct ChipDefect: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case behaviour(VirtualChip.Defect)
        case image(ImageDefect)
    }

    enum ImageDefect: String, Sendable, CaseIterable {
        case comListsAbsentGroup = "com-lists-absent-dg"
        case comOmitsPresentGroup = "com-omits-present-dg"
        case dg2MalformedTLV = "dg2-malformed-tlv"
        case dg1CheckDigit = "dg1-check-digit"
        case dg13OffLayout = "dg13-off-layout"
        case sodMissingGroup = "sod-missing-dg"
        case caKeyMismatch = "ca-key-mismatch"
        case aaKeyMismatch = "aa-key-mismatch"
    }

    let kind: Kind

    /// The defect's name, as `--defect` takes it.
    public var name: String {
        switch kind {
        case .behaviour(let d): d.rawValue
        case .image(let d): d.rawValue
        }
    }

    /// What the defect breaks, for listings ("EF.SOD has no hash of DG13").
    public var summary: String {
        switch kind {
        case .behaviour(let d): return d.summary
        case .image(let d):
            switch d {
            case .comListsAbsentGroup: return "EF.COM lists DG11, which is absent"
            case .comOmitsPresentGroup: return "EF.COM omits DG13, which is present"
            case .dg2MalformedTLV: return "DG2's biometric template overruns its parent"
            case .dg1CheckDigit: return "DG1's document number check digit is wrong"
            case .dg13OffLayout: return "DG13's fields are a SEQUENCE, not a SET, and lack the version"
            case .sodMissingGroup: return "EF.SOD has no hash of DG13"
            case .caKeyMismatch: return "DG14 announces a key the chip does not hold"
            case .aaKeyMismatch: return "DG15 holds a key the chip does not hold"
            }
        }
    }

    /// The id of the card-suite case this defect fails.
    public var failingCase: String {
        switch kind {
        case .behaviour(let d):
            switch d {
            case .noAccessControl: CardSuite.accessBeforeAuthentication.id
            case .bacWrongKeyAnswered: CardSuite.wrongKeyRefused.id
            case .smErrorKeepsSession: CardSuite.wrongMACClosesSession.id
            case .sscReplayAccepted: CardSuite.sscReplayRefused.id
            case .readBeyondEnd: CardSuite.readBeyondEnd.id
            case .sfiIgnored: CardSuite.shortFileIdentifier.id
            case .oddInsIgnoresOffset: CardSuite.oddINS.id
            case .extendedLengthRefused: CardSuite.extendedLength.id
            }
        case .image(let d):
            switch d {
            case .comListsAbsentGroup, .comOmitsPresentGroup: CardSuite.efCOMConsistent.id
            case .dg2MalformedTLV: CardSuite.tlvWellFormed.id
            case .dg1CheckDigit: CardSuite.dg1CheckDigits.id
            case .dg13OffLayout: CardSuite.dg13Layout.id
            case .sodMissingGroup: CardSuite.sodCoversDataGroups.id
            case .caKeyMismatch: CardSuite.chipAuthentication.id
            case .aaKeyMismatch: CardSuite.activeAuthentication.id
            }
        }
    }

    /// Every known defect.
    public static let all: [ChipDefect] =
        VirtualChip.Defect.allCases.map { ChipDefect(kind: .behaviour($0)) } + ImageDefect.allCases.map { ChipDefect(kind: .image($0)) }

    /// The defect whose ``name`` is `name`; throws listing every known name otherwise.
    public static func named(_ name: String) throws(EMRTDError) -> ChipDefect {
        guard let defect = all.first(where: { $0.name == name }) else {
            throw EMRTDError(.invalidArgument, "no defect named \(name); known: \(all.map(\.name).joined(separator: ", "))")
        }
        return defect
    }

    /// Applies image defects to `image` (re-signing EF.SOD with `signer`) and returns the behaviour
    /// defects for the chip that serves it.
    public static func apply(_ defects: [ChipDefect], to image: inout CardImage, signer: DocumentPKI) throws(EMRTDError) -> VirtualChip.Defects {
        var behaviour: Set<VirtualChip.Defect> = []
        var resign = false
        for defect in defects {
            switch defect.kind {
            case .behaviour(let d): behaviour.insert(d)
            case .image(let d):
                try transform(&image, d)
                resign = resign || d != .sodMissingGroup
            }
        }
        let groups = image.files.reduce(into: [Int: [UInt8]]()) { all, entry in
            if let n = entry.key.dataGroupNumber { all[n] = entry.value }
        }
        if defects.contains(where: { $0.kind == .image(.sodMissingGroup) }) {
            image.files[.sod] = try signer.signSecurityObject(dataGroups: groups.filter { $0.key != 13 })
        } else if resign {
            image.files[.sod] = try signer.signSecurityObject(dataGroups: groups)
        }
        return VirtualChip.Defects(behaviour)
    }

    static func transform(_ image: inout CardImage, _ defect: ImageDefect) throws(EMRTDError) {
        func file(_ f: LDSFile) throws(EMRTDError) -> [UInt8] {
            guard let bytes = image.files[f] else { throw EMRTDError(.invalidArgument, "the defect \(defect.rawValue) needs \(f.name) in the card image") }
            return bytes
        }
        switch defect {
        case .comListsAbsentGroup:
            let com = try EFCOM(try file(.com))
            image.files[.dg11] = nil
            image.files[.com] = EFCOM(ldsVersion: com.ldsVersion, unicodeVersion: com.unicodeVersion, dataGroups: com.dataGroups + [.dg11]).raw
        case .comOmitsPresentGroup:
            let com = try EFCOM(try file(.com))
            _ = try file(.dg13)
            image.files[.com] = EFCOM(ldsVersion: com.ldsVersion, unicodeVersion: com.unicodeVersion, dataGroups: com.dataGroups.filter { $0 != .dg13 }).raw
        case .dg2MalformedTLV:
            // The outer 75 stays right; its first child announces 16 bytes more than it has.
            let outer = try BERTLV.parse(try file(.dg2))
            let header = try BERTLV.readHeader(outer.value)
            let tagBytes = Array(outer.value.prefix(header.tag.byteCount))
            let inner = tagBytes + BERTLV.encodeLength(header.valueLength + 16) + Array(outer.value.dropFirst(header.headerLength))
            image.files[.dg2] = outer.tag.encoded + BERTLV.encodeLength(inner.count) + inner
        case .dg1CheckDigit:
            var bytes = try file(.dg1)
            let dg1 = try DG1(bytes)
            // The check digit after the document number: line 1 position 15 (TD1), line 2 position 10 (TD2, TD3).
            let offset = dg1.mrz.format == .td1 ? 14 : dg1.mrz.lines[0].count + 9
            let start = bytes.count - dg1.mrz.lines.joined().utf8.count
            let digit = bytes[start + offset]
            bytes[start + offset] = digit == UInt8(ascii: "9") ? UInt8(ascii: "0") : (digit == UInt8(ascii: "<") ? UInt8(ascii: "1") : digit + 1)
            image.files[.dg1] = bytes
        case .dg13OffLayout:
            let dg13 = try DG13(try file(.dg13))
            // Fields straight in a SEQUENCE (no version, no OID, no SET): a layout seen in forged cards' parsers.
            let body = TLV(tag: 0x30, value: dg13.fields.flatMap(\.raw))
            image.files[.dg13] = TLV(tag: 0x6D, children: [body]).encoded()
        case .sodMissingGroup:
            _ = try file(.dg13)
        case .caKeyMismatch:
            // DG14 announces another brainpoolP256r1 key; card.json keeps the chip's own.
            image.files[.dg14] = try Personalizer.dg14(chipAuthenticationKey: try ECGroup.standard(parameterID: 13).generatePrivateKey())
        case .aaKeyMismatch:
            _ = try file(.dg15)
            let other = try PrivateKey.generate(.rsa(bits: 2048))
            image.files[.dg15] = TLV(tag: 0x6F, value: other.publicKey.subjectPublicKeyInfo).encoded()
        }
    }
}
