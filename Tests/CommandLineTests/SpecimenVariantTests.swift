import Foundation
import Testing

@Suite("cccd specimen --pace-cam and --extended-length, read back with cccd-read --simulated DIR")
struct SpecimenVariantTests {
    /// `cccd specimen --out DIR` with `options`, in a new temporary directory.
    func specimen(_ options: [String]) throws -> String {
        let dir = temporaryDirectory()
        let made = try run("cccd", ["specimen", "--out", dir] + options)
        #expect(made.status == 0, "\(made.stderr)")
        return dir
    }

    /// `cccd-read --simulated DIR --json` against the test CSCA, as a JSON object.
    func readJSON(_ dir: String) throws -> [String: Any] {
        let r = try run("cccd-read", ["--simulated", dir, "--trust", "TestVectors/pki/csca.pem", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    func status(of file: String, in object: [String: Any]) -> String? {
        (object["files"] as? [[String: Any]])?.first { $0["file"] as? String == file }?["status"] as? String
    }

    @Test("--pace-cam: a signed EF.CardSecurity; the read is genuine through PACE-CAM against its key")
    func paceCAM() throws {
        let dir = try specimen(["--pace-cam"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(FileManager.default.fileExists(atPath: dir + "/EF.CardSecurity"))
        let object = try readJSON(dir)
        #expect(object["verdict"] as? String == "genuine")
        #expect(object["accessControl"] as? String == "PACE-MRZ id-PACE-ECDH-CAM-AES-CBC-CMAC-128 with brainpoolP256r1")
        let checks = try #require(object["checks"] as? [String: Any])
        let chip = try #require(checks["chip"] as? [String: Any])
        #expect(chip["status"] as? String == "passed")
        #expect(chip["reason"] as? String == "PACE-CAM with the Chip Authentication key of EF.CardSecurity (key ID 1)")
        let cardSecurity = (checks["passive"] as? [String: Any])?["cardSecurity"] as? [String: Any]
        #expect(cardSecurity?["status"] as? String == "passed")
        #expect(status(of: "EF.CardSecurity", in: object) == "read")
        #expect(status(of: "EF.ATR", in: object) == "absent")

        // The text output lines the longer file name up with the others.
        let text = try run("cccd-read", ["--simulated", dir, "--trust", "TestVectors/pki/csca.pem"])
        #expect(text.stdout.contains("  EF.CardSecurity read (1"), "\(text.stdout)")
        #expect(text.stdout.contains("  DG2             read"))
        #expect(try run("cccd", ["specimen", "--pace-cam", "--bac-only", "--out", dir + "/x"]).status == 2)
    }

    @Test("--extended-length: EF.ATR/INFO announces it, and the read takes 65024-byte blocks")
    func extendedLength() throws {
        let dir = try specimen(["--extended-length"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let atr = try Data(contentsOf: URL(fileURLWithPath: dir + "/EF.ATR"))
        #expect(atr == Data([0x7F, 0x66, 0x0A, 0x02, 0x03, 0x00, 0xFF, 0xFF, 0x02, 0x03, 0x01, 0x00, 0x00]))
        let object = try readJSON(dir)
        #expect(object["verdict"] as? String == "genuine")
        #expect(status(of: "EF.ATR", in: object) == "read")
        #expect((object["accessNotes"] as? [String])?.contains(
            "EF.ATR/INFO announces extended length (responses up to 65536 bytes): READ BINARY of up to 65024 bytes") == true)
        #expect((object["stats"] as? [String: Any])?["blockSize"] as? Int == 65024)
    }
}
