import ArgumentParser
import EMRTD
import EMRTDCore
import Foundation
import Inspection
import Messages

/// Exit statuses of the command-line tools (documented in the README): the verification contract
/// shared by `cccd-read` and `cccd verify`.
public enum ExitStatus {
    /// The document is genuine (or, for commands that verify nothing, everything asked was done).
    public static let success: Int32 = 0
    /// The document is not genuine: a check failed (or a vector case failed).
    public static let notGenuine: Int32 = 1
    /// Bad usage or input: arguments, an unreadable trust file or card image.
    public static let badInput: Int32 = 2
    /// The card or the reader failed or refused: communication, secure messaging, a card pulled out,
    /// a file that could not be read whole, access control refused (a wrong MRZ or CAN: the chip's
    /// status word is named).
    public static let cardError: Int32 = 3
    /// The document was read but could not be verified (no trusted CSCA, no EF.SOD).
    public static let unverified: Int32 = 4

    /// The exit status of each error, by the layer that raised it (the code's domain), with the
    /// codes that differ from their domain: one table for every command.
    static let forDomain: [Substring: Int32] = [
        "card": cardError, "sm": cardError, "lds": cardError, "tlv": cardError, "ca": cardError, "aa": cardError,
        "vpcd": cardError, "dg2": cardError, "face": cardError, "dg13": cardError, "asn1": cardError,
        "bac": cardError, "pace": cardError, "access": cardError,
        // The card refused personalization (locked, not blank, a command refused).
        "perso": cardError,
    ]
    static let forCode: [EMRTDError.Code: Int32] = [
        // An image the applet cannot hold is the input's fault, not the card's.
        .persoUnsupported: badInput,
    ]

    static func forError(_ error: EMRTDError) -> Int32 {
        forCode[error.code] ?? forDomain[error.code.domain] ?? badInput
    }

    static func forVerdict(_ verdict: Verdict) -> Int32 {
        switch verdict {
        case .genuine: return success
        case .notGenuine: return notGenuine
        case .unverified: return unverified
        }
    }
}

/// Prints an error the way every command does, and exits with its status.
func fail(_ error: EMRTDError, _ messages: Messages = Messages(.fromEnvironment())) -> ExitCode {
    printError(ErrorText.render(error, messages))
    return ExitCode(ExitStatus.forError(error))
}

/// An error as a person reads it. In English: the library's message and its code, as always. In
/// another language: what happened and what to do in that language (``ErrorAdvice``), then the
/// library's message (for support) and the code.
enum ErrorText {
    static func render(_ error: EMRTDError, _ m: Messages) -> String {
        guard m.language != .english else { return "error: \(error.message) [\(error.code)]" }
        let explained = ErrorAdvice(error, m, badInput: ExitStatus.forError(error) == ExitStatus.badInput)
        return "\(m[.errorPrefix]): \(explained.what)\(explained.advice.map { " — " + $0 } ?? "") (\(error.message)) [\(error.code)]"
    }
}

func printError(_ text: String, terminator: String = "\n") {
    var stderr = StandardError()
    print(text, terminator: terminator, to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}

/// Whether standard error is a terminal (a progress line is shown only there).
var standardErrorIsTerminal: Bool { isatty(2) != 0 }
