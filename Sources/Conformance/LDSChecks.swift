import EMRTDCore
import ISO7816
import LDS
import MRZ
import PassiveAuthentication

/// The cases judged from the files read: EF.COM, TLV structure, DG1, DG13, EF.SOD.
enum LDSChecks {
    static func efCOM(_ files: CardSuite.Files) -> CaseOutcome {
        guard let bytes = files.bytes[.com] else {
            return .failed("EF.COM could not be read: \(files.failures[.com]?.message ?? "absent")")
        }
        let com: EFCOM
        do {
            com = try EFCOM(bytes)
        } catch {
            return .failed("EF.COM is malformed: \(error.message)")
        }
        let listed = Set(com.dataGroups.compactMap(\.dataGroupNumber))
        let missing = listed.subtracting(files.present).sorted()
        let unlisted = files.present.subtracting(listed).sorted()
        var problems: [String] = []
        if !missing.isEmpty { problems.append("EF.COM lists \(names(missing)), which the chip does not have (6A82)") }
        if !unlisted.isEmpty { problems.append("the chip has \(names(unlisted)), which EF.COM does not list") }
        guard problems.isEmpty else { return .failed(problems.joined(separator: "; ")) }
        return .passed("EF.COM (LDS \(com.ldsVersionString)) lists \(names(listed.sorted())), exactly the data groups present")
    }

    static func names(_ groups: [Int]) -> String { groups.map { "DG\($0)" }.joined(separator: ", ") }

    /// Every file read parses as BER-TLV through every constructed object, with no trailing bytes,
    /// under the tag its LDS file identifier implies.
    static func tlv(_ files: CardSuite.Files) -> CaseOutcome {
        var problems: [String] = []
        for (file, error) in files.failures.sorted(by: { $0.key.fileID < $1.key.fileID }) {
            problems.append("\(file.name) could not be read: \(error.message)")
        }
        for (file, bytes) in files.bytes.sorted(by: { $0.key.fileID < $1.key.fileID }) {
            do {
                let object = try BERTLV.parse(bytes)
                if let tag = file.tag, object.tag != tag {
                    problems.append("\(file.name) starts with tag \(object.tag), not \(tag)")
                }
                try walk(object, depth: 0)
            } catch {
                problems.append("\(file.name): \(error.message) [\(error.code)]")
            }
        }
        guard problems.isEmpty else { return .failed(problems.joined(separator: "; ")) }
        return .passed("\(files.bytes.count) files are well-formed BER-TLV")
    }

    private static func walk(_ object: TLV, depth: Int) throws(EMRTDError) {
        guard object.tag.isConstructed else { return }
        // EF.SOD holds BER-encoded CMS inside an OCTET STRING, which is primitive: the walk stops there.
        for child in try object.children() {
            try walk(child, depth: depth + 1)
        }
    }

    static func dg1(_ files: CardSuite.Files) -> CaseOutcome {
        guard let bytes = files.bytes[.dg1] else {
            return .failed("DG1 could not be read: \(files.failures[.dg1]?.message ?? "absent")")
        }
        do {
            let dg1 = try DG1(bytes)
            return .passed("\(dg1.mrz.format) MRZ, every check digit right")
        } catch {
            return .failed("DG1: \(error.message) [\(error.code)]")
        }
    }

    static func dg13(_ files: CardSuite.Files) -> CaseOutcome {
        guard let bytes = files.bytes[.dg13] else { return .skipped("no DG13") }
        if let mrz = files.bytes[.dg1].flatMap({ try? DG1($0) })?.mrz, mrz.issuingState != "VNM" {
            return .skipped("not a CCCD (issuing state \(mrz.issuingState)): DG13 has no fixed layout")
        }
        let dg13: DG13
        do {
            dg13 = try DG13(bytes)
        } catch {
            return .failed("\(error.message) [\(error.code)]")
        }
        var problems: [String] = []
        if dg13.version != 1 { problems.append("version \(dg13.version), not 1") }
        if dg13.oid != DG13.contentOID { problems.append("OID \(dg13.oid), not \(DG13.contentOID)") }
        if let id = dg13.personalIDNumber {
            if !(id.count == 12 && id.allSatisfy(\.isNumber)) { problems.append("field 1 (personal ID) is not 12 digits") }
        } else {
            problems.append("field 1 (personal ID) is missing")
        }
        if dg13.fullName?.isEmpty ?? true { problems.append("field 2 (full name) is missing") }
        guard problems.isEmpty else { return .failed("DG13: " + problems.joined(separator: "; ")) }
        return .passed("DG13 v1 with \(dg13.fields.count) fields")
    }

    static func sod(_ files: CardSuite.Files, trust: TrustStore) -> CaseOutcome {
        guard let sod = files.bytes[.sod] else {
            return .failed("EF.SOD could not be read: \(files.failures[.sod]?.message ?? "absent")")
        }
        var groups: [Int: [UInt8]] = [:]
        for (file, bytes) in files.bytes { if let n = file.dataGroupNumber { groups[n] = bytes } }
        let result = PassiveAuthentication.verify(sod: sod, dataGroups: groups, trust: trust)
        var problems: [String] = []
        if result.signature != .valid { problems.append("signature \(result.signature.rawValue)") }
        for (n, status) in result.dataGroups.sorted(by: { $0.key < $1.key }) where status == .mismatch || status == .notInSOD {
            problems.append("DG\(n): \(status.rawValue)")
        }
        if !trust.cscas.isEmpty && result.chain != .valid { problems.append("chain \(result.chain.rawValue)") }
        guard problems.isEmpty else {
            return .failed(problems.joined(separator: "; ") + (result.reasons.isEmpty ? "" : " (" + result.reasons.joined(separator: "; ") + ")"))
        }
        let covered = result.dataGroups.filter { $0.value == .match }.keys.sorted()
        return .passed("signature valid, chain \(result.chain.rawValue); hashes match for \(names(covered))")
    }
}
