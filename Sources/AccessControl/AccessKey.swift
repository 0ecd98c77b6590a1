public import EMRTDCore
public import MRZ

/// The secret that opens a chip: the MRZ key (BAC, PACE-MRZ) or the card access number (PACE-CAN).
public enum AccessKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    case mrz(MRZKey)
    /// The card access number's digits as characters, in wipeable storage (a literal works:
    /// `.can("123456")`; a `String` from elsewhere: `.can(SecretBytes(utf8: text))`).
    case can(SecretBytes)
    /// PACE with the PIN or PUK, on documents that have them (eID cards).
    case pin(SecretBytes)
    case puk(SecretBytes)

    /// Says which kind of key it is, never the key itself.
    public var description: String {
        switch self {
        case .mrz: return "MRZ key"
        case .can: return "CAN"
        case .pin: return "PIN"
        case .puk: return "PUK"
        }
    }

    /// The PACE password this key gives.
    public var pacePassword: PACE.Password {
        switch self {
        case .mrz(let key): return .mrz(key)
        case .can(let s): return .can(s)
        case .pin(let s): return .pin(s)
        case .puk(let s): return .puk(s)
        }
    }
    /// The same as ``description``: the kind of key, never the key, even in debug output.
    public var debugDescription: String { description }

    /// Checks the key before any APDU: a CAN is 6 digits (ICAO Doc 9303-11 4.4.1), a PIN 4 to 12
    /// digits, a PUK 8 to 12 (eID cards); an MRZ key was checked when it was made. The message
    /// names the rule, never the key.
    public func validate() throws(EMRTDError) {
        func digits(_ s: SecretBytes, _ range: ClosedRange<Int>, _ what: String) throws(EMRTDError) {
            let allDigits = s.withUnsafeBytes { $0.allSatisfy { (0x30...0x39).contains($0) } }
            guard range.contains(s.count), allDigits else {
                let length = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
                throw EMRTDError(.invalidArgument, "a \(what) is \(length) digits (this one has \(s.count) characters\(allDigits ? "" : ", not all digits"))")
            }
        }
        switch self {
        case .mrz: return
        case .can(let s): try digits(s, 6...6, "CAN")
        case .pin(let s): try digits(s, 4...12, "PIN")
        case .puk(let s): try digits(s, 8...12, "PUK")
        }
    }
}
