// The fuzz targets: every parser and state machine that eats bytes from a chip, a reader or a file
// of unknown origin. `cccd-fuzz` (libFuzzer) runs one of them, chosen by name; the regression test
// replays the inputs kept under TestVectors/fuzz-regressions/<target>/ through the same code.
//
// Every target must return or throw an EMRTDError; a trap, a hang, an allocation beyond
// libFuzzer's -rss_limit_mb or a sanitizer report is a bug. Where it is cheap a target also
// checks a consistency property (a round trip) with `precondition`, so a violation is a crash.

import EMRTDCore
import Foundation
import ISO7816
import LDS
import MRZ
import PassiveAuthentication
import Personalization
import SecureMessaging
import Specimen
import VirtualChip
import PKIX

/// A named fuzz target.
public struct FuzzTarget: Sendable {
    public let name: String
    /// What it feeds the bytes to.
    public let summary: String
    /// Runs one input. Errors are the expected outcome for most inputs and are swallowed.
    public let run: @Sendable ([UInt8]) -> Void

    /// Every target, in the order `scripts/fuzz.sh` runs them.
    public static let all: [FuzzTarget] = [
        FuzzTarget(name: "ber-tlv", summary: "BER-TLV parse, re-encode, depth check", run: berTLV),
        FuzzTarget(name: "mrz", summary: "MRZ text (TD1/TD2/TD3)", run: { input in
            _ = try? MRZ(String(decoding: input, as: UTF8.self))
        }),
        FuzzTarget(name: "ef-com", summary: "EF.COM", run: { _ = try? EFCOM($0) }),
        FuzzTarget(name: "dg1", summary: "DG1 (MRZ data object)", run: { _ = try? DG1($0) }),
        FuzzTarget(name: "dg2", summary: "DG2 biometric templates (ISO/IEC 19794-5 / 39794-5)", run: {
            _ = try? DG2.faceImages(from: $0)
        }),
        FuzzTarget(name: "dg11", summary: "DG11 additional personal details", run: { _ = try? DG11($0) }),
        FuzzTarget(name: "dg12", summary: "DG12 additional document details", run: { _ = try? DG12($0) }),
        FuzzTarget(name: "dg13", summary: "DG13 (CCCD citizen record)", run: { input in
            if let dg13 = try? DG13(input) { _ = dg13.record }
        }),
        FuzzTarget(name: "dg14", summary: "DG14 and SecurityInfos (EF.CardAccess)", run: { input in
            _ = try? DG14(input)
            _ = try? SecurityInfos.parse(input)
        }),
        FuzzTarget(name: "dg15", summary: "DG15 (Active Authentication public key)", run: { _ = try? DG15($0) }),
        FuzzTarget(name: "sod", summary: "EF.SOD: CMS SignedData and LDSSecurityObject", run: { input in
            _ = try? SecurityObjectDocument(input)
            _ = try? CryptographicMessageSyntax.SignedData(contentInfo: input).parsedCertificates
            _ = try? LDSSecurityObject(encoded: input)
        }),
        FuzzTarget(name: "card-security", summary: "EF.CardSecurity", run: { _ = try? CardSecurityDocument($0) }),
        FuzzTarget(name: "certificate", summary: "X.509 certificates, DER or PEM", run: { input in
            _ = try? X509Certificate(der: input)
            _ = try? X509Certificate.parse(fileContents: input)
        }),
        FuzzTarget(name: "crl", summary: "X.509 CRLs, DER or PEM", run: { input in
            _ = try? CertificateRevocationList(der: input)
            _ = try? CertificateRevocationList.parse(fileContents: input)
        }),
        FuzzTarget(name: "master-list", summary: "ICAO CSCA master list", run: { _ = try? MasterList($0) }),
        FuzzTarget(name: "sm-unwrap", summary: "secure messaging: response and command unprotect", run: smUnwrap),
        FuzzTarget(name: "vpcd-framing", summary: "vpcd frames to the virtual chip's card side", run: vpcdFraming),
        FuzzTarget(name: "apdu", summary: "command and response APDU parsing", run: apdu),
        FuzzTarget(name: "citizen-record", summary: "citizen record JSON", run: { _ = try? CitizenRecord.decode(json: $0) }),
        FuzzTarget(name: "card-json", summary: "card image settings (card.json)", run: { _ = try? CardSettings.decode(json: $0) }),
        FuzzTarget(name: "atr-info", summary: "EF.ATR/INFO (extended length information)", run: atrInfo),
    ]

    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}

