public import EMRTDCore
import ISO7816

extension EMRTDError.Code {
    /// DG2 does not have the biometric template structure of ICAO Doc 9303 Part 10, 4.7.2.
    public static let dg2InvalidStructure = Self("dg2.invalid-structure")
    /// The ISO/IEC 19794-5 face record inside DG2 is malformed (bad magic, lengths that do not add up).
    public static let faceRecordInvalid = Self("face.record-invalid")
    /// The face record announces one image type but the image bytes carry another's signature.
    public static let faceImageTypeMismatch = Self("face.image-type-mismatch")
    /// A face record version or image data type this toolkit does not read.
    public static let faceUnsupported = Self("face.unsupported")
}

/// One facial image from DG2: the encoded picture (JPEG or JPEG 2000) and the size its record states.
public struct FaceImage: Sendable, Hashable {
    /// The image data type of ISO/IEC 19794-5:2005, 5.7.2 (0 = JPEG, 1 = JPEG 2000).
    public enum ImageType: String, Sendable, Hashable {
        case jpeg
        case jpeg2000

        /// The type whose file signature starts `bytes`: `FF D8 FF` (JPEG), `FF 4F FF 51` (JPEG 2000
        /// codestream) or the JP2 signature box `00 00 00 0C 6A 50 20 20`.
        public init?(signatureOf bytes: [UInt8]) {
            if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
                self = .jpeg
            } else if bytes.starts(with: [0xFF, 0x4F, 0xFF, 0x51])
                || bytes.starts(with: [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20])
            {
                self = .jpeg2000
            } else {
                return nil
            }
        }

        var dataType: UInt8 { self == .jpeg ? 0 : 1 }
    }

    /// JPEG or JPEG 2000, as the face record states it.
    public let imageType: ImageType
    /// Width in pixels, as stated in the record's image information.
    public let width: Int
    /// Height in pixels, as stated in the record's image information.
    public let height: Int
    /// The encoded image, ready to be written to a `.jpg` or `.jp2` file.
    public let imageData: [UInt8]

    /// A face image with its stated type and size.
    public init(imageType: ImageType, width: Int, height: Int, imageData: [UInt8]) {
        self.imageType = imageType
        self.width = width
        self.height = height
        self.imageData = imageData
    }
}

/// DG2, the encoded face (ICAO Doc 9303 Part 10, 4.7.2), holding ISO/IEC 19794-5:2005 face records.
///
/// ```
/// 75 L                                  DG2
///   7F61 L                              biometric information group template
///     02 01 n                           number of instances
///     7F60 L                            biometric information template (n times)
///       A1 L                            biometric header template
///         80 02 0101                    ICAO header version (optional)
///         81 01 02                      biometric type: facial features (optional)
///         82 01 00                      biometric subtype (optional)
///         87 02 0101                    format owner: ISO/IEC JTC 1/SC 37
///         88 02 0008                    format type: face image
///       5F2E L <19794-5 record>         biometric data block (7F2E when enciphered)
/// ```
///
/// The record:
/// ```
/// "FAC\0" "010\0" recordLength(4) faceCount(2)
/// per face: blockLength(4) featurePoints(2) gender(1) eyes(1) hair(1) properties(3) expression(2)
///           pose(3) poseUncertainty(3), 8 bytes per feature point,
///           faceImageType(1) imageDataType(1) width(2) height(2) colourSpace(1) source(1)
///           device(2) quality(2), image bytes
/// ```
public enum DG2 {
    /// The facial images of a DG2 file, in order.
    ///
    /// The parser is total: every length and count is checked against the bytes present before it is
    /// used, so truncated or lying input throws an ``EMRTDError`` and never traps or allocates by a
    /// claimed size. The image type in the record must match the image's own signature.
    public static func faceImages(from dg2: [UInt8]) throws(EMRTDError) -> [FaceImage] {
        let outer = try BERTLV.parse(dg2)
        guard outer.tag == 0x75 else {
            throw EMRTDError(.dg2InvalidStructure, "DG2 must start with tag 75, found \(outer.tag)")
        }
        let outerChildren = try outer.children()
        guard let group = outerChildren.first(where: { $0.tag == 0x7F61 }) else {
            throw EMRTDError(.dg2InvalidStructure, "DG2 has no biometric information group template (7F61)")
        }
        let members = try group.children()
        guard let countObject = members.first(where: { $0.tag == 0x02 }) else {
            throw EMRTDError(.dg2InvalidStructure, "DG2 has no number of instances (02) in 7F61")
        }
        guard countObject.value.count == 1 else {
            throw EMRTDError(.dg2InvalidStructure, "DG2 number of instances (02) has \(countObject.value.count) bytes, expected 1")
        }
        let templates = members.filter { $0.tag == 0x7F60 }
        guard Int(countObject.value[0]) == templates.count else {
            throw EMRTDError(
                .dg2InvalidStructure,
                "DG2 announces \(countObject.value[0]) biometric templates (7F60) but holds \(templates.count)"
            )
        }
        var faces: [FaceImage] = []
        for (n, template) in templates.enumerated() {
            let parts = try template.children()
            guard let header = parts.first(where: { $0.tag == 0xA1 }) else {
                throw EMRTDError(.dg2InvalidStructure, "DG2 template \(n + 1) has no biometric header template (A1)")
            }
            try checkHeader(header, template: n + 1)
            guard let block = parts.first(where: { $0.tag == 0x5F2E || $0.tag == 0x7F2E }) else {
                throw EMRTDError(.dg2InvalidStructure, "DG2 template \(n + 1) has no biometric data block (5F2E or 7F2E)")
            }
            faces += try FaceRecord.parse(block.value)
        }
        return faces
    }

