public import MRZ

/// The secret that opens a chip: the MRZ key (BAC, PACE-MRZ) or the card access number (PACE-CAN).
public enum AccessKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    case mrz(MRZKey)
    case can(String)
    /// PACE with the PIN or PUK, on documents that have them (eID cards).
    case pin(String)
    case puk(String)

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
    public var debugDescription: String { description }
}
