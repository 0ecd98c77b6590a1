import ArgumentParser
import Cryptography
import Dispatch
import EMRTDCore
import Foundation
import Inspection
import PKIX
import PassiveAuthentication

/// `cccd bench batch DIR`: `cccd verify --batch` over a corpus from `cccd bench corpus`, timed, beside
/// the raw signature verifications of the same documents measured in the same run. The raw rate is
/// the ceiling: one OpenSSL `EVP_DigestVerify` per document with its own DSC key, over its own signed
/// attributes, on inputs extracted beforehand, with the corpus's mix of RSA and ECDSA.
struct BatchBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Time cccd verify --batch over a corpus (cccd bench corpus) against the raw verification rate of its documents."
    )

    @Argument(help: ArgumentHelp("A folder made by cccd bench corpus.", valueName: "DIR"))
    var corpus: String

    @Option(name: .long, help: ArgumentHelp("Worker threads, for the batch and for the raw rate.", valueName: "N"))
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    /// One document's signature check, extracted beforehand.
    private struct RawCheck: Sendable {
        let key: PublicKey
        let message: [UInt8]
        let signature: [UInt8]
        let scheme: SignatureScheme
    }

    func run() throws {
        do {
            try measure()
        } catch {
            throw fail(error)
        }
    }

    private func measure() throws(EMRTDError) {
        let trust = try TrustStore(paths: ["\(corpus)/trust"])
        var walker = BatchVerifier.Documents(["\(corpus)/documents"])
        var paths: [String] = []
        while let path = walker.next() { paths.append(path) }
        guard !paths.isEmpty else { throw EMRTDError(.invalidArgument, "\(corpus)/documents holds no document") }
        let jobs = max(1, self.jobs)

        // The raw checks of the first 1,000 documents (the corpus cycles through its signers, so the
        // mix is the corpus's); keys parsed once per signer, as the verifier's cache does.
        var keys: [[UInt8]: PublicKey] = [:]
        var checks: [RawCheck] = []
        for path in paths.prefix(1000) {
            guard let data = FileManager.default.contents(atPath: path) else { throw EMRTDError(.io, "cannot read \(path)") }
            let document = try SecurityObjectDocument([UInt8](data))
            guard let info = document.signedData.signerInfos.first, let dsc = document.signedData.certificates.first,
                  let message = info.signedAttributesForSignature, let digest = HashAlgorithm(oid: info.digestAlgorithm.algorithm)
            else { throw EMRTDError(.invalidArgument, "\(path) is not a corpus document (one DSC, signed attributes)") }
            let key: PublicKey
            if let known = keys[dsc] { key = known } else { key = try X509Certificate(der: dsc).publicKey }
            keys[dsc] = key
            let scheme = try SignatureScheme.fromAlgorithmIdentifier(
                oid: info.signatureAlgorithm.algorithm, parameters: info.signatureAlgorithm.parameters, digest: digest)
            let check = RawCheck(key: key, message: message, signature: info.signature, scheme: scheme)
            // Only signatures that verify (the corpus tampers with every 1000th): the raw rate is that of
            // the work a genuine document costs.
            if (try? key.isValidSignature(check.signature, for: check.message, scheme: check.scheme)) == true { checks.append(check) }
        }
        guard !checks.isEmpty else { throw EMRTDError(.invalidArgument, "none of the first documents of \(corpus) has a valid signature") }
        let sample = checks
        let rawPass: @Sendable () -> Void = {
            for check in sample { _ = try? check.key.isValidSignature(check.signature, for: check.message, scheme: check.scheme) }
        }
        let onePass = PassiveAuthenticationBench.wallClock(rawPass)
        let passes = max(2, Int((1.0 / onePass).rounded(.up)))
        let rawSerial = PassiveAuthenticationBench.wallClock { for _ in 0..<passes { rawPass() } } / Double(passes * sample.count)
        let (rawWall, rawCores) = PassiveAuthenticationBench.wallClockAndCores {
            DispatchQueue.concurrentPerform(iterations: jobs) { _ in for _ in 0..<passes { rawPass() } }
        }
        let rawParallel = rawWall / Double(passes * sample.count * jobs)

        // The batch itself, lines written to a file as a real run writes them.
        let out = "\(corpus)/bench-batch.jsonl"
        guard FileManager.default.createFile(atPath: out, contents: nil), let handle = FileHandle(forWritingAtPath: out) else {
            throw EMRTDError(.io, "cannot write \(out)")
        }
        defer { try? handle.close() }
        let sink = LineSink(handle)
        let verifier = BatchVerifier(trust: trust)
        let cpu0 = PassiveAuthenticationBench.processCPUTime()
        let summary = verifier.run(documents: BatchVerifier.Documents(paths), jobs: jobs, write: { sink.write($0) })
        sink.flush()
        let cores = (PassiveAuthenticationBench.processCPUTime() - cpu0) / summary.seconds
        let rate = Double(summary.documents) / summary.seconds

        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let signers = Set(checks.map(\.key)).count
        print("cccd bench batch: \(summary.documents) documents under \(signers) DSCs, \(jobs) jobs")
        print(String(format: "  verify --batch, %d jobs           %8.0f documents/s  (%.2f cores busy)", jobs, rate, cores))
        print(String(format: "  baseline: raw verify, %d threads   %8.0f documents/s  (%.2f cores busy)", jobs, 1 / rawParallel, rawCores))
        print(String(format: "  baseline: raw verify, 1 thread    %8.0f documents/s", 1 / rawSerial))
        print(String(format: "  batch: %.2f of the raw rate on %d threads (%.1f µs a document against %.1f µs raw, per thread)",
                     rate * rawParallel, jobs, summary.seconds * Double(jobs) / Double(summary.documents) * 1e6, rawParallel * Double(jobs) * 1e6))
        print("  verdicts: " + summary.verdicts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        print(String(format: "  peak resident memory %.1f MB; lines in %@", Double(usage.ru_maxrss) / 1024, out))
    }
}

/// Buffers lines and writes them to a file in blocks (the batch's `write` is called under its lock).
private final class LineSink: @unchecked Sendable {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(_ handle: FileHandle) { self.handle = handle }

    func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
