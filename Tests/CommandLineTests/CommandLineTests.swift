import AccessControl
import EMRTDCore
import Foundation
import LDS
import MRZ
import Specimen
import Testing

/// End-to-end tests that run the real executables, as a clerk or a CI job would.
struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
}

let binaries: URL = {
    // The test runner lives beside the products it was built with.
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
}()

let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url
}()

func run(_ tool: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> Run {
    let process = Process()
    process.executableURL = binaries.appendingPathComponent(tool)
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    process.currentDirectoryURL = repositoryRoot
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let stdin = Pipe()
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
}

func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "cccd-test-" + UUID().uuidString
    return path
}

@Suite("cccd-read")
struct ReadCommandTests {
    @Test("Reads the built-in specimen (PACE, or BAC when asked) and shows the holder in UTF-8", arguments: ["auto", "bac"])
    func specimen(access: String) throws {
        let r = try run("cccd-read", ["--simulated", "--access", access])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Trần Thị Ngọc Ánh"))
        #expect(r.stdout.contains("Lê Thị Mai"))
        #expect(r.stdout.contains("IDVNM195001234"))
        #expect(r.stdout.contains("DG2             read"))
        #expect(r.stdout.contains(access == "bac" ? "Card read with BAC" : "Card read with PACE-MRZ id-PACE-ECDH-GM-AES-CBC-CMAC-128 with brainpoolP256r1"))
    }

