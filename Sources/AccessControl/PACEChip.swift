import Cryptography
public import EMRTDCore
public import ISO7816
public import SecureMessaging

extension PACE {
    /// The chip's side of one PACE run, for the virtual chip: it answers the four GENERAL
    /// AUTHENTICATE commands of the chain and yields the secure messaging session at the end.
    public struct ChipSide: Sendable {
        /// What the chip answers to one GENERAL AUTHENTICATE.
        public enum Outcome: Sendable {
            /// A response inside 7C, the protocol goes on.
            case `continue`([UInt8])
            /// The last response; secure messaging starts with this session.
            case established([UInt8], SecureMessaging)
            /// The chip refuses (wrong password: 6300; malformed data: 6A80); the run is over.
            case refused(StatusWord)
        }

        /// The configuration the terminal chose with MSE:Set AT.
        public let configuration: Configuration
        private let kPi: SecretBytes
        private let staticKey: [UInt8]?
        private var step = 1
        private var nonce: [UInt8] = []
        private var domain: PACEDomain
        private var mapped: PACEDomain?
        private var mappingKey: [UInt8] = []
        private var agreementKey: [UInt8] = []
        private var agreementPublicKey: [UInt8] = []
        private var terminalAgreementKey: [UInt8] = []
        private var keys: (enc: SecretBytes, mac: SecretBytes)?

        /// - Parameters:
        ///   - password: the password the terminal named in MSE:Set AT, as the chip knows it.
        ///   - chipAuthenticationPrivateKey: SK.IC, the static Chip Authentication key (PACE-CAM only).
        public init(configuration: Configuration, password: Password, chipAuthenticationPrivateKey: [UInt8]? = nil) throws(EMRTDError) {
            self.configuration = configuration
            kPi = KeyDerivation.derive(secret: password.secret, purpose: .password, cipher: configuration.cipher)
            domain = try PACEDomain.standard(parameterID: configuration.parameterID)
            staticKey = chipAuthenticationPrivateKey
            if configuration.mapping == .chipAuthentication && staticKey == nil {
                throw EMRTDError(.paceUnsupported, "PACE-CAM needs the chip's static Chip Authentication key")
            }
        }

        /// Handles the content of the dynamic authentication data template (7C) of the next command.
        /// `last` is true when the command closes the chain (CLA without the chaining bit).
        public mutating func handle(_ data: [UInt8], last: Bool) -> Outcome {
            do {
                return try advance(data, last: last)
            } catch {
                step = 0
                return .refused(.incorrectData)
            }
        }

        private mutating func advance(_ data: [UInt8], last: Bool) throws(EMRTDError) -> Outcome {
            let objects = try BERTLV.parseAll(data)
            func value(_ tag: UInt32) throws(EMRTDError) -> [UInt8] {
                guard let v = objects.first(where: { $0.tag.rawValue == tag })?.value else {
                    throw EMRTDError(.paceInvalidResponse, "missing data object")
                }
                return v
            }
            guard last == (step == 4), step > 0 else { step = 0; return .refused(.conditionsNotSatisfied) }
            switch step {
            case 1:
                guard objects.isEmpty else { return .refused(.incorrectData) }
                nonce = try SecureRandom.bytes(configuration.nonceLength)
                let z = try PACE.encrypt(nonce, key: kPi, cipher: configuration.cipher)
                step = 2
                return .continue(TLV(tag: 0x80, value: z).encoded())
            case 2:
                let received = try value(0x81)
                step = 3
                switch configuration.mapping {
                case .generic, .chipAuthentication:
                    mappingKey = try domain.generatePrivateKey()
                    let pk = try domain.publicKey(mappingKey)
                    guard pk != received else { return .refused(.incorrectData) }
                    mapped = try domain.genericMapping(nonce: nonce, privateKey: mappingKey, peerPublicKey: received)
                    return .continue(TLV(tag: 0x82, value: pk).encoded())
                case .integrated:
                    mapped = try domain.integratedMapping(nonce: nonce, t: received, cipher: configuration.cipher)
                    return .continue([])
                }
            case 3:
                guard let mapped else { return .refused(.conditionsNotSatisfied) }
                terminalAgreementKey = try value(0x83)
                try mapped.validate(terminalAgreementKey)
                agreementKey = try mapped.generatePrivateKey()
                agreementPublicKey = try mapped.publicKey(agreementKey)
                guard agreementPublicKey != terminalAgreementKey else { return .refused(.incorrectData) }
                let k = try mapped.sharedSecret(agreementKey, terminalAgreementKey)
                keys = (
                    SecretBytes(KeyDerivation.derive(secret: k, purpose: .encryption, cipher: configuration.cipher)),
                    SecretBytes(KeyDerivation.derive(secret: k, purpose: .mac, cipher: configuration.cipher))
                )
                step = 4
                return .continue(TLV(tag: 0x84, value: agreementPublicKey).encoded())
            default:
                guard let mapped, let keys else { return .refused(.conditionsNotSatisfied) }
                step = 0
                let tPCD = try value(0x85)
                let expected = try PACE.token(macKey: keys.mac, config: configuration, publicKey: agreementPublicKey, domain: mapped)
                // A wrong password gives the terminal another nonce and generator, so its token fails here.
                guard constantTimeEquals(tPCD, expected) else { return .refused(.authenticationFailed) }
                var answer = TLV(tag: 0x86, value: try PACE.token(macKey: keys.mac, config: configuration, publicKey: terminalAgreementKey, domain: mapped)).encoded()
                if configuration.mapping == .chipAuthentication, case .ec(let group) = domain, let staticKey {
                    // CA.IC = SK.IC^-1 · SK.Map.IC mod n, so that PK.Map.IC = CA.IC · PK.IC.
                    let ca = try group.multiplyModOrder(group.inverseModOrder(staticKey), mappingKey)
                    answer += TLV(tag: 0x8A, value: try PACE.encryptChipAuthenticationData(ca, key: keys.enc)).encoded()
                }
                let sm = try SecureMessaging(
                    algorithm: configuration.secureMessaging, encryptionKey: keys.enc, macKey: keys.mac,
                    sendSequenceCounter: [UInt8](repeating: 0, count: configuration.blockSize)
                )
                return .established(answer, sm)
            }
        }
    }
}
