// The batch's JSON line, written directly: JSONEncoder was a fifth of the Swift-side time per
// document in the profile of `cccd verify --batch` (a generic encoder, a keyed container per
// object, a sort per object). The output is byte for byte what
// `JSONEncoder` with `[.sortedKeys, .withoutEscapingSlashes]` gives; `BatchLineJSONTests` compares
// the two on real verifications and on a report with every optional field set.

extension BatchVerifier.Line {
    /// The line as one JSON object, keys sorted, absent optionals left out.
    public var json: String {
        var writer = JSONWriter()
        writer.object { w in
            if let checks { w.key("checks"); w.report(checks) }
            if let code { w.field("code", code) }
            w.field("document", document)
            if let error { w.field("error", error) }
            if let files { w.key("files"); w.array(files) }
            w.field("verdict", verdict)
        }
        return writer.text
    }
}

/// Appends JSON to a string: objects (the caller writes keys in sorted order), arrays and strings
/// escaped as JSONEncoder escapes them (quote, backslash, control characters; `/` and non-ASCII as is).
struct JSONWriter {
    private(set) var text = ""
    private var first = [true]

    init() { text.reserveCapacity(1024) }

    mutating func object(_ body: (inout JSONWriter) -> Void) {
        text.append("{")
        first.append(true)
        body(&self)
        first.removeLast()
        text.append("}")
    }

    mutating func key(_ name: String) {
        if first[first.count - 1] { first[first.count - 1] = false } else { text.append(",") }
        string(name)
        text.append(":")
    }

    mutating func field(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    mutating func array(_ values: [String]) {
        text.append("[")
        for (i, value) in values.enumerated() {
            if i > 0 { text.append(",") }
            string(value)
        }
        text.append("]")
    }

    mutating func string(_ value: String) {
        text.append("\"")
        var plainStart = value.utf8.startIndex
        let utf8 = value.utf8
        var index = plainStart
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 {
                text.append(contentsOf: value[plainStart..<index])
                switch byte {
                case 0x22: text.append("\\\"")
                case 0x5C: text.append("\\\\")
                case 0x08: text.append("\\b")
                case 0x0C: text.append("\\f")
                case 0x0A: text.append("\\n")
                case 0x0D: text.append("\\r")
                case 0x09: text.append("\\t")
                default:
                    let hex = Array("0123456789abcdef")
                    text.append("\\u00")
                    text.append(hex[Int(byte >> 4)])
                    text.append(hex[Int(byte & 0x0F)])
                }
                plainStart = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        text.append(contentsOf: value[plainStart..<utf8.endIndex])
        text.append("\"")
    }

    mutating func check(_ c: VerificationReport.Check) {
        object { w in
            if let code = c.code { w.field("code", code) }
            w.field("reason", c.reason)
            w.field("status", c.status)
        }
    }

    mutating func report(_ r: VerificationReport) {
        object { w in
            w.key("active"); w.check(r.active)
            w.key("chip"); w.check(r.chip)
            if let files = r.files { w.key("files"); w.check(files) }
            w.key("passive")
            w.object { w in
                let p = r.passive
                if let cardSecurity = p.cardSecurity { w.key("cardSecurity"); w.check(cardSecurity) }
                w.field("chain", p.chain)
                if let code = p.code { w.field("code", code) }
                if let csca = p.csca { w.field("csca", csca) }
                w.key("dataGroups")
                w.object { w in
                    for (name, status) in p.dataGroups.sorted(by: { $0.key < $1.key }) { w.field(name, status) }
                }
                w.field("reason", p.reason)
                w.field("signature", p.signature)
                if let signer = p.signer { w.field("signer", signer) }
                w.field("status", p.status)
            }
            if let record = r.record { w.key("record"); w.check(record) }
            if let differences = r.recordDifferences { w.key("recordDifferences"); w.array(differences) }
        }
    }
}
