public import EMRTDCore
public import Foundation
import LDS
public import PassiveAuthentication

/// Re-verifies many stored documents (when a DSC is revoked or a CSCA replaced): card images or bare
/// EF.SOD files, streamed from folders or a list, on every core, one JSON line per document.
/// Memory stays flat whatever the count: documents are read one at a time per worker, and only
/// counts are kept.
public final class BatchVerifier: @unchecked Sendable {
    /// One document's line: the contract's fields and the document's name.
    public struct Line: Codable, Sendable {
        /// The card image's folder or the EF.SOD file, as listed.
        public var document: String
        /// `genuine`, `not-genuine`, `unverified`, or `error` (the document could not be loaded).
        public var verdict: String
        /// Every check, as `cccd verify --json` gives them (absent for `error`).
        public var checks: VerificationReport?
        /// The files the document holds (absent for `error`).
        public var files: [String]?
        /// For `error`: what went wrong, and its code.
        public var error: String?
        /// The error's code.
        public var code: String?
    }

    /// The counts at the end.
    public struct Summary: Sendable {
        /// Documents verified (skipped ones not included).
        public var documents = 0
        /// Documents already in the output of an earlier run (`--resume`).
        public var skipped = 0
        /// By verdict.
        public var verdicts: [String: Int] = [:]
        /// By reason code (the first issue of each check that did not pass).
        public var reasons: [String: Int] = [:]
        /// Wall-clock seconds.
        public var seconds = 0.0
    }

    private let trust: TrustStore
    private let date: Date?
    private let lock = NSLock()
    private var summary = Summary()

    /// A verifier against `trust` (CRLs included), checking validity at `date` (nil: now).
    public init(trust: TrustStore, date: Date? = nil) {
        self.trust = trust
        self.date = date
    }

    /// Verifies one document: a card image folder, or a file holding EF.SOD alone.
    public func verify(_ path: String) -> Line {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return Line(document: path, verdict: "error", error: "no such file or folder", code: EMRTDError.Code.io.rawValue)
        }
        let image: CardImage
        do throws(EMRTDError) {
            if isDirectory.boolValue {
                image = try CardImage.load(from: path)
            } else {
                guard let data = FileManager.default.contents(atPath: path) else { throw EMRTDError(.io, "cannot read \(path)") }
                guard data.count <= 1 << 20 else { throw EMRTDError(.io, "\(path): \(data.count) bytes is not an EF.SOD") }
                image = CardImage(files: [.sod: [UInt8](data)])
            }
        } catch {
            return Line(document: path, verdict: "error", error: error.message, code: error.code.rawValue)
        }
        var inspector = Inspector()
        inspector.date = date
        let inspection = inspector.inspect(image, trust: trust, source: path)
        return Line(
            document: path, verdict: inspection.verdict.rawValue, checks: inspection.report.checks,
            files: LDSFile.all.filter { inspection.files[$0] != nil }.map(\.name))
    }

    /// Runs `jobs` workers over `documents` (pulled one at a time, from any thread), skipping those in
    /// `done`, and hands each line, encoded, to `write` (called under a lock, one line at a time).
    /// `progress` gets the count so far now and then.
    public func run<Documents: IteratorProtocol<String>>(
        documents: Documents, skipping done: Done = Done(), jobs: Int,
        write: @escaping @Sendable (String) -> Void, progress: (@Sendable (Int, Double) -> Void)? = nil
    ) -> Summary {
        let source = Source(documents)
        let start = Date()
        let group = DispatchGroup()
        let next: @Sendable () -> String? = { [self] in
            lock.lock()
            defer { lock.unlock() }
            while let path = source.next() {
                if done.contains(path) {
                    summary.skipped += 1
                    continue
                }
                return path
            }
            return nil
        }
        for _ in 0..<max(1, jobs) {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                while let path = next() {
                    let line = verify(path)
                    let json = line.json
                    lock.lock()
                    write(json)
                    summary.documents += 1
                    summary.verdicts[line.verdict, default: 0] += 1
                    for code in Self.reasonCodes(line) { summary.reasons[code, default: 0] += 1 }
                    let count = summary.documents
                    lock.unlock()
                    if count % 500 == 0 { progress?(count, Date().timeIntervalSince(start)) }
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        lock.lock()
        defer { lock.unlock() }
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    /// The documents' iterator, advanced under the verifier's lock only.
    private final class Source<Base: IteratorProtocol<String>>: @unchecked Sendable {
        private var base: Base
        init(_ base: Base) { self.base = base }
        func next() -> String? { base.next() }
    }

    /// What kept a document from genuine, by code.
    static func reasonCodes(_ line: Line) -> [String] {
        if let code = line.code { return [code] }
        guard let checks = line.checks, line.verdict != "genuine" else { return [] }
        var codes: [String] = []
        if checks.passive.status != "passed" { codes.append(checks.passive.code ?? "passive." + checks.passive.status) }
        if let cs = checks.passive.cardSecurity, cs.status != "passed" { codes.append(cs.code ?? "card-security." + cs.status) }
        return codes
    }

    /// The documents under `paths`: each folder holding an EF.SOD is a card image; other folders are
    /// walked (lazily, sorted per folder); a file is a bare EF.SOD.
    public struct Documents: IteratorProtocol, Sendable {
        private var pending: [String]

        /// The documents under `paths`, in order.
        public init(_ paths: [String]) { pending = paths.reversed() }

        /// The next document, walking folders as they come.
        public mutating func next() -> String? {
            while let path = pending.popLast() {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return path }
                guard isDirectory.boolValue else { return path }
                let sod = (path as NSString).appendingPathComponent(LDSFile.sod.name)
                if FileManager.default.fileExists(atPath: sod) { return path }
                let children = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
                    .filter { !$0.hasPrefix(".") }.sorted()
                pending.append(contentsOf: children.reversed().map { (path as NSString).appendingPathComponent($0) })
            }
            return nil
        }
    }
}
