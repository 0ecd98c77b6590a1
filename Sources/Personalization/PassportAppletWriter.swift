public import EMRTDCore
public import ISO7816
public import LDS
import Cryptography
import AccessControl
import MRZ
import Foundation

extension EMRTDError.Code {
    /// The card image cannot go on a passport applet as it is (a file too large, a key type the
    /// applet has no command for, no BAC key).
    public static let persoUnsupported = Self("perso.unsupported")
    /// The card is locked: it refuses personalization commands (6985).
    public static let persoLocked = Self("perso.locked")
    /// The card is not blank: a file to create already exists (6A89).
    public static let persoNotBlank = Self("perso.not-blank")
    /// The card refused a personalization command.
    public static let persoRefused = Self("perso.refused")
}

/// Writes a card image onto a blank Java Card running the open-source JMRTD passport applet,
/// with the applet's published personalization commands (see ``VirtualChip`` for the byte layout):
/// SELECT the applet; for every file CREATE FILE, SELECT, UPDATE BINARY in blocks; PUT DATA for
/// the BAC key (document number, birth, expiry), the CAN, the Active Authentication key (RSA
/// modulus and private exponent) and the Chip Authentication key (EC domain parameters and
/// private scalar); then PUT DATA DE AD, the lock, after which the applet refuses all of them.
///
/// Commands go in plain: a blank applet has no keys to run secure messaging with. PUT DATA
/// carries private keys, so the channel's trace withholds its data.
public enum PassportAppletWriter {
    /// One command of the plan.
    public struct Step: Sendable {
        /// What the command does, for progress and errors ("UPDATE BINARY DG2 at 4080").
        public let title: String
        /// The command APDU, sent in plain.
        public let command: CommandAPDU
        /// The file the step writes, if any.
        public let file: LDSFile?
        /// The key the step writes, on the last command that carries it ("CAN", …).
        public var key: String? = nil
    }

    /// How the image is written.
    public struct Options: Sendable {
        /// Whether to send the lock at the end. Unlocked, the card stays writable (and open to any reader).
        public var lock = true
        /// Data bytes per UPDATE BINARY (at most 255, a short APDU).
        public var blockSize = 255
        /// Keys not to write, to make test cards with a defect: "mrz", "can", "aa", "ca".
        public var omittedKeys: Set<String> = []
        /// Locked at the end, 255-byte blocks, every key written.
        public init() {}
    }

    /// What ``write(_:to:options:progress:)`` did.
    public struct Report: Sendable {
        /// Commands sent, the lock included.
        public var apdus = 0
        /// File bytes written by UPDATE BINARY.
        public var bytesWritten = 0
        /// The files created, in the order written.
        public var files: [LDSFile] = []
        /// The keys written by PUT DATA ("BAC key", "CAN", "Active Authentication private exponent"…).
        public var keys: [String] = []
        /// Whether the card accepted the lock (PUT DATA DE AD).
        public var locked = false
        /// Wall-clock time of the whole write.
        public var seconds = 0.0
    }

