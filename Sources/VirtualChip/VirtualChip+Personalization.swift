public import EMRTDCore
import Cryptography
import ISO7816
import LDS
import MRZ
public import AccessControl

/// The personalization interface of the open-source JMRTD passport applet, on the virtual chip.
///
/// A blank chip (``VirtualChip/blank(random:)``) accepts, until it is locked:
///
/// ```
/// CREATE FILE    00 E0 00 00 06  63 04 <size: 2> <FID: 2>
/// SELECT         00 A4 02 0C 02  <FID>             (then READ BINARY / UPDATE BINARY)
/// UPDATE BINARY  00 D6 <offset: P1 & 7F, P2> Lc <data>
/// PUT DATA       00 DA 00 60  60 L { 04 L <RSA modulus n> }                 Active Authentication key
///                00 DA 00 61  61 L { 04 L <RSA private exponent d> }
///                00 DA 00 62  62 L { 04 <document number> 04 <YYMMDD birth> 04 <YYMMDD expiry> }   BAC / PACE-MRZ
///                00 DA 00 63  81 <p> 82 <a> 83 <b> 84 <G> 85 <order> 86 <private scalar> 87 <cofactor>   Chip Authentication key
///                00 DA 00 65  65 L { 66 L { <key reference> <secret> } … }  PACE passwords (02 = CAN)
///                00 DA 01 64  <CVCA certificate body>                    kept; this chip has no Terminal Authentication
///                00 DA DE AD                                              lock
/// ```
///
/// PUT DATA longer than a short APDU (an RSA-2048 modulus) comes in a command chain: CLA 10 on
/// every part but the last.
///
/// Before the lock there are no access keys, so every file is readable; after it, the chip is the
/// chip the written files and keys describe, and every personalization command is refused with
/// 6985 (conditions of use not satisfied), under secure messaging or not.
extension VirtualChip {
    /// What PUT DATA has stored so far, before the chip is locked.
    struct Personalization {
        var mrzKey: MRZKey?
        var rsaModulus: [UInt8]?
        var rsaPrivateExponent: SecretBytes?
        var ecKey: [UInt8: [UInt8]] = [:]
        var can: String?
        var cvcaCertificate: [UInt8]?
        /// PUT DATA received so far in a command chain (CLA bit 0x10): a 2048-bit modulus does not
        /// fit one short APDU.
        var chain: (p1: UInt8, p2: UInt8, data: [UInt8])?
    }

    /// The longest PUT DATA a command chain may build (an RSA-4096 exponent with its headers fits).
    static let maximumChainedData = 1024

    /// The most bytes all files of a blank chip may take together, as on a 144 KB Java Card.
    public static let personalizationMemory = 128 * 1024

    /// A blank chip running the passport applet, waiting for personalization.
    public static func blank(random: RandomSource = .system) throws(EMRTDError) -> VirtualChip {
        let chip = try VirtualChip(image: CardImage(), random: random)
        chip.personalization = Personalization()
        return chip
    }

    /// False while the chip is blank and accepts personalization commands.
    public var isLocked: Bool { personalization == nil }

    func personalize(_ command: CommandAPDU) -> ResponseAPDU {
        guard var state = personalization else { return ResponseAPDU(statusWord: .conditionsNotSatisfied) }
        let status: StatusWord
        switch command.ins {
        case 0xE0: status = createFile(command)
        case 0xD6: status = updateBinary(command)
        default:
            // Command chaining (ISO/IEC 7816-4 5.3.3): collect the parts of one PUT DATA.
            var whole = command
            if let chain = state.chain {
                guard chain.p1 == command.p1, chain.p2 == command.p2 else {
                    state.chain = nil
                    personalization = state
                    return ResponseAPDU(statusWord: StatusWord(rawValue: 0x6883))  // last command of the chain expected
                }
                whole.data = chain.data + command.data
            }
            guard whole.data.count <= Self.maximumChainedData else {
                state.chain = nil
                personalization = state
                return ResponseAPDU(statusWord: .wrongLength)
            }
            if command.cla & 0x10 != 0 {
                state.chain = (command.p1, command.p2, whole.data)
                personalization = state
                return ResponseAPDU(statusWord: .success)
            }
            state.chain = nil
            if command.p1 == 0xDE && command.p2 == 0xAD {
                return ResponseAPDU(statusWord: lock(state))
            }
            status = putData(whole, into: &state)
            personalization = state
        }
        return ResponseAPDU(statusWord: status)
    }

