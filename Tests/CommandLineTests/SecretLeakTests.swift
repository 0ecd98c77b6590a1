import AccessControl
import EMRTDCore
import Foundation
import LDS
import MRZ
import Specimen
import Testing

/// Runs a tool with standard output and error going to files (a `--verbose` trace can fill a pipe
/// long before the other one is drained).
private func runCapturingAll(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let directory = temporaryDirectory()
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let outPath = directory + "/out", errPath = directory + "/err"
    #expect(FileManager.default.createFile(atPath: outPath, contents: nil))
    #expect(FileManager.default.createFile(atPath: errPath, contents: nil))
    let process = Process()
    process.executableURL = binaries.appendingPathComponent(tool)
    process.arguments = arguments
    process.currentDirectoryURL = repositoryRoot
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    try process.run()
    process.waitUntilExit()
    let output = try String(contentsOfFile: outPath, encoding: .utf8) + "\n" + String(contentsOfFile: errPath, encoding: .utf8)
    return (process.terminationStatus, output)
}

/// Key material never reaches standard output or error: not in the `--verbose` APDU trace, not in
/// the JSON, not in an error message, whether the read succeeds, the key is wrong or the chip lies.
@Suite("Secrets stay out of every output")
struct SecretLeakTests {
    /// Every secret of the specimen, as text that could show up in output.
    static func secrets() throws -> [(what: String, text: String)] {
        let image = try Specimen.cardImage()
        let key = MRZKey(mrz: try Specimen.mrz())
        let keys = BAC.accessKeys(for: key)
        var list: [(String, String)] = [
            ("MRZ key seed input (document number, birth and expiry with check digits)", key.keySeedInput),
            ("K_seed", revealed(keys.seed).hex), ("K_enc", revealed(keys.encryption).hex), ("K_mac", revealed(keys.mac).hex),
        ]
        let chipKey = try #require(image.settings.chipAuthenticationKey)
        list.append(("Chip Authentication private key", chipKey))
        let pem = try #require(image.settings.activeAuthenticationKey)
        for line in pem.split(separator: "\n") where !line.hasPrefix("-----") && line.count >= 16 {
            list.append(("Active Authentication private key (PEM line)", String(line)))
        }
        // Lower and upper case hex alike.
        return list.flatMap { [($0.0, $0.1), ($0.0, $0.1.lowercased()), ($0.0, $0.1.uppercased())] }
    }

    static let runs: [[String]] = [
        ["--simulated", "--verbose"],
        ["--simulated", "--verbose", "--json"],
        ["--simulated", "--verbose", "--access", "bac"],
        ["--simulated", "--verbose", "--can", String(Specimen.personalID.suffix(6))],
        // A wrong key: BAC and PACE fail.
        ["--simulated", "--verbose", "--doc", String(Specimen.personalID.suffix(9)), "--dob", "950315", "--doe", Specimen.dateOfExpiry],
        ["--simulated", "--verbose", "--json", "--access", "bac", "--doc", String(Specimen.personalID.suffix(9)), "--dob", "950315", "--doe", Specimen.dateOfExpiry],
        // Lying chips.
        ["--simulated", "--verbose", "--hostile", "read:bad-mac"],
        ["--simulated", "--verbose", "--hostile", "pace-token:junk-9000"],
        ["--simulated", "--verbose", "--access", "bac", "--hostile", "external-authenticate:truncated"],
        ["--simulated", "--verbose", "--json", "--hostile", "ca:no-do8e"],
    ]

    @Test(arguments: runs)
    func noSecretInOutput(arguments: [String]) throws {
        let run = try runCapturingAll("cccd-read", arguments)
        #expect(run.output.count > 100, "the run printed almost nothing: \(run.output)")
        if arguments.contains("--hostile") || arguments.contains("950315") {
            #expect(run.status != 0, "a wrong key or a lying chip read as genuine")
        } else {
            #expect(run.status == 0, "\(run.output.suffix(2000))")
            // A control: the search looks at real output, which holds the document's data.
            #expect(run.output.contains(Specimen.personalID))
        }
        for (what, text) in try Self.secrets() {
            #expect(!run.output.contains(text), "\(what) appears in the output of cccd-read \(arguments.joined(separator: " "))")
        }
        // The CAN is the personal ID's last six digits: the ID and the document number (its last
        // nine) are document data, shown on purpose; the CAN on its own is not.
        let can = String(Specimen.personalID.suffix(6))
        // Hex dumps of ciphertext (the --verbose APDU trace) hold any six digits by chance (one run
        // in a few hundred): the decimal CAN is looked for outside them, and its bytes ("001234" as
        // ASCII, 303031323334) everywhere.
        let withoutID = run.output.replacingOccurrences(of: Specimen.personalID, with: "<ID>")
            .replacingOccurrences(of: String(Specimen.personalID.suffix(9)), with: "<document number>")
            .replacingOccurrences(of: "[0-9A-F]{16,}", with: "<hex>", options: .regularExpression)
        #expect(!withoutID.contains(can), "the CAN appears in the output of cccd-read \(arguments.joined(separator: " "))")
        let canBytes = can.utf8.map { String(format: "%02X", $0) }.joined()
        #expect(!run.output.contains(canBytes), "the CAN's bytes appear in the output of cccd-read \(arguments.joined(separator: " "))")
    }
}

/// A key's bytes, to look for them in outputs (the test's own copy).
func revealed(_ key: SecretBytes) -> [UInt8] {
    key.withUnsafeBytes { Array($0) }
}
