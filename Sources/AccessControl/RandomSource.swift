public import EMRTDCore
import Cryptography

/// Where the protocols take their nonces and ephemeral keys from. Production code uses
/// ``system``; vector suites inject the published values so the real protocol code reproduces a
/// worked example byte for byte.
public struct RandomSource {
    private var generate: (Int) throws(EMRTDError) -> [UInt8]

    /// A source that answers each request with `generate(count)`.
    public init(_ generate: @escaping (Int) throws(EMRTDError) -> [UInt8]) {
        self.generate = generate
    }

    /// `count` bytes from the source (a nonce such as RND.IFD, or a key such as K.IFD); throws when it
    /// gives another number of bytes.
    public func bytes(_ count: Int) throws(EMRTDError) -> [UInt8] {
        let out = try generate(count)
        guard out.count == count else {
            throw EMRTDError(.invalidArgument, "random source gave \(out.count) bytes where \(count) were needed")
        }
        return out
    }

    /// The operating system's generator, through OpenSSL.
    public static var system: RandomSource {
        RandomSource { (count: Int) throws(EMRTDError) -> [UInt8] in try SecureRandom.bytes(count) }
    }

    /// Replays the given values in order, one per request (test vectors).
    public static func replaying(_ values: [[UInt8]]) -> RandomSource {
        final class Queue { var values: [[UInt8]]; init(_ v: [[UInt8]]) { values = v } }
        let queue = Queue(values)
        return RandomSource { (count: Int) throws(EMRTDError) -> [UInt8] in
            guard !queue.values.isEmpty else {
                throw EMRTDError(.invalidArgument, "replayed random source is exhausted")
            }
            return queue.values.removeFirst()
        }
    }
}
