/// The one error type of the toolkit.
///
/// Like `ASN1Error` in swift-asn1, it is a struct with an opaque, stable ``Code``: callers match on
/// the code (equality compares codes only), new codes never break them, and ``message`` says in
/// plain words what went wrong. Messages never contain key material.
public struct EMRTDError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable identifier such as `tlv.truncated` or `bac.authentication-failed`.
    public struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
        /// The identifier, `domain.reason` (e.g. `sm.mac-mismatch`).
        public let rawValue: String
        /// A code with this identifier (the `RawRepresentable` initializer).
        public init(rawValue: String) { self.rawValue = rawValue }
        /// A code with this identifier; each layer declares its own as
        /// `static let smMalformed = Self("sm.malformed")`.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The identifier, as it appears in brackets after an error's message.
        public var description: String { rawValue }

        /// The part before the first dot: the layer that raised the error (`tlv`, `sm`, `bac`, …).
        public var domain: Substring { rawValue.prefix { $0 != "." } }
    }

    /// What went wrong, for callers to match on; the only part equality compares.
    public let code: Code
    /// What went wrong in plain words, naming the file, field or status word; never key material.
    public let message: String

    /// An error with a stable code and a message for people.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message with the code in brackets: `DG1 has no MRZ data object (5F1F) [lds.missing-field]`.
    public var description: String { "\(message) [\(code)]" }

    /// Equal when the codes are equal, whatever the messages say.
    public static func == (lhs: EMRTDError, rhs: EMRTDError) -> Bool { lhs.code == rhs.code }
    /// Hashes the code only, as `==` compares it.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

extension EMRTDError.Code {
    /// An argument given by the caller was out of range.
    public static let invalidArgument = Self("argument.invalid")
    /// An input file could not be read or written.
    public static let io = Self("io.failed")
}
