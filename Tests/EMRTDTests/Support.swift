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
