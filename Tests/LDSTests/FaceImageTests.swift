import EMRTDCore
import ISO7816
import LDS
@testable import Specimen
import Testing

/// DG2 (ICAO Doc 9303 Part 10, 4.7.2) with ISO/IEC 19794-5:2005 face records.
@Suite struct FaceImageTests {
    /// The smallest thing with a JPEG signature, for structure tests.
    static let tinyJPEG: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0xFF, 0xD9]

    @Test func encodeLayoutIsExact() throws {
        // Worked out by hand from Part 10, 4.7.2 and 19794-5:2005, 5.4-5.7.
        let expected = faceHex(
            """
            75 55
              7F61 52
                02 01 01
                7F60 4C
                  A1 12  80 02 0101  81 01 02  82 01 00  87 02 0101  88 02 0008
                  5F2E 35
                    46414300 30313000 00000035 0001
                    00000027 0000 00 00 00 000000 0000 000000 000000
                    01 00 0078 00A0 01 02 0000 0000
                    FFD8FFE000FFD9
            """
        )
        #expect(DG2.encode(face: Self.tinyJPEG, type: .jpeg, width: 120, height: 160) == expected)
    }

    @Test func specimenFaceRoundTrip() throws {
        #expect(SpecimenFace.jpeg.starts(with: [0xFF, 0xD8, 0xFF]))
        #expect(SpecimenFace.jpeg.suffix(2) == [0xFF, 0xD9])
        #expect(SpecimenFace.jpeg.count <= 6 * 1024)
        let dg2 = DG2.encode(face: SpecimenFace.jpeg, type: .jpeg, width: SpecimenFace.width, height: SpecimenFace.height)
        let faces = try DG2.faceImages(from: dg2)
        #expect(faces.count == 1)
        let face = try #require(faces.first)
        #expect(face.imageType == .jpeg)
        #expect(face.imageData == SpecimenFace.jpeg)
        #expect(face.width == 120 && face.height == 160)
        #expect(face == FaceImage(imageType: .jpeg, width: 120, height: 160, imageData: SpecimenFace.jpeg))
    }

    /// The published DG2 of the BSI 2008 test passport (MUSTERMANN ERIKA; JMRTD test samples, see
    /// `TestVectors/pa/SOURCES.md`): one JPEG 2000 (JP2) portrait of 337 x 449 pixels. The values were
    /// read off the bytes by hand: `5F2E 82 3AC5` at offset 33, so the 19794-5 record (`FAC\0 010\0`) at 38,
    /// its face block (length 3AB7) at 52, the image information at 72 (`01 01 0151 01C1 ...`: full
    /// frontal, JPEG 2000, width, height), the image at 84.
    @Test func publishedBSI2008DG2() throws {
        let dg2 = try Vectors.published("pa/jmrtd_bsi2008/Datagroup2.bin")
        #expect(dg2.count == 15083)
        let faces = try DG2.faceImages(from: dg2)
        #expect(faces.count == 1)
        let face = try #require(faces.first)
        #expect(face.imageType == .jpeg2000)
        #expect(face.width == 337)
        #expect(face.height == 449)
        // 0x3AB7 (block) - 20 (face header) - 12 (image information) bytes, running to the file's end.
        #expect(face.imageData.count == 14999)
        #expect(face.imageData == Array(dg2[84...]))
        #expect(face.imageData.prefix(12) == h("0000000C6A5020200D0A870A")[...])
        #expect(face.imageData.suffix(2) == [0xFF, 0xD9])
    }

    @Test func jpeg2000SignaturesAreRecognized() throws {
        let codestream: [UInt8] = [0xFF, 0x4F, 0xFF, 0x51, 0x00, 0x2F, 0x00, 0x00]
        let jp2: [UInt8] = [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A]
        #expect(FaceImage.ImageType(signatureOf: codestream) == .jpeg2000)
        #expect(FaceImage.ImageType(signatureOf: jp2) == .jpeg2000)
        #expect(FaceImage.ImageType(signatureOf: Self.tinyJPEG) == .jpeg)
        #expect(FaceImage.ImageType(signatureOf: [0xFF, 0xD8]) == nil)
        #expect(FaceImage.ImageType(signatureOf: [0x89, 0x50, 0x4E, 0x47]) == nil)
        for image in [codestream, jp2] {
            let faces = try DG2.faceImages(from: DG2.encode(face: image, type: .jpeg2000, width: 480, height: 640))
            #expect(faces == [FaceImage(imageType: .jpeg2000, width: 480, height: 640, imageData: image)])
        }
    }

    @Test func declaredTypeMustMatchTheSignature() {
        let jpegAsJ2K = DG2.encode(face: Self.tinyJPEG, type: .jpeg2000, width: 1, height: 1)
        #expect(faceError { try DG2.faceImages(from: jpegAsJ2K) }?.code == .faceImageTypeMismatch)
        let j2kAsJPEG = DG2.encode(face: [0xFF, 0x4F, 0xFF, 0x51, 0x00], type: .jpeg, width: 1, height: 1)
        #expect(faceError { try DG2.faceImages(from: j2kAsJPEG) }?.code == .faceImageTypeMismatch)
        let png = DG2.encode(face: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A], type: .jpeg, width: 1, height: 1)
        #expect(faceError { try DG2.faceImages(from: png) }?.code == .faceImageTypeMismatch)
    }

    @Test func truncationAtEveryOffsetThrows() {
        let dg2 = DG2.encode(face: SpecimenFace.jpeg, type: .jpeg, width: 120, height: 160)
        var silent: [Int] = []
        for n in 0..<dg2.count where faceError({ try DG2.faceImages(from: Array(dg2.prefix(n))) }) == nil {
            silent.append(n)
        }
        #expect(silent.isEmpty)
    }

    /// Truncating the 19794-5 record inside well-formed TLVs reaches the record parser itself, with the
    /// record length field either left alone (a lie) or patched to agree with the cut.
    @Test func truncatedRecordInsideValidTLVThrows() {
        let record = record(faces: [face(Self.tinyJPEG, featurePoints: 2)])
        #expect((try? DG2.faceImages(from: wrap(record))) != nil)
        var silent: [Int] = []
        for n in 0..<record.count {
            var cut = Array(record.prefix(n))
            if faceError({ try DG2.faceImages(from: wrap(cut)) }) == nil { silent.append(n) }
            if n >= 12 {
                cut.replaceSubrange(8..<12, with: be(n, 4))
                if faceError({ try DG2.faceImages(from: wrap(cut)) }) == nil { silent.append(-n) }
            }
        }
        #expect(silent.isEmpty)
    }

    @Test func sixteenMegabyteClaimsThrowQuickly() throws {
        let start = ContinuousClock.now
        // DG2 header claiming 16 MB of value.
        let outer: [UInt8] = [0x75, 0x83, 0xFF, 0xFF, 0xFF, 0x7F, 0x61, 0x03, 0x02, 0x01, 0x01]
        #expect(faceError { try DG2.faceImages(from: outer) }?.code == .tlvTruncated)
        // 5F2E claiming 16 MB inside an otherwise consistent DG2.
        let inner = TLV(tag: 0x75, value: [0x7F, 0x61, 0x0A, 0x02, 0x01, 0x01, 0x7F, 0x60, 0x05, 0x5F, 0x2E, 0x84, 0x01, 0x00, 0x00, 0x00]).raw
        #expect(faceError { try DG2.faceImages(from: inner) } != nil)
        // Record length, block length and face count claiming more than present.
        var rec = record(faces: [face(Self.tinyJPEG)])
        rec.replaceSubrange(8..<12, with: [0x01, 0x00, 0x00, 0x00])
        #expect(faceError { try DG2.faceImages(from: wrap(rec)) }?.code == .faceRecordInvalid)
        rec = record(faces: [face(Self.tinyJPEG)])
        rec.replaceSubrange(14..<18, with: [0x01, 0x00, 0x00, 0x00])
        #expect(faceError { try DG2.faceImages(from: wrap(rec)) }?.code == .faceRecordInvalid)
        rec = record(faces: [face(Self.tinyJPEG)])
        rec.replaceSubrange(12..<14, with: [0xFF, 0xFF])
        #expect(faceError { try DG2.faceImages(from: wrap(rec)) }?.code == .faceRecordInvalid)
        rec = record(faces: [face(Self.tinyJPEG)])
        rec.replaceSubrange(18..<20, with: [0xFF, 0xFF])  // 65535 feature points
        #expect(faceError { try DG2.faceImages(from: wrap(rec)) }?.code == .faceRecordInvalid)
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    @Test func severalFacesAndTemplatesInOrder() throws {
        let second: [UInt8] = [0xFF, 0x4F, 0xFF, 0x51, 0x01]
        let two = record(faces: [face(Self.tinyJPEG, width: 10), face(second, dataType: 1, width: 20, featurePoints: 3)])
        let faces = try DG2.faceImages(from: wrap(two))
        #expect(faces.map(\.imageType) == [.jpeg, .jpeg2000])
        #expect(faces.map(\.width) == [10, 20])
        #expect(faces[1].imageData == second)

        let single = record(faces: [face(Self.tinyJPEG, width: 30)])
        let twoTemplates = wrap(templates: [template(single), template(two, blockTag: 0x7F2E)], count: 2)
        #expect(try DG2.faceImages(from: twoTemplates).map(\.width) == [30, 10, 20])
    }

    @Test func structuralErrorsThrow() {
        let rec = record(faces: [face(Self.tinyJPEG)])
        let cases: [(String, [UInt8], EMRTDError.Code)] = [
            ("outer tag 61", TLV(tag: 0x61, value: []).raw, .dg2InvalidStructure),
            ("empty input", [], .tlvTruncated),
            ("trailing byte", wrap(rec) + [0x00], .tlvTrailingData),
            ("no 7F61", TLV(tag: 0x75, value: []).raw, .dg2InvalidStructure),
            ("count says 2", wrap(templates: [template(rec)], count: 2), .dg2InvalidStructure),
            ("count says 0", wrap(templates: [template(rec)], count: 0), .dg2InvalidStructure),
            ("no header", wrap(templates: [TLV(tag: 0x7F60, children: [TLV(tag: 0x5F2E, value: rec)])], count: 1), .dg2InvalidStructure),
            ("no data block", wrap(templates: [TLV(tag: 0x7F60, children: [Self.header])], count: 1), .dg2InvalidStructure),
            ("fingerprint type", wrap(templates: [template(rec, type: [0x08])], count: 1), .dg2InvalidStructure),
            ("magic FIR", wrap(replacing(rec, at: 0, with: Array("FIR".utf8))), .faceRecordInvalid),
            ("version 030", wrap(replacing(rec, at: 4, with: Array("030".utf8))), .faceUnsupported),
            ("no faces", wrap(replacing(rec, at: 12, with: [0, 0])), .faceRecordInvalid),
            ("data type 2", wrap(record(faces: [face(Self.tinyJPEG, dataType: 2)])), .faceUnsupported),
            ("no image bytes", wrap(record(faces: [face([])])), .faceRecordInvalid),
            ("bytes after the image", wrap(appendingTrailer(rec)), .faceRecordInvalid),
            ("short record", wrap(Array(rec.prefix(10))), .faceRecordInvalid),
        ]
        for (name, bytes, expected) in cases {
            let error = faceError { try DG2.faceImages(from: bytes) }
            #expect(error?.code == expected, "\(name): \(String(describing: error))")
        }
    }

    @Test func randomMutationsNeverCrash() {
        var rng = FaceSplitMix(state: 19_794)
        let base = DG2.encode(face: Self.tinyJPEG + Array(repeating: 0x55, count: 40), type: .jpeg, width: 9, height: 9)
        for _ in 0..<20_000 {
            var bytes = base
            for _ in 0...(rng.next() % 4) {
                bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
            _ = try? DG2.faceImages(from: bytes)
        }
    }

    // MARK: - Builders independent of DG2.encode

    static let header = TLV(tag: 0xA1, children: [TLV(tag: 0x87, value: [0x01, 0x01]), TLV(tag: 0x88, value: [0x00, 0x08])])

    func be(_ v: Int, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * (n - 1 - $0))) } }

    /// One facial record data block (19794-5:2005, 5.5-5.8).
    func face(_ image: [UInt8], dataType: UInt8 = 0, width: Int = 7, height: Int = 9, featurePoints: Int = 0) -> [UInt8] {
        let points = (0..<featurePoints).flatMap { i in [1, UInt8(i), 0, 10, 0, 20, 0, 0] as [UInt8] }
        let length = 20 + points.count + 12 + image.count
        return be(length, 4) + be(featurePoints, 2) + [1, 2, 3] + [0, 0, 0] + [0, 0] + [0, 0, 0] + [0, 0, 0]
            + points + [1, dataType] + be(width, 2) + be(height, 2) + [1, 3, 0, 0, 0, 0] + image
    }

    func record(faces: [[UInt8]]) -> [UInt8] {
        let body = faces.flatMap { $0 }
        return Array("FAC\0010\0".utf8) + be(14 + body.count, 4) + be(faces.count, 2) + body
    }

    func template(_ record: [UInt8], blockTag: TLVTag = 0x5F2E, type: [UInt8] = [0x02]) -> TLV {
        let header = TLV(tag: 0xA1, children: [TLV(tag: 0x81, value: type)] + (try! Self.header.children()))
        return TLV(tag: 0x7F60, children: [header, TLV(tag: blockTag, value: record)])
    }

    func wrap(templates: [TLV], count: UInt8) -> [UInt8] {
        TLV(tag: 0x75, children: [TLV(tag: 0x7F61, children: [TLV(tag: 0x02, value: [count])] + templates)]).raw
    }

    func wrap(_ record: [UInt8]) -> [UInt8] { wrap(templates: [template(record)], count: 1) }

    func replacing(_ bytes: [UInt8], at offset: Int, with new: [UInt8]) -> [UInt8] {
        var b = bytes
        b.replaceSubrange(offset..<offset + new.count, with: new)
        return b
    }

    /// Two extra bytes after the last face, with the record length updated to include them.
    func appendingTrailer(_ rec: [UInt8]) -> [UInt8] {
        replacing(rec + [0, 0], at: 8, with: be(rec.count + 2, 4))
    }

    func faceHex(_ text: String) -> [UInt8] {
        try! Hex.decode(String(text.filter { $0.isHexDigit }))
    }

    /// The error `body` threw (any non-EMRTDError becomes code `not-emrtd`), or nil.
    func faceError<T>(_ body: () throws -> T) -> EMRTDError? {
        do {
            _ = try body()
            return nil
        } catch let error as EMRTDError {
            return error
        } catch {
            return EMRTDError(EMRTDError.Code("not-emrtd"), "\(error)")
        }
    }
}

private struct FaceSplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
