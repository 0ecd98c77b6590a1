import ArgumentParser
import EMRTDCore
import Foundation

/// Exit statuses of the command-line tools (documented in the README).
public enum ExitStatus {
    /// Everything asked for was done.
    public static let success: Int32 = 0
    /// The card could not be read: communication failure, card removed, secure messaging broken.
    public static let cardError: Int32 = 3
    /// Access control failed: wrong MRZ or CAN.
    public static let accessDenied: Int32 = 4
    /// The chip's data or an input file is malformed.
    public static let invalidData: Int32 = 5
    /// A file could not be read or written.
    public static let ioError: Int32 = 6
    /// At least one test vector failed (or none ran).
    public static let vectorsFailed: Int32 = 7
    /// Bad command-line usage (ArgumentParser's validation failure).
    public static let usage: Int32 = 64

    static func forError(_ error: EMRTDError) -> Int32 {
        switch error.code.domain {
        case "bac", "pace", "access": return accessDenied
        case "card", "sm": return cardError
        case "io": return ioError
        case "argument": return usage
        default: return invalidData
        }
    }
}

/// Prints an error the way every command does, and exits with its status.
func fail(_ error: EMRTDError) -> ExitCode {
    printError("error: \(error.message) [\(error.code)]")
    return ExitCode(ExitStatus.forError(error))
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
