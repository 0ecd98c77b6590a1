public import EMRTDCore
public import Foundation
import Cryptography
import EMRTDASN1
import ISO7816
import LDS
import PassiveAuthentication
import Specimen
import VirtualChip
import PKIX

/// A suite of manipulated documents for an inspection system under test: a folder with
/// `manifest.json`, one card image folder per document and the CSCA the inspection system must trust.
///
/// ```json
/// { "schema": "cccd-toolkit/serve-suite/v1", "suite": "basic", "title": "…", "trust": "csca.pem",
///   "documents": [ { "id": "tampered-dg13", "title": "…", "defect": "…", "expected": "not-genuine",
///                    "image": "tampered-dg13", "key": { "can": "001234" },
///                    "chip": { "responseDelayMilliseconds": 40, "removeAfterAPDUs": 12, "corruptResponseMACs": [6] } } ] }
/// ```
/// `expected` is the verdict of a correct inspection system: `genuine`, `not-genuine`, `unverified`
/// (`cccd-read` exit status 0, 1, 4 and its JSON `verdict`) or `card-error` (exit status 3, no verdict).
public struct ServeManifest: Codable, Sendable {
    /// The `schema` a manifest must declare.
    public static let schemaName = "cccd-toolkit/serve-suite/v1"

    /// The access key the inspection system is given for a document: a CAN or an MRZ.
    public struct Key: Codable, Sendable {
        /// The 6-digit CAN (PACE-CAN).
        public var can: String?
        /// The MRZ, lines joined by newlines (BAC or PACE-MRZ).
        public var mrz: String?
    }

    /// How the virtual chip behaves while serving the document.
    public struct Chip: Codable, Sendable {
        /// A delay before every answer: a slow chip.
        public var responseDelayMilliseconds: Int?
        /// The card leaves the field after this many APDUs.
        public var removeAfterAPDUs: Int?
        /// Protected responses (counted from 1) whose MAC the chip corrupts.
        public var corruptResponseMACs: [Int]?
    }

    /// One document of the suite, in the order the suite presents them.
    public struct Document: Codable, Sendable {
        /// A stable id ("tampered-dg13"), by which `cccd conformance serve --document` selects it.
        public var id: String
        /// What the document is, for a person.
        public var title: String
        /// The defect in a few words ("tampered DG13"), or "none" for a genuine control.
        public var defect: String
        /// The verdict a correct inspection system gives: `genuine`, `not-genuine`, `unverified` or `card-error`.
        public var expected: String
        /// The document's card image folder, relative to the suite folder.
        public var image: String
        /// The key the inspection system must be given.
        public var key: Key
        /// How the chip misbehaves while serving it; nil for an honest chip.
        public var chip: Chip?

        /// The `cccd-read` exit status the expected verdict gives.
        public var expectedExitStatus: Int32 {
            switch expected {
            case "genuine": 0
            case "not-genuine": 1
            case "unverified": 4
            default: 3
            }
        }
    }

    /// ``schemaName``.
    public var schema: String
    /// The suite's name ("basic").
    public var suite: String
    /// What the suite holds, for a person.
    public var title: String
    /// The CSCA certificate file the inspection system trusts (relative to the suite folder).
    public var trust: String
    /// The documents, in the order they are presented.
    public var documents: [Document]

    /// Reads `manifest.json` from the suite folder `directory`; throws for another schema or an unknown
    /// expected verdict.
    public static func load(from directory: String) throws(EMRTDError) -> ServeManifest {
        let path = (directory as NSString).appendingPathComponent("manifest.json")
        guard let data = FileManager.default.contents(atPath: path) else { throw EMRTDError(.io, "cannot read \(path)") }
        let manifest: ServeManifest
        do {
            manifest = try JSONDecoder().decode(ServeManifest.self, from: data)
        } catch {
            throw EMRTDError(.invalidArgument, "\(path) is not a serve-suite manifest: \(errorDescription(error))")
        }
        guard manifest.schema == schemaName else { throw EMRTDError(.invalidArgument, "\(path): schema must be \(schemaName)") }
        let verdicts: Set<String> = ["genuine", "not-genuine", "unverified", "card-error"]
        for d in manifest.documents where !verdicts.contains(d.expected) {
            throw EMRTDError(.invalidArgument, "\(path): document \(d.id) expects \(d.expected), not one of \(verdicts.sorted().joined(separator: ", "))")
        }
        return manifest
    }

