import Foundation
import Testing

/// `cccd perso` and `cccd-read --expect`: personalize from a record, read back, compare.
@Suite("Personalization and checking a card against its record")
struct PersoTests {
    /// A work folder with the example record, the specimen portrait and a fresh PKI.
    func workspace() throws -> String {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let example = try run("cccd", ["perso", "--example-record"])
        try #require(example.status == 0)
        try example.stdout.write(toFile: dir + "/r.json", atomically: true, encoding: .utf8)
        try #require(try run("cccd", ["specimen", "--out", dir + "/spec"]).status == 0)
        let face = try run("cccd-read", ["--simulated", dir + "/spec", "--photo", dir + "/face.jpg", "--trust", "TestVectors/pki/csca.pem"])
        try #require(face.status == 0, "\(face.stderr)")
        try #require(try run("cccd", ["pki", "init", "--out", dir + "/pki"]).status == 0)
        return dir
    }

    func edit(_ path: String, _ change: (inout [String: Any]) -> Void) throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        change(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
    }

    @Test("perso -> read with --expect: genuine, and every injected fault is caught with its reason")
    func roundTripAndFaults() throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let made = try run("cccd", ["perso", "--record", dir + "/r.json", "--pki", dir + "/pki", "--out", dir + "/card"])
        #expect(made.status == 0, "\(made.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/card/card.json")[.posixPermissions] as? Int
        #expect(mode == 0o600, "chip private keys are stored 0600")
        let trust = ["--trust", dir + "/pki/csca.pem"]
        let good = try run("cccd-read", ["--simulated", dir + "/card", "--expect", dir + "/r.json"] + trust)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("Citizen record           passed"))

        // A wrong DG13 field in the record (or on the card, which is the same comparison).
        try FileManager.default.copyItem(atPath: dir + "/r.json", toPath: dir + "/wrong.json")
        try edit(dir + "/wrong.json") { $0["placeOfResidence"] = "Số 9 Ngõ 12 Phố Huế, Hà Nội" }
        let field = try run("cccd-read", ["--simulated", dir + "/card", "--expect", dir + "/wrong.json"] + trust)
        #expect(field.status == 1)
        #expect(field.stdout.contains("DG13 field 9 (place of residence)"))

        // A swapped photo.
        try FileManager.default.copyItem(atPath: dir + "/r.json", toPath: dir + "/photo.json")
        var other = try Data(contentsOf: URL(fileURLWithPath: dir + "/face.jpg"))
        other.insert(contentsOf: [0xFF, 0xFE, 0x00, 0x04, 0x41, 0x42], at: 2)
        try other.write(to: URL(fileURLWithPath: dir + "/other.jpg"))
        try edit(dir + "/photo.json") { $0["photo"] = "other.jpg" }
        let swapped = try run("cccd-read", ["--simulated", dir + "/card", "--expect", dir + "/photo.json"] + trust)
        #expect(swapped.status == 1)
        #expect(swapped.stdout.contains("portrait"))

        // A wrong MRZ check digit on the card: the MRZ differs from the record's and EF.SOD no longer matches DG1.
        var dg1 = try Data(contentsOf: URL(fileURLWithPath: dir + "/card/DG1"))
        let saved = dg1
        dg1[5 + 14] = dg1[5 + 14] == 0x30 ? 0x31 : 0x30  // line 1, the document number's check digit
        try dg1.write(to: URL(fileURLWithPath: dir + "/card/DG1"))
        let digit = try run("cccd-read", ["--simulated", dir + "/card", "--expect", dir + "/r.json", "--doc", "203004567", "--dob", "030902", "--doe", "280902"] + trust)
        #expect(digit.status == 1, "\(digit.stdout)\(digit.stderr)")
        #expect(digit.stdout.contains("check digit for the document number"))
        #expect(digit.stdout.contains("DG1 mismatch"))
        try saved.write(to: URL(fileURLWithPath: dir + "/card/DG1"))

        // An EF.SOD by an untrusted DSC: signed by another PKI, checked against ours.
        try #require(try run("cccd", ["pki", "init", "--out", dir + "/other", "--country", "XX"]).status == 0)
        try #require(try run("cccd", ["perso", "--record", dir + "/r.json", "--pki", dir + "/other", "--out", dir + "/card2"]).status == 0)
        let untrusted = try run("cccd-read", ["--simulated", dir + "/card2", "--expect", dir + "/r.json"] + trust)
        #expect(untrusted.status == 4)
        #expect(untrusted.stdout.contains("issuer-unknown"))

        // A chip whose Active Authentication key was not written.
        try edit(dir + "/card/card.json") { $0.removeValue(forKey: "activeAuthenticationKey") }
        let noAA = try run("cccd-read", ["--simulated", dir + "/card", "--expect", dir + "/r.json"] + trust)
        #expect(noAA.status == 1)
        #expect(noAA.stdout.contains("Active authentication    failed"))
    }

    @Test("A record with a missing or malformed field is refused, naming the field")
    func refusedRecords() throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (key, value, expected) in [
            ("personalID", "07919500123" as Any?, "personalID"), ("dateOfBirth", "31/02/1995", "dateOfBirth"),
            ("sex", "M", "sex"), ("motherName", nil, "motherName"), ("oldIDNumber", "12345", "oldIDNumber"),
        ] {
            try FileManager.default.copyItem(atPath: dir + "/r.json", toPath: dir + "/\(key).json")
            try edit(dir + "/\(key).json") { if let value { $0[key] = value } else { $0.removeValue(forKey: key) } }
            let r = try run("cccd", ["perso", "--record", dir + "/\(key).json", "--pki", dir + "/pki", "--out", dir + "/x-\(key)"])
            #expect(r.status == 2, "\(key)")
            #expect(r.stderr.contains(expected), "\(key): \(r.stderr)")
        }
    }

    @Test("Vietnamese text typed decomposed (NFD) is stored NFC and still matches")
    func normalization() throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try edit(dir + "/r.json") { $0["fullName"] = "Nguyễn Văn Minh".decomposedStringWithCanonicalMapping }
        try #require(try run("cccd", ["perso", "--record", dir + "/r.json", "--pki", dir + "/pki", "--out", dir + "/card"]).status == 0)
        let dg13 = try Data(contentsOf: URL(fileURLWithPath: dir + "/card/DG13"))
        #expect(dg13.range(of: Data("Nguyễn Văn Minh".precomposedStringWithCanonicalMapping.utf8)) != nil)
        let r = try run("cccd-read", ["--simulated", dir + "/card", "--expect", dir + "/r.json", "--trust", dir + "/pki/csca.pem"])
        #expect(r.status == 0, "\(r.stdout)")
    }
}
