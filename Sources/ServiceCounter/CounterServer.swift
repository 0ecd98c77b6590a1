import Foundation
import Hummingbird
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
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Serves until SIGINT or SIGTERM; `onListening` gets the URL once the port is bound.
    public func run(onListening: @escaping @Sendable (String) -> Void) async throws {
        let router = Router()
        let authorities = allowedAuthorities(port: configuration.port)
        router.add(middleware: GuardMiddleware(token: token, authorities: authorities))
        let messages = Messages(configuration.language)
        let page = CounterPage.html(messages, token: token)
        router.get("/") { _, _ in Self.respond(page, type: "text/html; charset=utf-8") }
        router.get("/counter.js") { _, _ in Self.respond(CounterPage.script, type: "text/javascript; charset=utf-8") }
        router.get("/counter.css") { _, _ in Self.respond(CounterPage.style, type: "text/css; charset=utf-8") }
        let desk = self.desk
        router.get("/events") { _, _ in
            let stream = desk.subscribe()
            var headers = Self.headers(type: "text/event-stream; charset=utf-8")
            headers[.init("X-Accel-Buffering")!] = "no"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
                for await snapshot in stream {
                    // An empty snapshot is a keep-alive: a comment line.
                    try await writer.write(ByteBuffer(string: snapshot.isEmpty ? ": keep-alive\n\n" : "data: \(snapshot)\n\n"))
                }
                try await writer.finish(nil)
            })
        }
        router.post("/read") { request, _ in
            let body = try await request.body.collect(upTo: 8192)
            guard let form = try? JSONDecoder().decode(CounterDesk.KeyForm.self, from: Data(buffer: body)) else {
                return Self.problem(.badRequest, messages[.errorInput])
            }
            switch form.accessKey(messages) {
            case .failure(let error):
                return Self.problem(.unprocessableContent, error.message)
            case .success(let key):
                do throws(CounterDesk.SubmitRefusal) {
                    try desk.read(with: key)
                } catch {
                    switch error {
                    case .busy: return Self.problem(.conflict, messages[.counterReading])
                    case .noCard: return Self.problem(.conflict, messages[.counterWaiting])
                    }
                }
                return Response(status: .accepted, headers: Self.headers(type: "application/json"), body: .init(byteBuffer: ByteBuffer(string: "{}")))
            }
        }
        router.post("/clear") { _, _ in
            desk.clear()
            return Response(status: .noContent, headers: Self.headers(type: nil))
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
        var hosts = [configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host]
        if Self.isLoopback(configuration.host) { hosts += ["localhost", "127.0.0.1", "[::1]"] }
        return AllowedAuthorities(hosts: Set(hosts), port: port == 0 ? nil : port)
    }

    static func headers(type: String?) -> HTTPFields {
        var headers: HTTPFields = [
            .cacheControl: "no-store",
            .init("X-Content-Type-Options")!: "nosniff",
            .init("Referrer-Policy")!: "no-referrer",
            .init("X-Frame-Options")!: "DENY",
            .contentSecurityPolicy:
                "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
                + "frame-src blob:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
        ]
        if let type { headers[.contentType] = type }
        return headers
    }

    static func respond(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: headers(type: type), body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// An error the page shows beside the form, as `{"error": "…"}`.
    static func problem(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let json = (try? JSONEncoder().encode(["error": message])) ?? Data("{}".utf8)
        return Response(status: status, headers: headers(type: "application/json"), body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }
}

/// Refuses requests that did not come from the counter's own page: a `Host` other than the
/// address listened on (DNS rebinding), and state-changing requests without the page's token or
/// from another origin.
struct GuardMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String
    let authorities: AllowedAuthorities

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authority = request.head.authority, authorities.allows(authority) else {
            return CounterServer.problem(.misdirectedRequest, "unknown host")
        }
        if request.method != .get && request.method != .head {
            guard let given = request.headers[.init("X-Counter-Token")!], Self.equal(given, token) else {
                return CounterServer.problem(.forbidden, "missing or wrong page token")
            }
            if let origin = request.headers[.origin], origin != "http://\(authority)" {
                return CounterServer.problem(.forbidden, "request from another origin")
            }
        }
        return try await next(request, context)
    }

    /// Compares in time independent of where the strings differ.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// The `Host` values (`host[:port]`) the counter answers: the address it listens on.
struct AllowedAuthorities: Sendable {
    var hosts: Set<String>
    /// nil: any port (the port was chosen by the system).
    var port: Int?

    func allows(_ authority: String) -> Bool {
        let host: Substring
        let port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            host = authority[..<colon]
            port = Int(authority[authority.index(after: colon)...])
            if port == nil { return false }
        } else {
            host = authority[...]
            port = 80
        }
        guard hosts.contains(host.lowercased()) else { return false }
        return self.port == nil || port == self.port
    }
}
