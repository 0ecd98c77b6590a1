import EMRTDCore
import ISO7816
import Cryptography
import SecureMessaging
import AccessControl
import MRZ

/// The outcome of one case.
public struct VectorResult: Sendable {
    /// The suite's name (its `suite` key).
    public let suite: String
    /// The case's `id`.
    public let caseID: String
    /// The case's `kind`, such as `bac-keys` or `pace`.
    public let kind: String
    /// Where the case's values are published (document, section, page).
    public let source: String
    /// Empty when the case passed; otherwise every mismatch, each naming the value.
    public let failures: [String]

    /// Whether every compared value matched.
    public var passed: Bool { failures.isEmpty }
}

/// Runs vector cases against the real protocol code. Each kind drives the production path
/// (key derivation, BAC over a scripted card, secure messaging on both sides) with the published
/// inputs injected and compares every published output byte for byte.
public enum VectorRunner {
    /// The kinds this runner knows.
    public static let kinds: [String] = [
        "mrz-check-digit", "mrz-parse", "bac-keys", "kdf", "bac-mutual-authentication", "sm-transcript", "pace",
    ]

    /// Runs the cases of `suite` whose ID is or contains `caseFilter` (every case without one), in file order.
    public static func run(_ suite: VectorSuite, caseFilter: String? = nil) -> [VectorResult] {
        suite.cases
            .filter { caseFilter == nil || $0.id == caseFilter || $0.id.contains(caseFilter!) }
            .map { run($0, suite: suite.name) }
    }

    /// Runs one case of the suite named `suite`: a case of an unknown kind, a case that compares nothing,
    /// and an `expected` key no comparison read all fail.
    public static func run(_ vector: VectorSuite.Case, suite: String) -> VectorResult {
        var check = Checker()
        let input = Fields(value: vector.input, context: "\(vector.id).input")
        let read = ReadKeys()
        let expected = Fields(value: vector.expected, context: "\(vector.id).expected", read: read)
        do throws(EMRTDError) {
            switch vector.kind {
            case "mrz-check-digit": try mrzCheckDigit(input, expected, &check)
            case "mrz-parse": try mrzParse(input, expected, &check)
            case "bac-keys": try bacKeys(input, expected, &check)
            case "kdf": try kdf(input, expected, &check)
            case "bac-mutual-authentication": try bacMutualAuthentication(input, expected, &check)
            case "sm-transcript": try smTranscript(input, expected, &check)
            case "pace": try pace(input, expected, &check)
            default:
                check.fail("unknown kind \"\(vector.kind)\" (known: \(kinds.joined(separator: ", ")))")
                return VectorResult(suite: suite, caseID: vector.id, kind: vector.kind, source: vector.source, failures: check.failures)
            }
            // A key the kind never read was compared with nothing: a typo must not pass.
            for key in read.unread(in: vector.expected, context: expected.context) {
                check.fail("expected \"\(key)\" is not compared by kind \"\(vector.kind)\"")
            }
            if check.comparisons == 0 && check.failures.isEmpty {
                check.fail("the case compares nothing: its expected gives no value kind \"\(vector.kind)\" compares")
            }
        } catch {
            check.fail("error: \(error)")
        }
        return VectorResult(suite: suite, caseID: vector.id, kind: vector.kind, source: vector.source, failures: check.failures)
    }

    // MARK: - Kinds

    static func mrzCheckDigit(_ input: Fields, _ expected: Fields, _ check: inout Checker) throws(EMRTDError) {
        let field = try input.string("field")
        let digit = try CheckDigit.compute(field)
        check.equal("check digit of \(field)", String(digit), try expected.string("checkDigit"))
    }

