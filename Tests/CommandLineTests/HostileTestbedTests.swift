import Dispatch
import Foundation
import Testing

extension PCSCTestbedTests {
    /// Faults that matter on the wire: a chip that stalls, chains for ever, answers more than a
    /// vpcd frame holds, or goes away in the middle of a protocol.
    static let hostilePlans = ["read:slow", "read:bad-mac", "read:endless-61xx", "select:huge", "pace-token:truncated", "ca:disconnect"]

    @Test("Hostile chips through pcscd: a typed card error within the time limits", arguments: hostilePlans)
    func hostileThroughPCSC(plan: String) throws {
        let card = try SecondCard(card: nil, extra: ["--hostile", plan, "--hostile-delay", "20"])
        defer { card.stop() }
        let start = DispatchTime.now().uptimeNanoseconds
        let r = try run("cccd-read", ["--can", "001234", "--reader", "Virtual PCD 00 01", "--trust", "TestVectors/pki/csca.pem",
                                      "--apdu-timeout", "1", "--read-timeout", "15"])
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        #expect(r.status == 3, "\(plan): \(r.stdout)\n\(r.stderr)")
        #expect(!r.stdout.contains("VERDICT: GENUINE"))
        #expect(r.stderr.contains("error: ") && r.stderr.contains("]"), "no typed error: \(r.stderr)")
        #expect(seconds < 10, "\(plan) took \(seconds) s")
        if plan.hasSuffix(":slow") { #expect(r.stderr.contains("[card.timeout]"), "\(r.stderr)") }
    }
}
