import ArgumentParser
import Cryptography
import EMRTDCore
import Foundation
import PKCS11
#if canImport(Glibc)
import Glibc
#endif

/// The PIN of a PKCS #11 token: from `--pin-file`, the URI's `pin-source=file:…`, or standard input
/// (a prompt without echo on a terminal). Never from the command line.
struct PINOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A file holding the token's PIN (one line). Without it: the URI's pin-source, else standard input.", valueName: "FILE"))
    var pinFile: String?

    func pin(for uri: PKCS11URI) throws(EMRTDError) -> SecretBytes {
        let source = pinFile ?? uri.pinSource.map { $0.hasPrefix("file:") ? String($0.dropFirst(5)) : $0 }
        var text: String
        if let source {
            guard let data = FileManager.default.contents(atPath: source) else { throw EMRTDError(.io, "cannot read the PIN file \(source)") }
            text = String(decoding: data, as: UTF8.self)
        } else if isatty(0) != 0, let typed = getpass("PIN for the token \(uri.token): ") {
            text = String(cString: typed)
        } else {
            guard let line = readLine(strippingNewline: true) else { throw EMRTDError(.invalidArgument, "no PIN on standard input") }
            text = line
        }
        if let newline = text.firstIndex(where: { $0 == "\n" || $0 == "\r" }) { text = String(text[..<newline]) }
        guard !text.isEmpty else { throw EMRTDError(.invalidArgument, "the PIN is empty") }
        return SecretBytes(utf8: text)
    }
}

/// The token and the key a PKCS #11 URI names, logged in.
enum TokenKey {
    static func open(_ text: String, pin: PINOptions) throws(EMRTDError) -> (PKCS11Token, PKCS11URI) {
        let uri = try PKCS11URI(text)
        let token = try PKCS11Token(uri: uri, pin: try pin.pin(for: uri))
        return (token, uri)
    }
}
