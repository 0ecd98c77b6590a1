import AccessControl
import EMRTD
import EMRTDCore
import Foundation
import LDS
import MRZ
import Specimen
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

/// Reads a chip with the reader's defaults and the specimen key.
func readAll(_ chip: VirtualChip, options: ReaderOptions = ReaderOptions(), key: AccessKey? = nil) throws -> ReadResult {
    try DocumentReader(options: options).read(from: chip, key: key ?? specimenKey())
}