    private func createFile(_ command: CommandAPDU) -> StatusWord {
        guard command.p1 == 0, command.p2 == 0 else { return .incorrectParameters }
        guard let object = try? BERTLV.parse(command.data), object.tag == 0x63, object.value.count >= 4 else {
            return .incorrectData
        }
        let v = object.value
        let size = Int(v[0]) << 8 | Int(v[1])
        let fid = UInt16(v[2]) << 8 | UInt16(v[3])
        let candidates = LDSFile.all.filter { $0.fileID == fid }
        // The applet keeps EF.CardAccess among its own files; the chip also shows it in the master file.
        let file = applicationSelected
            ? candidates.first { !$0.isInMasterFile } ?? candidates.first { $0 == .cardAccess }
            : candidates.first { $0.isInMasterFile }
        guard let file else { return .incorrectData }
        guard image.files[file] == nil else { return StatusWord(rawValue: 0x6A89) }  // file already exists
        let used = image.files.values.reduce(0) { $0 + $1.count }
        guard (1...0x7FFF).contains(size), used + size <= Self.personalizationMemory else {
            return StatusWord(rawValue: 0x6A84)  // not enough memory space in the file
        }
        image.files[file] = [UInt8](repeating: 0, count: size)
        return .success
    }

    private func updateBinary(_ command: CommandAPDU) -> StatusWord {
        guard command.p1 & 0x80 == 0 else { return .functionNotSupported }  // no short file identifiers here
        guard let file = currentFile, var content = image.files[file] else { return .commandNotAllowed }
        let offset = Int(command.p1) << 8 | Int(command.p2)
        guard offset < content.count else { return .wrongParameters }
        guard !command.data.isEmpty, offset + command.data.count <= content.count else { return .wrongLength }
        content.replaceSubrange(offset..<offset + command.data.count, with: command.data)
        image.files[file] = content
        return .success
    }

    private func putData(_ command: CommandAPDU, into state: inout Personalization) -> StatusWord {
        func octetString(in outer: UInt32) -> [UInt8]? {
            guard let object = try? BERTLV.parse(command.data), object.tag.rawValue == outer,
                  let inner = try? object.children(), inner.count == 1, inner[0].tag == 0x04, !inner[0].value.isEmpty
            else { return nil }
            return Array(inner[0].value.drop { $0 == 0 })
        }
        switch (command.p1, command.p2) {
        case (0x00, 0x60):
            guard let modulus = octetString(in: 0x60) else { return .incorrectData }
            state.rsaModulus = modulus
        case (0x00, 0x61):
            guard let exponent = octetString(in: 0x61) else { return .incorrectData }
            state.rsaPrivateExponent = SecretBytes(exponent)
        case (0x00, 0x62):
            guard let object = try? BERTLV.parse(command.data), object.tag == 0x62,
                  let fields = try? object.children(), fields.count == 3, fields.allSatisfy({ $0.tag == 0x04 }),
                  let key = try? MRZKey(
                      documentNumber: String(decoding: fields[0].value, as: UTF8.self),
                      dateOfBirth: String(decoding: fields[1].value, as: UTF8.self),
                      dateOfExpiry: String(decoding: fields[2].value, as: UTF8.self))
            else { return .incorrectData }
            state.mrzKey = key
        case (0x00, 0x63):
            guard let objects = try? BERTLV.parseAll(command.data), !objects.isEmpty else { return .incorrectData }
            var key: [UInt8: [UInt8]] = [:]
            for object in objects {
                guard (0x81...0x87).contains(object.tag.rawValue), key[UInt8(object.tag.rawValue)] == nil else {
                    return .incorrectData
                }
                key[UInt8(object.tag.rawValue)] = Array(object.value.drop { $0 == 0 })
            }
            guard let scalar = key[0x86], !scalar.isEmpty else { return .incorrectData }
            state.ecKey = key
        case (0x00, 0x65):
            guard let object = try? BERTLV.parse(command.data), object.tag == 0x65,
                  let entries = try? object.children(), !entries.isEmpty
            else { return .incorrectData }
            for entry in entries {
                guard entry.tag == 0x66, entry.value.count >= 2 else { return .incorrectData }
                let secret = String(decoding: entry.value.dropFirst(), as: UTF8.self)
                switch entry.value[0] {
                case 0x02:
                    guard secret.allSatisfy({ $0.isASCII && $0.isNumber }) else { return .incorrectData }
                    state.can = secret
                default:
                    // PIN and PUK need a retry counter and a user; this chip answers to the MRZ and the CAN only.
                    return .referencedDataNotFound
                }
            }
        case (0x00, 0x64), (0x01, 0x64):
            guard !command.data.isEmpty else { return .incorrectData }
            state.cvcaCertificate = command.data
        default:
            return .incorrectParameters
        }
        return .success
    }

