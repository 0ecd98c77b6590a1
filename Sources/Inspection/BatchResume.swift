import Cryptography
public import EMRTDCore
import Foundation

extension BatchVerifier {
    /// The documents an earlier run's output already has (`cccd verify --batch --resume`).
    ///
    /// Each document is kept as the first 128 bits of the SHA-256 of its name, not as the name: 16
    /// bytes a document whatever the path's length, so resuming a run of millions holds tens of
    /// megabytes, not the output file or its paths. (Two names colliding in 128 bits, which would
    /// skip a document, has a probability near 10^-26 for a billion documents.)
    public struct Done: Sendable {
        private var digests: Set<Digest> = []

        /// No document done.
        public init() {}

        /// How many distinct documents are done.
        public var count: Int { digests.count }

        /// Records `document` as done.
        public mutating func insert(_ document: String) { digests.insert(Digest(document)) }

        /// True if `document` is done.
        public func contains(_ document: String) -> Bool { digests.contains(Digest(document)) }

        private struct Digest: Hashable, Sendable {
            let high: UInt64
            let low: UInt64

            init(_ name: String) {
                let hash = HashAlgorithm.sha256.hash(Array(name.utf8))
                var high: UInt64 = 0
                var low: UInt64 = 0
                for i in 0..<8 {
                    high = high << 8 | UInt64(hash[i])
                    low = low << 8 | UInt64(hash[8 + i])
                }
                self.high = high
                self.low = low
            }
        }

        /// The documents `path` (an earlier run's `--out`) has lines for, read a megabyte at a time.
        /// A last line cut short by a kill is removed from the file (its document is verified again),
        /// so the file then holds whole lines only; a line that is not a `--batch` result throws.
        public static func resuming(_ path: String) throws(EMRTDError) -> Done {
            guard let handle = FileHandle(forUpdatingAtPath: path) else { throw EMRTDError(.io, "cannot open \(path) to resume it") }
            defer { try? handle.close() }
            var done = Done()
            var pending: [UInt8] = []
            // Offset just past the last newline seen: where a cut-short line begins.
            var wholeLines: UInt64 = 0
            var offset: UInt64 = 0
            let decoder = JSONDecoder()
            func take(_ line: ArraySlice<UInt8>) throws(EMRTDError) {
                guard let entry = try? decoder.decode(Entry.self, from: Data(line)), entry.verdict != nil || entry.error != nil else {
                    throw EMRTDError(.invalidArgument, "\(path) holds a line that is not a --batch result; resume only the output of cccd verify --batch")
                }
                done.insert(entry.document)
            }
            while true {
                let chunk: Data
                do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                    throw EMRTDError(.io, "cannot read \(path): \(error.localizedDescription)")
                }
                if chunk.isEmpty { break }
                pending.append(contentsOf: chunk)
                offset += UInt64(chunk.count)
                guard let last = pending.lastIndex(of: UInt8(ascii: "\n")) else {
                    // A batch line is a few kilobytes; megabytes without a newline are some other file.
                    guard pending.count <= Self.longestLine else {
                        throw EMRTDError(.invalidArgument, "\(path) has a line of more than \(Self.longestLine >> 20) MB; resume only the output of cccd verify --batch")
                    }
                    continue
                }
                for line in pending[...last].split(separator: UInt8(ascii: "\n")) { try take(line) }
                wholeLines = offset - UInt64(pending.count - last - 1)
                pending.removeSubrange(...last)
            }
            if !pending.isEmpty {
                do { try handle.truncate(atOffset: wholeLines) } catch {
                    throw EMRTDError(.io, "cannot cut the unfinished last line of \(path): \(error.localizedDescription)")
                }
            }
            return done
        }

        /// Longer than any line `--batch` writes (its longest, an error about a long path, is a few KB).
        static let longestLine = 4 << 20

        /// What a line must have to count: the document and its verdict, or the error loading it.
        private struct Entry: Decodable {
            var document: String
            var verdict: String?
            var error: String?
        }
    }
}
