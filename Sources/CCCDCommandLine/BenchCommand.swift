import AccessControl
import ArgumentParser
import Cryptography
import EMRTD
import EMRTDCore
import Foundation
import ISO7816
import LDS
import MRZ
import PassiveAuthentication
import Specimen
import VirtualChip

/// `cccd bench`: figures, not pass/fail. Each measured path is printed beside a baseline measured
/// in the same run, so a ratio says something even on a loaded machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure reading the specimen through the virtual chip, the parsers and the primitives.",
        subcommands: [CorpusCommand.self, BatchBenchCommand.self]
    )

    @Option(name: .long, help: "Full reads of the specimen to time.")
    var reads = 200

    @Option(name: .long, help: "Distinct signed card images for the passive-authentication figures.")
    var cards = 200

    @Option(name: .long, help: "Passes over those cards per measurement.")
    var passes = 3

    @Flag(name: .long, help: "Only the passive-authentication figures.")
    var passiveOnly = false

    /// Which Document Signer keys the passive-authentication figures use (one alone for a profile).
    enum SignerKeys: String, ExpressibleByArgument, CaseIterable {
        case both, rsa, ecdsa
    }

    @Option(name: .customLong("pa-keys"), help: "Passive-authentication signer keys: both, rsa (RSA-2048) or ecdsa (brainpoolP256r1).")
    var paKeys: SignerKeys = .both

    func run() throws {
        do {
            if !passiveOnly {
                try measure()
                print("")
            }
            try measurePassiveAuthentication()
        } catch {
            throw fail(error)
        }
    }

    private func measure() throws(EMRTDError) {
        let image = try Specimen.cardImage()
        let key = AccessKey.mrz(MRZKey(mrz: try Specimen.mrz()))
        var open = image
        open.settings.chip.requireAccessControl = false

        print("cccd bench: \(reads) reads of the specimen CCCD (virtual chip, in process)")
        print("")
        // Each secure read is timed twice, without and with the chip checks (Chip and Active
        // Authentication), and its baseline reads exactly the files that read read, in the same
        // order, from the same chip with plain APDUs: the first ratio is secure messaging and access
        // control alone, the second the chip checks alone.
        var bacReader = DocumentReader()
        bacReader.accessControl = .bacOnly
        var paceReader = DocumentReader()
        paceReader.accessControl = .paceOnly
        for (label, configured) in [("BAC + 3DES SM", bacReader), ("PACE-GM bp256 + AES SM", paceReader)] {
            var bare = configured
            bare.chipAuthentication = false
            bare.activeAuthentication = false
            var sample = ReadResult()
            let secure = try time(reads) { () throws(EMRTDError) in
                sample = try bare.read(from: try VirtualChip(image: image), key: key)
            }
            var checked = ReadResult()
            let full = try time(reads) { () throws(EMRTDError) in
                checked = try configured.read(from: try VirtualChip(image: image), key: key)
            }
            let files = sample.outcomes.filter { if case .read = $0.outcome { true } else { false } }.map(\.file)
            let plain = try time(reads) { () throws(EMRTDError) in
                let session = EMRTDSession(channel: try VirtualChip(image: open))
                try session.selectApplication()
                for file in files { _ = try session.readFile(file) }
            }
            let baselineName = "baseline: \(label) files, plain"
            row("read, \(label), no chip checks", secure, unit: "read", baseline: (baselineName, plain))
            row(baselineName, plain, unit: "read", baseline: nil)
            row("read, \(label), with CA and AA", full, unit: "read", baseline: ("read, \(label), no chip checks", secure))
            print("  \(label): \(files.count) files (\(files.map(\.name).joined(separator: " "))); \(sample.statistics.apdus) APDUs, \(sample.statistics.bytes) bytes without checks, \(checked.statistics.apdus) APDUs with; block \(sample.blockSize)")
        }
        print("")

        try measurePACE()
        print("")

        let dg13 = image.files[.dg13]!
        let dg2 = image.files[.dg2]!
        let dg1 = image.files[.dg1]!
        let tlv = try time(20_000) { () throws(EMRTDError) in _ = try BERTLV.validate(dg13) }
        let parse13 = try time(20_000) { () throws(EMRTDError) in _ = try DG13(dg13) }
        let parse2 = try time(20_000) { () throws(EMRTDError) in _ = try DG2.faceImages(from: dg2) }
        let parse1 = try time(20_000) { () throws(EMRTDError) in _ = try DG1(dg1) }
        let walk = "baseline: BER-TLV walk of DG13"
        row(walk, tlv, unit: "op", baseline: nil)
        row("DG13 parse (\(dg13.count) B)", parse13, unit: "op", baseline: (walk, tlv))
        row("DG2 face extraction (\(dg2.count) B)", parse2, unit: "op", baseline: (walk, tlv))
        row("DG1 + MRZ parse", parse1, unit: "op", baseline: (walk, tlv))
        print("")

        let block = [UInt8](repeating: 0x5A, count: 224)
        let k16 = [UInt8](repeating: 0x11, count: 16)
        let sha = try time(20_000) { () throws(EMRTDError) in _ = HashAlgorithm.sha256.hash(block) }
        let mac = try time(20_000) { () throws(EMRTDError) in _ = try LegacyCiphers.RetailMAC.mac(key: k16, block) }
        let des = try time(20_000) { () throws(EMRTDError) in _ = try LegacyCiphers.TripleDES.encryptCBC(key: k16, block) }
        let cmac = try time(20_000) { () throws(EMRTDError) in _ = try AESCMAC.mac(key: k16, block) }
        let aes = try time(20_000) { () throws(EMRTDError) in _ = try AESCipher.encryptCBC(key: k16, iv: k16, block) }
        // Raw ciphers: one OpenSSL context made and keyed once, only the IV reset per operation;
        // the floor for the toolkit's calls, which set up everything per call.
        let raw3DES = try RawCipher.measure("DES-EDE-CBC", key: k16, iv: [UInt8](repeating: 0, count: 8), bytes: block.count, iterations: 20_000)
        let rawAES = try RawCipher.measure("AES-128-CBC", key: k16, iv: k16, bytes: block.count, iterations: 20_000)
        let rawDESName = "baseline: raw 3DES-CBC, 224 B", rawAESName = "baseline: raw AES-128-CBC, 224 B"
        row("SHA-256, 224 B", sha, unit: "op", baseline: nil)
        row(rawDESName, raw3DES, unit: "op", baseline: nil)
        // What secure messaging runs per APDU: contexts keyed once per session (KeyedCipher, KeyedCMAC).
        let secret = SecretBytes(k16)
        let desSession = try KeyedCipher(.tripleDESCBC, key: secret, encrypt: true)
        let aesSession = try KeyedCipher(.aesCBC, key: secret, encrypt: true)
        let cmacSession = try KeyedCMAC(aesKey: secret)
        let desKeyed = try time(20_000) { () throws(EMRTDError) in _ = try desSession(block) }
        let aesKeyed = try time(20_000) { () throws(EMRTDError) in _ = try aesSession(iv: k16, block) }
        let cmacKeyed = try time(20_000) { () throws(EMRTDError) in _ = try cmacSession(block) }
        row("retail MAC (ISO 9797-1 alg. 3), 224 B", mac, unit: "op", baseline: (rawDESName, raw3DES))
        row("3DES-CBC encrypt, 224 B, session context", desKeyed, unit: "op", baseline: (rawDESName, raw3DES))
        row("3DES-CBC encrypt, 224 B, one-shot call", des, unit: "op", baseline: (rawDESName, raw3DES))
        row(rawAESName, rawAES, unit: "op", baseline: nil)
        row("AES-CMAC, 224 B, session context", cmacKeyed, unit: "op", baseline: (rawAESName, rawAES))
        row("AES-128-CBC encrypt, 224 B, session context", aesKeyed, unit: "op", baseline: (rawAESName, rawAES))
        row("AES-CMAC, 224 B, one-shot call", cmac, unit: "op", baseline: (rawAESName, rawAES))
        row("AES-128-CBC encrypt, 224 B, one-shot call", aes, unit: "op", baseline: (rawAESName, rawAES))
    }

    /// The terminal's side of one PACE-ECDH-GM run on brainpoolP256r1 (the CCCD's protocol), against
    /// a recorded chip so only the terminal's work is timed, beside the raw OpenSSL scalar
    /// multiplications that run needs: five (PK.Map, H, s·G, PK.DH on the mapped generator, K).
    private func measurePACE() throws(EMRTDError) {
        let configuration = try PACE.Configuration(mapping: .generic, keyAgreement: .ecdh, cipher: .aes128, parameterID: 13)
        let group = try ECGroup.standard(parameterID: 13)
        let image = try Specimen.cardImage()
        let password = PACE.Password.can(SecretBytes(utf8: image.settings.can ?? ""))
        // Record one run against the virtual chip with fixed terminal ephemerals ...
        let ephemerals = PACE.Ephemerals(mappingPrivateKey: try group.generatePrivateKey(), agreementPrivateKey: try group.generatePrivateKey())
        let recorder = Recorder(try VirtualChip(image: image))
        _ = try PACE.authenticate(on: CardConnection(channel: recorder), password: password, configuration: configuration, ephemerals: ephemerals)
        // ... then replay the chip's answers: the terminal recomputes everything, the chip nothing.
        let runs = max(reads / 4, 20)
        let pace = try time(runs) { () throws(EMRTDError) in
            _ = try PACE.authenticate(
                on: CardConnection(channel: Replayer(recorder.exchanges)), password: password, configuration: configuration, ephemerals: ephemerals)
        }
        let raw = try group.measureRawScalarMultiplication(iterations: runs * 5)
        let rawName = "baseline: 5 raw EC_POINT_mul (OpenSSL)"
        row("PACE-ECDH-GM brainpoolP256r1, terminal", pace, unit: "run", baseline: (rawName, raw * 5))
        row(rawName, raw * 5, unit: "run", baseline: nil)
        print(String(format: "  protocol overhead over its raw EC operations: %+.1f%%", (pace / (raw * 5) - 1) * 100))
        let full = try time(runs) { () throws(EMRTDError) in
            let session = EMRTDSession(channel: try VirtualChip(image: image))
            try session.performPACE(configuration, password: password)
        }
        row("PACE, terminal + virtual chip, in process", full, unit: "run", baseline: (rawName, raw * 5))
    }

    /// Passive authentication of distinct documents (parse EF.SOD, hash the data groups, verify the
    /// SOD signature, the DSC against the CSCA, the CRL) on one and two threads, beside raw OpenSSL
    /// verifications of the same key type: the ECDSA brainpoolP256r1 test PKI of the specimen and an
    /// RSA-2048 PKCS#1 v1.5 PKI made for the run.
    private func measurePassiveAuthentication() throws(EMRTDError) {
        let bench = PassiveAuthenticationBench(cards: max(cards, 2), passes: max(passes, 1))
        print("passive authentication: \(bench.cards) distinct cards, at least \(bench.passes) passes and \(bench.minimumSeconds) s per run, each figure the best of \(PassiveAuthenticationBench.runs) interleaved rounds; raw = PublicKey.isValidSignature (OpenSSL EVP_DigestVerify), 1 per card in the steady state")
        var failures: [String: Int] = [:]
        var verified = 0
        var keys: [(String, DocumentPKI)] = []
        if paKeys != .rsa { keys.append(("ECDSA bp256", Specimen.testPKI)) }
        if paKeys != .ecdsa { keys.append(("RSA-2048", try DocumentPKI.generate(algorithm: .rsa))) }
        for (name, pki) in keys {
            let figures = try bench.measure(name: name, pki: pki, report: row)
            failures.merge(figures.failures) { $0 + $1 }
            verified += figures.verified
        }
        let total = failures.values.reduce(0, +)
        print("  passive authentications not passed: \(total) of \(verified)")
        for (reason, count) in failures.sorted(by: { $0.key < $1.key }) { print("    \(count) x \(reason)") }
    }

    /// Mean seconds per call over `n` calls, after one warm-up call.
    private func time(_ n: Int, _ body: () throws(EMRTDError) -> Void) throws(EMRTDError) -> Double {
        try body()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<max(n, 1) { try body() }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(max(n, 1))
    }

    /// One figure; with a baseline, its ratio to that baseline's figure, naming the baseline's row
    /// (printed in the same run: `BenchTests` checks every ratio against the two printed figures).
    private func row(_ name: String, _ seconds: Double, unit: String, baseline: (name: String, seconds: Double)?) {
        let per = seconds >= 1e-3 ? String(format: "%8.3f ms", seconds * 1e3) : String(format: "%8.2f µs", seconds * 1e6)
        // Names are never cut: a ratio names its baseline's row, which must be found whole.
        var line = "  " + name.padding(toLength: max(42, name.count + 1), withPad: " ", startingAt: 0) + per + "/\(unit)"
        line += String(format: "  %10.0f \(unit)s/s", 1 / seconds)
        if let baseline { line += String(format: "  x%.2f of ", seconds / baseline.seconds) + baseline.name }
        print(line)
    }
}

/// Passes APDUs to a chip and keeps every exchange.
private final class Recorder: CardChannel {
    let chip: VirtualChip
    var exchanges: [[UInt8]] = []
    init(_ chip: VirtualChip) { self.chip = chip }
    var supportsExtendedLength: Bool { false }
    func transmit(_ command: [UInt8]) throws(EMRTDError) -> [UInt8] {
        let response = try chip.transmit(command)
        exchanges.append(response)
        return response
    }
}

/// Answers with recorded responses, in order.
private final class Replayer: CardChannel {
    var responses: [[UInt8]]
    init(_ responses: [[UInt8]]) { self.responses = responses }
    var supportsExtendedLength: Bool { false }
    func transmit(_ command: [UInt8]) throws(EMRTDError) -> [UInt8] {
        guard !responses.isEmpty else { throw EMRTDError(.transport, "the recording has no more answers") }
        return responses.removeFirst()
    }
}
