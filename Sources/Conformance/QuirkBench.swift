import AccessControl
import EMRTD
public import EMRTDCore
public import LDS
import MRZ
import PassiveAuthentication
import Specimen
public import VirtualChip

/// Reads the built-in specimen with the quirks of real chips (``ChipQuirk``) and says what each
/// costs the reader: the verdict, the APDUs over the same chip without the quirk, and the
/// re-authentications. `cccd sim --list-quirks --measure` prints it; the README's table is its output.
public enum QuirkBench {
    /// What a quirk costs a read of the specimen: one cell of the README's quirk table.
    public struct Cost: Sendable, Hashable, CustomStringConvertible {
        /// The verdict, or the read's error code when it ended in an error.
        public var outcome: String
        /// APDUs beyond a read of the same chip without the quirk.
        public var extraAPDUs: Int
        /// How many times the reader had to re-establish secure messaging.
        public var reauthentications: Int

        /// "+4", "+11 (1 re-auth.)", or the verdict / error code when the read was not genuine.
        public var description: String {
            guard outcome == Verdict.genuine.rawValue else { return outcome == "error" ? outcome : "`\(outcome)`" }
            return "+\(extraAPDUs)" + (reauthentications > 0 ? " (\(reauthentications) re-auth.)" : "")
        }
    }

    /// The specimen with PACE (`pace: true`) or BAC only.
    public static func specimen(pace: Bool) throws(EMRTDError) -> CardImage {
        try Specimen.cardImage(pace: pace)
    }

    /// Reads `image` with `quirks` and the specimen's MRZ (PACE when offered, else BAC), against
    /// the same chip without them (its limits as the quirks set them).
    public static func cost(of quirks: Set<ChipQuirk>, on image: CardImage) throws(EMRTDError) -> Cost {
        let key = AccessKey.mrz(MRZKey(mrz: try Specimen.mrz()))
        let quirky = try VirtualChip(image: image)
        quirky.quirks = quirks
        let plain = try VirtualChip(image: image)
        plain.limits = quirky.limits
        let baseline = try DocumentReader().read(from: plain, key: key).statistics.apdus
        do throws(EMRTDError) {
            let result = try DocumentReader().read(from: quirky, key: key)
            let verdict = DocumentVerification(read: result, trust: Specimen.testPKI.trustStore).verdict
            return Cost(outcome: verdict.rawValue, extraAPDUs: result.statistics.apdus - baseline, reauthentications: result.reauthentications)
        } catch {
            return Cost(outcome: error.code.rawValue, extraAPDUs: 0, reauthentications: 0)
        }
    }

    /// Every quirk, then every combination: name, what it is, its cost with PACE and with BAC.
    public static func table() throws(EMRTDError) -> [(name: String, quirks: [ChipQuirk], pace: Cost, bac: Cost)] {
        let pace = try specimen(pace: true), bac = try specimen(pace: false)
        var rows: [(name: String, quirks: [ChipQuirk], pace: Cost, bac: Cost)] = []
        for quirk in ChipQuirk.allCases {
            rows.append((quirk.rawValue, [quirk], try cost(of: [quirk], on: pace), try cost(of: [quirk], on: bac)))
        }
        for combination in ChipQuirk.combinations {
            let quirks = Set(combination.quirks)
            rows.append((combination.name, combination.quirks, try cost(of: quirks, on: pace), try cost(of: quirks, on: bac)))
        }
        return rows
    }

    /// The table in Markdown, as the README shows it.
    public static func markdown() throws(EMRTDError) -> String {
        var out = [
            "| quirk | the chip | seen on (CHIP-QUIRKS.md) | the reader | PACE | BAC |",
            "|---|---|---|---|---|---|",
        ]
        for row in try table() {
            if row.quirks.count == 1, let quirk = row.quirks.first, quirk.rawValue == row.name {
                out.append("| `\(row.name)` | \(quirk.behaviour) | \(quirk.source) | \(quirk.readerStrategy) | \(row.pace) | \(row.bac) |")
            } else if let combination = ChipQuirk.combinations.first(where: { $0.name == row.name }) {
                out.append("| `\(row.name)` | \(row.quirks.map { "`\($0.rawValue)`" }.joined(separator: " ")) | \(combination.documents) | each quirk's | \(row.pace) | \(row.bac) |")
            }
        }
        return out.joined(separator: "\n")
    }
}
