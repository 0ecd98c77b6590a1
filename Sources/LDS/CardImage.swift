public import EMRTDCore
import EMRTDASN1
import Foundation

/// The files of one chip as a directory: each file under its ``LDSFile/name`` (`EF.COM`,
/// `EF.CardAccess`, `EF.SOD`, `DG1` … `DG16`, optionally `EF.CardSecurity`, `EF.ATR`) holding exactly
/// the bytes read from the chip, plus `card.json` with settings only a simulated chip needs.
///
/// ```
/// image/
///   EF.COM  EF.SOD  EF.CardAccess  DG1  DG2  DG13  DG14  DG15 …
///   card.json    {"mrz": "...", "can": "123456", "chip": {"extendedLength": false, …}}   (mode 0600)
/// ```
public struct CardImage: Hashable, Sendable {
    /// Largest file accepted: elementary files of an eMRTD are at most 64 KiB (offsets of READ BINARY
    /// with even INS stop at 7FFF; odd INS allows more, but no LDS file needs it); the margin allows
    /// for headers and vendor padding.
    public static let maximumFileSize = 1 << 20
    /// Name of the settings file in the directory.
    public static let settingsFileName = "card.json"

    /// Each file's bytes exactly as read from the chip.
    public var files: [LDSFile: [UInt8]]
    /// The contents of `card.json`: access keys and chip limits for a simulated chip.
    public var settings: CardSettings

    /// An image of these files, with default settings unless given.
    public init(files: [LDSFile: [UInt8]] = [:], settings: CardSettings = CardSettings()) {
        self.files = files
        self.settings = settings
    }

    /// Reads a card image. Files with other names are ignored; a missing `card.json` gives default
    /// settings (enough for reading data); a file over ``maximumFileSize`` is `image.file-too-large`.
    public static func load(from directory: String) throws(EMRTDError) -> CardImage {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EMRTDError(.io, "card image directory \(directory) does not exist")
        }
        let names: [String]
        do {
            names = try fm.contentsOfDirectory(atPath: directory)
        } catch {
            throw EMRTDError(.io, "cannot list card image directory \(directory): \(error.localizedDescription)")
        }
        var files: [LDSFile: [UInt8]] = [:]
        for name in names.sorted() {
            guard let file = LDSFile(name: name) else { continue }
            files[file] = try readCapped(path(directory, name), limit: maximumFileSize)
        }
        var settings = CardSettings()
        let settingsPath = path(directory, settingsFileName)
        if fm.fileExists(atPath: settingsPath) {
            let bytes = try readCapped(settingsPath, limit: 1 << 20)
            settings = try CardSettings.decode(json: bytes)
        }
        return CardImage(files: files, settings: settings)
    }

    /// Writes the image: creates the directory (0700 when new), writes every file, removes files of known
    /// LDS names that the image does not hold (so that loading gives back this image), and writes
    /// `card.json`. Every file gets mode 0600: `card.json` holds the access keys, the others personal data.
    public func write(to directory: String) throws(EMRTDError) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw EMRTDError(.io, "cannot create card image directory \(directory): \(error.localizedDescription)")
        }
        for file in LDSFile.all {
            let p = Self.path(directory, file.name)
            if let bytes = files[file] {
                guard bytes.count <= Self.maximumFileSize else {
                    throw EMRTDError(
                        .imageFileTooLarge, "\(file.name) has \(bytes.count) bytes, more than \(Self.maximumFileSize)")
                }
                // Chip files hold personal data (name, ID number, face): owner-only, like card.json.
                try Self.writeFile(p, bytes, permissions: 0o600)
            } else if fm.fileExists(atPath: p) {
                do {
                    try fm.removeItem(atPath: p)
                } catch {
                    throw EMRTDError(.io, "cannot remove stale \(p): \(error.localizedDescription)")
                }
            }
        }
        try Self.writeFile(Self.path(directory, Self.settingsFileName), settings.encodedJSON(), permissions: 0o600)
    }

    static func path(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Reads at most `limit` bytes, failing if the file is longer, without reading more than `limit + 1`.
    static func readCapped(_ path: String, limit: Int) throws(EMRTDError) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw EMRTDError(.io, "cannot open \(path)")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw EMRTDError(.io, "cannot read \(path): \(error.localizedDescription)")
        }
        guard data.count <= limit else {
            throw EMRTDError(.imageFileTooLarge, "\(path) is larger than \(limit) bytes")
        }
        return [UInt8](data)
    }

    static func writeFile(_ path: String, _ bytes: [UInt8], permissions: Int) throws(EMRTDError) {
        let fm = FileManager.default
        // Create (or truncate) with the final mode first, so a secret is never readable by others.
        if fm.fileExists(atPath: path) {
            do {
                try fm.setAttributes([.posixPermissions: permissions], ofItemAtPath: path)
            } catch {
                throw EMRTDError(.io, "cannot set permissions of \(path): \(error.localizedDescription)")
            }
        }
        guard fm.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: permissions]) else {
            throw EMRTDError(.io, "cannot write \(path)")
        }
        do {
            try fm.setAttributes([.posixPermissions: permissions], ofItemAtPath: path)
        } catch {
            throw EMRTDError(.io, "cannot set permissions of \(path): \(error.localizedDescription)")
        }
    }
}