    /// Writes the manifest as `manifest.json` into `directory`, pretty-printed with sorted keys.
    public func write(to directory: String) throws(EMRTDError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self),
              FileManager.default.createFile(atPath: (directory as NSString).appendingPathComponent("manifest.json"), contents: data + Data("\n".utf8))
        else { throw EMRTDError(.io, "cannot write the manifest in \(directory)") }
    }
}

/// The built-in serve suites, generated from the specimen and the test PKI. The list of documents,
/// their defects and expected verdicts is fixed; the signatures differ from run to run (ECDSA and
/// fresh keys), which changes no verdict.
public enum ServeSuites {
    /// The built-in suites, as ``generate(_:into:now:)`` and `cccd conformance make-suite --suite` take them.
    public static let names = ["basic"]

    /// Writes the suite `name` (manifest, card images, `csca.pem`) into `directory`.
    public static func generate(_ name: String, into directory: String, now: Date = Date()) throws(EMRTDError) -> ServeManifest {
        guard name == "basic" else { throw EMRTDError(.invalidArgument, "no built-in serve suite named \(name); built in: \(names.joined(separator: ", "))") }
        let pki = Specimen.testPKI
        let specimen = try Specimen.cardImage()
        let can = ServeManifest.Key(can: specimen.settings.can, mrz: nil)
        let mrz = ServeManifest.Key(can: nil, mrz: specimen.settings.mrz)
        var documents: [ServeManifest.Document] = []

        func add(_ id: String, _ title: String, _ defect: String, _ expected: String, key: ServeManifest.Key = can,
                 chip: ServeManifest.Chip? = nil, _ image: CardImage) throws(EMRTDError) {
            try image.write(to: (directory as NSString).appendingPathComponent(id))
            documents.append(.init(id: id, title: title, defect: defect, expected: expected, image: id, key: key, chip: chip))
        }
        func groups(_ image: CardImage) -> [Int: [UInt8]] {
            image.files.reduce(into: [:]) { all, e in if let n = e.key.dataGroupNumber { all[n] = e.value } }
        }
        func resigned(_ image: CardImage, by signer: DocumentPKI = pki) throws(EMRTDError) -> CardImage {
            var copy = image
            copy.files[.sod] = try signer.signSecurityObject(dataGroups: groups(copy))
            return copy
        }
        func withDefect(_ name: String) throws(EMRTDError) -> CardImage {
            var image = specimen
            _ = try ChipDefect.apply([try ChipDefect.named(name)], to: &image, signer: pki)
            return image
        }
        func flip(_ image: CardImage, _ file: LDSFile, at offset: Int) -> CardImage {
            var copy = image
            if var bytes = copy.files[file] {
                bytes[offset] ^= 0x01
                copy.files[file] = bytes
            }
            return copy
        }
        func signer(notBefore: Date, notAfter: Date) throws(EMRTDError) -> DocumentPKI {
            guard let cscaKey = pki.cscaKey else { throw EMRTDError(.pkiInvalid, "the test PKI has no CSCA key") }
            let (dsc, key) = try DocumentPKI.issueDocumentSigner(
                csca: pki.csca, cscaKey: cscaKey, algorithm: .ecdsaBrainpoolP256r1, notBefore: notBefore, notAfter: notAfter)
            return DocumentPKI(csca: pki.csca, cscaKey: cscaKey, dsc: dsc, dscKey: key, crl: pki.crl, scheme: pki.scheme)
        }
        let day = 86_400.0
        var bacOnly = try Specimen.cardImage(pace: false)
        bacOnly.settings.chip.shortFileIDs = false
        var extended = try Specimen.cardImage(faceSize: 20_000)
        extended.settings.chip.extendedLength = true
        extended.settings.chip.maxResponseLength = 65_536

        try add("genuine-pace-can", "Genuine specimen, PACE with the CAN", "none", "genuine", specimen)
        try add("genuine-pace-mrz", "Genuine specimen, PACE with the MRZ", "none", "genuine", key: mrz, specimen)
        try add("genuine-bac", "Genuine BAC-only chip without SFI", "none", "genuine", key: mrz, bacOnly)
        try add("genuine-extended-length", "Genuine chip with extended length and a 20 KB portrait", "none", "genuine", extended)
        try add("slow-chip", "Genuine chip answering every APDU after 40 ms", "slow chip", "genuine",
                chip: .init(responseDelayMilliseconds: 40, removeAfterAPDUs: nil, corruptResponseMACs: nil), specimen)
        try add("one-bad-mac", "One protected response with a wrong MAC while DG2 is read (the reader re-establishes access and resumes)", "SM returns a bad MAC once", "genuine",
                chip: .init(responseDelayMilliseconds: nil, removeAfterAPDUs: nil, corruptResponseMACs: [12]), specimen)
        try add("tampered-dg1", "DG1 changed after signing", "tampered DG1", "not-genuine", flip(specimen, .dg1, at: 40))
        try add("tampered-dg2", "DG2 (portrait) changed after signing", "tampered DG2", "not-genuine", flip(specimen, .dg2, at: (specimen.files[.dg2]?.count ?? 200) - 100))
        try add("tampered-dg13", "DG13 (personal data) changed after signing", "tampered DG13", "not-genuine", flip(specimen, .dg13, at: 60))
        try add("tampered-dg14", "DG14 (Chip Authentication key) changed after signing", "tampered DG14", "not-genuine", flip(specimen, .dg14, at: (specimen.files[.dg14]?.count ?? 20) - 3))
        try add("tampered-dg15", "DG15 (Active Authentication key) changed after signing", "tampered DG15", "not-genuine", flip(specimen, .dg15, at: 40))
        try add("bad-sod-signature", "EF.SOD whose signature does not verify", "bad SOD signature", "not-genuine",
                flip(specimen, .sod, at: (specimen.files[.sod]?.count ?? 1) - 1))
        try add("expired-dsc", "EF.SOD signed by a document signer that has expired", "expired DSC", "not-genuine",
                try resigned(specimen, by: try signer(notBefore: now.addingTimeInterval(-400 * day), notAfter: now.addingTimeInterval(-30 * day))))
        try add("dsc-not-yet-valid", "EF.SOD signed by a document signer valid only from next year", "DSC not yet valid", "not-genuine",
                try resigned(specimen, by: try signer(notBefore: now.addingTimeInterval(365 * day), notAfter: now.addingTimeInterval(3000 * day))))
        try add("unknown-csca", "EF.SOD signed under a CSCA the inspection system does not trust", "unknown CSCA", "unverified",
                try resigned(specimen, by: try DocumentPKI.generate(country: "UT", organization: "Unknown issuer TEST")))
        try add("forged-csca-same-name", "EF.SOD signed under a forged CSCA bearing the trusted CSCA's name", "forged CSCA", "not-genuine",
                try resigned(specimen, by: try DocumentPKI.generate()))
        // Signed by the issuer, so passive authentication passes; the reader warns that the MRZ is malformed.
        try add("dg1-wrong-check-digit", "DG1 with a wrong check digit, signed by the issuer (the reader must not crash and must warn)", "wrong check digit", "genuine",
                try withDefect("dg1-check-digit"))
        try add("dg13-unexpected-layout", "DG13 in another layout, signed by the issuer (must not crash; the data is signed)", "DG13 with an unexpected layout", "genuine",
                try withDefect("dg13-off-layout"))
        try add("ca-key-mismatch", "DG14 announces a key the chip does not hold (a clone)", "Chip Authentication fails", "not-genuine",
                try withDefect("ca-key-mismatch"))
        try add("aa-key-mismatch", "DG15 holds a key the chip does not hold (a clone)", "Active Authentication fails", "not-genuine",
                try withDefect("aa-key-mismatch"))
        try add("sm-bad-macs", "Every protected response from the 5th on has a wrong MAC", "SM returns bad MACs", "card-error",
                chip: .init(responseDelayMilliseconds: nil, removeAfterAPDUs: nil, corruptResponseMACs: Array(5...2000)), specimen)
        try add("drops-out", "The chip leaves the field after 12 APDUs", "chip drops out mid-read", "card-error",
                chip: .init(responseDelayMilliseconds: nil, removeAfterAPDUs: 12, corruptResponseMACs: nil), specimen)
        try add("wrong-can", "The inspection system is given a wrong CAN (the chip refuses PACE)", "access refused", "card-error",
                key: ServeManifest.Key(can: "999999", mrz: nil), specimen)

        guard FileManager.default.createFile(atPath: (directory as NSString).appendingPathComponent("csca.pem"), contents: Data(pki.csca.pem.utf8)) else {
            throw EMRTDError(.io, "cannot write csca.pem in \(directory)")
        }
        let manifest = ServeManifest(
            schema: ServeManifest.schemaName, suite: name,
            title: "Manipulated specimen CCCDs for an inspection system: genuine controls, tampered data groups, bad signatures and certificates, clones, faulty chips",
            trust: "csca.pem", documents: documents)
        try manifest.write(to: directory)
        return manifest
    }
}