    @Test("--json carries the same data")
    func json() throws {
        let r = try run("cccd-read", ["--simulated", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let holder = try #require(object["holder"] as? [String: Any])
        #expect(holder["fullName"] as? String == "Trần Thị Ngọc Ánh")
        #expect(holder["personalIDNumber"] as? String == "079195001234")
        let dg13 = try #require(holder["dg13"] as? [String: [String]])
        #expect(dg13["13"] == ["Trần Văn Hùng", "Lê Thị Mai"])
        let stats = try #require(object["stats"] as? [String: Any])
        let total = try #require(stats["total"] as? [String: Any])
        #expect((total["apdus"] as? Int ?? 0) > 5)
        let photo = try #require(object["photo"] as? [String: Any])
        #expect(photo["type"] as? String == "jpeg")
    }

    @Test("A wrong MRZ is refused with a clear message naming 6300, and exit status 3", arguments: ["auto", "bac"])
    func wrongKey(access: String) throws {
        let r = try run("cccd-read", ["--simulated", "--access", access, "--id", "079195009999", "--dob", "950314", "--doe", "350314"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("6300"))
        #expect(r.stderr.contains(access == "bac" ? "bac.authentication-failed" : "pace.authentication-failed"))
        #expect(!r.stdout.contains("Trần"))
    }

    @Test("A 12-digit --doc is a CCCD ID in the wrong option: a warning first, the hint again when the chip refuses it", arguments: ["auto", "bac"])
    func personalIDAsDocumentNumber(access: String) throws {
        let hint = "--doc 079195001234 has 12 digits: it is almost always a CCCD personal ID given in the wrong option; "
            + "try --id 079195001234 (a CCCD document number is the last 9 digits of the 12-digit ID)"
        let refused = access == "bac"
            ? "the chip refused Basic Access Control (6300 (authentication failed)): check the document number, date of birth and date of expiry; \(hint) [bac.authentication-failed]"
            : "the chip refused PACE with the MRZ (6300 (authentication failed)): check the document number, date of birth and date of expiry; \(hint) [pace.authentication-failed]"
        let r = try run("cccd-read", ["--simulated", "--access", access, "--doc", "079195001234", "--dob", "950314", "--doe", "350314"])
        #expect(r.status == 3)
        #expect(r.stderr == "warning: \(hint)\nerror: \(refused)\n")
        // The same card with --id, or with the 9-digit document number: no warning, read.
        for key in [["--id", "079195001234"], ["--doc", "195001234"]] {
            let ok = try run("cccd-read", ["--simulated", "--access", access] + key + ["--dob", "950314", "--doe", "350314"])
            #expect(ok.status == 0, "\(ok.stderr)")
            #expect(ok.stderr == "")
        }
        // A refusal of another key carries no hint.
        let wrong = try run("cccd-read", ["--simulated", "--access", access, "--doc", "195009999", "--dob", "950314", "--doe", "350314"])
        #expect(wrong.status == 3)
        #expect(!wrong.stderr.contains("warning") && !wrong.stderr.contains("--id"))
    }

    @Test("--key-stdin with 12 digits: read as the CCCD ID, said before trying (without echoing it) and again on a refusal")
    func personalIDOnStandardInput() throws {
        let note = "the 12-digit number on standard input is read as a CCCD personal ID (a CCCD document number is the last 9 digits "
            + "of the 12-digit ID); for another document whose number has 12 digits, give its MRZ lines"
        let ok = try run("cccd-read", ["--simulated", "--key-stdin", "--access", "bac"], input: "079195001234 950314 350314\n")
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stderr == "warning: \(note)\n")
        let refused = try run("cccd-read", ["--simulated", "--key-stdin", "--access", "bac"], input: "079195001234 950314 350315\n")
        #expect(refused.status == 3)
        #expect(
            refused.stderr == "warning: \(note)\nerror: the chip refused Basic Access Control (6300 (authentication failed)): "
                + "check the document number, date of birth and date of expiry; \(note) [bac.authentication-failed]\n")
        #expect(!refused.stderr.contains("079195001234") && !refused.stderr.contains("001234"))
        let nine = try run("cccd-read", ["--simulated", "--key-stdin", "--access", "bac"], input: "195001234 950314 350314\n")
        #expect(nine.status == 0 && nine.stderr == "", "\(nine.stderr)")
    }

    @Test("--key-stdin: the CAN, the ID with dates, MRZ lines; garbage is refused without echoing it")
    func keyFromStandardInput() throws {
        let can = try run("cccd-read", ["--simulated", "--key-stdin"], input: "CAN 001234\n")
        #expect(can.status == 0, "\(can.stderr)")
        #expect(can.stdout.contains("PACE-CAN"))
        let id = try run("cccd-read", ["--simulated", "--key-stdin", "--access", "bac"], input: "079195001234 950314 350314\n")
        #expect(id.status == 0, "\(id.stderr)")
        let mrz = try run("cccd-read", ["--simulated", "--key-stdin"], input: "IDVNM1950012347079195001234<<7\n9503146F3503144VNM<<<<<<<<<<<8\nTRAN<<THI<NGOC<ANH<<<<<<<<<<<<\n")
        #expect(mrz.status == 0, "\(mrz.stderr)")
        let bad = try run("cccd-read", ["--simulated", "--key-stdin"], input: "secret-ish garbage\n")
        #expect(bad.status == 2)
        #expect(!bad.stderr.contains("garbage"))
    }

    @Test("PACE with the CAN (right and wrong)")
    func can() throws {
        let ok = try run("cccd-read", ["--simulated", "--can", "001234"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("Card read with PACE-CAN"))
        let wrong = try run("cccd-read", ["--simulated", "--can", "001235"])
        #expect(wrong.status == 3)
        #expect(wrong.stderr.contains("refused PACE with the CAN (6300"))
        let bac = try run("cccd-read", ["--simulated", "--can", "001234", "--access", "bac"])
        #expect(bac.status != 0)
    }

    @Test("A malformed key is a usage error")
    func badKey() throws {
        let r = try run("cccd-read", ["--simulated", "--doc", "12345678", "--dob", "951314", "--doe", "350314"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("date of birth"))
    }

    @Test("specimen --out, then --simulated DIR, --dump and --photo")
    func cardImageRoundTrip() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let made = try run("cccd", ["specimen", "--out", dir + "/card"])
        #expect(made.status == 0, "\(made.stderr)")
        for name in ["EF.COM", "DG1", "DG2", "DG13", "card.json"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/card/" + name), "\(name) missing")
        }
        // Without trust the image reads but stays unverified (4); with the test CSCA it is genuine.
        let unverified = try run("cccd-read", ["--simulated", dir + "/card"])
        #expect(unverified.status == 4, "\(unverified.stderr)")
        #expect(unverified.stdout.contains("VERDICT: UNVERIFIED"))
        let r = try run("cccd-read", ["--simulated", dir + "/card", "--trust", "TestVectors/pki/csca.pem", "--dump", dir + "/dump", "--photo", dir + "/face.jpg"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("VERDICT: GENUINE"))
        let original = try Data(contentsOf: URL(fileURLWithPath: dir + "/card/DG13"))
        let dumped = try Data(contentsOf: URL(fileURLWithPath: dir + "/dump/DG13"))
        #expect(original == dumped)
        let face = try Data(contentsOf: URL(fileURLWithPath: dir + "/face.jpg"))
        #expect(face.prefix(3) == Data([0xFF, 0xD8, 0xFF]))
    }

    @Test("A card with a truncated DG13 is UNVERIFIED (exit 4) with DG13 and the reason named, never GENUINE")
    func truncatedDG13() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try run("cccd", ["specimen", "--out", dir]).status == 0)
        let path = dir + "/DG13"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        let trust = "TestVectors/pki/csca.pem"
        let reason = "DG13: DG13 ends after \(bytes.count / 2) bytes, but its header announces \(bytes.count) [lds.read-failed]"
        let r = try run("cccd-read", ["--simulated", dir, "--trust", trust])
        #expect(r.status == 4, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("VERDICT: UNVERIFIED"))
        #expect(r.stdout.contains("  Files read whole         incomplete\n    - " + reason))
        let j = try run("cccd-read", ["--simulated", dir, "--trust", trust, "--json"])
        #expect(j.status == 4)
        let object = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any]
        #expect(object?["verdict"] as? String == "unverified")
        let checks = object?["checks"] as? [String: Any]
        let files = checks?["files"] as? [String: String]
        #expect(files == ["status": "incomplete", "reason": reason, "code": "lds.read-failed"])
        let inspect = try run("cccd", ["inspect", dir])
        #expect(inspect.status == 2)
        #expect(inspect.stdout.contains("DG13") && inspect.stdout.contains("MALFORMED"))
    }

