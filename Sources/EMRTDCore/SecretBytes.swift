#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Key material: MRZ-derived keys, the CAN, session keys.
///
/// Its `description` is redacted so a secret cannot reach a log or an error message by accident,
/// and the storage is overwritten with zeros when the last copy goes away.
public struct SecretBytes: Sendable, CustomStringConvertible, CustomDebugStringConvertible, ExpressibleByStringLiteral {
    /// The bytes live in memory this class allocates itself (not an Array buffer, which copy-on-write
    /// may duplicate or leave behind), so the one copy it owns is the one it wipes.
    private final class Storage: @unchecked Sendable {
        // Written only in init and deinit; never shared mutably.
        let buffer: UnsafeMutableRawBufferPointer
        init(_ bytes: [UInt8]) {
            buffer = .allocate(byteCount: max(bytes.count, 1), alignment: 1)
            buffer.copyBytes(from: bytes)
            count = bytes.count
        }
        init(count: Int) {
            buffer = .allocate(byteCount: max(count, 1), alignment: 1)
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            self.count = count
        }
        let count: Int
        deinit {
            // explicit_bzero (glibc) / memset_s (Darwin): a wipe the optimizer may not drop as a
            // dead store before free.
            #if canImport(Glibc)
            if let base = buffer.baseAddress { explicit_bzero(base, buffer.count) }
            #elseif canImport(Darwin)
            if let base = buffer.baseAddress { _ = memset_s(base, buffer.count, 0, buffer.count) }
            #endif
            buffer.deallocate()
        }
    }

    private let storage: Storage

    /// Copies `bytes` into storage that is wiped when the last copy of this value goes away (the
    /// caller's array is not wiped).
    public init(_ bytes: [UInt8]) { storage = Storage(bytes) }

    /// `count` bytes written in place by `body` (a derived key, a digest), so they never pass
    /// through an array that would outlive this value unwiped.
    public init<E: Error>(count: Int, initializingWith body: (UnsafeMutableRawBufferPointer) throws(E) -> Void) throws(E) {
        storage = Storage(count: count)
        try body(UnsafeMutableRawBufferPointer(rebasing: storage.buffer[0..<count]))
    }

    /// Lends the raw bytes to `body`, for the cryptographic primitive that needs them. The pointer
    /// must not escape `body`; nothing hands out a copy, so the one copy is the one wiped.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage.buffer[0..<storage.count]))
    }

    /// The UTF-8 bytes of `string` (a CAN, a PIN typed or read from standard input). The string
    /// itself is the caller's; from here on the toolkit keeps only this wipeable copy.
    public init(utf8 string: String) { storage = Storage(Array(string.utf8)) }

    /// How many bytes the secret holds (not secret: key lengths are public).
    public var count: Int { storage.count }

    /// `<secret: n bytes>`: the length, never the bytes.
    public var description: String { "<secret: \(count) bytes>" }
    /// Redacted like `description`, so `debugPrint` and `po` show no secret either.
    public var debugDescription: String { description }

    /// A literal's UTF-8 bytes: `AccessKey.can("123456")` in examples and tests.
    public init(stringLiteral value: String) { self.init(utf8: value) }
}