/// Settings of a simulated chip, stored as `card.json` in a card image. Every key is optional.
///
/// ```json
/// { "mrz": "IDVNM…\n…\n…", "can": "123456",
///   "chip": { "extendedLength": false, "maxResponseLength": 231, "shortFileIDs": true,
///             "oddInsRead": true, "requireAccessControl": true } }
/// ```
public struct CardSettings: Codable, Sendable, Hashable {
    /// The MRZ, lines joined by "\n" (the BAC / PACE-MRZ key).
    public var mrz: String?
    /// The card access number (PACE-CAN).
    public var can: String?
    /// The chip's static Chip Authentication private key (hex, big-endian scalar on the curve of
    /// DG14's ChipAuthenticationPublicKeyInfo): PACE-CAM and Chip Authentication need it.
    public var chipAuthenticationKey: String?
    /// The chip's Active Authentication private key (PKCS #8 PEM), whose public key is DG15.
    public var activeAuthenticationKey: String?
    /// What the simulated chip supports; defaults when `card.json` has no `chip` object.
    public var chip: ChipLimits

    /// Settings with these values; any left out is absent, and the chip limits are the defaults.
    public init(
        mrz: String? = nil, can: String? = nil, chipAuthenticationKey: String? = nil,
        activeAuthenticationKey: String? = nil, chip: ChipLimits = ChipLimits()
    ) {
        self.mrz = mrz
        self.can = can
        self.chipAuthenticationKey = chipAuthenticationKey
        self.activeAuthenticationKey = activeAuthenticationKey
        self.chip = chip
    }

    enum CodingKeys: String, CodingKey { case mrz, can, chipAuthenticationKey, activeAuthenticationKey, chip }