    @Test("A DG13 claiming 16 MB is refused quickly")
    func hugeDG13() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try run("cccd", ["specimen", "--out", dir]).status == 0)
        try Data([0x6D, 0x84, 0x01, 0x00, 0x00, 0x00, 0x30, 0x00]).write(to: URL(fileURLWithPath: dir + "/DG13"))
        let r = try run("cccd-read", ["--simulated", dir])
        #expect(r.status == 4)
        #expect(r.stdout.contains("- DG13: DG13 announces 16777222 bytes, more than the 1048576 an LDS file may hold [lds.file-too-large]"))
    }
}

@Suite("Secrets stay out of the output")
struct SecretTests {
    @Test("The verbose trace withholds the BAC nonces and cryptograms")
    func traceRedacted() throws {
        let r = try run("cccd-read", ["--simulated", "--verbose", "--access", "bac"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("> 00820000 [42 bytes of access control data withheld]"))
        #expect(r.stderr.contains("< [8 bytes of access control data withheld] 9000"))
        for line in r.stderr.split(separator: "\n") where line.hasPrefix("> 0082") || line.hasPrefix("> 0084") {
            #expect(line.contains("withheld"), "\(line)")
        }
        let pace = try run("cccd-read", ["--simulated", "--verbose"])
        #expect(pace.status == 0)
        for line in pace.stderr.split(separator: "\n") where line.hasPrefix("> 1086") || line.hasPrefix("> 0086") {
            #expect(line.contains("withheld"), "\(line)")
        }
        #expect(pace.stderr.contains("> 10860000 ["))
    }

    @Test("A verbose read prints no access key material")
    func verboseRead() throws {
        let r = try run("cccd-read", ["--simulated", "--verbose", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("> 0CB0"), "the trace shows protected APDUs")
        let keys = BAC.accessKeys(for: MRZKey(mrz: try Specimen.mrz()))
        let output = (r.stdout + r.stderr).uppercased()
        for secret in [revealed(keys.seed), revealed(keys.encryption), revealed(keys.mac)] {
            #expect(!output.contains(secret.hex))
            #expect(!output.contains(secret.prefix(8).hex))
        }
    }
}

@Suite("Hostile text from a chip")
struct HostileTextTests {
    @Test("Control characters and bidi overrides in DG13 are shown escaped, not executed")
    func escapes() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var record = Specimen.record
        record.fullName = "Trần\u{1B}[2J\nFiles\u{202E}OK"
        var image = try Specimen.cardImage()
        image.files[.dg13] = DG13(record: record).raw
        try image.write(to: dir)
        let r = try run("cccd-read", ["--simulated", dir, "--trust", "TestVectors/pki/csca.pem"])
        // DG13 no longer matches EF.SOD: not genuine, and the text is still shown safely.
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains("DG13 mismatch"))
        #expect(!r.stdout.contains("\u{1B}"))
        #expect(!r.stdout.contains("\u{202E}"))
        #expect(r.stdout.contains("Trần\\u{1B}[2J\\u{A}Files\\u{202E}OK"))
    }
}

@Suite("cccd vectors run")
struct VectorCommandTests {
    @Test("The shipped suites pass and the closing line counts them")
    func shipped() throws {
        let r = try run("cccd", ["vectors", "run", "TestVectors"])
        #expect(r.status == 0, "\(r.stdout)")
        let last = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasSuffix("passed, 0 failed"))
        #expect(!last.hasPrefix("0 passed"))
    }

    @Test("A failing case is printed and the exit status is non-zero")
    func failing() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let suite = """
            {"schema": "cccd-toolkit/vector-suite/v1", "suite": "broken", "source": "test",
             "cases": [{"id": "wrong", "kind": "mrz-check-digit", "input": {"field": "690806"}, "expected": {"checkDigit": "2"}}]}
            """
        try suite.write(toFile: dir + "/broken.json", atomically: true, encoding: .utf8)
        let r = try run("cccd", ["vectors", "run", dir])
        #expect(r.status == 1)
        #expect(r.stdout.contains("FAIL broken/wrong"))
        #expect(r.stdout.contains("0 passed, 1 failed"))
    }

    @Test("No suite found is a failure, not a pass")
    func empty() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try run("cccd", ["vectors", "run", dir])
        #expect(r.status == 1)
        #expect(r.stdout.contains("0 passed, 0 failed"))
    }
}
