import EMRTDCore
public import LDS

/// A freshly printed card checked against the citizen's record: the chip's MRZ, every DG13 field
/// and the portrait must be exactly what the record says.
public enum RecordCheck {
    /// The differences between the chip's files and `record` (empty when everything matches), each
    /// naming the field and both values. `photo` is the portrait the record names, when known.
    public static func differences(files: [LDSFile: [UInt8]], record: CitizenRecord, photo: [UInt8]?) -> [String] {
        var out: [String] = []
        // DG1: the whole MRZ, line by line.
        if let dg1 = files[.dg1] {
            do {
                let chip = try DG1(dg1).mrz.lines
                let expected = try record.mrz().lines
                for (i, (a, b)) in zip(chip, expected).enumerated() where a != b {
                    out.append("MRZ line \(i + 1): chip \"\(a)\", record \"\(b)\"")
                }
                if chip.count != expected.count { out.append("MRZ: chip has \(chip.count) lines, record \(expected.count)") }
            } catch {
                out.append("MRZ: \(error.message)")
            }
        } else {
            out.append("DG1 (MRZ) was not read")
        }
        // DG13: every field by index, values compared after NFC normalization.
        if let dg13 = files[.dg13] {
            do {
                let chip = try DG13(dg13)
                let expected = DG13(record: record.dg13)
                let indices = Set(chip.fields.map(\.index)).union(expected.fields.map(\.index)).sorted()
                for index in indices {
                    let a = chip.field(index)?.values.map(\.precomposedStringWithCanonicalMapping) ?? []
                    let b = expected.field(index)?.values.map(\.precomposedStringWithCanonicalMapping) ?? []
                    if a != b {
                        out.append("DG13 field \(index) (\(fieldName(index))): chip \(quoted(a)), record \(quoted(b))")
                    }
                }
            } catch {
                out.append("DG13: \(error.message)")
            }
        } else {
            out.append("DG13 was not read")
        }
        // DG2: the portrait, byte for byte.
        if let photo {
            if let dg2 = files[.dg2], let face = try? DG2.faceImages(from: dg2).first {
                if face.imageData != photo {
                    out.append("portrait: the chip's face image (\(face.imageData.count) bytes) is not the record's photo (\(photo.count) bytes)")
                }
            } else {
                out.append("portrait: no face image was read")
            }
        }
        return out
    }

    static func quoted(_ values: [String]) -> String {
        values.isEmpty ? "(absent)" : values.map { "\"\($0)\"" }.joined(separator: " + ")
    }

    static func fieldName(_ index: Int) -> String {
        let names = [
            1: "personal ID", 2: "full name", 3: "date of birth", 4: "sex", 5: "nationality", 6: "ethnicity",
            7: "religion", 8: "place of origin", 9: "place of residence", 10: "identifying marks", 11: "date of issue",
            12: "date of expiry", 13: "parents", 14: "spouse", 15: "old ID number", 16: "field 16",
        ]
        return names[index] ?? "unknown"
    }
}

import Foundation
