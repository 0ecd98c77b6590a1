public import Foundation

/// The language of what a person reads: the clerk at a Vietnamese counter reads Vietnamese.
public enum Language: String, CaseIterable, Sendable {
    case english = "en"
    case vietnamese = "vi"

    /// The language the environment asks for, as POSIX orders it: `LC_ALL`, then `LC_MESSAGES`,
    /// then `LANG`; a value starting with `vi` is Vietnamese, anything else English.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Language {
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let value = environment[name], !value.isEmpty else { continue }
            return value.lowercased().hasPrefix("vi") ? .vietnamese : .english
        }
        return .english
    }
}

/// Every message a person reads from the tools, by a stable key. Each language has one catalogue
/// (`Catalogue+en.swift`, `Catalogue+vi.swift`) with every key; a test fails when one lacks a key.
/// Placeholders are `{1}`, `{2}` … in the order of ``Messages/format(_:_:)``'s arguments.
public enum MessageKey: String, CaseIterable, Sendable {
    case verdictGenuine = "verdict.genuine"
    case verdictNotGenuine = "verdict.not-genuine"
    case verdictUnverified = "verdict.unverified"
    /// {1}: the files not read whole.
    case verdictIncompleteAdvice = "verdict.incomplete-advice"

    case checks = "checks"
    case checkPassive = "check.passive"
    case checkCardSecurity = "check.card-security"
    case checkChip = "check.chip"
    case checkActive = "check.active"
    case checkFiles = "check.files"
    case checkRecord = "check.record"
    case statusPassed = "status.passed"
    case statusFailed = "status.failed"
    case statusIssuerUnknown = "status.issuer-unknown"
    case statusNotSupported = "status.not-supported"
    case statusNotRun = "status.not-run"
    case statusIncomplete = "status.incomplete"
    /// {1}: the signature's status, {2}: the chain's.
    case signatureAndChain = "passive.signature-and-chain"
    case signer = "passive.signer"
    case csca = "passive.csca"
    case dataGroups = "passive.data-groups"

    /// {1}: the access control, {2}: the card's source.
    case cardReadWith = "read.card-read-with"
    case note = "read.note"
    case trust = "read.trust"
    case files = "read.files"
    case problems = "read.problems"
    /// {1}: seconds, {2}: APDUs, {3}: bytes, {4}: block size.
    case statistics = "read.statistics"

    case holder = "holder"
    case fullName = "holder.full-name"
    case mrzName = "holder.mrz-name"
    case personalID = "holder.personal-id"
    case document = "holder.document"
    case dateOfBirth = "holder.date-of-birth"
    case sex = "holder.sex"
    case nationality = "holder.nationality"
    case ethnicity = "holder.ethnicity"
    case religion = "holder.religion"
    case placeOfOrigin = "holder.place-of-origin"
    case placeOfResidence = "holder.place-of-residence"
    case identifyingMarks = "holder.identifying-marks"
    case dateOfIssue = "holder.date-of-issue"
    case dateOfExpiry = "holder.date-of-expiry"
    case father = "holder.father"
    case mother = "holder.mother"
    case spouse = "holder.spouse"
    case oldIDNumber = "holder.old-id-number"
    case mrz = "holder.mrz"
    case photo = "holder.photo"
    case additionalPersonalDetails = "holder.dg11"
    case additionalDocumentDetails = "holder.dg12"
    case chipSecurity = "read.chip-security"

    case reportTitle = "report.title"
    case certificateChain = "report.certificate-chain"
    case documentSigner = "report.document-signer"
    case serialNumber = "report.serial-number"
    /// {1}: not before, {2}: not after.
    case validity = "report.validity"
    case file = "report.file"
    case status = "report.status"
    case size = "report.size"
    case readStatistics = "report.read-statistics"
    case accessControl = "report.access-control"
    /// {1}: the date and time.
    case generated = "report.generated"
    case noPhoto = "report.no-photo"
    /// {1}: the image format.
    case photoNotShown = "report.photo-not-shown"
    case reason = "report.reason"
    case check = "report.check"