    /// A DG2 file holding one face image, in the layout real passports and CCCD cards use.
    ///
    /// `width` and `height` are stored in two bytes each (values outside 0…65535 are clamped).
    public static func encode(face: [UInt8], type: FaceImage.ImageType, width: Int, height: Int) -> [UInt8] {
        let header = TLV(
            tag: 0xA1,
            children: [
                TLV(tag: 0x80, value: [0x01, 0x01]),
                TLV(tag: 0x81, value: [0x02]),
                TLV(tag: 0x82, value: [0x00]),
                TLV(tag: 0x87, value: [0x01, 0x01]),
                TLV(tag: 0x88, value: [0x00, 0x08]),
            ]
        )
        let record = FaceRecord.encode(face: face, type: type, width: width, height: height)
        let template = TLV(tag: 0x7F60, children: [header, TLV(tag: 0x5F2E, value: record)])
        let group = TLV(tag: 0x7F61, children: [TLV(tag: 0x02, value: [0x01]), template])
        return TLV(tag: 0x75, children: [group]).raw
    }

    /// Biometric type and format, when present, must say "facial features" in ISO 19794-5 format.
    private static func checkHeader(_ header: TLV, template n: Int) throws(EMRTDError) {
        for element in try header.children() {
            switch element.tag {
            case 0x81 where element.value != [0x02] && element.value != [0x00, 0x00, 0x02]:
                throw EMRTDError(
                    .dg2InvalidStructure, "DG2 template \(n) biometric type (81) is \(element.value.hex), not facial features (02)")
            case 0x88 where element.value != [0x00, 0x08]:
                throw EMRTDError(
                    .faceUnsupported, "DG2 template \(n) format type (88) is \(element.value.hex), not an ISO/IEC 19794-5 face image (0008)")
            default:
                continue
            }
        }
    }
}

/// ISO/IEC 19794-5:2005 facial record data (clause 5), as carried in DG2.
enum FaceRecord {
    static let generalHeaderLength = 14
    static let facialHeaderLength = 20
    static let featurePointLength = 8
    static let imageInformationLength = 12

