import Foundation
import Inspection
import Specimen
import Testing
import VirtualChip

/// The library's entry point, as a caller uses it: one call, one value.
@Suite("Inspector: read and verify in one call")
struct InspectorTests {
    @Test("The specimen through the virtual chip: genuine, the holder in typed fields, the photo, the contract's JSON")
    func specimen() throws {
        let chip = try VirtualChip(image: Specimen.cardImage())
        let inspection = try Inspector().inspect(chip, key: .can("001234"), trust: Specimen.testPKI.trustStore, source: "virtual chip")
        #expect(inspection.verdict == .genuine)
        #expect(inspection.holder.fullName == "Trần Thị Ngọc Ánh")
        #expect(inspection.holder.personalIDNumber == "079195001234")
        #expect(inspection.photo?.imageData.prefix(3) == [0xFF, 0xD8, 0xFF])
        #expect(inspection.read?.accessControl.description == "PACE-CAN id-PACE-ECDH-GM-AES-CBC-CMAC-128 with brainpoolP256r1")
        #expect(inspection.read?.phases.map(\.kind) == [.access, .files, .active])
        // The report encodes as the README's contract, and decodes back.
        let data = try JSONEncoder().encode(inspection.report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["verdict"] as? String == "genuine")
        let checks = try #require(object["checks"] as? [String: Any])
        #expect(Set(checks.keys) == ["passive", "chip", "active", "files"])
        #expect((checks["files"] as? [String: String])?["status"] == "passed")
        #expect(inspection.report.checks.passive.code == "passive.passed")
        #expect([inspection.report.checks.chip.code, inspection.report.checks.active.code, inspection.report.checks.files?.code]
            == ["chip.passed", "active.passed", "files.passed"])
        let back = try JSONDecoder().decode(InspectionReport.self, from: data)
        #expect(back.checks == inspection.report.checks)
    }

    @Test("Stable codes: a tampered data group, a file not read whole")
    func codes() throws {
        var image = try Specimen.cardImage()
        image.files[.dg1]![10] ^= 0x01
        let tampered = Inspector().inspect(image, trust: Specimen.testPKI.trustStore)
        #expect(tampered.verdict == .notGenuine)
        #expect(tampered.report.checks.passive.code == tampered.verification.passive.issues.first?.code.rawValue)
        #expect(tampered.report.checks.passive.code?.contains(".") == true)
        var truncated = try Specimen.cardImage()
        truncated.files[.dg13] = Array(truncated.files[.dg13]!.prefix(100))
        let chip = try VirtualChip(image: truncated)
        let read = try Inspector().inspect(chip, key: .can("001234"), trust: Specimen.testPKI.trustStore)
        #expect(read.report.checks.files?.code == "lds.read-failed")
        #expect(read.report.checks.files?.status == "incomplete")
    }

    @Test("A card image: passive authentication only, no read to be complete")
    func cardImage() throws {
        let inspection = Inspector().inspect(try Specimen.cardImage(), trust: Specimen.testPKI.trustStore)
        #expect(inspection.verdict == .genuine)
        #expect(inspection.read == nil)
        #expect(inspection.report.checks.files == nil)
        #expect(inspection.report.checks.chip.status == "not-run")
    }

    @Test("Keys are checked before any APDU: a CAN is 6 digits, a PIN 4 to 12, a PUK 8 to 12")
    func keys() throws {
        for (key, message) in [
            (AccessKey.can("12"), "a CAN is 6 digits (this one has 2 characters)"),
            (.can("12345a"), "a CAN is 6 digits (this one has 6 characters, not all digits)"),
            (.pin("123"), "a PIN is 4 to 12 digits (this one has 3 characters)"),
            (.puk("1234567"), "a PUK is 8 to 12 digits (this one has 7 characters)"),
        ] {
            let chip = try VirtualChip(image: Specimen.cardImage())
            do {
                _ = try Inspector().inspect(chip, key: key, trust: TrustStore())
                Issue.record("\(key) was accepted")
            } catch {
                #expect(error.code == .invalidArgument)
                #expect(error.message == message)
            }
            #expect(chip.apduCount == 0, "an APDU went out with a malformed \(key)")
        }
        for key in [AccessKey.can("001234"), .pin("123456"), .puk("1234567890")] { try key.validate() }
    }
}
