import Foundation
import Testing

@Suite("cccd verify and cccd pki")
struct VerifyCommandTests {
    func specimenImage() throws -> String {
        let dir = temporaryDirectory()
        let made = try run("cccd", ["specimen", "--out", dir])
        try #require(made.status == 0, "\(made.stderr)")
        return dir
    }

    @Test("The specimen image verifies against the shipped test CSCA: genuine, exit 0, the JSON contract")
    func genuine() throws {
        let dir = try specimenImage()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try run("cccd", ["verify", dir, "--trust", "TestVectors/pki/csca.pem", "--trust", "TestVectors/pki/crl.pem", "--json"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["verdict"] as? String == "genuine")
        let checks = try #require(object["checks"] as? [String: Any])
        let passive = try #require(checks["passive"] as? [String: Any])
        #expect(passive["status"] as? String == "passed")
        #expect(passive["signature"] as? String == "valid")
        #expect(passive["chain"] as? String == "valid")
        #expect((passive["dataGroups"] as? [String: String])?["DG13"] == "match")
        #expect((checks["chip"] as? [String: Any])?["status"] as? String == "not-run")
        #expect((checks["active"] as? [String: Any])?["status"] as? String == "not-run")
    }

    @Test("Without trust: unverified, exit 4; a changed DG1: not genuine, exit 1; a bad trust path: exit 2")
    func outcomes() throws {
        let dir = try specimenImage()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let unverified = try run("cccd", ["verify", dir])
        #expect(unverified.status == 4)
        #expect(unverified.stdout.contains("VERDICT: UNVERIFIED"))
        let badTrust = try run("cccd", ["verify", dir, "--trust", "/nonexistent/csca.pem"])
        #expect(badTrust.status == 2)
        var dg1 = try Data(contentsOf: URL(fileURLWithPath: dir + "/DG1"))
        dg1[dg1.count - 1] ^= 0x01
        try dg1.write(to: URL(fileURLWithPath: dir + "/DG1"))
        let tampered = try run("cccd", ["verify", dir, "--trust", "TestVectors/pki/csca.pem"])
        #expect(tampered.status == 1)
        #expect(tampered.stdout.contains("VERDICT: NOT GENUINE"))
        #expect(tampered.stdout.contains("DG1"))
    }

    @Test("A malformed EF.SOD: the reason names swift-asn1's error, never its source file")
    func malformedSOD() throws {
        let dir = try specimenImage()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let url = URL(fileURLWithPath: dir + "/EF.SOD")
        let sod = try Data(contentsOf: url)
        var flipped = sod
        flipped[4] = 0x00  // 77 82 xxxx, then the ContentInfo's SEQUENCE tag: now an end-of-contents tag
        for (bytes, reason) in [
            (sod.prefix(sod.count / 2), "EF.SOD cannot be used: EF.SOD is not valid BER: truncatedASN1Field"),
            (flipped, "EF.SOD cannot be used: EF.SOD is not valid BER: invalidASN1Object: Unexpected end-of-contents octets or [UNIVERSAL 0] tag"),
        ] {
            try bytes.write(to: url)
            let text = try run("cccd", ["verify", dir, "--trust", "TestVectors/pki/csca.pem"])
            #expect(text.status == 1)
            #expect(text.stdout.components(separatedBy: "\n").contains("    - " + reason), "\(text.stdout)")
            let json = try run("cccd", ["verify", dir, "--trust", "TestVectors/pki/csca.pem", "--json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let passive = (object["checks"] as? [String: Any])?["passive"] as? [String: Any]
            #expect(passive?["reason"] as? String == reason)
            for output in [text.stdout, text.stderr, json.stdout, json.stderr] {
                #expect(!output.contains(".swift:"), "\(output)")
            }
        }
    }

    @Test("EF.SOD alone: signature and chain are checked")
    func sodAlone() throws {
        let dir = try specimenImage()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["DG1", "DG2", "DG13", "DG14", "DG15", "EF.COM"] {
            try FileManager.default.removeItem(atPath: dir + "/" + name)
        }
        let r = try run("cccd", ["verify", dir, "--trust", "TestVectors/pki/csca.pem", "--json"])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("\"DG1\" : \"not-read\""))
    }

    @Test("pki init writes a CSCA, a DSC, a CRL and keys with mode 0600, and the PKI signs verifiable cards")
    func pkiInit() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for algorithm in ["ecdsa-brainpoolP256r1", "ecdsa-p384", "rsa-pss", "rsa"] {
            let out = dir + "/" + algorithm
            let r = try run("cccd", ["pki", "init", "--out", out, "--algorithm", algorithm])
            #expect(r.status == 0, "\(r.stderr)")
            for name in ["csca.pem", "dsc.pem", "dsc.key", "crl.pem", "csca.key"] {
                #expect(FileManager.default.fileExists(atPath: out + "/" + name), "\(algorithm): \(name)")
            }
            let mode = try FileManager.default.attributesOfItem(atPath: out + "/dsc.key")[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
        let again = try run("cccd", ["pki", "init", "--out", dir + "/rsa"])
        #expect(again.status == 2, "refuses to overwrite a PKI")
        let bad = try run("cccd", ["pki", "init", "--out", dir + "/x", "--algorithm", "dsa"])
        #expect(bad.status != 0)
    }
}
