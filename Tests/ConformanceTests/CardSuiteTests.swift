import AccessControl
import Conformance
import Cryptography
import EMRTDCore
import Foundation
import ISO7816
import LDS
import MRZ
import Specimen
import Testing
import VirtualChip

/// The card suite run in process against the virtual chip.
func runSuite(_ image: CardImage, key: AccessKey? = nil, defects: VirtualChip.Defects = VirtualChip.Defects()) throws -> [CaseResult] {
    let chip = try VirtualChip(image: image)
    chip.defects = defects
    let card = CardUnderTest(name: "virtual chip", reset: { () throws(EMRTDError) -> any CardChannel in
        chip.reset()
        return chip
    }, answerToReset: { chip.answerToReset })
    let mrzKey = AccessKey.mrz(MRZKey(mrz: try MRZ(image.settings.mrz!)))
    return CardSuite(card: card, key: key ?? mrzKey).run()
}

func failures(_ results: [CaseResult]) -> [String: String] {
    var out: [String: String] = [:]
    for r in results { if case .failed(let m) = r.outcome { out[r.testCase.id] = m } }
    return out
}

/// One access-control setting of the virtual chip.
struct ChipSetting: CustomTestStringConvertible, Sendable {
    let name: String
    let pace: (PACE.Configuration.Mapping, PACE.Configuration.KeyAgreement, KeyDerivation.Cipher, Int)?
    let bac: Bool
    let useCAN: Bool
    var configure: @Sendable (inout ChipLimits) -> Void = { _ in }
    var testDescription: String { name }

    func image() throws -> CardImage {
        var image = try Specimen.cardImage(pace: pace != nil)
        if let (mapping, agreement, cipher, parameterID) = pace {
            let configuration = try PACE.Configuration(mapping: mapping, keyAgreement: agreement, cipher: cipher, parameterID: parameterID)
            image.files[.cardAccess] = SecurityInfos.encode([configuration.paceInfo.raw])
        }
        image.settings.chip.bac = bac
        configure(&image.settings.chip)
        return image
    }
}

let chipSettings: [ChipSetting] = [
    ChipSetting(name: "BAC only", pace: nil, bac: true, useCAN: false),
    ChipSetting(name: "PACE-ECDH-GM-AES-128 brainpoolP256r1 and BAC, MRZ", pace: (.generic, .ecdh, .aes128, 13), bac: true, useCAN: false),
    ChipSetting(name: "PACE-ECDH-GM-AES-128 brainpoolP256r1, CAN, no BAC", pace: (.generic, .ecdh, .aes128, 13), bac: false, useCAN: true),
    ChipSetting(name: "PACE-ECDH-GM-3DES P-256, MRZ", pace: (.generic, .ecdh, .tripleDES, 12), bac: true, useCAN: false),
    ChipSetting(name: "PACE-ECDH-IM-AES-256 brainpoolP384r1, CAN", pace: (.integrated, .ecdh, .aes256, 16), bac: false, useCAN: true),
    ChipSetting(name: "PACE-ECDH-CAM-AES-128 brainpoolP256r1, CAN", pace: (.chipAuthentication, .ecdh, .aes128, 13), bac: false, useCAN: true),
    ChipSetting(name: "PACE-DH-GM-AES-128 1024-bit MODP, MRZ", pace: (.generic, .dh, .aes128, 0), bac: false, useCAN: false),
    ChipSetting(name: "PACE-DH-IM-3DES 1024-bit MODP, CAN", pace: (.integrated, .dh, .tripleDES, 0), bac: false, useCAN: true),
    ChipSetting(name: "extended length", pace: (.generic, .ecdh, .aes128, 13), bac: true, useCAN: true) {
        $0.extendedLength = true
        $0.maxResponseLength = 65536
    },
    ChipSetting(name: "no SFI, no odd INS, BAC", pace: nil, bac: true, useCAN: false) {
        $0.shortFileIDs = false
        $0.oddInsRead = false
    },
    ChipSetting(name: "short reads only (100 bytes)", pace: (.generic, .ecdh, .aes128, 13), bac: true, useCAN: false) {
        $0.maxResponseLength = 100
    },
]

@Suite("The card suite against the virtual chip")
struct CardSuiteTests {
    @Test("Every case passes (or is skipped for a feature the chip lacks) in every access-control setting", arguments: chipSettings)
    func conformingChip(setting: ChipSetting) throws {
        let image = try setting.image()
        let key: AccessKey? = setting.useCAN ? .can(SecretBytes(utf8: image.settings.can!)) : nil
        let results = try runSuite(image, key: key)
        #expect(results.count == CardSuite.cases.count)
        #expect(failures(results).isEmpty, "\(failures(results))")
        let passed = results.filter { if case .passed = $0.outcome { true } else { false } }.map(\.testCase.id)
        // Whatever the setting, these always apply to the specimen.
        for id in ["access.before-auth-6982", "access.wrong-key-refused", "sm.wrong-mac-closes-session", "sm.ssc-replay-refused",
                   "read.beyond-end", "lds.ef-com-consistent", "pa.sod-covers-data-groups", "chip.active-authentication"] {
            #expect(passed.contains(id), "\(id) did not pass")
        }
        let skipped = Set(results.filter { if case .skipped = $0.outcome { true } else { false } }.map(\.testCase.id))
        #expect(skipped.contains("read.extended-length") == !image.settings.chip.extendedLength)
        #expect(skipped.contains("read.sfi") == !image.settings.chip.shortFileIDs)
        #expect(skipped.contains("read.odd-ins") == !image.settings.chip.oddInsRead)
    }

    @Test("Each known defect fails the suite, naming the case that catches it", arguments: ChipDefect.all.map(\.name))
    func defect(name: String) throws {
        let defect = try ChipDefect.named(name)
        var image = try Specimen.cardImage()
        let behaviour = try ChipDefect.apply([defect], to: &image, signer: Specimen.testPKI)
        let failed = failures(try runSuite(image, defects: behaviour))
        #expect(failed.keys.contains(defect.failingCase), "\(name): failed \(failed)")
        // Each defect fails its own case and no other: the cases are independent.
        #expect(failed.count == 1, "\(name): \(failed)")
    }

    @Test("A chip that needs no access control fails access.before-auth-6982 (ICAO 9303-11 requires it)")
    func noAccessControlSetting() throws {
        var image = try Specimen.cardImage()
        image.settings.chip.requireAccessControl = false
        let failed = failures(try runSuite(image))
        #expect(Array(failed.keys) == ["access.before-auth-6982"], "\(failed)")
    }

    @Test("--case filters by id or by prefix*")
    func filter() {
        #expect(CardSuite.matches("sm.ssc-replay-refused", ["sm.*"]))
        #expect(!CardSuite.matches("sm.ssc-replay-refused", ["sm.ssc"]))
        #expect(CardSuite.matches("sm.ssc-replay-refused", ["sm.ssc-replay-refused"]))
        #expect(CardSuite.matches("anything", []))
    }
}
