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
    /// One element of `files`: what happened to a file the read asked for, and a digest of what came back.
    public struct FileEntry: Codable, Sendable {
        /// `file`: the file's LDS name ("EF.COM", "DG13", "EF.SOD", "EF.CardAccess"…), as in a card image.
        public var file: String
        /// `status`: `read`, `absent` (6A82), `denied` (6982), `skipped` or `failed`.
        public var status: String
        /// `bytes`: the file's length as read (`read` only).
        public var bytes: Int?
        /// `sha256`: SHA-256 of the bytes as read, upper-case hex (`read` only), to compare with a dump.
        public var sha256: String?
        /// `error`: why the file was skipped or failed, for a person.
        public var error: String?
        /// `code`: the stable code of a skip (`skipped.requested`, `skipped.needs-eac`) or of the error
        /// (`lds.read-failed`, `sm.…`).
        public var code: String?
    }

    /// `holder`: the holder's data, DG13's record first where a CCCD has one, DG1's MRZ otherwise; text as
    /// the chip holds it (UTF-8), dates in the source's own format. A field the document lacks is absent.
    public struct Holder: Codable, Sendable {
        /// `documentCode`: DG1's document code without fillers (`ID` on a CCCD, `P` on a passport).
        public var documentCode: String?
        /// `issuingState`: DG1's issuing state or organization, three letters (`VNM`).
        public var issuingState: String?
        /// `documentNumber`: DG1's document number; on a CCCD the last 9 digits of the personal ID.
        public var documentNumber: String?
        /// `personalIDNumber`: DG13 field 1, the 12-digit personal ID (CCCD only).
        public var personalIDNumber: String?
        /// `fullName`: DG13 field 2, UTF-8 with Vietnamese diacritics (CCCD only).
        public var fullName: String?
        /// `mrzName`: DG1's primary and secondary identifiers joined by ", " (`<` read as spaces).
        public var mrzName: String?
        /// `dateOfBirth`: DG13 field 3 (dd/mm/yyyy), else DG1's YYMMDD.
        public var dateOfBirth: String?
        /// `sex`: DG13 field 4 ("Nam" or "Nữ"), else DG1's `M`, `F`, `X` or `<`.
        public var sex: String?
        /// `dateOfExpiry`: DG13 field 12 (dd/mm/yyyy, or text such as "Không thời hạn"), else DG1's YYMMDD.
        public var dateOfExpiry: String?
        /// `nationality`: DG13 field 5 ("Việt Nam"), else DG1's three-letter code.
        public var nationality: String?
        /// `ethnicity`: DG13 field 6, UTF-8.
        public var ethnicity: String?
        /// `religion`: DG13 field 7, UTF-8.
        public var religion: String?
        /// `placeOfOrigin`: DG13 field 8, UTF-8.
        public var placeOfOrigin: String?
        /// `placeOfResidence`: DG13 field 9, UTF-8.
        public var placeOfResidence: String?
        /// `identifyingMarks`: DG13 field 10, UTF-8.
        public var identifyingMarks: String?
        /// `dateOfIssue`: DG13 field 11, dd/mm/yyyy.
        public var dateOfIssue: String?
        /// `fatherName`: DG13 field 13, its first value.
        public var fatherName: String?
        /// `motherName`: DG13 field 13, its second value.
        public var motherName: String?
        /// `spouseName`: DG13 field 14; absent when the card has no spouse (the field holds no value).
        public var spouseName: String?
        /// `oldIDNumber`: DG13 field 15, the 9-digit ID of the card before; absent on cards issued without one.
        public var oldIDNumber: String?
        /// `mrz`: DG1's machine readable zone, one string per line, exactly as printed.
        public var mrz: [String]?
        /// DG11's text fields by name, when the chip has it.
        public var additionalPersonalDetails: [String: String]?
        /// `additionalDocumentDetails`: DG12's text fields by their Doc 9303-10 name, when the chip has DG12.
        public var additionalDocumentDetails: [String: String]?
        /// Every DG13 field by index, as read (unknown ones included).
        public var dg13: [String: [String]]?
    }

    /// `photo`: the first face image of DG2, described, not embedded (`--photo FILE` writes it).
    public struct Photo: Codable, Sendable {
        /// `type`: `jpeg` or `jpeg2000`.
        public var type: String
        /// `width`: in pixels, from the face image header.
        public var width: Int
        /// `height`: in pixels, from the face image header.
        public var height: Int
        /// `bytes`: the length of the image data.
        public var bytes: Int
    }

    /// What part of a read cost: `stats.total` and each entry of `stats.phases`.
    public struct Phase: Codable, Sendable {
        /// `apdus`: command APDUs sent.
        public var apdus: Int
        /// `bytes`: bytes sent and received together.
        public var bytes: Int
        /// `seconds`: wall-clock time.
        public var seconds: Double
    }

    /// `stats`: what the read and its verification cost.
    public struct Stats: Codable, Sendable {
        /// `total`: the whole read plus the verification.
        public var total: Phase
        /// access (EF.CardAccess, PACE/BAC), files (with Chip Authentication), active, verification.
        public var phases: [String: Phase]
        /// `reauthentications`: how many times access control was re-established after secure messaging broke.
        public var reauthentications: Int
        /// `blockSize`: the READ BINARY length the chip accepted by the end of the read (0 for a card image).
        public var blockSize: Int
    }

    /// One element of `problems`: a file that was read but could not be parsed.
    public struct Problem: Codable, Sendable {
        /// `file`: the file's LDS name.
        public var file: String
        /// `code`: the stable error code (`dg13.unexpected-layout`, `tlv.…`).
        public var code: String
        /// `error`: what is wrong with it, for a person.
        public var error: String
    }

    /// `security`: the security protocols and keys the chip announces.
    public struct Security: Codable, Sendable {
        /// Protocols EF.CardAccess offers (PACE, CA, TA), by their ICAO/BSI names.
        public var cardAccess: [String]?
        /// Protocols and keys DG14 holds (Chip Authentication, PACE, TA).
        public var dg14: [String]?
        /// DG15's Active Authentication public key.
        public var activeAuthenticationKey: String?
    }

    /// `source`: the card as the caller named it: a PC/SC reader, "virtual chip", a card image's folder.
    public var source: String
    /// `genuine`, `not-genuine` or `unverified`.
    public var verdict: String
    /// `checks`: every check with its status and reason (``VerificationReport``).
    public var checks: VerificationReport
    /// `trust`: the trust store's sources (CSCA files, folders, master lists, CRLs), and what was skipped.
    public var trust: [String]
    /// `accessControl`: `none`, `BAC`, or `PACE-<password> <protocol> with <domain parameters>`
    /// (`PACE-CAN id-PACE-ECDH-GM-AES-CBC-CMAC-128 with brainpoolP256r1`).
    public var accessControl: String
    /// `accessNotes`: why the reader chose that access control (a fallback to BAC, the CCCD's default
    /// EF.CardAccess) and whether secure messaging broke for good.
    public var accessNotes: [String]
    /// `security`: what EF.CardAccess, DG14 and DG15 offer.
    public var security: Security
    /// `files`: every file the read asked for, in the order it was asked for.
    public var files: [FileEntry]
    /// `holder`: the holder from DG1 and DG13, and DG11/DG12 when present.
    public var holder: Holder
    /// `photo`: DG2's first face image; absent when DG2 was not read or has none.
    public var photo: Photo?
    /// `problems`: files read but malformed, parsed one by one: a bad DG13 leaves DG1's fields in `holder`.
    public var problems: [Problem]
    /// `stats`: APDUs, bytes and seconds in total and per phase.
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
