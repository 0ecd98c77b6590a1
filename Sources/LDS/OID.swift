public import EMRTDCore

/// An ASN.1 object identifier, e.g. `0.4.0.127.0.7.2.2.4.2.2`.
///
/// The LDS module's own value type, so that callers need not import an ASN.1 library to compare
/// protocol identifiers.
public struct OID: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let components: [UInt]

    public init(components: [UInt]) { self.components = components }

    /// From dotted text; traps on malformed literals (literals are written by programmers).
    public init(stringLiteral value: String) {
        guard let oid = OID(dotted: value) else { preconditionFailure("malformed OID literal \(value)") }
        self = oid
    }

    /// From dotted text, nil if not made of at least two decimal components.
    public init?(dotted: String) {
        let parts = dotted.split(separator: ".", omittingEmptySubsequences: false)
        var comps: [UInt] = []
        for p in parts {
            guard !p.isEmpty, p.allSatisfy(\.isASCII), let v = UInt(p) else { return nil }
            comps.append(v)
        }
        guard comps.count >= 2 else { return nil }
        components = comps
    }

    /// Decodes the content octets of an OBJECT IDENTIFIER (tag 06), X.690 8.19.
    public init(contentBytes bytes: [UInt8]) throws(EMRTDError) {
        guard !bytes.isEmpty else { throw EMRTDError(.asn1Invalid, "empty object identifier") }
        var subidentifiers: [UInt] = []
        var current: UInt = 0
        var started = false
        for b in bytes {
            if !started && b == 0x80 {
                throw EMRTDError(.asn1Invalid, "object identifier has a non-minimal subidentifier")
            }
            guard current <= UInt.max >> 7 else {
                throw EMRTDError(.asn1Invalid, "object identifier subidentifier too large")
            }
            current = current << 7 | UInt(b & 0x7F)
            started = true
            if b & 0x80 == 0 {
                subidentifiers.append(current)
                current = 0
                started = false
            }
        }
        guard !started else { throw EMRTDError(.asn1Invalid, "object identifier ends inside a subidentifier") }
        let first = subidentifiers[0]
        let head: [UInt] = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80]
        components = head + subidentifiers.dropFirst()
    }

    /// The content octets (without tag and length).
    public var contentBytes: [UInt8] {
        guard components.count >= 2 else { return [] }
        var out: [UInt8] = []
        let subs = [components[0] * 40 + components[1]] + components.dropFirst(2)
        for var v in subs {
            var chunk: [UInt8] = [UInt8(v & 0x7F)]
            v >>= 7
            while v > 0 {
                chunk.insert(UInt8(v & 0x7F) | 0x80, at: 0)
                v >>= 7
            }
            out += chunk
        }
        return out
    }

    /// Dotted form.
    public var description: String { components.map(String.init).joined(separator: ".") }

    /// True if `prefix` is this OID or an ancestor of it.
    public func hasPrefix(_ prefix: OID) -> Bool {
        components.count >= prefix.components.count && Array(components.prefix(prefix.components.count)) == prefix.components
    }
}