/// One document's stay in the reader, as `cccd conformance serve` logs it (one JSON line each).
public struct TimelineEntry: Codable, Sendable {
    /// The document's position in the suite, from 1.
    public var index: Int
    /// The document's ``ServeManifest/Document/id``.
    public var document: String
    /// When the card went into the slot, ISO 8601 with fractions of a second.
    public var insertedAt: String
    /// When it left, ISO 8601 with fractions of a second.
    public var removedAt: String
    /// Command APDUs the inspection system sent to it.
    public var apdus: Int
    /// `idle` (the inspection system stopped talking), `dropped` (the chip left mid-read on purpose), `stopped`.
    public var removal: String
}

/// Presents the documents of a suite one after another in a vpcd slot.
public struct ServeRunner {
    /// The suite folder.
    public let directory: String
    /// The suite's manifest, loaded from ``directory``.
    public let manifest: ServeManifest
    /// Where vpcd listens.
    public var host = "127.0.0.1"
    /// The vpcd slot's TCP port: 35964 is the slot "Virtual PCD 00 01".
    public var port: UInt16 = 35964
    /// Seconds without an APDU after which the inspection system is taken to be done.
    public var idleSeconds = 0.3
    /// Seconds between removing one document and inserting the next, so the reader sees the change.
    public var gapSeconds = 0.5
    /// Called with each event, for a `--verbose` log.
    public var log: ((String) -> Void)?