    /// {1}: the reader.
    case stationBack = "station.back"
    /// {1}: the reader, {2}: what went wrong.
    case stationRetrying = "station.retrying"
    /// {1}: the reader.
    case stationNoRecord = "station.no-record"
    /// {1}: the reader, {2}: the personal ID.
    case stationReading = "station.reading"
    /// {1}: the reader, {2}: the personal ID, {3}: the attempt, {4}: the verdict and its reasons.
    case stationAttempt = "station.attempt"
    /// {1}: the reader, {2}: the personal ID, {3}: what went wrong.
    case stationAuditFailed = "station.audit-failed"
    /// {1}: the reader, {2}: what went wrong.
    case stationReadingAgain = "station.reading-again"
    case wordGenuine = "word.genuine"
    case wordNotGenuine = "word.not-genuine"
    case wordUnverified = "word.unverified"
    case wordError = "word.error"

    case errorPrefix = "error.prefix"
    case errorAccessRefused = "error.access-refused"
    case errorAccessAdvice = "error.access-advice"
    case errorCardGone = "error.card-gone"
    case errorCardGoneAdvice = "error.card-gone-advice"
    case errorNoReader = "error.no-reader"
    case errorNoReaderAdvice = "error.no-reader-advice"
    case errorSecureMessaging = "error.secure-messaging"
    case errorInput = "error.input"
    case errorOther = "error.other"

    // The words of a signature, a chain and a data group's hash (`valid`, `match` …).
    case outcomeValid = "outcome.valid"
    case outcomeInvalid = "outcome.invalid"
    case outcomeNotChecked = "outcome.not-checked"
    case outcomeUnknown = "outcome.unknown"
    case outcomeMatch = "outcome.match"
    case outcomeMismatch = "outcome.mismatch"
    case outcomeNotInSOD = "outcome.not-in-sod"
    case outcomeNotRead = "outcome.not-read"
    case outcomeRead = "outcome.read"
    case outcomeAbsent = "outcome.absent"
    case outcomeDenied = "outcome.denied"
    case outcomeSkipped = "outcome.skipped"
    case outcomeFailed = "outcome.failed"
    /// {1}: a number of bytes.
    case bytesCount = "bytes"

    // A check's outcome for a person, by the check's code (`reason.CODE`) or by `reason.CHECK.STATUS`.
    case reasonPassivePassed = "reason.passive.passed"
    case reasonPassiveFailed = "reason.passive.failed"
    case reasonPassiveIssuerUnknown = "reason.passive.issuer-unknown"
    case reasonPassiveNotSupported = "reason.passive.not-supported"
    case reasonPassiveNotRun = "reason.passive.not-run"
    case reasonCardSecurityPassed = "reason.card-security.passed"
    case reasonCardSecurityFailed = "reason.card-security.failed"
    case reasonCardSecurityIssuerUnknown = "reason.card-security.issuer-unknown"
    case reasonCardSecurityNotSupported = "reason.card-security.not-supported"
    case reasonCardSecurityNotRun = "reason.card-security.not-run"
    case reasonChipPassed = "reason.chip.passed"
    case reasonChipFailed = "reason.chip.failed"
    case reasonChipNotSupported = "reason.chip.not-supported"
    case reasonChipNotRun = "reason.chip.not-run"
    case reasonActivePassed = "reason.active.passed"
    case reasonActiveFailed = "reason.active.failed"
    case reasonActiveNotSupported = "reason.active.not-supported"
    case reasonActiveNotRun = "reason.active.not-run"
    case reasonFilesPassed = "reason.files.passed"
    case reasonFilesIncomplete = "reason.files.incomplete"
    case reasonRecordPassed = "reason.record.passed"
    case reasonRecordFailed = "reason.record.failed"
    case reasonPaDgMismatch = "reason.pa.dg-mismatch"
    case reasonPaSignatureInvalid = "reason.pa.signature-invalid"
    case reasonPaMessageDigestMismatch = "reason.pa.message-digest-mismatch"
    case reasonPaIssuerUnknown = "reason.pa.issuer-unknown"
    case reasonPaCertificateExpired = "reason.pa.certificate-expired"
    case reasonPaCertificateNotYetValid = "reason.pa.certificate-not-yet-valid"
    case reasonPaCertificateRevoked = "reason.pa.certificate-revoked"
    case reasonPaChainSignatureInvalid = "reason.pa.chain-signature-invalid"
    case reasonPaSodMissing = "reason.pa.sod-missing"
    case reasonLdsReadFailed = "reason.lds.read-failed"

