import EMRTD
import PassiveAuthentication
import EMRTDCore
import LDS
import MRZ
import Cryptography

/// The JSON form of a read (`--json`): what was read, the holder's data, and what it cost.
struct ReadReport: Encodable {
    struct FileEntry: Encodable {
        var file: String
        var status: String
        var bytes: Int?
        var sha256: String?
        var error: String?
        var code: String?
    }

    struct Holder: Encodable {
        var documentCode: String?
        var issuingState: String?
        var documentNumber: String?
        var personalIDNumber: String?
        var fullName: String?
        var mrzName: String?
        var dateOfBirth: String?
        var sex: String?
        var dateOfExpiry: String?
        var nationality: String?
        var ethnicity: String?
        var religion: String?
        var placeOfOrigin: String?
        var placeOfResidence: String?
        var identifyingMarks: String?
        var dateOfIssue: String?
        var fatherName: String?
        var motherName: String?
        var spouseName: String?
        var oldIDNumber: String?
        var mrz: [String]?
        /// DG11 and DG12 text fields by name, when the chip has them.
        var additionalPersonalDetails: [String: String]?
        var additionalDocumentDetails: [String: String]?
        /// Every DG13 field by index, as read (unknown ones included).
        var dg13: [String: [String]]?
    }

    struct Photo: Encodable {
        var type: String
        var width: Int
        var height: Int
        var bytes: Int
    }

    struct Phase: Encodable {
        var apdus: Int
        var bytes: Int
        var seconds: Double
    }

    struct Stats: Encodable {
        var total: Phase
        /// access (EF.CardAccess, PACE/BAC), files (with Chip Authentication), active, verification.
        var phases: [String: Phase]
        var reauthentications: Int
        var blockSize: Int
    }

    struct Problem: Encodable {
        var file: String
        var code: String
        var error: String
    }

    struct Security: Encodable {
        /// Protocols EF.CardAccess offers (PACE, CA, TA), by their ICAO/BSI names.
        var cardAccess: [String]?
        /// Protocols and keys DG14 holds (Chip Authentication, PACE, TA).
        var dg14: [String]?
        /// DG15's Active Authentication public key.
        var activeAuthenticationKey: String?
    }

    var source: String
    /// `genuine`, `not-genuine` or `unverified`.
    var verdict: String
    var checks: ChecksJSON
    var trust: [String]
    var accessControl: String
    var accessNotes: [String]
    var security: Security
    var files: [FileEntry]
    var holder: Holder
    var photo: Photo?
    var problems: [Problem]
    var stats: Stats

    init(source: String, result: ReadResult, document: Document, verification: DocumentVerification, trust: [String], verificationSeconds: Double) {
        self.source = source
        verdict = verification.verdict.rawValue
        checks = ChecksJSON(verification, readFromChip: true)
        self.trust = trust
        accessControl = result.accessControl
        accessNotes = result.accessNotes
        files = result.outcomes.map { entry in
            var e = FileEntry(file: entry.file.name, status: "")
            switch entry.outcome {
            case .read:
                e.status = "read"
                let bytes = result.files[entry.file] ?? []
                e.bytes = bytes.count
                e.sha256 = HashAlgorithm.sha256.hash(bytes).hex
            case .absent: e.status = "absent"
            case .denied: e.status = "denied"
            case .skipped(let why):
                e.status = "skipped"
                e.error = why == .requested ? "left out on request (--skip-photo)" : "needs Extended Access Control, which this reader does not run"
                e.code = "skipped." + why.rawValue
            case .failed(let error):
                e.status = "failed"
                e.error = error.message
                e.code = error.code.rawValue
            }
            return e
        }
        holder = Holder(document: document)
        security = Security(
            cardAccess: document.cardAccess.map { $0.infos.map(\.protocolName) },
            dg14: document.dg14.map { $0.securityInfos.infos.map(\.protocolName) },
            activeAuthenticationKey: document.dg15.map { Self.describe($0.publicKey) }
        )
        photo = document.faces.first.map {
            Photo(type: $0.imageType.rawValue, width: $0.width, height: $0.height, bytes: $0.imageData.count)
        }
        problems = document.problems.map { Problem(file: $0.file.name, code: $0.error.code.rawValue, error: $0.error.message) }
        var phases: [String: Phase] = [:]
        for p in result.phases { phases[p.name] = Phase(apdus: p.statistics.apdus, bytes: p.statistics.bytes, seconds: p.seconds) }
        phases["verification"] = Phase(apdus: 0, bytes: 0, seconds: verificationSeconds)
        stats = Stats(
            total: Phase(apdus: result.statistics.apdus, bytes: result.statistics.bytes, seconds: result.seconds + verificationSeconds),
            phases: phases,
            reauthentications: result.reauthentications,
            blockSize: result.blockSize
        )
    }
}

extension ReadReport {
    static func describe(_ key: SubjectPublicKeyInfo) -> String {
        switch key.details {
        case .rsa(let bits, _): return "RSA \(bits)-bit"
        case .ec(let curve):
            let name = curve.name ?? (curve.hasExplicitParameters ? "explicit parameters" : "unknown curve")
            return "EC \(name)" + (curve.fieldBits.map { " (\($0)-bit)" } ?? "")
        case .dh(let bits): return "DH \(bits)-bit"
        default: return key.algorithmName
        }
    }
}

extension ReadReport.Holder {
    init(document: Document) {
        let mrz = document.mrz
        let dg13 = document.dg13
        documentCode = mrz?.documentCode
        issuingState = mrz?.issuingState
        documentNumber = mrz?.documentNumber
        personalIDNumber = dg13?.personalIDNumber
        fullName = dg13?.fullName
        if let mrz {
            mrzName = [mrz.primaryIdentifier, mrz.secondaryIdentifier].filter { !$0.isEmpty }.joined(separator: ", ")
        }
        dateOfBirth = dg13?.dateOfBirth ?? mrz?.dateOfBirth
        sex = dg13?.sex ?? mrz.map { String($0.sex.rawValue) }
        dateOfExpiry = dg13?.dateOfExpiry ?? mrz?.dateOfExpiry
        nationality = dg13?.nationality ?? mrz?.nationality
        ethnicity = dg13?.ethnicity
        religion = dg13?.religion
        placeOfOrigin = dg13?.placeOfOrigin
        placeOfResidence = dg13?.placeOfResidence
        identifyingMarks = dg13?.identifyingMarks
        dateOfIssue = dg13?.dateOfIssue
        fatherName = dg13?.fatherName
        motherName = dg13?.motherName
        spouseName = dg13?.spouseName
        oldIDNumber = dg13?.oldIDNumber
        self.mrz = mrz?.lines
        func texts(_ fields: [DetailField]) -> [String: String] {
            var out: [String: String] = [:]
            for f in fields { if let t = f.text { out[f.name] = t } }
            return out
        }
        additionalPersonalDetails = document.dg11.map { texts($0.fields) }
        additionalDocumentDetails = document.dg12.map { texts($0.fields) }
        if let dg13 {
            var all: [String: [String]] = [:]
            for field in dg13.fields { all[String(field.index)] = field.values }
            self.dg13 = all
        }
    }
}
