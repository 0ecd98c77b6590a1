import ArgumentParser
import EMRTDCore
import Foundation
import PassiveAuthentication

/// `cccd pki`: a test PKI for signing card images.
struct PKICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki",
        abstract: "Make a test PKI: a CSCA, a document signer and a CRL.",
        subcommands: [PKIInitCommand.self]
    )
}

struct PKIInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a CSCA, a DSC and a CRL in DIR: csca.pem, csca.key, dsc.pem, dsc.key (mode 0600), crl.pem.",
        discussion: "For tests and personalization trials only: the keys are unprotected files."
    )

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
            let pki = try DocumentPKI.generate(algorithm: algorithm, country: country, notBefore: start)
            try pki.write(to: out)
            print("Test PKI (\(algorithm.rawValue)) written to \(out)")
            print("  CSCA  \(pki.csca.subject), valid until \(pki.csca.notAfter)")
            print("  DSC   \(pki.dsc.subject), valid until \(pki.dsc.notAfter)")
            print("  CRL   next update \(pki.crl.nextUpdate.map { "\($0)" } ?? "-")")
        } catch let error as EMRTDError {
            throw fail(error)
        }
    }
}