    static func parse(_ record: [UInt8]) throws(EMRTDError) -> [FaceImage] {
        var reader = Reader(bytes: record)
        guard record.count >= generalHeaderLength else {
            throw EMRTDError(.faceRecordInvalid, "face record has \(record.count) bytes, shorter than its 14-byte header")
        }
        guard try reader.bytes(4) == Array("FAC\0".utf8) else {
            throw EMRTDError(.faceRecordInvalid, "face record does not start with the format identifier 'FAC'")
        }
        let version = try reader.bytes(4)
        guard version == Array("010\0".utf8) else {
            throw EMRTDError(.faceUnsupported, "face record version \(version.hex) is not ISO/IEC 19794-5:2005 (010)")
        }
        let recordLength = try reader.uint(4)
        guard recordLength == record.count else {
            throw EMRTDError(
                .faceRecordInvalid, "face record length field says \(recordLength) bytes but the data block has \(record.count)")
        }
        let faceCount = try reader.uint(2)
        guard faceCount >= 1 else { throw EMRTDError(.faceRecordInvalid, "face record holds no facial image") }
        var faces: [FaceImage] = []
        for n in 1...faceCount {
            // Each face needs at least its fixed parts: a lying count runs out of bytes here.
            guard reader.remaining >= facialHeaderLength + imageInformationLength else {
                throw EMRTDError(.faceRecordInvalid, "face record announces \(faceCount) images but image \(n) is missing")
            }
            let blockLength = try reader.uint(4)
            let featurePoints = try reader.uint(2)
            let fixed = facialHeaderLength + featurePoints * featurePointLength + imageInformationLength
            guard blockLength > fixed, blockLength - 6 <= reader.remaining else {
                throw EMRTDError(
                    .faceRecordInvalid,
                    "face image \(n) block length \(blockLength) does not fit its \(featurePoints) feature points and the \(reader.remaining + 6) bytes left"
                )
            }
            try reader.skip(facialHeaderLength - 6 + featurePoints * featurePointLength)
            let faceImageType = try reader.uint(1)
            let dataType = try reader.uint(1)
            let width = try reader.uint(2)
            let height = try reader.uint(2)
            try reader.skip(imageInformationLength - 6)
            _ = faceImageType  // basic (0), full frontal (1) or token (2): all carry a usable picture
            let imageData = try reader.bytes(blockLength - fixed)

            let stated: FaceImage.ImageType
            switch dataType {
            case 0: stated = .jpeg
            case 1: stated = .jpeg2000
            default:
                throw EMRTDError(.faceUnsupported, "face image \(n) has image data type \(dataType); only JPEG (0) and JPEG 2000 (1) are read")
            }
            guard let actual = FaceImage.ImageType(signatureOf: imageData) else {
                throw EMRTDError(
                    .faceImageTypeMismatch,
                    "face image \(n) is declared \(stated.rawValue) but its data starts \(imageData.prefix(8).hex), no image signature")
            }
            guard actual == stated else {
                throw EMRTDError(
                    .faceImageTypeMismatch,
                    "face image \(n) is declared \(stated.rawValue) but its data is \(actual.rawValue)")
            }
            faces.append(FaceImage(imageType: stated, width: width, height: height, imageData: imageData))
        }
        guard reader.remaining == 0 else {
            throw EMRTDError(.faceRecordInvalid, "face record has \(reader.remaining) bytes after its last image")
        }
        return faces
    }

    static func encode(face: [UInt8], type: FaceImage.ImageType, width: Int, height: Int) -> [UInt8] {
        func be(_ v: Int, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * (n - 1 - $0))) } }
        let w = Int(UInt16(clamping: width)), h = Int(UInt16(clamping: height))
        let blockLength = facialHeaderLength + imageInformationLength + face.count
        var out = Array("FAC\0010\0".utf8)
        out += be(generalHeaderLength + blockLength, 4) + be(1, 2)
        // Facial record header: no feature points; gender, eyes, hair, properties, expression, pose unspecified.
        out += be(blockLength, 4) + be(0, 2) + [0, 0, 0] + [0, 0, 0] + [0, 0] + [0, 0, 0] + [0, 0, 0]
        // Image information: full frontal (1), data type, size, 24-bit RGB (1), static photo of
        // unknown source (2), device and quality unspecified.
        out += [1, type.dataType] + be(w, 2) + be(h, 2) + [1, 2] + [0, 0] + [0, 0]
        return out + face
    }

    /// Bounds-checked big-endian reads over the record.
    struct Reader {
        let bytes: [UInt8]
        var offset = 0
        var remaining: Int { bytes.count - offset }

        mutating func bytes(_ n: Int) throws(EMRTDError) -> [UInt8] {
            guard n >= 0, n <= remaining else {
                throw EMRTDError(.faceRecordInvalid, "face record ends after \(bytes.count) bytes, \(n) more expected at offset \(offset)")
            }
            defer { offset += n }
            return Array(bytes[offset..<offset + n])
        }

        mutating func skip(_ n: Int) throws(EMRTDError) {
            guard n >= 0, n <= remaining else {
                throw EMRTDError(.faceRecordInvalid, "face record ends after \(bytes.count) bytes, \(n) more expected at offset \(offset)")
            }
            offset += n
        }

        mutating func uint(_ n: Int) throws(EMRTDError) -> Int {
            var v = 0
            for b in try bytes(n) { v = v << 8 | Int(b) }
            return v
        }
    }
}