    static func mrzParse(_ input: Fields, _ expected: Fields, _ check: inout Checker) throws(EMRTDError) {
        let text = try input.string("mrz")
        if let code = expected.optionalString("error") {
            do {
                _ = try MRZ(text)
                check.fail("MRZ parsed, expected error \(code)")
            } catch {
                check.equal("error code", error.code.rawValue, code)
            }
            return
        }
        let mrz = try MRZ(text)
        let key = MRZKey(mrz: mrz)
        for (name, actual) in [
            ("documentNumber", mrz.documentNumber), ("dateOfBirth", mrz.dateOfBirth),
            ("dateOfExpiry", mrz.dateOfExpiry), ("keySeedInput", key.keySeedInput),
        ] {
            if let want = expected.optionalString(name) { check.equal(name, actual, want) }
        }
    }

    static func mrzKey(_ input: Fields) throws(EMRTDError) -> MRZKey {
        if let text = input.optionalString("mrz") { return MRZKey(mrz: try MRZ(text)) }
        return try MRZKey(
            documentNumber: input.string("documentNumber"),
            dateOfBirth: input.string("dateOfBirth"),
            dateOfExpiry: input.string("dateOfExpiry")
        )
    }

    static func bacKeys(_ input: Fields, _ expected: Fields, _ check: inout Checker) throws(EMRTDError) {
        let key = try mrzKey(input)
        if let info = expected.optionalString("mrzInformation") { check.equal("MRZ information", key.keySeedInput, info) }
        let keys = BAC.accessKeys(for: key)
        var compared = 0
        for (name, actual, field) in [
            ("K_seed", revealed(keys.seed), "kSeed"), ("K_enc", revealed(keys.encryption), "kEnc"), ("K_mac", revealed(keys.mac), "kMac"),
        ] {
            guard let want = try expected.optionalBytes(field) else { continue }
            check.bytes(name, actual, want)
            compared += 1
        }
        if compared == 0 { check.fail("a bac-keys case must give kSeed, kEnc or kMac") }
    }

    static func cipher(_ name: String) throws(EMRTDError) -> KeyDerivation.Cipher {
        switch name {
        case "3DES": return .tripleDES
        case "AES-128": return .aes128
        case "AES-192": return .aes192
        case "AES-256": return .aes256
        default: throw EMRTDError(.vectorSuiteInvalid, "unknown cipher \(name)")
        }
    }

    static func kdf(_ input: Fields, _ expected: Fields, _ check: inout Checker) throws(EMRTDError) {
        let secret = try input.bytes("secret")
        let purpose: KeyDerivation.Purpose
        switch try input.string("purpose") {
        case "enc": purpose = .encryption
        case "mac": purpose = .mac
        case "pi": purpose = .password
        case let other: throw EMRTDError(.vectorSuiteInvalid, "unknown KDF purpose \(other)")
        }
        let key = KeyDerivation.derive(secret: secret, purpose: purpose, cipher: try cipher(input.string("cipher")))
        check.bytes("derived key", key, try expected.bytes("key"))
    }

    static func bacMutualAuthentication(_ input: Fields, _ expected: Fields, _ check: inout Checker) throws(EMRTDError) {
        let key = try mrzKey(input)
        let card = ScriptedCard(
            steps: try input.list("transcript").map { (s: Fields) throws(EMRTDError) in
                (try s.bytes("command"), try s.bytes("response"))
            }
        )
        let random = RandomSource.replaying([try input.bytes("rndIFD"), try input.bytes("kIFD")])
        let session = try BAC.authenticate(on: CardConnection(channel: card), keys: BAC.accessKeys(for: key), random: random)
        check.failures += card.mismatches
        check.equal("commands sent", card.position, card.steps.count)
        check.bytes("KS_enc", revealed(session.sessionEncryptionKey), try expected.bytes("ksEnc"))
        check.bytes("KS_mac", revealed(session.sessionMACKey), try expected.bytes("ksMac"))
        check.bytes("SSC", session.sendSequenceCounter, try expected.bytes("ssc"))
    }