    /// Decodes `card.json`, in which every key may be missing.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mrz = try c.decodeIfPresent(String.self, forKey: .mrz)
        can = try c.decodeIfPresent(String.self, forKey: .can)
        chipAuthenticationKey = try c.decodeIfPresent(String.self, forKey: .chipAuthenticationKey)
        activeAuthenticationKey = try c.decodeIfPresent(String.self, forKey: .activeAuthenticationKey)
        chip = try c.decodeIfPresent(ChipLimits.self, forKey: .chip) ?? ChipLimits()
    }

    /// Decodes `card.json`, turning decoding errors into `image.invalid-settings` naming the key.
    public static func decode(json: [UInt8]) throws(EMRTDError) -> CardSettings {
        do {
            return try JSONDecoder().decode(CardSettings.self, from: Data(json))
        } catch let error as DecodingError {
            throw EMRTDError(.imageInvalidSettings, "card.json: \(describe(error))")
        } catch {
            throw EMRTDError(.imageInvalidSettings, "card.json: \(error.localizedDescription)")
        }
    }

    /// Pretty-printed JSON with sorted keys.
    public func encodedJSON() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Strings, integers and booleans always encode.
        return [UInt8]((try? encoder.encode(self)) ?? Data("{}".utf8)) + [0x0A]
    }

    static func describe(_ error: DecodingError) -> String {
        func key(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "top level" : "key '" + path.map(\.stringValue).joined(separator: ".") + "'"
        }
        switch error {
        case .typeMismatch(let type, let ctx):
            return "\(key(ctx.codingPath)) must be \(typeName(type))"
        case .valueNotFound(let type, let ctx):
            return "\(key(ctx.codingPath)) must be \(typeName(type)), not null"
        case .keyNotFound(let k, let ctx):
            return "missing \(key(ctx.codingPath + [k]))"
        case .dataCorrupted(let ctx):
            return ctx.codingPath.isEmpty ? "not valid JSON" : "\(key(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default:
            return errorDescription(error)
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Bool.Type: "true or false"
        default: "an object"
        }
    }
}

/// What a simulated chip supports, to exercise a reader's fallbacks.
public struct ChipLimits: Codable, Sendable, Hashable {
    /// Whether the chip accepts extended-length APDUs.
    public var extendedLength: Bool = false
    /// The most data bytes one READ BINARY returns, before secure messaging wraps them. A longer
    /// request is refused (6700 by default), which makes a reader step its block size down.
    /// 231 leaves 223-byte reads, the largest that fit a short response under secure messaging, working.
    public var maxResponseLength: Int = 231
    /// Whether READ BINARY with a short file identifier works.
    public var shortFileIDs: Bool = true
    /// Whether READ BINARY with odd INS (B1) works.
    public var oddInsRead: Bool = true
    /// Whether files are readable only after BAC / PACE.
    public var requireAccessControl: Bool = true
    /// Whether the chip answers BAC (GET CHALLENGE / EXTERNAL AUTHENTICATE). PACE is offered as
    /// EF.CardAccess announces it.
    public var bac: Bool = true

    /// Limits with these values. The defaults: short APDUs only, at most 231 bytes a read, short file
    /// identifiers, odd INS READ BINARY, access control and BAC all supported.
    public init(
        extendedLength: Bool = false, maxResponseLength: Int = 231, shortFileIDs: Bool = true,
        oddInsRead: Bool = true, requireAccessControl: Bool = true, bac: Bool = true
    ) {
        self.extendedLength = extendedLength
        self.maxResponseLength = maxResponseLength
        self.shortFileIDs = shortFileIDs
        self.oddInsRead = oddInsRead
        self.requireAccessControl = requireAccessControl
        self.bac = bac
    }

    enum CodingKeys: String, CodingKey {
        case extendedLength, maxResponseLength, shortFileIDs, oddInsRead, requireAccessControl, bac
    }

    /// Decodes the `chip` object of `card.json`: a missing key takes its default, and
    /// `maxResponseLength` must be 1 to 65536.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ChipLimits()
        extendedLength = try c.decodeIfPresent(Bool.self, forKey: .extendedLength) ?? d.extendedLength
        maxResponseLength = try c.decodeIfPresent(Int.self, forKey: .maxResponseLength) ?? d.maxResponseLength
        shortFileIDs = try c.decodeIfPresent(Bool.self, forKey: .shortFileIDs) ?? d.shortFileIDs
        oddInsRead = try c.decodeIfPresent(Bool.self, forKey: .oddInsRead) ?? d.oddInsRead
        requireAccessControl = try c.decodeIfPresent(Bool.self, forKey: .requireAccessControl) ?? d.requireAccessControl
        bac = try c.decodeIfPresent(Bool.self, forKey: .bac) ?? d.bac
        guard (1...65_536).contains(maxResponseLength) else {
            throw DecodingError.dataCorruptedError(
                forKey: .maxResponseLength, in: c, debugDescription: "must be between 1 and 65536, is \(maxResponseLength)")
        }
    }
}
