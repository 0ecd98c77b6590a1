import AccessControl
import EMRTD
import EMRTDCore
import Foundation
import LDS
import MRZ
import Specimen
import ISO7816
import VirtualChip

/// The repository root, from this file's path.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

func specimen(_ configure: (inout ChipLimits) -> Void = { _ in }) throws -> CardImage {
    var image = try Specimen.cardImage()
    configure(&image.settings.chip)
    return image
}

/// The specimen with only EF.COM, DG1, DG2, DG13 and EF.CardAccess: no EF.SOD, no Chip or
/// Active Authentication (reading tests that count APDUs or outcomes).
func basicSpecimen(_ configure: (inout ChipLimits) -> Void = { _ in }) throws -> CardImage {
    var image = try specimen(configure)
    image.files[.sod] = nil
    image.files[.dg14] = nil
    image.files[.dg15] = nil
    image.files[.com] = EFCOM(dataGroups: [.dg1, .dg2, .dg13]).raw
    return image
}

func specimenKey() throws -> AccessKey {
    .mrz(MRZKey(mrz: try Specimen.mrz()))
}

/// Reads a chip with the reader's defaults and the specimen key, with BAC unless told otherwise
/// (the reading tests are about READ BINARY and secure messaging, not the access protocol).
func readAll(
    _ chip: any CardChannel, options: ReaderOptions = ReaderOptions(), key: AccessKey? = nil,
    access: AccessControlPreference = .bacOnly
) throws -> ReadResult {
    var reader = DocumentReader(options: options)
    reader.accessControl = access
    return try reader.read(from: chip, key: key ?? specimenKey())
}
