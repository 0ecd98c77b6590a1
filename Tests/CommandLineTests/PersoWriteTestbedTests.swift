import Foundation
import Testing

/// `cccd perso --write` through pcscd: a blank JMRTD passport applet (`cccd sim --blank`) in
/// vpcd's second slot, personalized, locked, read back. Part of the serialized testbed suite.
extension PCSCTestbedTests {
    /// A record with a Vietnamese name and a long address, personalized into a card image.
    func personalized(_ dir: String, id: String = "079305004444") throws -> String {
        try #require(try run("cccd", ["pki", "init", "--out", dir + "/pki"]).status == 0)
        try #require(try run("cccd", ["specimen", "--out", dir + "/spec"]).status == 0)
        try #require(try run("cccd-read", ["--simulated", dir + "/spec", "--photo", dir + "/face.jpg"]).status == 4)
        var record = try #require(try JSONSerialization.jsonObject(with: Data(run("cccd", ["perso", "--example-record"]).stdout.utf8)) as? [String: Any])
        record["personalID"] = id
        record["fullName"] = "Nguyễn Hoàng Bảo Ngọc"
        record["placeOfResidence"] = "Số 12 ngõ 34 phố Hoàng Hoa Thám, Phường Thụy Khuê, Quận Tây Hồ, Thành phố Hà Nội, cạnh Hồ Tây"
        record["photo"] = nil
        try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: dir + "/r.json"))
        let made = try run("cccd", ["perso", "--record", dir + "/r.json", "--photo", dir + "/face.jpg", "--pki", dir + "/pki", "--out", dir + "/card"])
        try #require(made.status == 0, "\(made.stderr)")
        return id
    }

    @Test("perso --write: a blank applet personalized through pcscd and locked reads back genuine; later personalization is refused")
    func persoWrite() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let id = try personalized(dir)

        let blank = try SecondCard(card: nil, extra: ["--blank", "--save", dir + "/saved"])
        defer { blank.stop() }
        let written = try run("cccd", ["perso", "--write", "--reader", "Virtual PCD 00 01", dir + "/card"])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.contains("the card is locked"))
        #expect(written.stdout.contains("BAC key, CAN, Active Authentication modulus, Active Authentication private exponent, Chip Authentication key"))

        let read = try run("cccd-read", ["--reader", "Virtual PCD 00 01", "--can", String(id.suffix(6)), "--expect", dir + "/r.json",
                                         "--trust", dir + "/pki/csca.pem"])
        #expect(read.status == 0, "\(read.stdout)\(read.stderr)")
        #expect(read.stdout.hasPrefix("VERDICT: GENUINE"))
        #expect(read.stdout.contains("Nguyễn Hoàng Bảo Ngọc"))

        // The locked card refuses a second personalization: exit 3, the 6985 named.
        let again = try run("cccd", ["perso", "--write", "--reader", "Virtual PCD 00 01", dir + "/card"])
        #expect(again.status == 3)
        #expect(again.stderr.contains("locked") && again.stderr.contains("6985"), "\(again.stderr)")
        // The chip saved on lock holds exactly the files written.
        for name in ["EF.COM", "EF.SOD", "EF.CardAccess", "DG1", "DG2", "DG13", "DG14", "DG15"] {
            #expect(FileManager.default.contents(atPath: dir + "/saved/" + name) == FileManager.default.contents(atPath: dir + "/card/" + name), "\(name)")
        }
        // Still genuine after the refused attempt.
        let reread = try run("cccd-read", ["--reader", "Virtual PCD 00 01", "--can", String(id.suffix(6)), "--trust", dir + "/pki/csca.pem"])
        #expect(reread.status == 0, "\(reread.stderr)")
    }

    @Test("perso --write without the AA key: the card reads back not genuine, Active Authentication failed")
    func persoWriteWithoutActiveAuthenticationKey() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let id = try personalized(dir, id: "001188005555")
        let blank = try SecondCard(card: nil, extra: ["--blank"])
        defer { blank.stop() }
        let written = try run("cccd", ["perso", "--write", "--reader", "Virtual PCD 00 01", "--omit-key", "aa", dir + "/card"])
        #expect(written.status == 0, "\(written.stderr)")
        let read = try run("cccd-read", ["--reader", "Virtual PCD 00 01", "--can", String(id.suffix(6)), "--json", "--trust", dir + "/pki/csca.pem"])
        #expect(read.status == 1, "\(read.stdout)\(read.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: Any])
        #expect(((object["checks"] as? [String: Any])?["active"] as? [String: Any])?["status"] as? String == "failed")
    }
}