    /// The commands that write `image`, without sending any. Throws ``EMRTDError/Code/persoUnsupported``
    /// for what the applet cannot hold.
    public static func plan(_ image: CardImage, options: Options = Options()) throws(EMRTDError) -> [Step] {
        guard (1...255).contains(options.blockSize) else {
            throw EMRTDError(.invalidArgument, "the block size must be 1 to 255 bytes, not \(options.blockSize)")
        }
        var steps = [Step(
            title: "SELECT the passport applet",
            command: CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x0C, data: LDSFile.applicationID), file: nil)]
        for file in image.files.keys where file.isInMasterFile && file != .cardAccess {
            throw EMRTDError(.persoUnsupported, "the passport applet has no \(file.name); remove it from the image")
        }
        let order = [LDSFile.com] + LDSFile.dataGroups + [.sod, .cardAccess]
        for file in order {
            guard let bytes = image.files[file] else { continue }
            guard (1...0x7FFF).contains(bytes.count) else {
                throw EMRTDError(.persoUnsupported, "\(file.name) has \(bytes.count) bytes; the applet takes files of 1 to 32767 bytes")
            }
            let fid = [UInt8(file.fileID >> 8), UInt8(file.fileID & 0xFF)]
            let size = [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)]
            steps.append(Step(
                title: "CREATE FILE \(file.name) (\(bytes.count) bytes)",
                command: CommandAPDU(ins: 0xE0, p1: 0, p2: 0, data: [0x63, 0x04] + size + fid), file: file))
            steps.append(Step(
                title: "SELECT \(file.name)", command: CommandAPDU(ins: 0xA4, p1: 0x02, p2: 0x0C, data: fid), file: file))
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + options.blockSize)
                steps.append(Step(
                    title: "UPDATE BINARY \(file.name) at \(offset)",
                    command: CommandAPDU(ins: 0xD6, p1: UInt8(offset >> 8), p2: UInt8(offset & 0xFF), data: Array(bytes[offset..<end])),
                    file: file))
                offset = end
            }
        }
        steps += try keySteps(image, omitting: options.omittedKeys)
        if options.lock {
            steps.append(Step(title: "PUT DATA lock", command: CommandAPDU(ins: 0xDA, p1: 0xDE, p2: 0xAD), file: nil))
        }
        return steps
    }

    /// Sends the plan. Stops at the first refusal, naming the command and the status word.
    @discardableResult
    public static func write(
        _ image: CardImage, to channel: any APDUChannel, options: Options = Options(),
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws(EMRTDError) -> Report {
        let started = Date()
        let steps = try plan(image, options: options)
        var report = Report()
        for (i, step) in steps.enumerated() {
            let response = try channel.send(step.command)
            report.apdus += 1
            let sw = response.statusWord
            guard sw == .success else {
                if sw == .conditionsNotSatisfied && step.command.ins != 0xA4 {
                    throw EMRTDError(.persoLocked, "the card is locked: it refused \(step.title) with \(sw)")
                }
                if sw.rawValue == 0x6A89 {
                    throw EMRTDError(.persoNotBlank, "the card is not blank: \(step.title) answered \(sw) (file already exists)")
                }
                throw EMRTDError(.persoRefused, "the card refused \(step.title) with \(sw)")
            }
            if step.command.ins == 0xD6 { report.bytesWritten += step.command.data.count }
            if step.command.ins == 0xE0, let file = step.file { report.files.append(file) }
            if step.command.ins == 0xDA && step.command.p1 == 0xDE { report.locked = true }
            if let key = step.key { report.keys.append(key) }
            progress?(i + 1, steps.count)
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// PUT DATA for the access keys and the chip's private keys that card.json holds.
    static func keySteps(_ image: CardImage, omitting omitted: Set<String>) throws(EMRTDError) -> [Step] {
        var steps: [Step] = []
        let settings = image.settings
        func putData(_ title: String, _ p1: UInt8, _ p2: UInt8, _ data: [UInt8]) {
            // Longer than a short APDU: a command chain (ISO/IEC 7816-4 5.3.3), CLA 10 on all parts but the last.
            let parts = stride(from: 0, to: data.count, by: 255).map { Array(data[$0..<min(data.count, $0 + 255)]) }
            for (i, part) in parts.enumerated() {
                let last = i == parts.count - 1
                let suffix = parts.count == 1 ? "" : " (part \(i + 1) of \(parts.count))"
                steps.append(Step(
                    title: "PUT DATA " + title + suffix,
                    command: CommandAPDU(cla: last ? 0x00 : 0x10, ins: 0xDA, p1: p1, p2: p2, data: part), file: nil,
                    key: last ? title : nil))
            }
        }
        func octets(_ bytes: [UInt8]) -> TLV { TLV(tag: 0x04, value: bytes) }

        if !omitted.contains("mrz") {
            let mrz: MRZ
            if let text = settings.mrz {
                mrz = try MRZ(text)
            } else if let dg1 = image.files[.dg1] {
                mrz = try DG1(dg1).mrz
            } else {
                throw EMRTDError(.persoUnsupported, "no BAC key: card.json has no \"mrz\" and the image no DG1")
            }
            let key = MRZKey(mrz: mrz)
            putData("BAC key", 0x00, 0x62, TLV(tag: 0x62, children: [
                octets(Array(key.documentNumber.utf8)), octets(Array(key.dateOfBirth.utf8)), octets(Array(key.dateOfExpiry.utf8)),
            ]).encoded())
        }
        if let can = settings.can, !omitted.contains("can") {
            putData("CAN", 0x00, 0x65, TLV(tag: 0x65, children: [TLV(tag: 0x66, value: [0x02] + Array(can.utf8))]).encoded())
        }
        if let pem = settings.activeAuthenticationKey, !omitted.contains("aa") {
            let key = try PrivateKey(pem: pem)
            guard let (n, d) = key.rsaPrivateComponents else {
                throw EMRTDError(.persoUnsupported, "the passport applet takes RSA Active Authentication keys only, this is \(key)")
            }
            // A leading zero keeps the INTEGER-like octets positive, as the applet expects.
            putData("Active Authentication modulus", 0x00, 0x60, TLV(tag: 0x60, children: [octets([0] + n)]).encoded())
            putData("Active Authentication private exponent", 0x00, 0x61, TLV(tag: 0x61, children: [octets([0] + d)]).encoded())
        }
        if let hex = settings.chipAuthenticationKey, !omitted.contains("ca") {
            let scalar: [UInt8]
            do {
                scalar = try Hex.decode(hex)
            } catch {
                throw EMRTDError(.imageInvalidSettings, "card.json: chipAuthenticationKey is not hex")
            }
            guard let dg14 = image.files[.dg14] else {
                throw EMRTDError(.persoUnsupported, "a Chip Authentication key without DG14 (its public key and curve)")
            }
            let configuration = try ChipAuthentication.configuration(from: DG14(dg14).securityInfos)
            guard let group = configuration.ecGroup else {
                throw EMRTDError(.persoUnsupported, "the passport applet takes EC Chip Authentication keys only, DG14 announces DH")
            }
            let parameters: [TLV] = [
                TLV(tag: 0x81, value: group.prime), TLV(tag: 0x82, value: group.a), TLV(tag: 0x83, value: group.b),
                TLV(tag: 0x84, value: group.generator.encoded), TLV(tag: 0x85, value: group.order),
                TLV(tag: 0x86, value: scalar), TLV(tag: 0x87, value: group.cofactor),
            ]
            putData("Chip Authentication key", 0x00, 0x63, parameters.flatMap { $0.encoded() })
        }
        return steps
    }
}