    /// A runner for the suite in `directory` described by `manifest`.
    public init(directory: String, manifest: ServeManifest) {
        self.directory = directory
        self.manifest = manifest
    }

    /// Serves every document once (or only `only`), calling `record` as each one is removed.
    public func run(only: [String] = [], record: (TimelineEntry) -> Void) throws(EMRTDError) {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for (index, document) in manifest.documents.enumerated() where only.isEmpty || only.contains(document.id) {
            let image = try CardImage.load(from: (directory as NSString).appendingPathComponent(document.image))
            var faults = VirtualChip.Faults()
            faults.corruptResponseMAC = Set(document.chip?.corruptResponseMACs ?? [])
            let chip = try VirtualChip(image: image, faults: faults)
            chip.logsCommands = false
            let side = VPCDCardSide(chip: chip, host: host, port: port)
            side.responseDelay = Double(document.chip?.responseDelayMilliseconds ?? 0) / 1000
            side.removeAfterAPDUs = document.chip?.removeAfterAPDUs
            side.removeWhenIdle = idleSeconds
            side.log = log.map { log in { log("\(document.id): \($0)") } }
            let inserted = Date()
            log?("inserting \(index + 1)/\(manifest.documents.count) \(document.id)")
            try side.run()
            let dropped = document.chip?.removeAfterAPDUs.map { side.apdus > $0 } ?? false
            record(TimelineEntry(index: index + 1, document: document.id, insertedAt: iso.string(from: inserted),
                                 removedAt: iso.string(from: Date()), apdus: side.apdus, removal: dropped ? "dropped" : "idle"))
            usleep(UInt32(gapSeconds * 1e6))
        }
    }
}
