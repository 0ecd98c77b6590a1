import Cryptography
import EMRTDCore
import Foundation
import LDS
import PassiveAuthentication
import SwiftASN1
import Testing

@Suite("EF.SOD and CMS parsing")
struct ParsingTests {
    @Test("BSI 2008 EF.SOD: SHA-1 LDSSecurityObject v0 over DG1-3 and DG14, ECDSA SignerInfo")
    func bsi2008() throws {
        let sod = try SecurityObjectDocument(try Vectors.bsi2008.sod())
        #expect(sod.hashAlgorithm == .sha1)
        #expect(sod.securityObject.version == 0)
        #expect(sod.dataGroupHashes.keys.sorted() == [1, 2, 3, 14])
        #expect(sod.dataGroupHashes[1] == h("FB1BC1921F4DC07947408A7CDD5CC0C928353809"))
        #expect(sod.signedData.version == 3)
        #expect(sod.signedData.contentType == LDSSecurityObject.contentType)
        #expect(sod.signedData.certificates == [try Vectors.bsi2008.dsc()])
        let info = try #require(sod.signerInfo)
        #expect(info.version == 1)
        guard case .issuerAndSerialNumber(_, let serial) = info.sid else {
            Issue.record("expected issuerAndSerialNumber")
            return
        }
        #expect(serial == h("1267"))
        #expect(info.signatureAlgorithm.algorithm == ASN1ObjectIdentifier("1.2.840.10045.4.1"))
        #expect(try info.contentTypeAttribute() == LDSSecurityObject.contentType)
        #expect(try info.messageDigestAttribute() == h("111CB0211C65B480C369EE7059636C4C1D93B573"))
        #expect(try info.messageDigestAttribute() == HashAlgorithm.sha1.hash(sod.securityObject.encoded))
        // The signature covers the signed attributes with the SET tag in place of [0].
        let signed = try #require(info.signedAttributesForSignature)
        #expect(signed.first == 0x31)
        #expect(Array(signed.dropFirst()) == Array(try #require(info.signedAttributesEncoded).dropFirst()))
    }

    @Test("TR-03105 and ETSI EF.SOD: SHA-256, RSASSA-PSS SignerInfo parameters kept")
    func pssSamples() throws {
        for document in [Vectors.bsiTR03105, Vectors.etsi] {
            let sod = try SecurityObjectDocument(try document.sod())
            #expect(sod.hashAlgorithm == .sha256)
            let info = try #require(sod.signerInfo)
            #expect(info.signatureAlgorithm.algorithm == ASN1ObjectIdentifier("1.2.840.113549.1.1.10"))
            let parameters = try #require(info.signatureAlgorithm.parameters)
            #expect(parameters.count == 54)  // hash [0], MGF1 [1], salt [2] = 32
            #expect(sod.signedData.certificates == [try document.dsc()])
        }
        #expect(try SecurityObjectDocument(try Vectors.etsi.sod()).dataGroupHashes.keys.sorted() == [1, 2, 3, 4, 14, 15])
        #expect(try SecurityObjectDocument(try Vectors.bsiTR03105.sod()).dataGroupHashes.keys.sorted() == [1, 2, 3, 4, 14])
    }

    @Test("EF.SOD re-encoded with indefinite lengths and a segmented eContent parses to the same values")
    func indefiniteLengths() throws {
        let der = try Vectors.bsi2008.sod()
        let ber = berCopy(of: der)
        #expect(ber != der)
        #expect(ber.contains(0x24))  // a constructed OCTET STRING
        let a = try SecurityObjectDocument(der)
        let b = try SecurityObjectDocument(ber)
        #expect(a.securityObject == b.securityObject)
        #expect(a.signedData.certificates == b.signedData.certificates)
        let infoA = try #require(a.signerInfo), infoB = try #require(b.signerInfo)
        #expect(infoB.signedAttributesEncoded != infoA.signedAttributesEncoded)  // read as BER ...
        #expect(infoB.signedAttributesForSignature == infoA.signedAttributesForSignature)  // ... signed as DER
        #expect(infoA.signature == infoB.signature)
    }

    @Test("The LDSSecurityObject encoder round-trips (v0 and v1 with LDSVersionInfo)")
    func encodeLDSSecurityObject() throws {
        let hashes = [1: [UInt8](repeating: 1, count: 32), 13: [UInt8](repeating: 13, count: 32)]
        let v0 = try LDSSecurityObject(encoded: try LDSSecurityObject.encode(hashAlgorithm: .sha256, dataGroupHashes: hashes))
        #expect(v0.version == 0 && v0.ldsVersion == nil && v0.dataGroupHashes == hashes && v0.hashAlgorithm == .sha256)
        let v1 = try LDSSecurityObject(
            encoded: try LDSSecurityObject.encode(hashAlgorithm: .sha256, dataGroupHashes: hashes, ldsVersion: ("0108", "040000")))
        #expect(v1.version == 1 && v1.ldsVersion == "0108" && v1.unicodeVersion == "040000")
        #expect(code { try LDSSecurityObject.encode(hashAlgorithm: .sha256, dataGroupHashes: [17: [1]]) } == .invalidArgument)
    }

