import Dispatch
import Foundation
import Testing

@Suite("cccd-read against a hostile virtual chip")
struct HostileReadTests {
    @Test("A chip that stalls: exit 3 after the per-APDU limit, naming the command and the limit")
    func apduTimeout() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let r = try run("cccd-read", ["--simulated", "--hostile", "read:slow", "--hostile-delay", "10", "--apdu-timeout", "0.5"])
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("did not answer READ BINARY (INS B0) within 0.5 s"), "\(r.stderr)")
        #expect(r.stderr.contains("[card.timeout]"))
        #expect(!r.stdout.contains("VERDICT"))
        #expect(seconds < 5, "\(seconds) s")
    }

    @Test("A chip that answers every read slowly: exit 3 at the per-read limit")
    func readTimeout() throws {
        let r = try run("cccd-read", ["--simulated", "--hostile", "read:slow", "--hostile-delay", "0.3", "--read-timeout", "1"])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("[card.read-timeout]"), "\(r.stderr)")
    }

    @Test("A bad plan or a hostile chip without --simulated is a usage error")
    func usage() throws {
        #expect(try run("cccd-read", ["--simulated", "--hostile", "nowhere:bad-mac"]).status == 2)
        #expect(try run("cccd-read", ["--hostile", "read:bad-mac"]).status == 2)
        #expect(try run("cccd-read", ["--simulated", "--apdu-timeout=-1"]).status == 2)
    }

    @Test("cccd sim --list-hostile prints the whole matrix")
    func listHostile() throws {
        let r = try run("cccd", ["sim", "--list-hostile"])
        #expect(r.status == 0)
        let plans = r.stdout.split(separator: "\n")
        // 12 steps × 13 faults, less DO'99'/DO'8E' faults at the 8 steps without secure messaging.
        #expect(plans.count == 12 * 13 - 8 * 2)
        #expect(plans.contains("pace-token:bad-mac") && plans.contains("read:no-do8e") && plans.contains("aa:disconnect"))
    }
}
