import ArgumentParser
import Cryptography
import EMRTDCore
import Foundation
import PassiveAuthentication

/// `cccd bench corpus`: signed documents to re-verify in bulk (`cccd verify --batch`), under several
/// Document Signers of both key types, so a per-signer cache is exercised as in a real archive.
struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Write N signed EF.SOD files under several DSCs (RSA-2048 and ECDSA brainpoolP256r1) and their CSCAs.",
        discussion: """
            DIR/documents/NNNN/NNNNNNN.sod are the documents (EF.SOD alone: signature, chain and CRL are checked;
            data groups are hashed from generated MRZs), DIR/trust/ the two CSCAs and their CRLs. Every 1000th
            document is tampered with (one byte of its signature), so a run has failures to find.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The folder to create.", valueName: "DIR"))
    var out: String

    @Option(name: .long, help: ArgumentHelp("How many documents.", valueName: "N"))
    var count = 100_000

    @Option(name: .long, help: ArgumentHelp("Document Signers per key type.", valueName: "N"))
    var signers = 3

    func run() throws {
        guard count > 0, signers > 0 else { throw ValidationError("--count and --signers take 1 or more") }
        let fm = FileManager.default
        if fm.fileExists(atPath: out) { throw fail(EMRTDError(.invalidArgument, "\(out) exists; choose a new folder")) }
        do {
            var pkis: [DocumentPKI] = []
            for algorithm in [DocumentPKI.Algorithm.rsa, .ecdsaBrainpoolP256r1] {
                let root = try DocumentPKI.generate(algorithm: algorithm, country: "VN")
                try root.write(to: "\(out)/trust/\(algorithm.rawValue)")
                // The signer's key files stay out of trust/: only the CSCAs and CRLs are trusted.
                for name in [DocumentPKI.files.dsc, DocumentPKI.files.dscKey, DocumentPKI.files.cscaKey] {
                    try? fm.removeItem(atPath: "\(out)/trust/\(algorithm.rawValue)/\(name)")
                }
                pkis.append(root)
                for n in 1..<signers {
                    let (dsc, key) = try DocumentPKI.issueDocumentSigner(
                        csca: root.csca, cscaKey: root.cscaKey!, algorithm: algorithm, notBefore: root.csca.notBefore,
                        notAfter: root.dsc.notAfter, commonName: "Document Signer TEST \(n + 1)")
                    pkis.append(DocumentPKI(csca: root.csca, cscaKey: nil, dsc: dsc, dscKey: key, crl: root.crl, scheme: root.scheme))
                }
            }
            let started = Date()
            for i in 0..<count {
                let pki = pkis[i % pkis.count]
                let number = String(format: "%09d", i)
                let dg1 = Array("P<VNM\(number)".utf8)
                var sod = try pki.signSecurityObject(dataGroups: [1: dg1, 2: Array((0..<64).map { UInt8(truncatingIfNeeded: i &+ $0) })])
                if i % 1000 == 999 { sod[sod.count - 5] ^= 0x01 }
                let folder = String(format: "%@/documents/%04d", out, i / 1000)
                if i % 1000 == 0 { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) }
                guard fm.createFile(atPath: "\(folder)/\(String(format: "%07d", i)).sod", contents: Data(sod)) else {
                    throw EMRTDError(.io, "cannot write into \(folder)")
                }
                if standardErrorIsTerminal && i % 1000 == 999 { printError("\r\(i + 1) documents", terminator: "") }
            }
            if standardErrorIsTerminal { printError("\r\u{1B}[K", terminator: "") }
            print(String(format: "corpus: %d EF.SOD files under %d DSCs (RSA-2048 and ECDSA brainpoolP256r1) in %@/documents, CSCAs and CRLs in %@/trust (%.0f s)",
                         count, pkis.count, out, out, Date().timeIntervalSince(started)))
        } catch let error as EMRTDError {
            throw fail(error)
        }
    }
}
