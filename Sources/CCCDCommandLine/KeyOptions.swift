public import ArgumentParser
import AccessControl
import EMRTDCore
import MRZ

/// How the user gives the key that opens the chip. Shared by `cccd-read` and the `cccd` commands
/// that talk to a card.
public struct KeyOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The MRZ lines (joined by newlines, or by spaces).", valueName: "lines"))
    var mrz: String?

    @Option(name: .customLong("doc"), help: ArgumentHelp("Document number (with --dob and --doe).", valueName: "number"))
    var documentNumber: String?

    @Option(name: .customLong("id"), help: ArgumentHelp("CCCD 12-digit personal ID: its last 9 digits are the document number.", valueName: "digits"))
    var personalID: String?

    @Option(name: .customLong("dob"), help: ArgumentHelp("Date of birth, YYMMDD.", valueName: "YYMMDD"))
    var dateOfBirth: String?

    @Option(name: .customLong("doe"), help: ArgumentHelp("Date of expiry, YYMMDD (991231 for cards without expiry).", valueName: "YYMMDD"))
    var dateOfExpiry: String?

    @Option(name: .long, help: ArgumentHelp("Card access number (6 digits, PACE; for a CCCD the last 6 digits of the ID).", valueName: "digits"))
    var can: String?

    @Option(name: .long, help: ArgumentHelp("PACE PIN, on documents that have one.", valueName: "digits"))
    var pin: String?

    @Option(name: .long, help: ArgumentHelp("PACE PUK, on documents that have one.", valueName: "digits"))
    var puk: String?

    public init() {}

    /// The key the options give, or `nil` when none was given.
    func accessKey() throws(EMRTDError) -> AccessKey? {
        let given = [mrz != nil, documentNumber != nil || personalID != nil, can != nil, pin != nil, puk != nil].filter { $0 }.count
        guard given <= 1 else {
            throw EMRTDError(.invalidArgument, "give one key: --mrz, or --doc/--id with --dob and --doe, or --can, --pin or --puk")
        }
        if let mrz {
            let text = mrz.contains("\n") ? mrz : mrz.split(separator: " ").joined(separator: "\n")
            return .mrz(MRZKey(mrz: try MRZ(text)))
        }
        if documentNumber != nil || personalID != nil {
            guard documentNumber == nil || personalID == nil else {
                throw EMRTDError(.invalidArgument, "give either --doc or --id, not both")
            }
            guard let dateOfBirth, let dateOfExpiry else {
                throw EMRTDError(.invalidArgument, "--doc and --id need --dob and --doe (YYMMDD)")
            }
            let number = try personalID.map { (id: String) throws(EMRTDError) in try CCCD.documentNumber(fromPersonalID: id) } ?? documentNumber!
            return .mrz(try MRZKey(documentNumber: number, dateOfBirth: dateOfBirth, dateOfExpiry: dateOfExpiry))
        }
        if let can {
            guard can.count == 6, can.allSatisfy(\.isASCIIDigit) else {
                throw EMRTDError(.invalidArgument, "a CAN has 6 digits")
            }
            return .can(can)
        }
        if let pin {
            guard !pin.isEmpty, pin.allSatisfy(\.isASCIIDigit) else { throw EMRTDError(.invalidArgument, "a PIN is digits") }
            return .pin(pin)
        }
        if let puk {
            guard !puk.isEmpty, puk.allSatisfy(\.isASCIIDigit) else { throw EMRTDError(.invalidArgument, "a PUK is digits") }
            return .puk(puk)
        }
        if dateOfBirth != nil || dateOfExpiry != nil {
            throw EMRTDError(.invalidArgument, "--dob and --doe need --doc or --id")
        }
        return nil
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
