import AccessControl
import Conformance
import EMRTDCore
import ISO7816
import MRZ
import Personalization
import Specimen
import Testing
import VirtualChip

/// The card suite against chips made by personalization rather than loaded from an image.
@Suite("The card suite on chips personalized with the passport applet commands")
struct PersonalizedChipTests {
    func suite(_ chip: VirtualChip) throws -> [CaseResult] {
        let card = CardUnderTest(name: "personalized virtual chip", reset: { () throws(EMRTDError) -> any CardChannel in
            chip.reset()
            return chip
        }, answerToReset: { chip.answerToReset })
        return CardSuite(card: card, key: .mrz(MRZKey(mrz: try Specimen.mrz()))).run()
    }

    @Test("Written and locked: every case passes")
    func locked() throws {
        let chip = try VirtualChip.blank()
        try PassportAppletWriter.write(try Specimen.cardImage(), to: CardConnection(channel: chip))
        let results = try suite(chip)
        #expect(failures(results).isEmpty, "\(failures(results))")
        let access = try #require(results.first { $0.testCase.id == "access.before-auth-6982" })
        guard case .passed = access.outcome else {
            Issue.record("access.before-auth-6982: \(access.outcome)")
            return
        }
    }

    @Test("Written but not locked: the chip is open, and the suite says so")
    func unlocked() throws {
        let chip = try VirtualChip.blank()
        var options = PassportAppletWriter.Options()
        options.lock = false
        try PassportAppletWriter.write(try Specimen.cardImage(), to: CardConnection(channel: chip), options: options)
        #expect(failures(try suite(chip)).keys.contains("access.before-auth-6982"))
    }
}