    /// Ends personalization: the chip takes the keys PUT DATA stored, checked against the files
    /// written (an AA key must match DG15's modulus, a CA key DG14's curve); a key that does not fit
    /// is not installed, as a real chip would sign with a key no reader accepts.
    private func lock(_ state: Personalization) -> StatusWord {
        var settings = CardSettings(chip: image.settings.chip)
        settings.can = state.can
        var override: MRZKey? = nil
        if let key = state.mrzKey {
            if let dg1 = image.files[.dg1].flatMap({ try? DG1($0) }), Self.sameKey(MRZKey(mrz: dg1.mrz), key) {
                settings.mrz = dg1.mrz.lines.joined(separator: "\n")
            } else {
                override = key
            }
        }
        if let n = state.rsaModulus, let d = state.rsaPrivateExponent,
           let dg15 = image.files[.dg15].flatMap({ try? DG15($0) }),
           let publicKey = try? PublicKey(subjectPublicKeyInfo: dg15.publicKey.raw),
           let (modulus, e) = publicKey.rsaComponents, modulus == n,
           let key = try? PrivateKey(rsaModulus: n, publicExponent: e, privateExponent: d)
        {
            settings.activeAuthenticationKey = key.pem
        }
        if let scalar = state.ecKey[0x86],
           let group = image.files[.dg14].flatMap({ try? DG14($0) })
               .flatMap({ try? ChipAuthentication.configuration(from: $0.securityInfos) })?.ecGroup,
           Self.matches(state.ecKey, group), scalar.count <= group.orderSize
        {
            settings.chipAuthenticationKey = ([UInt8](repeating: 0, count: group.orderSize - scalar.count) + scalar).hex
        }
        let locked = CardImage(files: image.files, settings: settings)
        do {
            try load(locked, mrzKey: override)
        } catch {
            return .noPreciseDiagnosis
        }
        personalization = nil
        currentFile = nil
        onLock?(locked)
        return .success
    }

    private static func sameKey(_ a: MRZKey, _ b: MRZKey) -> Bool {
        a.documentNumber == b.documentNumber && a.dateOfBirth == b.dateOfBirth && a.dateOfExpiry == b.dateOfExpiry
    }

    /// Whether the domain parameters sent with the key (those present) are the curve's.
    private static func matches(_ key: [UInt8: [UInt8]], _ group: ECGroup) -> Bool {
        func same(_ tag: UInt8, _ value: [UInt8]) -> Bool {
            guard let sent = key[tag] else { return true }
            return sent == Array(value.drop { $0 == 0 })
        }
        return same(0x81, group.prime) && same(0x82, group.a) && same(0x83, group.b)
            && same(0x84, group.generator.encoded) && same(0x85, group.order)
            && same(0x87, group.cofactor)
    }
}
