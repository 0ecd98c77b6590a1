import ArgumentParser
import EMRTDCore
import Cryptography
import Foundation
import PKCS11
import PassiveAuthentication

/// `cccd pki`: a test PKI for signing card images.
struct PKICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki",
        abstract: "Make a test PKI: a CSCA, a document signer and a CRL.",
        subcommands: [PKIInitCommand.self, PKICheckCommand.self]
    )
}

struct PKIInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a CSCA, a DSC and a CRL in DIR: csca.pem, csca.key, dsc.pem, dsc.key (mode 0600), crl.pem.",
        discussion: """
            Without --pkcs11 the keys are unprotected files: for tests and personalization trials only. With
            --pkcs11 pkcs11:token=…;object=… the DSC's key pair is generated inside the token (sensitive, not
            extractable) and only the DSC certificate is written; cccd perso --signer signs with it there.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Generate the DSC key in this PKCS #11 token (RFC 7512 URI; ECDSA algorithms).", valueName: "URI"))
    var pkcs11: String?

    @OptionGroup var pin: PINOptions

    @Option(name: .long, help: ArgumentHelp("The directory to create.", valueName: "DIR"))
    var out: String

    @Option(name: .long, help: ArgumentHelp("Key type and signature scheme: \(DocumentPKI.Algorithm.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "ALGORITHM"))
    var algorithm: String = DocumentPKI.Algorithm.ecdsaBrainpoolP256r1.rawValue

    @Option(name: .long, help: ArgumentHelp("The issuing state (two letters).", valueName: "CC"))
    var country = "VN"

    @Option(name: .long, help: ArgumentHelp("Start of validity (default: yesterday).", valueName: "YYYY-MM-DD"))
    var notBefore: String?

    func run() throws {
        guard let algorithm = DocumentPKI.Algorithm(rawValue: algorithm) else {
            throw ValidationError("unknown --algorithm \(algorithm); one of: \(DocumentPKI.Algorithm.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard country.count == 2, country.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw ValidationError("--country takes two capital letters, e.g. VN")
        }
        do {
            if FileManager.default.fileExists(atPath: (out as NSString).appendingPathComponent(DocumentPKI.files.dscKey)) {
                throw EMRTDError(.invalidArgument, "\(out) already holds a PKI; choose another directory")
            }
            var start = Date().addingTimeInterval(-86_400)
            if let notBefore { start = try CommonOptions.day(notBefore, option: "--not-before") }
            var signer: (any SigningKey)? = nil
            var token: PKCS11Token? = nil
            if let pkcs11 {
                guard case .ec(let curve) = algorithm.keySpec else {
                    throw EMRTDError(.invalidArgument, "--pkcs11 generates ECDSA keys: choose an ecdsa-… --algorithm")
                }
                let (opened, uri) = try TokenKey.open(pkcs11, pin: pin)
                token = opened
                signer = try opened.generateECKey(uri, curve: curve)
            }
            let pki = try DocumentPKI.generate(algorithm: algorithm, country: country, notBefore: start, documentSignerKey: signer)
            try pki.write(to: out)
            print("Test PKI (\(algorithm.rawValue)) written to \(out)")
            if let signer, let token { print("  DSC key generated in the token \(token.label): \(signer) (no key file written)") }
            print("  CSCA  \(pki.csca.subject), valid until \(pki.csca.notAfter)")
            print("  DSC   \(pki.dsc.subject), valid until \(pki.dsc.notAfter)")
            print("  CRL   next update \(pki.crl.nextUpdate.map { "\($0)" } ?? "-")")
        } catch let error as EMRTDError {
            throw fail(error)
        }
    }
}

/// `cccd pki check --signer URI`: what the token says of a signing key, and a signature made with it.
struct PKICheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a key in a PKCS #11 token: sensitive, not extractable, its value unreadable, and it signs.",
        discussion: "Exit status 1 when the key could leave the token (extractable, or not sensitive)."
    )

    @Option(name: .long, help: ArgumentHelp("The key: a PKCS #11 URI (RFC 7512).", valueName: "URI"))
    var signer: String

    @OptionGroup var pin: PINOptions

    func run() throws {
        var safe = false
        do throws(EMRTDError) {
            let (token, uri) = try TokenKey.open(signer, pin: pin)
            let key = try token.key(uri)
            let protection = try token.protection(of: key)
            let message = Array("cccd pki check".utf8)
            let scheme = SignatureScheme.ecdsa(.sha256, encoding: .der)
            let signature = try key.signature(for: message, scheme: scheme)
            let verified = try key.publicKey.isValidSignature(signature, for: message, scheme: scheme)
            print("\(key)")
            print("  sensitive: \(protection.sensitive ? "yes" : "NO"); extractable: \(protection.extractable ? "YES" : "no"); reading its value: \(protection.valueRead)")
            print("  a test signature (ECDSA-SHA256): \(verified ? "verified with the public key" : "DOES NOT VERIFY")")
            safe = !protection.extractable && protection.sensitive && verified
        } catch {
            throw fail(error)
        }
        if !safe { throw ExitCode(1) }
    }
}