    // The station's dashboard (`cccd station --dashboard`).
    case dashboardTitle = "dashboard.title"
    case dashboardReaders = "dashboard.readers"
    case dashboardReader = "dashboard.reader"
    case dashboardState = "dashboard.state"
    case dashboardCard = "dashboard.card"
    case dashboardWaiting = "dashboard.waiting"
    case dashboardReading = "dashboard.reading"
    case dashboardPassed = "dashboard.passed"
    case dashboardFailed = "dashboard.failed"
    case dashboardLost = "dashboard.lost"
    case dashboardNoRecord = "dashboard.no-record"
    case dashboardCardsPerMinute = "dashboard.cards-per-minute"
    case dashboardLastMinute = "dashboard.last-minute"
    case dashboardTotal = "dashboard.total"
    case dashboardReasons = "dashboard.reasons"
    case dashboardLastFailures = "dashboard.last-failures"
    case dashboardTime = "dashboard.time"
    case dashboardNone = "dashboard.none"
    case dashboardDisconnected = "dashboard.disconnected"

    // cccd-read's help (--help), in the language of the environment (LANG; --lang comes too late for it).
    case helpReadAbstract = "help.read.abstract"
    case helpReadDiscussion = "help.read.discussion"
    case helpReadSimulated = "help.read.simulated"
    case helpReadListReaders = "help.read.list-readers"
    case helpReadReader = "help.read.reader"
    case helpReadWait = "help.read.wait"
    case helpReadCardImage = "help.read.card-image"
    case helpReadTrust = "help.read.trust"
    case helpReadExpect = "help.read.expect"
    case helpReadJson = "help.read.json"
    case helpReadHtml = "help.read.html"
    case helpReadLang = "help.read.lang"
    case helpReadDump = "help.read.dump"
    case helpReadPhoto = "help.read.photo"
    case helpReadSkipPhoto = "help.read.skip-photo"
    case helpReadAccess = "help.read.access"
    case helpReadVerbose = "help.read.verbose"
    case helpReadApduTimeout = "help.read.apdu-timeout"
    case helpReadReadTimeout = "help.read.read-timeout"
    case helpReadHostile = "help.read.hostile"
    case helpReadQuirk = "help.read.quirk"
    case helpReadHostileDelay = "help.read.hostile-delay"
    case helpReadMrz = "help.read.mrz"
    case helpReadDocumentNumber = "help.read.document-number"
    case helpReadPersonalID = "help.read.personal-i-d"
    case helpReadDateOfBirth = "help.read.date-of-birth"
    case helpReadDateOfExpiry = "help.read.date-of-expiry"
    case helpReadCan = "help.read.can"
    case helpReadPin = "help.read.pin"
    case helpReadPuk = "help.read.puk"
    case helpReadKeyStdin = "help.read.key-stdin"

    // cccd verify's and cccd station's help, like cccd-read's.
    case helpVerifyAbstract = "help.verify.abstract"
    case helpVerifyDiscussion = "help.verify.discussion"
    case helpVerifyPaths = "help.verify.paths"
    case helpVerifyBatch = "help.verify.batch"
    case helpVerifyJobs = "help.verify.jobs"
    case helpVerifyOut = "help.verify.out"
    case helpVerifyResume = "help.verify.resume"
    case helpVerifyAt = "help.verify.at"
    case helpVerifyHtml = "help.verify.html"
    case helpStationAbstract = "help.station.abstract"
    case helpStationDiscussion = "help.station.discussion"
    case helpStationRecords = "help.station.records"
    case helpStationDb = "help.station.db"
    case helpStationJournal = "help.station.journal"
    case helpStationStation = "help.station.station"
    case helpStationOperator = "help.station.operator"
    case helpStationBatch = "help.station.batch"
    case helpStationInOrder = "help.station.in-order"
    case helpStationLang = "help.station.lang"
    case helpStationReader = "help.station.reader"
    case helpStationCards = "help.station.cards"
    case helpStationDashboard = "help.station.dashboard"

