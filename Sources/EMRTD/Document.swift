import EMRTDASN1
public import EMRTDCore
public import LDS
public import MRZ

/// The parsed view of a chip's files. Each file is parsed on its own: a malformed DG13 is
/// reported as such and does not hide DG1. The raw bytes stay available for hashing.
public struct Document: Sendable {
    /// The files as given, byte for byte: what passive authentication hashes.
    public let files: [LDSFile: [UInt8]]
    /// EF.COM: the LDS version and the data groups the chip lists.
    public private(set) var com: EFCOM?
    /// DG1: the MRZ.
    public private(set) var dg1: DG1?
    /// DG2's face images, in file order; empty when DG2 is absent or malformed.
    public private(set) var faces: [FaceImage] = []
    /// DG11: additional personal details.
    public private(set) var dg11: DG11?
    /// DG12: additional document details.
    public private(set) var dg12: DG12?
    /// DG13: a CCCD's record in Vietnamese, 16 numbered fields.
    public private(set) var dg13: DG13?
    /// DG14: the Chip Authentication and PACE SecurityInfos (ICAO 9303-11 9.2).
    public private(set) var dg14: DG14?
    /// DG15: the Active Authentication public key, a SubjectPublicKeyInfo.
    public private(set) var dg15: DG15?
    /// EF.CardAccess: the PACE, CA and TA protocols the chip offers before access control.
    ///
    /// ```
    /// SecurityInfos ::= SET OF SecurityInfo
    /// SecurityInfo ::= SEQUENCE {
    ///     protocol      OBJECT IDENTIFIER,
    ///     requiredData  ANY DEFINED BY protocol,
    ///     optionalData  ANY DEFINED BY protocol OPTIONAL }
    /// ```
    public private(set) var cardAccess: SecurityInfos?
    /// EF.ATR/INFO: the chip's extended length information.
    public private(set) var atrInfo: ATRInfo?
    /// Files that were read but could not be parsed, with the reason.
    public private(set) var problems: [(file: LDSFile, error: EMRTDError)] = []

    /// Parses every known file of `files`; a file that fails goes to ``problems`` and leaves its property nil.
    public init(files: [LDSFile: [UInt8]]) {
        self.files = files
        com = parse(.com) { try EFCOM($0) }
        dg1 = parse(.dg1) { try DG1($0) }
        faces = parse(.dg2) { try DG2.faceImages(from: $0) } ?? []
        dg11 = parse(.dg11) { try DG11($0) }
        dg12 = parse(.dg12) { try DG12($0) }
        dg13 = parse(.dg13) { try DG13($0) }
        dg14 = parse(.dg14) { try DG14($0) }
        dg15 = parse(.dg15) { try DG15($0) }
        cardAccess = parse(.cardAccess) { try SecurityInfos.parse($0) }
        atrInfo = parse(.atrInfo) { try ATRInfo($0) }
    }

    /// DG1's MRZ, when DG1 parsed.
    public var mrz: MRZ? { dg1?.mrz }

    private mutating func parse<T>(_ file: LDSFile, _ body: ([UInt8]) throws -> T) -> T? {
        guard let bytes = files[file] else { return nil }
        do {
            return try body(bytes)
        } catch let error as EMRTDError {
            problems.append((file, error))
        } catch {
            problems.append((file, EMRTDError(.invalidArgument, "\(file.name): \(errorDescription(error))")))
        }
        return nil
    }
}
