// X.501 names (RFC 5280, 4.1.2.4) as CSCA, DSC and CRL issuers and subjects carry them, and as a
// SOD's SignerInfo names its signer's issuer.
//
// INTEROP: SignerInfo issuer names can list the RDNs in another order than the certificate, and
// issuers re-encode strings (PrintableString vs UTF8String, case, spaces). Names are therefore
// compared by value: the multiset of (attribute type, normalized value) pairs.

public import EMRTDCore
import EMRTDASN1
public import SwiftASN1

extension EMRTDError.Code {
    /// A distinguished name could not be decoded.
    public static let malformedName = Self("x509.name-malformed")
}

/// An X.501 `Name`: a sequence of relative distinguished names, each a set of attribute values.
///
/// Equality is by value: two names are equal when they hold the same multiset of (attribute type,
/// value) pairs, whatever the order of their RDNs and the string types used, with values compared
/// after trimming, collapsing inner whitespace and ignoring ASCII case. (OpenSSL's `X509_NAME`; not
/// `DistinguishedName`, which swift-certificates declares.)
public struct X509Name: Sendable, Hashable, CustomStringConvertible {
    /// One `AttributeTypeAndValue`.
    public struct Attribute: Sendable, Hashable {
        /// The attribute type (e.g. `2.5.4.3` for commonName).
        public let type: ASN1ObjectIdentifier
        /// The value as text, when it is one of the directory string types; nil otherwise.
        public let value: String?
        /// The DER of the value (tag, length and contents).
        public let encodedValue: [UInt8]

        /// An attribute with a text value: PrintableString for countryName, serialNumber and
        /// dnQualifier when the text allows it, UTF8String otherwise.
        public init(type: ASN1ObjectIdentifier, value: String) {
            self.type = type
            self.value = value
            let printableTypes = [Self.countryName, Self.serialNumber, Self.dnQualifier]
            self.encodedValue = printableTypes.contains(type) && value.utf8.allSatisfy(isPrintableStringCharacter)
                ? DERWriter.printableString(value) : DERWriter.utf8String(value)
        }

        init(type: ASN1ObjectIdentifier, encodedValue: ASN1Node) {
            self.type = type
            self.value = ASN1Reader.name.directoryString(encodedValue)
            self.encodedValue = Array(encodedValue.encodedBytes)
        }

        /// The RFC 4514 short name (`CN`, `O`, `C`, …) or the dotted OID.
        public var typeName: String {
            attributeNames[type] ?? type.description
        }

        /// `id-at-commonName` (2.5.4.3), `CN`.
        public static let commonName = ASN1ObjectIdentifier.NameAttributes.commonName
        /// `id-at-surname` (2.5.4.4), `SN`.
        public static let surname = ASN1ObjectIdentifier.NameAttributes.surname
        /// `id-at-serialNumber` (2.5.4.5): a PrintableString, not the certificate's serial number.
        public static let serialNumber = ASN1ObjectIdentifier.NameAttributes.serialNumber
        /// `id-at-countryName` (2.5.4.6), `C`: two letters (ISO 3166-1 alpha-2), which ICAO 9303-12 requires
        /// in CSCA and DSC names.
        public static let countryName = ASN1ObjectIdentifier.NameAttributes.countryName
        /// `id-at-localityName` (2.5.4.7), `L`.
        public static let localityName = ASN1ObjectIdentifier.NameAttributes.localityName
        /// `id-at-stateOrProvinceName` (2.5.4.8), `ST`.
        public static let stateOrProvinceName = ASN1ObjectIdentifier.NameAttributes.stateOrProvinceName
        /// `id-at-organizationName` (2.5.4.10), `O`.
        public static let organizationName = ASN1ObjectIdentifier.NameAttributes.organizationName
        /// `id-at-organizationalUnitName` (2.5.4.11), `OU`.
        public static let organizationalUnitName = ASN1ObjectIdentifier.NameAttributes.organizationalUnitName
        /// `id-at-dnQualifier` (2.5.4.46): a PrintableString that tells apart entities of the same name.
        public static let dnQualifier = ASN1ObjectIdentifier.NameAttributes.dnQualifier

        /// The key two attributes are compared by.
        var comparisonKey: String {
            let typeText = type.description
            if let value { return typeText + "=" + normalizedForComparison(value) }
            return typeText + "#" + encodedValue.hex
        }
    }

    /// The DER of the `Name`.
    public let der: [UInt8]
    /// The RDNs in encoding order (most significant, usually the country, first).
    public let rdns: [[Attribute]]
    /// Sorted comparison keys of every attribute: the value equality and hashing use.
    private let comparisonKeys: [String]
    /// ``description``, computed at creation.
    private let text: String

    // MARK: Creating

    /// Decodes a DER `Name` (the whole SEQUENCE).
    public init(der: [UInt8]) throws(EMRTDError) {
        let r = ASN1Reader.name
        try self.init(node: try r.parse(der, what: "the distinguished name"))
    }

    /// Decodes a `Name` read from a larger structure.
    init(node: ASN1Node) throws(EMRTDError) {
        let r = ASN1Reader.name
        var rdns: [[Attribute]] = []
        for set in try r.children(node, .sequence, what: "Name") {
            var attributes: [Attribute] = []
            for member in try r.children(set, .set, what: "RelativeDistinguishedName") {
                var pair = try r.fields(member, .sequence, what: "AttributeTypeAndValue")
                let type = try r.oid(try pair.next("type"), what: "AttributeTypeAndValue.type")
                let value = try pair.next("value")
                try pair.finish()
                attributes.append(Attribute(type: type, encodedValue: value))
            }
            guard !attributes.isEmpty else { throw EMRTDError(.malformedName, "an empty RelativeDistinguishedName") }
            rdns.append(attributes)
        }
        self.der = Array(node.encodedBytes)
        self.rdns = rdns
        self.comparisonKeys = rdns.joined().map(\.comparisonKey).sorted()
        self.text = Self.rfc4514(rdns)
    }

