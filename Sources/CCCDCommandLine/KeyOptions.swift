public import ArgumentParser
import Foundation
import AccessControl
import EMRTDCore
import MRZ

/// How the user gives the key that opens the chip. Shared by `cccd-read` and the `cccd` commands
/// that talk to a card.
public struct KeyOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadMrz], valueName: "lines"))
    var mrz: String?

    @Option(name: .customLong("doc"), help: ArgumentHelp(HelpText[.helpReadDocumentNumber], valueName: "number"))
    var documentNumber: String?

    @Option(name: .customLong("id"), help: ArgumentHelp(HelpText[.helpReadPersonalID], valueName: "digits"))
    var personalID: String?

    @Option(name: .customLong("dob"), help: ArgumentHelp(HelpText[.helpReadDateOfBirth], valueName: "YYMMDD"))
    var dateOfBirth: String?

    @Option(name: .customLong("doe"), help: ArgumentHelp(HelpText[.helpReadDateOfExpiry], valueName: "YYMMDD"))
    var dateOfExpiry: String?

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadCan], valueName: "digits"))
    var can: String?

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadPin], valueName: "digits"))
    var pin: String?

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadPuk], valueName: "digits"))
    var puk: String?

    @Flag(name: .long, help: ArgumentHelp(HelpText[.helpReadKeyStdin]))
    var keyStdin = false

    public init() {}

    /// The key the options give, or `nil` when none was given.
    func accessKey() throws(EMRTDError) -> AccessKey? { try givenKey()?.key }

    /// The key the options give with its hint, or `nil` when none was given. A hint is printed on
    /// standard error here, before the key is tried.
    func givenKey() throws(EMRTDError) -> GivenKey? {
        let given = try readKey()
        if let hint = given?.hint { printError("warning: \(hint)") }
        return given
    }

    private func readKey() throws(EMRTDError) -> GivenKey? {
        if keyStdin {
            guard mrz == nil, documentNumber == nil, personalID == nil, can == nil, pin == nil, puk == nil else {
                throw EMRTDError(.invalidArgument, "--key-stdin replaces the other key options")
            }
            var text = ""
            while let line = readLine(strippingNewline: false) {
                text += line
                guard text.utf8.count < 4096 else { throw EMRTDError(.invalidArgument, "the key on standard input is too long") }
            }
            return try Self.parseKey(text)
        }
        return try optionsKey()
    }

    /// A key typed or piped in: `CAN 123456` (or just 6 digits), `PIN …`, `PUK …`, MRZ lines,
    /// or a document number (or 12-digit CCCD ID), birth and expiry date separated by spaces.
    static func parseKey(_ input: String) throws(EMRTDError) -> GivenKey {
        let text = input.trimmingCharacters(in: .whitespacesAndNewlines)
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if words.count == 2, ["CAN", "PIN", "PUK"].contains(words[0].uppercased()), words[1].allSatisfy(\.isASCIIDigit) {
            switch words[0].uppercased() {
            case "CAN": return GivenKey(key: .can(SecretBytes(utf8: words[1])))
            case "PIN": return GivenKey(key: .pin(SecretBytes(utf8: words[1])))
            default: return GivenKey(key: .puk(SecretBytes(utf8: words[1])))
            }
        }
        if words.count == 1, text.count == 6, text.allSatisfy(\.isASCIIDigit) { return GivenKey(key: .can(SecretBytes(utf8: text))) }
        if words.count == 3 {
            guard GivenKey.isPersonalID(words[0]) else {
                return GivenKey(key: .mrz(try MRZKey(documentNumber: words[0], dateOfBirth: words[1], dateOfExpiry: words[2])))
            }
            // Never echo the input: it is a secret.
            return GivenKey(
                key: try .mrz(CCCD.mrzKey(personalID: words[0], dateOfBirth: words[1], dateOfExpiry: words[2])),
                hint: "the 12-digit number on standard input is read as a CCCD personal ID (" + GivenKey.documentNumberRule
                    + "); for another document whose number has 12 digits, give its MRZ lines")
        }
        do {
            return GivenKey(key: .mrz(MRZKey(mrz: try MRZ(text))))
        } catch {
            // Never echo the input: it is a secret.
            throw EMRTDError(.invalidArgument, "the key on standard input is neither MRZ lines, 'CAN nnnnnn', nor 'DOC|ID DOB DOE' (\(error.code))")
        }
    }

    private func optionsKey() throws(EMRTDError) -> GivenKey? {
        let given = [mrz != nil, documentNumber != nil || personalID != nil, can != nil, pin != nil, puk != nil].filter { $0 }.count
        guard given <= 1 else {
            throw EMRTDError(.invalidArgument, "give one key: --mrz, or --doc/--id with --dob and --doe, or --can, --pin or --puk")
        }
        if let mrz {
            let text = mrz.contains("\n") ? mrz : mrz.split(separator: " ").joined(separator: "\n")
            return GivenKey(key: .mrz(MRZKey(mrz: try MRZ(text))))
        }
        if documentNumber != nil || personalID != nil {
            guard documentNumber == nil || personalID == nil else {
                throw EMRTDError(.invalidArgument, "give either --doc or --id, not both")
            }
            guard let dateOfBirth, let dateOfExpiry else {
                throw EMRTDError(.invalidArgument, "--doc and --id need --dob and --doe (YYMMDD)")
            }
            if let personalID {
                return GivenKey(key: .mrz(try CCCD.mrzKey(personalID: personalID, dateOfBirth: dateOfBirth, dateOfExpiry: dateOfExpiry)))
            }
            let number = documentNumber!
            // Tried as given (a passport may have such a number), with a warning first.
            return GivenKey(
                key: .mrz(try MRZKey(documentNumber: number, dateOfBirth: dateOfBirth, dateOfExpiry: dateOfExpiry)),
                hint: GivenKey.isPersonalID(number)
                    ? "--doc \(number) has 12 digits: it is almost always a CCCD personal ID given in the wrong option; try --id \(number) ("
                        + GivenKey.documentNumberRule + ")"
                    : nil)
        }
        if let can {
            guard can.count == 6, can.allSatisfy(\.isASCIIDigit) else {
                throw EMRTDError(.invalidArgument, "a CAN has 6 digits")
            }
            return GivenKey(key: .can(SecretBytes(utf8: can)))
        }
        if let pin {
            guard !pin.isEmpty, pin.allSatisfy(\.isASCIIDigit) else { throw EMRTDError(.invalidArgument, "a PIN is digits") }
            return GivenKey(key: .pin(SecretBytes(utf8: pin)))
        }
        if let puk {
            guard !puk.isEmpty, puk.allSatisfy(\.isASCIIDigit) else { throw EMRTDError(.invalidArgument, "a PUK is digits") }
            return GivenKey(key: .puk(SecretBytes(utf8: puk)))
        }
        if dateOfBirth != nil || dateOfExpiry != nil {
            throw EMRTDError(.invalidArgument, "--dob and --doe need --doc or --id")
        }
        return nil
    }
}

/// A key as the user gave it, and what to tell them if the chip refuses it.
struct GivenKey {
    let key: AccessKey
    /// Set when the key looks like a common mistake (a CCCD personal ID where a document number
    /// goes): printed before the key is tried, and repeated if the chip refuses it.
    var hint: String? = nil

    static let documentNumberRule = "a CCCD document number is the last 9 digits of the 12-digit ID"

    /// Whether `number` has the form of a CCCD personal ID (12 digits).
    static func isPersonalID(_ number: String) -> Bool { (try? CCCD.validatePersonalID(number)) != nil }

    /// `error`, with the hint repeated when it is the chip refusing the key (BAC or PACE).
    func explaining(_ error: EMRTDError) -> EMRTDError {
        guard let hint, error.code == .bacAuthenticationFailed || error.code == .paceAuthenticationFailed else { return error }
        return EMRTDError(error.code, "\(error.message); \(hint)")
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
