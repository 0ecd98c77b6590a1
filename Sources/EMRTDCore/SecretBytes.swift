/// Key material: MRZ-derived keys, the CAN, session keys.
///
/// Its `description` is redacted so a secret cannot reach a log or an error message by accident,
/// and the storage is overwritten with zeros when the last copy goes away.
public struct SecretBytes: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private final class Storage: @unchecked Sendable {
        // Written only in init and deinit; never shared mutably.
        var bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        deinit {
            bytes.withUnsafeMutableBufferPointer { buf in
                for i in buf.indices { buf[i] = 0 }
            }
        }
    }

    private let storage: Storage

    public init(_ bytes: [UInt8]) { storage = Storage(bytes) }

    /// The raw bytes, for the cryptographic primitive that needs them.
    public var bytes: [UInt8] { storage.bytes }
    public var count: Int { storage.bytes.count }

    public var description: String { "<secret: \(count) bytes>" }
    public var debugDescription: String { description }
}
