import Cryptography
import EMRTDCore
import Foundation
import PKIX

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
    var contentInfo = try PKIDER.single(bytes).children()
    _ = try contentInfo.read()  // contentType signedData
    let explicit = try contentInfo.read()  // [0]
    var signedData = try PKIDER.single(explicit.contents).children()
    _ = try signedData.read()  // version
    _ = try signedData.read()  // digestAlgorithms
    var encapsulated = try signedData.read().children()
    _ = try encapsulated.read()  // eContentType
    let eContent = try PKIDER.single(try encapsulated.read().contents).contents  // [0] EXPLICIT OCTET STRING
    var masterList = try PKIDER.single(eContent).children()
    _ = try masterList.read()  // version
    var set = try masterList.read().children()
    var list: [[UInt8]] = []
    while !set.isAtEnd { list.append(Array(try set.read().encoded)) }
    var embedded: [[UInt8]] = []
    if let certificates = try signedData.readIfPresent(0xA0) {
        var reader = certificates.children()
        while !reader.isAtEnd { embedded.append(Array(try reader.read().encoded)) }
    }
    return (list, embedded)
}
