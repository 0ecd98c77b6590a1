import Cryptography
import EMRTDASN1
import EMRTDCore
import Foundation
import PKIX
import SwiftASN1

/// The bytes of a file under `TestVectors/` (the repository root is three levels above this file).
func vectorBytes(_ relativePath: String, filePath: String = #filePath) throws -> [UInt8] {
    let root = URL(fileURLWithPath: filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return [UInt8](try Data(contentsOf: root.appendingPathComponent("TestVectors").appendingPathComponent(relativePath)))
}

/// Hex literal in a test; a malformed literal is a bug in the test, so it traps.
func h(_ text: String) -> [UInt8] {
    do { return try Hex.decode(text) } catch { fatalError("bad hex in test: \(text)") }
}

/// A UTC date, computed with Foundation's calendar (independently of the parser's arithmetic).
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    return calendar.date(from: components)!
}

/// The certificates of the ICAO CSCA master list in `x509/zienit_NL_MASTERLIST_20211207.mls`
/// (CMS SignedData whose eContent is `CscaMasterList ::= SEQUENCE { version, certList SET OF
/// Certificate }`), and the certificates of the SignedData itself (the master list signer).
func masterListCertificates() throws -> (list: [[UInt8]], signedDataCertificates: [[UInt8]]) {
    let bytes = try vectorBytes("x509/zienit_NL_MASTERLIST_20211207.mls")
    let r = ASN1Reader(.malformedDER)
    let contentInfo = try r.children(try r.parse(bytes, what: "ContentInfo"), .sequence, what: "ContentInfo")
    // content [0] EXPLICIT SignedData { version, digestAlgorithms, encapContentInfo, certificates [0], … }
    let signedData = try r.children(try r.explicit(contentInfo[1], tag: 0, what: "content"), .sequence, what: "SignedData")
    let encapsulated = try r.children(signedData[2], .sequence, what: "EncapsulatedContentInfo")
    let eContent = try r.octetString(try r.explicit(encapsulated[1], tag: 0, what: "eContent"), what: "eContent")
    let masterList = try r.children(try r.parse(eContent, what: "CscaMasterList"), .sequence, what: "CscaMasterList")
    let list = try r.children(masterList[1], .set, what: "certList").map { Array($0.encodedBytes) }
    var embedded: [[UInt8]] = []
    if signedData[3].identifier == .context(0) {
        embedded = try r.children(signedData[3], .context(0), what: "certificates").map { Array($0.encodedBytes) }
    }
    return (list, embedded)
}
