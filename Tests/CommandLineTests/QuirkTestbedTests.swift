import Foundation
import Testing
import VirtualChip

extension PCSCTestbedTests {
    /// Every quirk and every combination of CHIP-QUIRKS.md section K, served by `cccd sim --quirk`
    /// in vpcd's second slot and read by `cccd-read` through pcscd.
    static let quirkNames: [String] = ChipQuirk.allCases.map(\.rawValue) + ChipQuirk.combinations.map(\.name)

    @Test("Quirks of real chips through pcscd: each read genuine with the MRZ key (PACE when offered)", arguments: quirkNames)
    func quirksThroughPCSC(quirk: String) throws {
        let card = try SecondCard(card: nil, extra: ["--quirk", quirk])
        defer { card.stop() }
        let r = try run("cccd-read", ["--id", "079195001234", "--dob", "950314", "--doe", "350314", "--reader", "Virtual PCD 00 01",
                                      "--trust", "TestVectors/pki/csca.pem", "--skip-photo", "--json"])
        #expect(r.status == 0, "\(quirk): \(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(object?["verdict"] as? String == "genuine", "\(quirk)")
    }

    /// The quirks that only show under BAC (errors under secure messaging, no EF.CardAccess).
    static let bacQuirks = ["older-passport", "older-passport-uncounted", "russia", "us-passport", "china-2018", "sm-closes-after-error"]

    @Test("Quirks through pcscd on a BAC-only chip: genuine, and the older passport of the issue no longer loops", arguments: bacQuirks)
    func bacQuirksThroughPCSC(quirk: String) throws {
        let dir = try image(["--bac-only"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let card = try SecondCard(card: dir, extra: ["--quirk", quirk])
        defer { card.stop() }
        let r = try run("cccd-read", ["--id", "079195001234", "--dob", "950314", "--doe", "350314", "--reader", "Virtual PCD 00 01",
                                      "--trust", "TestVectors/pki/csca.pem", "--verbose"])
        #expect(r.status == 0, "\(quirk): \(r.stdout)\n\(r.stderr.suffix(2000))")
        #expect(r.stdout.hasPrefix("VERDICT: GENUINE"))
        // BAC at most twice: the first, and one after the chip refuted a guess of its counter.
        let bacs = r.stderr.split(separator: "\n").filter { $0.hasPrefix("> 00820000") }.count
        #expect((1...2).contains(bacs), "\(quirk): \(bacs) EXTERNAL AUTHENTICATE")
    }
}
