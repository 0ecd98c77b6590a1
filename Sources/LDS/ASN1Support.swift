import EMRTDCore
import Foundation
import SwiftASN1

/// Small, total accessors over swift-asn1's node tree. Every failure becomes `asn1.invalid` with the
/// name of the element being read, so a message says *what* was malformed.
enum ASN1Read {
    static func parse(_ bytes: [UInt8], what: String) throws(EMRTDError) -> ASN1Node {
        do {
            return try BER.parse(bytes)
        } catch {
            throw EMRTDError(.asn1Invalid, "\(what) is not valid BER: \(errorDescription(error))")
        }
    }

    static func children(_ node: ASN1Node, _ identifier: ASN1Identifier, what: String) throws(EMRTDError) -> [ASN1Node] {
        guard node.identifier == identifier else {
            throw EMRTDError(.asn1Invalid, "\(what): expected \(identifier), found \(node.identifier)")
        }
        guard case .constructed(let nodes) = node.content else {
            throw EMRTDError(.asn1Invalid, "\(what) is not constructed")
        }
        return Array(nodes)
    }

    static func primitive(_ node: ASN1Node, _ identifier: ASN1Identifier, what: String) throws(EMRTDError) -> [UInt8] {
        guard node.identifier == identifier else {
            throw EMRTDError(.asn1Invalid, "\(what): expected \(identifier), found \(node.identifier)")
        }
        guard case .primitive(let bytes) = node.content else {
            throw EMRTDError(.asn1Invalid, "\(what) is constructed where a primitive value was expected")
        }
        return Array(bytes)
    }

    static func oid(_ node: ASN1Node, what: String) throws(EMRTDError) -> OID {
        let bytes = try primitive(node, .objectIdentifier, what: what)
        do {
            return try OID(contentBytes: bytes)
        } catch {
            throw EMRTDError(.asn1Invalid, "\(what): \(error.message)")
        }
    }

    /// INTEGER content bytes.
    static func integerBytes(_ node: ASN1Node, what: String) throws(EMRTDError) -> [UInt8] {
        let bytes = try primitive(node, .integer, what: what)
        guard !bytes.isEmpty else { throw EMRTDError(.asn1Invalid, "\(what) is an empty INTEGER") }
        return bytes
    }

    /// A non-negative INTEGER that fits in an `Int`.
    static func int(_ node: ASN1Node, what: String) throws(EMRTDError) -> Int {
        let bytes = try integerBytes(node, what: what)
        guard bytes[0] & 0x80 == 0 else { throw EMRTDError(.asn1Invalid, "\(what) is negative") }
        let magnitude = bytes.drop { $0 == 0 }
        guard magnitude.count <= 7 else { throw EMRTDError(.asn1Invalid, "\(what) is too large (\(bytes.count) bytes)") }
        return magnitude.reduce(0) { $0 << 8 | Int($1) }
    }

    /// Bit length of an unsigned big-endian magnitude (leading zero bytes ignored).
    static func bitLength(_ bytes: [UInt8]) -> Int {
        let magnitude = bytes.drop { $0 == 0 }
        guard let first = magnitude.first else { return 0 }
        return (magnitude.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }

    static func raw(_ node: ASN1Node) -> [UInt8] { Array(node.encodedBytes) }
}

/// What `error` says, fit for a message: swift-asn1's `ASN1Error` by its code and reason
/// (`truncatedASN1Field`, `invalidASN1Object: …`) without the source file and line its description
/// ends with (`SwiftASN1/ASN1.swift:202`); an ``EMRTDError`` by its description; any other error by
/// its description with such `File.swift:123` locations removed. Messages never show where in a
/// dependency an error was raised: every error of another library that reaches a message goes through here.
package func errorDescription(_ error: any Error) -> String {
    if let error = error as? EMRTDError { return error.description }
    let text = withoutSourceLocations(String(describing: error))
    guard let error = error as? ASN1Error else { return text }
    // "ASN1Error.<code>: <reason> <file>:<line>"; the reason may be empty.
    let prefix = "ASN1Error.\(error.code):"
    let reason = text.hasPrefix(prefix) ? text.dropFirst(prefix.count).trimmingPrefix(" ") : ""
    return reason.isEmpty ? "\(error.code)" : "\(error.code): \(reason)"
}

/// `text` without its words of the form `Name.swift:123` (punctuation around them included).
private func withoutSourceLocations(_ text: String) -> String {
    func isLocation(_ word: Substring) -> Bool {
        let trimmed = word.trimmingCharacters(in: .punctuationCharacters.subtracting(CharacterSet(charactersIn: ".:")))
        guard let colon = trimmed.lastIndex(of: ":") else { return false }
        let line = trimmed[trimmed.index(after: colon)...]
        return trimmed[..<colon].hasSuffix(".swift") && !line.isEmpty && line.allSatisfy(\.isASCII) && line.allSatisfy(\.isNumber)
    }
    return text.split(separator: " ").filter { !isLocation($0) }.joined(separator: " ")
}
