public import EMRTD
import PassiveAuthentication
import EMRTDCore
public import LDS
import MRZ
import Cryptography

/// A read and its verification as the README documents it (`cccd-read --json`): the verdict and
/// every check (``VerificationReport``), what was read, the holder's data, and what it cost. Its
/// JSON encoding is the contract consumers parse; the keys and codes stay in English.
public struct InspectionReport: Codable, Sendable {
    public struct FileEntry: Codable, Sendable {
        public var file: String
        public var status: String
        public var bytes: Int?
        public var sha256: String?
        public var error: String?
        public var code: String?
    }

    public struct Holder: Codable, Sendable {
        public var documentCode: String?
        public var issuingState: String?
        public var documentNumber: String?
        public var personalIDNumber: String?
        public var fullName: String?
        public var mrzName: String?
        public var dateOfBirth: String?
        public var sex: String?
        public var dateOfExpiry: String?
        public var nationality: String?
        public var ethnicity: String?
        public var religion: String?
        public var placeOfOrigin: String?
        public var placeOfResidence: String?
        public var identifyingMarks: String?
        public var dateOfIssue: String?
        public var fatherName: String?
        public var motherName: String?
        public var spouseName: String?
        public var oldIDNumber: String?
        public var mrz: [String]?
        /// DG11 and DG12 text fields by name, when the chip has them.
        public var additionalPersonalDetails: [String: String]?
        public var additionalDocumentDetails: [String: String]?
        /// Every DG13 field by index, as read (unknown ones included).
        public var dg13: [String: [String]]?
    }

    public struct Photo: Codable, Sendable {
        public var type: String
        public var width: Int
        public var height: Int
        public var bytes: Int
    }

    public struct Phase: Codable, Sendable {
        public var apdus: Int
        public var bytes: Int
        public var seconds: Double
    }

    public struct Stats: Codable, Sendable {
        public var total: Phase
        /// access (EF.CardAccess, PACE/BAC), files (with Chip Authentication), active, verification.
        public var phases: [String: Phase]
        public var reauthentications: Int
        public var blockSize: Int
    }

    public struct Problem: Codable, Sendable {
        public var file: String
        public var code: String
        public var error: String
    }

    public struct Security: Codable, Sendable {
        /// Protocols EF.CardAccess offers (PACE, CA, TA), by their ICAO/BSI names.
        public var cardAccess: [String]?
        /// Protocols and keys DG14 holds (Chip Authentication, PACE, TA).
        public var dg14: [String]?
        /// DG15's Active Authentication public key.
        public var activeAuthenticationKey: String?
    }

    public var source: String
    /// `genuine`, `not-genuine` or `unverified`.
    public var verdict: String
    public var checks: VerificationReport
    public var trust: [String]
    public var accessControl: String
    public var accessNotes: [String]
    public var security: Security
    public var files: [FileEntry]
    public var holder: Holder
    public var photo: Photo?
    public var problems: [Problem]
    public var stats: Stats

    /// - Parameters:
    ///   - source: the card as the report names it (a reader, the virtual chip, an image's folder).
    ///   - result: the read (for a card image, one with only its files).
    ///   - document: the parsed files.
    ///   - verification: every check and the verdict.
    ///   - trust: how the trust store's sources are named.
    ///   - verificationSeconds: what the verification cost.
    ///   - fromChip: `false` for a card image (no read, so no `files` check).
    public init(
        source: String, result: ReadResult, document: Document, verification: DocumentVerification, trust: [String],
        verificationSeconds: Double, fromChip: Bool = true
    ) {
        self.source = source
        verdict = verification.verdict.rawValue
        checks = VerificationReport(verification, readFromChip: fromChip)
        self.trust = trust
        accessControl = result.accessControl.description
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

extension InspectionReport {
    /// "RSA 2048-bit", "EC brainpoolP256r1 (256-bit)".
    public static func describe(_ key: SubjectPublicKeyInfo) -> String {
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

extension InspectionReport.Holder {
    /// The holder as DG1 (the MRZ) and DG13 (a CCCD's record) give it, DG11 and DG12 by field name.
    public init(document: Document) {
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