// MARK: - Targets with more than one line

private func berTLV(_ input: [UInt8]) {
    guard let tlv = try? BERTLV.parse(input) else { return }
    // Whatever parses must re-encode to something that parses to the same object.
    let again = try? BERTLV.parse(tlv.encoded())
    precondition(again == tlv, "BER-TLV round trip changed the object")
    _ = try? BERTLV.validate(tlv)
    _ = try? BERTLV.parseAll(input)
}

private func apdu(_ input: [UInt8]) {
    if let command = try? CommandAPDU(bytes: input) {
        // The encoding of a parsed command parses to the same command.
        let again = try? CommandAPDU(bytes: command.encoded())
        precondition(again == command, "command APDU round trip changed it")
    }
    if let response = try? ResponseAPDU(bytes: input) {
        precondition(response.encoded == input, "response APDU round trip changed it")
    }
}

/// Fixed session keys: the fuzzer cannot forge a MAC, so the first byte also chooses a mode in
/// which the input is the plain response, protected and then unprotected again (a round trip).
private func smUnwrap(_ input: [UInt8]) {
    guard let mode = input.first else { return }
    let body = Array(input.dropFirst())
    let aes = mode & 1 == 1
    guard var terminal = try? SecureMessaging(
        algorithm: aes ? .aes : .tripleDES,
        encryptionKey: SecretBytes((0..<16).map { UInt8($0) }),
        macKey: SecretBytes((0..<16).map { UInt8($0 + 0x40) }),
        sendSequenceCounter: [UInt8](repeating: 0, count: aes ? 16 : 8)
    ) else { preconditionFailure("fixed secure messaging session") }
    var chip = terminal
    switch mode >> 1 & 3 {
    case 0:
        if let response = try? ResponseAPDU(bytes: body) { _ = try? terminal.unprotect(response) }
    case 1:
        if let command = try? CommandAPDU(bytes: body) { _ = try? chip.unprotectCommand(command) }
    default:
        guard body.count >= 2, body.count <= 4096 else { return }
        let plain = ResponseAPDU(data: Array(body.dropLast(2)), statusWord: StatusWord(sw1: body[body.count - 2], sw2: body[body.count - 1]))
        guard let wrapped = try? chip.protectResponse(plain, oddINS: mode & 0x08 != 0) else { return }
        let unwrapped = try? terminal.unprotect(wrapped)
        precondition(unwrapped == plain, "secure messaging round trip changed the response")
    }
}

/// The card side under vpcd: frames are split off the input and handed to the virtual chip
/// (the specimen), as `cccd sim` does with what pcscd sends.
private func vpcdFraming(_ input: [UInt8]) {
    let chip = FuzzState.chip
    chip.reset()
    var rest = input[...]
    while true {
        let frame: (message: VPCDMessage, consumed: Int)?
        do {
            frame = try VPCDMessage.frame(in: rest)
        } catch {
            return
        }
        guard let frame else { return }
        rest = rest.dropFirst(frame.consumed)
        switch frame.message {
        case .powerOff, .powerOn, .reset: chip.reset()
        case .getATR: _ = chip.answerToReset
        case .unknownControl: break
        case .apdu(let bytes):
            let answer = chip.process(bytes).encoded
            precondition(answer.count >= 2, "the chip answered without a status word")
            if let framed = try? VPCDMessage.encodeFrame(answer) {
                let back = try? VPCDMessage.frame(in: framed[...])
                precondition(back?.consumed == framed.count, "vpcd framing round trip")
            }
        }
    }
}

/// Expensive state built once per process.
private enum FuzzState {
    /// The specimen's virtual chip (its keys are parsed once; `reset` clears its session state).
    nonisolated(unsafe) static let chip: VirtualChip = {
        do {
            // No command log: state that grew from input to input would make every input look
            // like a leak to LeakSanitizer, which then scans the heap each time (100 runs a second).
            let chip = try VirtualChip(image: Specimen.cardImage())
            chip.logsCommands = false
            return chip
        } catch {
            preconditionFailure("the specimen chip: \(error)")
        }
    }()
}

/// EF.ATR/INFO; the extended length information it finds encodes and parses back to itself.
private func atrInfo(_ input: [UInt8]) {
    guard let limits = (try? ATRInfo(input))?.extendedLength else { return }
    precondition((try? ATRInfo(ATRInfo.encode(extendedLength: limits)))?.extendedLength == limits, "7F66 round trip")
}
