/// The one error type of the toolkit.
///
/// Like `ASN1Error` in swift-asn1, it is a struct with an opaque, stable ``Code``: callers match on
/// the code (equality compares codes only), new codes never break them, and ``message`` says in
/// plain words what went wrong. Messages never contain key material.
public struct EMRTDError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable identifier such as `tlv.truncated` or `bac.authentication-failed`.
    public struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The part before the first dot: the layer that raised the error (`tlv`, `sm`, `bac`, …).
        public var domain: Substring { rawValue.prefix { $0 != "." } }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }

    public static func == (lhs: EMRTDError, rhs: EMRTDError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

extension EMRTDError.Code {
    /// An argument given by the caller was out of range.
    public static let invalidArgument = Self("argument.invalid")
    /// An input file could not be read or written.
    public static let io = Self("io.failed")
}