    @Test("EF.CardSecurity: id-SecurityObject with SecurityInfos")
    func cardSecurity() throws {
        let card = try CardSecurityDocument(try Vectors.bytes("bsi-eac/openpace_ef_cardsecurity_dan.bin"))
        #expect(card.signedData.contentType == CardSecurityDocument.contentType)
        #expect(!card.securityInfos.infos.isEmpty)
        #expect(card.signedData.certificates.count == 1)
        // EF.SOD is not EF.CardSecurity, nor the other way round.
        #expect(code { try CardSecurityDocument(Array(try Vectors.bsi2008.sod().dropFirst(4))) } == .cmsUnexpectedContentType)
        #expect(code { try SecurityObjectDocument(try Vectors.bytes("bsi-eac/openpace_ef_cardsecurity_dan.bin")) } == .sodMalformed)
    }

    @Test("Every truncation of EF.SOD is a clear error, never a crash")
    func truncations() throws {
        let sod = try Vectors.etsi.sod()
        for length in 0..<sod.count {
            let error = code { try SecurityObjectDocument(Array(sod.prefix(length))) }
            #expect(error?.domain == "pa", "prefix \(length)")
        }
    }

    @Test("Messages name swift-asn1's error by code and reason, never by its source file and line")
    func noDependencySourcePaths() throws {
        func message(_ body: () throws -> Void) -> String? {
            do {
                try body()
                return nil
            } catch let error as EMRTDError {
                return error.message
            } catch {
                return "not an EMRTDError: \(error)"
            }
        }
        let sod = try Vectors.bsi2008.sod()
        #expect(message { _ = try SecurityObjectDocument(Array(sod.prefix(10))) } == "EF.SOD is not valid BER: truncatedASN1Field")
        var flipped = sod
        flipped[1] ^= 0xFF  // 77 7D: the length no longer covers the ContentInfo
        #expect(
            message { _ = try SecurityObjectDocument(flipped) }
                == "EF.SOD is not valid BER: unsupportedFieldLength: Indefinite-length field must have constructed identifier")
        let cardSecurity = try Vectors.bytes("bsi-eac/ecdh_ef_cardsecurity.bin")
        var checked = 0
        for original in [sod, try Vectors.etsi.sod(), try Vectors.bsiTR03105.sod(), cardSecurity] {
            var inputs = (0..<original.count).map { Array(original.prefix($0)) }
            for i in original.indices {
                var flipped = original
                flipped[i] ^= 0xFF
                inputs.append(flipped)
            }
            for input in inputs {
                for text in [message { _ = try SecurityObjectDocument(input) }, message { _ = try CardSecurityDocument(input) }] {
                    guard let text else { continue }
                    checked += 1
                    #expect(!text.contains(".swift:"), "\(text)")
                }
            }
        }
        #expect(checked > 5000)
    }

    @Test("Garbage, wrong outer tags, bit flips in the structure: errors, never crashes")
    func garbage() throws {
        #expect(code { try SecurityObjectDocument([]) } == .sodMalformed)
        #expect(code { try SecurityObjectDocument([0x77]) } == .sodMalformed)
        #expect(code { try SecurityObjectDocument([0x77, 0x00]) } == .sodMalformed)
        #expect(code { try SecurityObjectDocument([0x77, 0x80, 0x00, 0x00]) } == .sodMalformed)
        #expect(code { try SecurityObjectDocument(Array("hello, world".utf8)) } == .sodMalformed)
        let sod = try Vectors.bsi2008.sod()
        #expect(code { try SecurityObjectDocument(Array(sod.dropFirst(4))) } == .sodMalformed)  // no 77 wrapper
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var copy = sod
            let i = Int.random(in: 0..<copy.count, using: &generator)
            copy[i] ^= UInt8.random(in: 1...255, using: &generator)
            _ = code { try SecurityObjectDocument(copy) }  // must return, whatever it says
        }
        // Deep nesting is capped by the BER parser.
        let deep = [UInt8](repeating: 0x30, count: 1) + [0x80] + Array(repeating: [0x30, 0x80], count: 200).flatMap { $0 }
        #expect(code { try CryptographicMessageSyntax.SignedData(contentInfo: deep) } == .cmsMalformed)
    }
}

/// EF.SOD with indefinite lengths everywhere except inside certificates, eContent segmented.
func berCopy(of sod: [UInt8]) -> [UInt8] {
    let root = TLV.read(sod[...])!.0
    // 77 / ContentInfo(0) / [0](1) / SignedData(0) / certificates(3) / each certificate
    return indefiniteBER(
        root, keep: { $0.count == 5 && Array($0.prefix(4)) == [0, 1, 0, 3] },
        segment: { $0 == [0, 1, 0, 2, 1, 0] })
}
