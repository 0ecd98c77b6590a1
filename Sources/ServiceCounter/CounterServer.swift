import Foundation
import Hummingbird
import LocalWebPage
public import EMRTDCore
import Inspection
import Logging
public import Messages
import NIOCore

/// `cccd counter`: the service counter's local web page. A clerk keeps it open all day: it shows
/// the readers, waits for a card, asks for the CAN, shows the read's progress, then the photo, the
/// fields and the verdict, and clears when the card leaves the reader.
///
/// What it guards against: another web page in the same browser (every state-changing request
/// carries the page's token, checked in constant time, and its `Origin`), DNS rebinding (the
/// `Host` header must name the address listened on), other machines (loopback unless told
/// otherwise), and traces (no personal data in URLs or logs; `Cache-Control: no-store` everywhere).
public struct CounterServer: Sendable {
    /// What the counter serves and where.
    public struct Configuration: Sendable {
        /// The address to listen on (`127.0.0.1` unless the operator says otherwise).
        public var host: String
        /// The port; 0 picks a free one (printed when listening).
        public var port: Int
        /// The readers or the virtual chip.
        public var source: CounterCardSource
        /// CSCA certificates, folders, master lists and CRLs to verify against.
        public var trust: [String]
        /// The page's language.
        public var language: Language

        /// A counter on `host`:`port` reading from `source`, trusting `trust`, in `language`.
        public init(host: String = "127.0.0.1", port: Int = 8080, source: CounterCardSource, trust: [String], language: Language) {
            self.host = host
            self.port = port
            self.source = source
            self.trust = trust
            self.language = language
        }
    }

    private let configuration: Configuration
    private let desk: CounterDesk
    private let token: String
    private let log: @Sendable (String) -> Void

    /// A counter with `configuration`; `log` gets what an operator may see (no holder data, no key).
    /// Throws when the trust store or the card image cannot be loaded.
    public init(_ configuration: Configuration, log: @escaping @Sendable (String) -> Void) throws(EMRTDError) {
        self.configuration = configuration
        self.log = log
        var options = CounterDesk.Options(source: configuration.source, trustPaths: configuration.trust, messages: Messages(configuration.language))
        options.log = log
        desk = try CounterDesk(options)
        // 256 bits from the system's generator, new at every start.
        token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// Whether `host` is a loopback address (the counter's default, reachable from this machine only).
    public static func isLoopback(_ host: String) -> Bool { AllowedAuthorities.isLoopback(host) }

    /// Serves until SIGINT or SIGTERM; `onListening` gets the URL once the port is bound.
    public func run(onListening: @escaping @Sendable (String) -> Void) async throws {
        let router = Router()
        let authorities = allowedAuthorities(port: configuration.port)
        router.add(middleware: GuardMiddleware(token: token, authorities: authorities))
        let messages = Messages(configuration.language)
        let page = CounterPage.html(messages, token: token)
        router.get("/") { _, _ in LocalWebPage.respond(page, type: "text/html; charset=utf-8") }
        router.get("/counter.js") { _, _ in LocalWebPage.respond(CounterPage.script, type: "text/javascript; charset=utf-8") }
        router.get("/counter.css") { _, _ in LocalWebPage.respond(CounterPage.style, type: "text/css; charset=utf-8") }
        let desk = self.desk
        router.get("/events") { _, _ in LocalWebPage.eventStream(desk.subscribe()) }
        router.post("/read") { request, _ in
            let body = try await request.body.collect(upTo: 8192)
            guard let form = try? JSONDecoder().decode(CounterDesk.KeyForm.self, from: Data(buffer: body)) else {
                return LocalWebPage.problem(.badRequest, messages[.errorInput])
            }
            switch form.accessKey(messages) {
            case .failure(let error):
                return LocalWebPage.problem(.unprocessableContent, error.message)
            case .success(let key):
                do throws(CounterDesk.SubmitRefusal) {
                    try desk.read(with: key)
                } catch {
                    switch error {
                    case .busy: return LocalWebPage.problem(.conflict, messages[.counterReading])
                    case .noCard: return LocalWebPage.problem(.conflict, messages[.counterWaiting])
                    }
                }
                return Response(status: .accepted, headers: LocalWebPage.headers(type: "application/json"), body: .init(byteBuffer: ByteBuffer(string: "{}")))
            }
        }
        router.post("/clear") { _, _ in
            desk.clear()
            return Response(status: .noContent, headers: LocalWebPage.headers(type: nil))
        }

        var logger = Logger(label: "cccd-counter")
        logger.logLevel = .warning
        let host = configuration.host
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let shown = host.contains(":") ? "[\(host)]" : host
                onListening("http://\(shown):\(port)/")
            },
            logger: logger)
        desk.start()
        defer { desk.stop() }
        // The event streams never end by themselves: end them first, then the server stops.
        let signals = [SIGINT, SIGTERM].map { signal -> any DispatchSourceSignal in
            Foundation.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            source.setEventHandler { [desk] in
                desk.stop()
                exit(0)
            }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        try await app.runService(gracefulShutdownSignals: [])
    }

    /// The `Host` values a request may carry: the address listened on, and `localhost` on loopback.
    /// Port 0 is resolved when bound, so any port is accepted then.
    private func allowedAuthorities(port: Int) -> AllowedAuthorities {
        AllowedAuthorities(listeningOn: configuration.host, port: port)
    }
}
