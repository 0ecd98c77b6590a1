import ArgumentParser
import EMRTDCore
import Foundation
import Messages
import ServiceCounter

/// `cccd counter`: the service counter's local web page.
struct CounterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counter",
        abstract: "Serve the service counter's web page: readers, the CAN form, the photo, the fields and the verdict.",
        discussion: """
            Open the printed address in a browser and keep it open. The page waits for a card, asks for its CAN
            (or the MRZ, or the ID number and dates), shows the read's progress, then the photo, the holder's
            fields, every check and the verdict, with the HTML report to print or save. Taking the card off the
            reader clears the screen; nothing about the holder is kept. The page listens on loopback unless
            --listen names another address; every request that changes something carries the page's token.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The address to listen on (port 0: any free port).", valueName: "HOST:PORT"))
    var listen = "127.0.0.1:8080"

    @Option(name: .long, help: ArgumentHelp("The reader to serve: an index, a name or part of one (default: whichever holds a card).", valueName: "NAME"))
    var reader: String?

    @Option(name: .long, help: ArgumentHelp("CSCA certificates, folders, master lists or CRLs (repeatable).", valueName: "PATH"))
    var trust: [String] = []

    @Flag(name: .long, help: "Serve the virtual chip instead of a PC/SC reader: the built-in specimen, or the card image DIR.")
    var simulated = false

    @Argument(help: ArgumentHelp("With --simulated: a card image directory.", valueName: "DIR"))
    var cardImage: String?

    @Option(name: .long, help: ArgumentHelp("The page's language: en or vi (default: from LC_ALL, LC_MESSAGES or LANG).", valueName: "en|vi"))
    var lang: Language?

    func run() async throws {
        let language = lang ?? .fromEnvironment()
        if cardImage != nil && !simulated { throw ValidationError("a card image directory is served with --simulated") }
        let host: String, port: Int
        do throws(EMRTDError) {
            (host, port) = try CommonOptions.listenAddress(listen, option: "--listen")
        } catch {
            throw fail(error, Messages(language))
        }
        if !CounterServer.isLoopback(host) {
            printError("warning: listening on \(host), not on loopback: any machine that reaches it can use this counter's reader")
        }
        let source: CounterCardSource = simulated ? .simulated(cardImage: cardImage) : .pcsc(reader: reader)
        let server: CounterServer
        do throws(EMRTDError) {
            server = try CounterServer(
                .init(host: host, port: port, source: source, trust: trust, language: language),
                log: { printError($0) })
        } catch {
            throw fail(error, Messages(language))
        }
        try await server.run(onListening: { url in
            // Standard output is a pipe under systemd or a test: say it at once.
            FileHandle.standardOutput.write(Data("counter: open \(url) in a browser (Ctrl-C stops)\n".utf8))
        })
    }
}
