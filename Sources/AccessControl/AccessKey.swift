public import MRZ

/// The secret that opens a chip: the MRZ key (BAC, PACE-MRZ) or the card access number (PACE-CAN).
public enum AccessKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    case mrz(MRZKey)
    case can(String)

    /// Says which kind of key it is, never the key itself.
    public var description: String {
        switch self {
        case .mrz: return "MRZ key"
        case .can: return "CAN"
        }
    }
    public var debugDescription: String { description }
}