    static func smTranscript(_ input: Fields, _ expected: Fields, _ check: inout Checker) throws(EMRTDError) {
        let algorithm: SecureMessaging.Algorithm
        switch try input.string("algorithm") {
        case "3DES": algorithm = .tripleDES
        case "AES": algorithm = .aes
        case let other: throw EMRTDError(.vectorSuiteInvalid, "unknown SM algorithm \(other)")
        }
        let kEnc = SecretBytes(try input.bytes("ksEnc"))
        let kMac = SecretBytes(try input.bytes("ksMac"))
        func start(_ ssc: [UInt8]) throws(EMRTDError) -> SecureMessaging {
            try SecureMessaging(algorithm: algorithm, encryptionKey: kEnc, macKey: kMac, sendSequenceCounter: ssc)
        }
        // Terminal and chip each keep their own counter, as on a real link.
        var terminal = try start(try input.bytes("ssc"))
        var chip = try start(try input.bytes("ssc"))
        for (i, step) in try expected.list("steps").enumerated() {
            let label = step.optionalString("name") ?? "step \(i + 1)"
            if let ssc = try step.optionalBytes("ssc") {
                terminal = try start(ssc)
                chip = try start(ssc)
            }
            if let plain = try step.optionalBytes("command") {
                let command = try CommandAPDU(bytes: plain)
                let protected = try terminal.protect(command)
                if let want = try step.optionalBytes("protectedCommand") {
                    check.bytes("\(label): protected command", try protected.encoded(), want)
                    let unwrapped = try chip.unprotectCommand(try CommandAPDU(bytes: want))
                    check.bytes("\(label): command as the chip decodes it", try unwrapped.encoded(), plain)
                }
            }
            if let wire = try step.optionalBytes("protectedResponse") {
                let plain = try terminal.unprotect(try ResponseAPDU(bytes: wire))
                let want = try step.bytes("response")
                check.bytes("\(label): unprotected response", plain.encoded, want)
                if step.optionalBool("chipSide") != false {
                    let reprotected = try chip.protectResponse(try ResponseAPDU(bytes: want))
                    check.bytes("\(label): response as the chip protects it", reprotected.encoded, wire)
                }
            }
        }
    }
}

/// Collects mismatches with the name of each value.
struct Checker {
    var failures: [String] = []
    /// How many values were compared (a case that compares none proves nothing).
    var comparisons = 0

    mutating func fail(_ message: String) { failures.append(message) }

    mutating func bytes(_ name: String, _ actual: [UInt8], _ expected: [UInt8]) {
        comparisons += 1
        if actual != expected { failures.append("\(name): got \(actual.hex), expected \(expected.hex)") }
    }

    mutating func equal<T: Equatable>(_ name: String, _ actual: T, _ expected: T) {
        comparisons += 1
        if actual != expected { failures.append("\(name): got \(actual), expected \(expected)") }
    }
}

/// A card that answers from a published transcript and records every command that differs.
final class ScriptedCard: CardChannel {
    let steps: [(command: [UInt8], response: [UInt8])]
    var position = 0
    var mismatches: [String] = []

    init(steps: [([UInt8], [UInt8])]) { self.steps = steps.map { (command: $0.0, response: $0.1) } }

    var supportsExtendedLength: Bool { false }

    func transmit(_ command: [UInt8]) throws(EMRTDError) -> [UInt8] {
        guard position < steps.count else {
            throw EMRTDError(.transport, "the transcript has no step \(position + 1)")
        }
        let step = steps[position]
        position += 1
        if command != step.command {
            mismatches.append("command \(position): sent \(command.hex), transcript has \(step.command.hex)")
        }
        return step.response
    }
}

/// The bytes of a key a published example derives, to compare with the example's: the one place
/// where a key leaves its wipeable storage on purpose (keys of public test vectors, never a card's).
func revealed(_ key: SecretBytes) -> [UInt8] {
    key.withUnsafeBytes { Array($0) }
}
