import EMRTDCore
import Foundation
import PKIX

/// Remembers what does not change between documents of one issuer: the parsed document signer
/// certificate (OpenSSL's key decoding costs more than an RSA verification), whether a DSC is signed
/// by a CSCA, whether a CRL is signed by its CSCA. Keys are the exact DER bytes, so a cached answer
/// is the answer for those bytes; the cache is bounded and shared by every thread.
///
/// `@unchecked Sendable`: both tables are read and written under `lock` only, and what they hold is `Sendable`.
final class VerificationCache: @unchecked Sendable {
    static let shared = VerificationCache()

    /// Entries per table before it is emptied (a station meets few issuers; a hostile input stream
    /// cannot grow memory without bound).
    static let capacity = 512

    private let lock = NSLock()
    private var certificates: [DER: X509Certificate] = [:]
    private var links: [Pair: Bool] = [:]

    /// DER bytes as a key. Equality compares every byte; the hash takes the length, the first 32
    /// bytes and the last 64 (a certificate's or CRL's signature, unique to it), so a lookup costs
    /// one short hash and one `memcmp` rather than hashing a kilobyte of certificate or a large CRL
    /// per card (`[UInt8]`'s own hashing, byte by byte, showed in the profile of a card).
    struct DER: Hashable {
        let bytes: [UInt8]

        func hash(into hasher: inout Hasher) {
            hasher.combine(bytes.count)
            bytes.withUnsafeBytes { all in
                hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: all.prefix(32)))
                hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: all.suffix(64)))
            }
        }

        static func == (lhs: DER, rhs: DER) -> Bool {
            lhs.bytes.count == rhs.bytes.count && lhs.bytes.withUnsafeBytes { a in
                rhs.bytes.withUnsafeBytes { b in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
            }
        }
    }

    private struct Pair: Hashable {
        let child: DER
        let issuer: DER
    }

    /// The certificate for `der`, parsed once.
    func certificate(_ der: [UInt8]) throws(EMRTDError) -> X509Certificate {
        let key = DER(bytes: der)
        if let hit = lock.withLock({ certificates[key] }) { return hit }
        let parsed = try X509Certificate(der: der)
        lock.withLock {
            if certificates.count >= Self.capacity { certificates.removeAll(keepingCapacity: true) }
            certificates[key] = parsed
        }
        return parsed
    }

    /// Whether the object with DER `child` is signed by `issuer`'s key, computed once per pair.
    /// Errors (an unsupported algorithm) count as "not signed", like the callers treat them.
    func isSigned(_ child: [UInt8], by issuer: X509Certificate, verify: () throws(EMRTDError) -> Bool) -> Bool {
        let key = Pair(child: DER(bytes: child), issuer: DER(bytes: issuer.der))
        if let hit = lock.withLock({ links[key] }) { return hit }
        let answer = (try? verify()) ?? false
        lock.withLock {
            if links.count >= Self.capacity { links.removeAll(keepingCapacity: true) }
            links[key] = answer
        }
        return answer
    }
}