    // The counter page (`cccd counter`).
    case counterTitle = "counter.title"
    case counterNoService = "counter.no-service"
    case counterNoReader = "counter.no-reader"
    case counterWaiting = "counter.waiting"
    case counterReaders = "counter.readers"
    case counterCardIn = "counter.card-in"
    case counterNoCard = "counter.no-card"
    case counterKeyPrompt = "counter.key-prompt"
    case counterCAN = "counter.can"
    case counterOtherKey = "counter.other-key"
    case counterMRZ = "counter.mrz"
    case counterIDNumber = "counter.id-number"
    case counterDateOfBirth = "counter.date-of-birth"
    case counterDateOfExpiry = "counter.date-of-expiry"
    case counterRead = "counter.read"
    case counterReading = "counter.reading"
    /// {1}: the file, {2}: bytes read, {3}: its size.
    case counterReadingFile = "counter.reading-file"
    case counterPrint = "counter.print"
    case counterSave = "counter.save"
    case counterDone = "counter.done"
    case counterTryAgain = "counter.try-again"
    case counterRemoveToClear = "counter.remove-to-clear"
    case counterDetails = "counter.details"
    case counterDisconnected = "counter.disconnected"
    case counterKeyCANDigits = "counter.key-can-digits"
    case counterKeyMissing = "counter.key-missing"
}

/// The messages of one language.
public struct Messages: Sendable {
    /// The language the messages are in.
    public let language: Language
    private let catalogue: [MessageKey: String]

    /// The messages of `language`.
    public init(_ language: Language) {
        self.language = language
        catalogue = Self.catalogue(language)
    }

    /// The catalogue of `language`: every key's text.
    public static func catalogue(_ language: Language) -> [MessageKey: String] {
        switch language {
        case .english: english
        case .vietnamese: vietnamese
        }
    }

    /// The text of `key` (the key itself when a catalogue lacks it, which a test forbids).
    public subscript(_ key: MessageKey) -> String { catalogue[key] ?? key.rawValue }

    /// The text of `key` with `{1}`, `{2}` … replaced by `arguments`.
    public func format(_ key: MessageKey, _ arguments: String...) -> String {
        var text = self[key]
        for (i, argument) in arguments.enumerated() { text = text.replacingOccurrences(of: "{\(i + 1)}", with: argument) }
        return text
    }

    /// A verdict word of the audit log (`genuine`, `not-genuine`, `unverified`, `error`) in this language.
    public func verdictWord(_ raw: String) -> String {
        switch raw {
        case "genuine": self[.wordGenuine]
        case "not-genuine": self[.wordNotGenuine]
        case "unverified": self[.wordUnverified]
        case "error": self[.wordError]
        default: raw
        }
    }

    /// A check's outcome in this language, for a person: the text of its `code` ("pa.dg-mismatch"),
    /// or else of its check and status ("chip.passed"); nil when the catalogue has neither.
    public func reason(check: String, status: String, code: String?) -> String? {
        for raw in [code.map { "reason." + $0 }, "reason.\(check).\(status)"] {
            if let raw, let key = MessageKey(rawValue: raw) { return self[key] }
        }
        return nil
    }

    /// A signature's, a chain's or a data group's outcome word (`valid`, `match`, `not-read` …) in this
    /// language; an unknown word as it is.
    public func outcome(_ raw: String) -> String {
        MessageKey(rawValue: "outcome." + raw).map { self[$0] } ?? raw
    }

    /// A check's status word (`passed`, `failed` …) in this language.
    public func status(_ raw: String) -> String {
        switch raw {
        case "passed": self[.statusPassed]
        case "failed": self[.statusFailed]
        case "issuer-unknown": self[.statusIssuerUnknown]
        case "not-supported": self[.statusNotSupported]
        case "not-run": self[.statusNotRun]
        case "incomplete": self[.statusIncomplete]
        default: raw
        }
    }
}
