public import EMRTDCore

/// Helpers for the Vietnamese chip citizen identity card (Căn cước công dân, CCCD).
///
/// The card's 12-digit personal ID number is not its MRZ document number: the TD1 MRZ carries the last
/// 9 digits as the document number and the full 12 digits in the optional data. Readers that pass the
/// 12 digits to BAC fail. The CAN for PACE is the last 6 digits.
public enum CCCD {
    /// Throws unless `id` is exactly 12 ASCII digits.
    public static func validatePersonalID(_ id: String) throws(EMRTDError) {
        let d = Array(id.utf8)
        guard d.count == 12, d.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw EMRTDError(.mrzField, "CCCD personal ID number must be exactly 12 digits")
        }
    }

    /// The MRZ document number (the BAC/PACE key's): the last 9 digits of the personal ID.
    public static func documentNumber(fromPersonalID id: String) throws(EMRTDError) -> String {
        try validatePersonalID(id)
        return String(id.utf8.suffix(9).map { Character(Unicode.Scalar($0)) })
    }

    /// The card access number for PACE-CAN: the last 6 digits of the personal ID.
    public static func can(fromPersonalID id: String) throws(EMRTDError) -> String {
        try validatePersonalID(id)
        return String(id.utf8.suffix(6).map { Character(Unicode.Scalar($0)) })
    }

    /// The BAC/PACE-MRZ key of a CCCD from the printed personal ID and dates (`YYMMDD`).
    public static func mrzKey(personalID: String, dateOfBirth: String, dateOfExpiry: String) throws(EMRTDError)
        -> MRZKey
    {
        try MRZKey(
            documentNumber: documentNumber(fromPersonalID: personalID),
            dateOfBirth: dateOfBirth,
            dateOfExpiry: dateOfExpiry
        )
    }

    /// The 12-digit personal ID held in a CCCD MRZ's optional data (`<12 digits><<<check digit>`),
    /// after checking its check digit and that it ends with the document number.
    public static func personalID(from mrz: MRZ) throws(EMRTDError) -> String {
        let optional = Array(mrz.optionalData1.utf8)
        guard mrz.format == .td1, optional.count == 15,
            optional[12] == MRZ.filler, optional[13] == MRZ.filler
        else {
            throw EMRTDError(.mrzField, "MRZ optional data does not hold a CCCD personal ID number")
        }
        let id = String(decoding: optional[0..<12], as: UTF8.self)
        try validatePersonalID(id)
        try MRZ.verify(optional[0..<12], checkDigit: optional[14], field: "personal ID number")
        guard try documentNumber(fromPersonalID: id) == mrz.documentNumber else {
            throw EMRTDError(.mrzField, "CCCD personal ID number in the MRZ does not end with the document number")
        }
        return id
    }
}
