import EMRTDCore

/// A JSON value, so suites can carry whatever inputs their kind needs.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Decodes any JSON value; every number becomes a `Double`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// Encodes the value back as the JSON it came from.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// The member `key` of an object; nil when it is absent or this is not an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The text of a string; nil for any other value.
    public var string: String? { if case .string(let s) = self { return s }; return nil }
    /// The elements of an array; nil for any other value.
    public var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    /// A number that is a whole `Int`; nil for a fraction or any other value.
    public var int: Int? { if case .number(let n) = self, let i = Int(exactly: n) { return i }; return nil }
}

/// The keys a case's kind has read, so the runner can fail a case whose `expected` holds a key that
/// no comparison used (a typo in a third-party suite would otherwise pass unnoticed).
final class ReadKeys {
    private(set) var paths: Set<String> = []

    func insert(_ path: String) { paths.insert(path) }

    /// The keys of `value` (an object at `context`), and of the objects in the arrays read from it,
    /// that were never read, as paths relative to `context` (`kEnc`, `steps[1].protectedComand`).
    func unread(in value: JSONValue, context: String) -> [String] {
        var found: [String] = []
        func walk(_ value: JSONValue, _ path: String) {
            guard case .object(let object) = value else { return }
            for key in object.keys.sorted() {
                let keyPath = "\(path).\(key)"
                guard paths.contains(keyPath) else {
                    found.append(String(keyPath.dropFirst(context.count + 1)))
                    continue
                }
                for (i, item) in (object[key]?.array ?? []).enumerated() { walk(item, "\(keyPath)[\(i)]") }
            }
        }
        walk(value, context)
        return found
    }
}

/// Typed access to a case's fields with errors that name the missing field. With `read`, every key
/// asked for (present or not) is recorded there, and so are the keys of the lists it hands out.
struct Fields {
    let value: JSONValue
    let context: String
    var read: ReadKeys? = nil

    private func mark(_ key: String) { read?.insert("\(context).\(key)") }

    func string(_ key: String) throws(EMRTDError) -> String {
        mark(key)
        guard let s = value[key]?.string else {
            throw EMRTDError(.vectorSuiteInvalid, "\(context): missing string field \"\(key)\"")
        }
        return s
    }

    func optionalString(_ key: String) -> String? {
        mark(key)
        return value[key]?.string
    }

    func optionalBool(_ key: String) -> Bool? {
        mark(key)
        if case .bool(let b)? = value[key] { return b }
        return nil
    }

    func bytes(_ key: String) throws(EMRTDError) -> [UInt8] {
        let text = try string(key)
        do {
            return try Hex.decode(text)
        } catch {
            throw EMRTDError(.vectorSuiteInvalid, "\(context): field \"\(key)\" is not hex")
        }
    }

    func optionalBytes(_ key: String) throws(EMRTDError) -> [UInt8]? {
        mark(key)
        guard value[key] != nil else { return nil }
        return try bytes(key)
    }

    func list(_ key: String) throws(EMRTDError) -> [Fields] {
        mark(key)
        guard let a = value[key]?.array else {
            throw EMRTDError(.vectorSuiteInvalid, "\(context): missing array field \"\(key)\"")
        }
        return a.enumerated().map { Fields(value: $1, context: "\(context).\(key)[\($0)]", read: read) }
    }
}