    /// A name from RDNs (each a set of attributes), encoded in the given order.
    public init(rdns: [[Attribute]]) {
        // DER orders the members of a SET by their encodings.
        let encodedRDNs = rdns.map { rdn in DERWriter.set(of: rdn.map { DERWriter.sequence([DERWriter.oid($0.type), $0.encodedValue]) }) }
        self.der = DERWriter.sequence(encodedRDNs)
        self.rdns = rdns
        self.comparisonKeys = rdns.joined().map(\.comparisonKey).sorted()
        self.text = Self.rfc4514(rdns)
    }

    /// A name with one attribute per RDN, in the order ICAO Doc 9303-12 certificates use:
    /// C, O, OU, CN, serialNumber (absent ones are left out).
    public init(
        country: String? = nil, organization: String? = nil, organizationalUnit: String? = nil,
        commonName: String? = nil, serialNumber: String? = nil
    ) {
        let pairs: [(ASN1ObjectIdentifier, String?)] = [
            (Attribute.countryName, country), (Attribute.organizationName, organization),
            (Attribute.organizationalUnitName, organizationalUnit), (Attribute.commonName, commonName),
            (Attribute.serialNumber, serialNumber),
        ]
        self.init(rdns: pairs.compactMap { type, value in value.map { [Attribute(type: type, value: $0)] } })
    }

    // MARK: Reading

    /// The text values of every attribute of `type`, in encoding order.
    public func values(of type: ASN1ObjectIdentifier) -> [String] {
        rdns.joined().filter { $0.type == type }.compactMap(\.value)
    }

    /// The countryName (ICAO: the issuing State's two-letter code), if present.
    public var countryCode: String? { values(of: Attribute.countryName).first }

    /// The most specific (last encoded) commonName, if present.
    public var commonName: String? { values(of: Attribute.commonName).last }

    /// RFC 4514 text: RDNs from last to first, `+` between the attributes of one RDN, special
    /// characters escaped, non-string values as `#` and hex.
    public var description: String { text }

    /// RFC 4514 text, made once with the name: a certificate is parsed once per signer but its
    /// names are printed in every document's report (it showed in the profile of `verify --batch`).
    private static func rfc4514(_ rdns: [[Attribute]]) -> String {
        rdns.reversed().map { rdn in
            rdn.map { attribute in
                let value = attribute.value.map(escapeRFC4514) ?? "#" + attribute.encodedValue.hex
                return attribute.typeName + "=" + value
            }.joined(separator: "+")
        }.joined(separator: ", ")
    }

    /// Equal by value: the same (type, normalized value) pairs, whatever the RDN order and string types.
    public static func == (lhs: X509Name, rhs: X509Name) -> Bool {
        lhs.der == rhs.der || lhs.comparisonKeys == rhs.comparisonKeys
    }

    /// Hashes the normalized pairs, as `==` compares them.
    public func hash(into hasher: inout Hasher) { hasher.combine(comparisonKeys) }
}

// MARK: - Strings

private let attributeNames: [ASN1ObjectIdentifier: String] = [
    "2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
    "2.5.4.9": "STREET", "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID",
    "2.5.4.5": "serialNumber", "2.5.4.4": "SN", "2.5.4.42": "GN", "2.5.4.12": "title", "2.5.4.43": "initials",
    "2.5.4.44": "generationQualifier", "2.5.4.46": "dnQualifier", "2.5.4.65": "pseudonym",
    "2.5.4.97": "organizationIdentifier", "2.5.4.17": "postalCode", "1.2.840.113549.1.9.1": "emailAddress",
]

extension ASN1Reader {
    /// The reader of names: failures are `x509.name-malformed`.
    static let name = ASN1Reader(.malformedName, rules: .der)
}

private func isPrintableStringCharacter(_ c: UInt8) -> Bool {
    switch c {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    default:
        return " '()+,-./:=?".utf8.contains(c)
    }
}

/// Trimmed, runs of whitespace collapsed to one space, ASCII letters lowercased.
private func normalizedForComparison(_ value: String) -> String {
    var out = ""
    var pendingSpace = false
    for scalar in value.unicodeScalars {
        if scalar.properties.isWhitespace {
            pendingSpace = !out.isEmpty
            continue
        }
        if pendingSpace { out.unicodeScalars.append(" ") }
        pendingSpace = false
        if ("A"..."Z").contains(scalar) {
            out.unicodeScalars.append(Unicode.Scalar(scalar.value + 32)!)
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// RFC 4514, 2.4 escaping.
private func escapeRFC4514(_ value: String) -> String {
    var out = ""
    let scalars = Array(value.unicodeScalars)
    for (i, scalar) in scalars.enumerated() {
        switch scalar {
        case "\"", "+", ",", ";", "<", ">", "\\":
            out += "\\" + String(scalar)
        case "#" where i == 0, " " where i == 0 || i == scalars.count - 1:
            out += "\\" + String(scalar)
        case "\0":
            out += "\\00"
        default:
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}
