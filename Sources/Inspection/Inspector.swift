@_exported public import AccessControl
@_exported public import EMRTD
@_exported public import EMRTDCore
@_exported public import ISO7816
@_exported public import LDS
@_exported public import MRZ
@_exported public import PassiveAuthentication
@_exported public import PCSC
public import Foundation
public import Personalization

/// What an inspection system (ICAO Doc 9303-11: the terminal that reads and checks a document)
/// concluded about one document: everything read, the holder, the photo, every check and the
/// verdict, and the report the README documents (``InspectionReport``, `cccd-read --json`).
public struct Inspection: Sendable {
    /// The files as read (or as loaded from a card image), byte for byte.
    public let files: [LDSFile: [UInt8]]
    /// The parsed files: DG1's MRZ, DG2's faces, DG13's record, DG14/DG15's keys, and what failed to parse.
    public let document: Document
    /// Every check and the verdict, by the library's policy.
    public let verification: DocumentVerification
    /// The read, when the document came from a chip: what happened to each file, the access control, the cost.
    public let read: ReadResult?
    /// The contract: verdict, checks, holder, files, statistics, as `cccd-read --json` prints it.
    public let report: InspectionReport

    /// `genuine`, `not-genuine` or `unverified`, as `DocumentVerification` decides it.
    public var verdict: Verdict { verification.verdict }
    /// The holder as DG1 and DG13 give it (typed fields, UTF-8).
    public var holder: InspectionReport.Holder { report.holder }
    /// The first face image of DG2, when it was read.
    public var photo: FaceImage? { document.faces.first }
}

/// Reads and verifies documents: a chip through any `CardChannel` (a PC/SC card, the virtual
/// chip), or a card image. `cccd-read`, `cccd verify` and `cccd station` are this type with
/// options from their command lines.
///
/// ```swift
/// let trust = try TrustStore(paths: ["csca.pem"])
/// let card = try CardReaders().connect(waiting: true)
/// let inspection = try Inspector().inspect(card.channel, key: .can("123456"), trust: trust)
/// print(inspection.verdict)   // genuine
/// ```
public struct Inspector {
    /// How the chip is read: block sizes, time limits, access control, photo, Chip and Active Authentication.
    public var reader = DocumentReader()
    /// Checked against at this date (certificate validity, CRLs).
    public var date: Date? = nil
    /// Told when a PC/SC card reset by another program is reconnected and read again (once).
    public var onReconnect: (EMRTDError) -> Void = { _ in }
    /// Transport errors besides a reset after which a PC/SC card is reconnected and read again,
    /// once (a QA station takes a reader glitch, `pcsc.failure`, for one too).
    public var reconnectAfter: Set<EMRTDError.Code> = []

    /// An inspector with the default reading options that checks certificates at the time of each inspection.
    public init() {}

    /// Reads the chip behind `channel` with `key` and verifies it against `trust`. With `expected`,
    /// the chip is also compared with the citizen's record (a difference makes it not genuine).
    /// `source` names the card in the report ("ACS ACR39U (T=1)", "virtual chip").
    ///
    /// Throws only for the card or the reader (access refused, card removed, DG1 unreadable); a
    /// document that fails a check is an ``Inspection`` whose verdict says so.
    public func inspect(
        _ channel: any CardChannel, key: AccessKey, trust: TrustStore, trustNames: [String] = [],
        expected: (record: CitizenRecord, photo: [UInt8]?)? = nil, source: String = "card"
    ) throws(EMRTDError) -> Inspection {
        try key.validate()
        let result: ReadResult
        if let card = channel as? any ReconnectableCardChannel {
            let reader = self.reader
            result = try card.retryingOnceAfterReset(alsoAfter: reconnectAfter, onRetry: onReconnect) { () throws(EMRTDError) in
                try reader.read(from: card, key: key)
            }
        } else {
            result = try reader.read(from: channel, key: key)
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let differences = expected.map { RecordCheck.differences(files: result.files, record: $0.record, photo: $0.photo) }
        let verification = DocumentVerification(read: result, trust: trust, at: date ?? Date(), recordDifferences: differences)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let document = Document(files: result.files)
        let report = InspectionReport(
            source: source, result: result, document: document, verification: verification, trust: trustNames,
            verificationSeconds: seconds)
        return Inspection(files: result.files, document: document, verification: verification, read: result, report: report)
    }

    /// Verifies a card image read earlier (any subset of its files; no chip checks without the chip).
    public func inspect(_ image: CardImage, trust: TrustStore, trustNames: [String] = [], source: String = "card image") -> Inspection {
        let verification = DocumentVerification(files: image.files, trust: trust, at: date ?? Date())
        let document = Document(files: image.files)
        var read = ReadResult()
        read.files = image.files
        let report = InspectionReport(
            source: source, result: read, document: document, verification: verification, trust: trustNames, verificationSeconds: 0,
            fromChip: false)
        return Inspection(files: image.files, document: document, verification: verification, read: nil, report: report)
    }
}

extension TrustStore {
    /// A trust store of CSCA certificates (DER or PEM), folders of them, ICAO master lists and CRLs.
    public init(paths: [String]) throws(EMRTDError) {
        self.init()
        for path in paths { try add(contentsOf: path) }
    }

    /// How each of `paths` is named in a report, and what was skipped.
    public func names(for paths: [String]) -> [String] {
        skipped.isEmpty ? paths : paths + ["skipped: " + skipped.joined(separator: "; ")]
    }
}
