import AccessControl
import Cryptography
import EMRTDCore
import ISO7816
import LDS
import MRZ

extension VectorRunner {
    /// `pace`: the terminal side of PACE against a card that answers from the published transcript,
    /// with the published ephemeral values injected; session keys (and for CAM the chip
    /// authentication data and its check against the chip's static key) compared byte for byte.
    static func pace(_ input: Fields, _ expected: Fields, _ check: inout Checker) throws(EMRTDError) {
        let password = try pacePassword(Fields(value: input.value["password"] ?? .null, context: "\(input.context).password"))
        let infos = try SecurityInfos.parse(SecurityInfos.encode([input.bytes("paceInfo")]))
        guard let info = infos.paceInfos.first else {
            throw EMRTDError(.vectorSuiteInvalid, "\(input.context).paceInfo is not a PACEInfo")
        }
        let configuration = try PACE.Configuration(info)
        let e = Fields(value: input.value["ephemerals"] ?? .null, context: "\(input.context).ephemerals")
        let ephemerals = PACE.Ephemerals(
            mappingPrivateKey: try e.optionalBytes("mappingPrivateKey"),
            nonceT: try e.optionalBytes("nonceT"),
            agreementPrivateKey: try e.optionalBytes("agreementPrivateKey")
        )
        let card = ScriptedCard(
            steps: try input.list("transcript").map { (s: Fields) throws(EMRTDError) in
                (try s.bytes("command"), try s.bytes("response"))
            }
        )
        let session = try PACE.authenticate(
            on: CardConnection(channel: card), password: password, configuration: configuration, ephemerals: ephemerals
        )
        check.failures += card.mismatches
        check.equal("commands sent", card.position, card.steps.count)
        check.bytes("KS_enc", revealed(session.sessionEncryptionKey), try expected.bytes("ksEnc"))
        check.bytes("KS_mac", revealed(session.sessionMACKey), try expected.bytes("ksMac"))
        if let ca = try expected.optionalBytes("chipAuthenticationData") {
            check.bytes("CA_IC", session.chipAuthenticationData ?? [], ca)
        }
        if let staticKey = try expected.optionalBytes("chipStaticPublicKey") {
            let verified = (try? PACE.verifyChipAuthenticationMapping(session, chipPublicKey: staticKey)) ?? false
            check.equal("chip authentication mapping", verified ? "verified" : "failed", try expected.string("chipAuthenticationMapping"))
        }
    }

    static func pacePassword(_ f: Fields) throws(EMRTDError) -> PACE.Password {
        switch try f.string("type") {
        case "mrz":
            return .mrz(try MRZKey(documentNumber: f.string("documentNumber"), dateOfBirth: f.string("dateOfBirth"), dateOfExpiry: f.string("dateOfExpiry")))
        case "can": return .can(SecretBytes(utf8: try f.string("value")))
        case "pin": return .pin(SecretBytes(utf8: try f.string("value")))
        case "puk": return .puk(SecretBytes(utf8: try f.string("value")))
        case let other: throw EMRTDError(.vectorSuiteInvalid, "\(f.context): unknown password type \(other)")
        }
    }
}
