import AccessControl
import EMRTDCore
import ISO7816
import LDS
import MRZ

/// PACE on the card side: MSE:Set AT selects one of the protocols EF.CardAccess announces and
/// the password; the GENERAL AUTHENTICATE chain runs ``PACE/ChipSide``.
extension VirtualChip {
    /// The PACE protocols this chip offers: every PACEInfo of its EF.CardAccess that PACE defines.
    static func offeredPACE(in image: CardImage) -> [PACE.Configuration] {
        guard let bytes = image.files[.cardAccess], let infos = try? SecurityInfos.parse(bytes) else { return [] }
        return infos.paceInfos.compactMap { try? PACE.Configuration($0) }
    }

    func manageSecurityEnvironment(_ command: CommandAPDU) -> ResponseAPDU {
        switch (command.p1, command.p2) {
        case (0x41, 0xA6): return chipAuthenticationKeyAgreement(command)
        case (0x41, 0xA4): return selectChipAuthentication(command)
        case (0xC1, 0xA4): break
        default: return ResponseAPDU(statusWord: .incorrectParameters)
        }
        guard let objects = try? BERTLV.parseAll(command.data) else { return ResponseAPDU(statusWord: .incorrectData) }
        func value(_ tag: UInt32) -> [UInt8]? { objects.first { $0.tag.rawValue == tag }?.value }
        guard let oid = value(0x80), let reference = value(0x83), reference.count == 1 else {
            return ResponseAPDU(statusWord: .incorrectData)
        }
        let parameterID = value(0x84).flatMap { $0.count == 1 ? Int($0[0]) : nil }
        guard let configuration = paceConfigurations.first(where: {
            $0.protocolOID == oid && (parameterID == nil || $0.parameterID == parameterID)
        }) else {
            return ResponseAPDU(statusWord: .incorrectData)
        }
        let password: PACE.Password
        switch reference[0] {
        case 1:
            guard let mrzKey else { return ResponseAPDU(statusWord: .referencedDataNotFound) }
            password = .mrz(mrzKey)
        case 2:
            guard let can = image.settings.can else { return ResponseAPDU(statusWord: .referencedDataNotFound) }
            password = .can(SecretBytes(utf8: can))
        default:
            return ResponseAPDU(statusWord: .referencedDataNotFound)
        }
        do {
            paceRun = try PACE.ChipSide(
                configuration: configuration, password: password, chipAuthenticationPrivateKey: chipAuthenticationKey
            )
        } catch {
            return ResponseAPDU(statusWord: .conditionsNotSatisfied)
        }
        return ResponseAPDU(statusWord: .success)
    }

    func generalAuthenticate(_ command: CommandAPDU) -> ResponseAPDU {
        if chipAuthenticationSelected { return chipAuthenticationGeneralAuthenticate(command) }
        guard var run = paceRun else { return ResponseAPDU(statusWord: .conditionsNotSatisfied) }
        guard let template = try? BERTLV.parse(command.data), template.tag.rawValue == 0x7C else {
            paceRun = nil
            return ResponseAPDU(statusWord: .incorrectData)
        }
        let outcome = run.handle(template.value, last: command.cla & 0x10 == 0)
        switch outcome {
        case .continue(let data):
            paceRun = run
            return ResponseAPDU(data: TLV(tag: 0x7C, value: data).encoded(), statusWord: .success)
        case .established(let data, let sm):
            paceRun = nil
            establish(sm)
            return ResponseAPDU(data: TLV(tag: 0x7C, value: data).encoded(), statusWord: .success)
        case .refused(let sw):
            paceRun = nil
            return ResponseAPDU(statusWord: sw)
        }
    }
}

/// Chip Authentication v1 on the card side (ICAO 9303-11 6.2): only under secure messaging, with
/// the static key of card.json; the new session starts after the answer.
extension VirtualChip {
    private var chipAuthenticationKeyAndConfiguration: (ChipAuthentication.Configuration, [UInt8])? {
        guard isSecured, let configuration = chipAuthentication, let key = chipAuthenticationKey else { return nil }
        return (configuration, key)
    }

    func chipAuthenticationKeyAgreement(_ command: CommandAPDU) -> ResponseAPDU {
        guard let (configuration, key) = chipAuthenticationKeyAndConfiguration else {
            return ResponseAPDU(statusWord: .conditionsNotSatisfied)
        }
        guard let objects = try? BERTLV.parseAll(command.data),
              let pk = objects.first(where: { $0.tag.rawValue == 0x91 })?.value
        else { return ResponseAPDU(statusWord: .incorrectData) }
        return startChipAuthentication(pk, configuration, key)
    }

    func selectChipAuthentication(_ command: CommandAPDU) -> ResponseAPDU {
        guard let (configuration, _) = chipAuthenticationKeyAndConfiguration else {
            return ResponseAPDU(statusWord: .conditionsNotSatisfied)
        }
        guard let objects = try? BERTLV.parseAll(command.data),
              objects.first(where: { $0.tag.rawValue == 0x80 })?.value == configuration.protocolOID
        else { return ResponseAPDU(statusWord: .incorrectData) }
        chipAuthenticationSelected = true
        return ResponseAPDU(statusWord: .success)
    }

    func chipAuthenticationGeneralAuthenticate(_ command: CommandAPDU) -> ResponseAPDU {
        chipAuthenticationSelected = false
        guard let (configuration, key) = chipAuthenticationKeyAndConfiguration else {
            return ResponseAPDU(statusWord: .conditionsNotSatisfied)
        }
        guard let template = try? BERTLV.parse(command.data), template.tag.rawValue == 0x7C,
              let pk = (try? template.children())?.first(where: { $0.tag.rawValue == 0x80 })?.value
        else { return ResponseAPDU(statusWord: .incorrectData) }
        let response = startChipAuthentication(pk, configuration, key)
        return response.statusWord.isSuccess ? ResponseAPDU(data: [0x7C, 0x00], statusWord: .success) : response
    }

    private func startChipAuthentication(_ pk: [UInt8], _ configuration: ChipAuthentication.Configuration, _ key: [UInt8]) -> ResponseAPDU {
        guard let session = try? ChipAuthentication.chipSession(terminalPublicKey: pk, chipPrivateKey: key, configuration: configuration) else {
            return ResponseAPDU(statusWord: .incorrectData)
        }
        pendingSession = session
        return ResponseAPDU(statusWord: .success)
    }
}
