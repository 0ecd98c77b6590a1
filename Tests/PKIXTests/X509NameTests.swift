import Cryptography
import EMRTDASN1
import EMRTDCore
import Foundation
import PKIX
import SwiftASN1
import Testing

// Names compare by value: a SignerInfo's issuer may list the RDNs in another order, or use other
// string types, case and spacing, than the certificate.

private typealias A = X509Name.Attribute

/// A Name encoded by hand: RDNs of (type, string tag, text).
private func encodedName(_ rdns: [(type: ASN1ObjectIdentifier, tag: UInt8, value: [UInt8])]) -> [UInt8] {
    DERWriter.sequence(rdns.map { rdn in
        // The value by hand (short strings): tag, one length octet, contents.
        DERWriter.set(of: [DERWriter.sequence([DERWriter.oid(rdn.type), [rdn.tag, UInt8(rdn.value.count)] + rdn.value])])
    })
}

@Test func reorderedNamesAreEqual() throws {
    let csca = try X509Certificate(der: try vectorBytes("x509/zienit_NL_CSCA_serial6_2021-2034.cer"))
    // The certificate encodes serialNumber, CN, OU, O, C; the usual order is the reverse.
    let reordered = X509Name(
        country: "NL", organization: "Kingdom of the Netherlands", organizationalUnit: "Kingdom of the Netherlands",
        commonName: "CSCA NL", serialNumber: "6")
    #expect(reordered.der != csca.subject.der)
    #expect(reordered == csca.subject)
    #expect(reordered.hashValue == csca.subject.hashValue)
    #expect(Set([reordered, csca.subject]).count == 1)

    // Other string types (BMPString, PrintableString), case and whitespace.
    let bmp: (String) -> [UInt8] = { text in text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } }
    let variant = try X509Name(der: encodedName([
        (A.commonName, 0x1E, bmp("csca  nl")),
        (A.countryName, 0x13, Array("nl".utf8)),
        (A.organizationalUnitName, 0x13, Array(" KINGDOM OF THE NETHERLANDS ".utf8)),
        (A.serialNumber, 0x13, Array("6".utf8)),
        (A.organizationName, 0x0C, Array("Kingdom\tof the Netherlands".utf8)),
    ]))
    #expect(variant == csca.subject)
    #expect(variant.commonName == "csca  nl")

    // Different names are not equal: another value, a missing attribute, an extra attribute, a
    // value moved to another attribute type.
    let different = [
        X509Name(country: "NL", organization: "Kingdom of the Netherlands", organizationalUnit: "Kingdom of the Netherlands", commonName: "CSCA NL", serialNumber: "7"),
        X509Name(country: "NL", organization: "Kingdom of the Netherlands", organizationalUnit: "Kingdom of the Netherlands", commonName: "CSCA NL"),
        X509Name(rdns: reordered.rdns + [[A(type: A.organizationalUnitName, value: "Kingdom of the Netherlands")]]),
        X509Name(country: "NL", organization: "Kingdom of the Netherlands", organizationalUnit: "CSCA NL", commonName: "Kingdom of the Netherlands", serialNumber: "6"),
        X509Name(country: "NL", organization: "Kingdom of the Netherlands", organizationalUnit: "Kingdom of the Netherlands", commonName: "CSCA NLD", serialNumber: "6"),
    ]
    for name in different { #expect(name != csca.subject, "\(name)") }

    // A name read back from its DER is the same name with the same DER.
    let decoded = try X509Name(der: reordered.der)
    #expect(decoded == reordered && decoded.der == reordered.der)
    #expect(decoded.description == "serialNumber=6, CN=CSCA NL, OU=Kingdom of the Netherlands, O=Kingdom of the Netherlands, C=NL")
    #expect(decoded.countryCode == "NL" && decoded.commonName == "CSCA NL")
}

@Test func nameTextAndAttributes() throws {
    let name = X509Name(rdns: [
        [A(type: A.countryName, value: "VN")],
        [A(type: A.organizationName, value: "Bộ Công an")],
        [A(type: A.commonName, value: "a,b+c \"q\" <x>; #1 ")],
        [A(type: [1, 2, 3, 4], value: "x"), A(type: A.localityName, value: "Hà Nội")],
    ])
    #expect(name.description == "1.2.3.4=x+L=Hà Nội, CN=a\\,b\\+c \\\"q\\\" \\<x\\>\\; #1\\ , O=Bộ Công an, C=VN")
    #expect(name.countryCode == "VN")
    // countryName is a PrintableString, other text UTF8String.
    #expect(name.rdns[0][0].encodedValue == [0x13, 0x02, 0x56, 0x4E])
    #expect(name.rdns[1][0].encodedValue.first == 0x0C)
    #expect(try X509Name(der: name.der) == name)
    #expect(try X509Name(der: name.der).rdns[1][0].value == "Bộ Công an")
    // A value that is not a string is shown as #hex and compared by encoding.
    let binary = try X509Name(der: DERWriter.sequence([
        DERWriter.set(of: [DERWriter.sequence([DERWriter.oid(A.commonName), DERWriter.octetString([0xAB, 0xCD])])]),
    ]))
    #expect(binary.description == "CN=#0402ABCD")
    #expect(binary.commonName == nil)
    #expect(binary != X509Name(commonName: "#0402ABCD"))
    // The empty name.
    let empty = try X509Name(der: [0x30, 0x00])
    #expect(empty.rdns.isEmpty && empty.description.isEmpty && empty == X509Name(rdns: []))
}

@Test func malformedNamesThrow() throws {
    let good = X509Name(country: "VN", commonName: "CSCA Vietnam").der
    let bad: [[UInt8]] = [
        [], [0x30], [0x31, 0x00], [0x30, 0x02, 0x31, 0x00],  // empty RDN
        [0x30, 0x04, 0x31, 0x02, 0x30, 0x00],  // attribute without type
        good + [0x00], Array(good.dropLast()),
        [0x30, 0x05, 0x31, 0x03, 0x30, 0x01, 0x06],
    ]
    for der in bad {
        let error = #expect(throws: EMRTDError.self, "\(der.hex)") { try X509Name(der: der) }
        #expect(error?.code == .malformedName)
    }
    for length in 0..<good.count {
        #expect(throws: EMRTDError.self) { try X509Name(der: Array(good.prefix(length))) }
    }
}
