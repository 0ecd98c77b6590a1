public import Foundation
public import Hummingbird
import NIOCore

/// What the toolkit's local web pages (the counter, the station's dashboard) share: the security
/// headers of every response, the guard against other hosts and other pages, and server-sent events.
public enum LocalWebPage {
    /// The headers of every response: nothing cached (`no-store`), no sniffing, no referrer, no
    /// framing, and a Content-Security-Policy without inline script.
    public static func headers(type: String?) -> HTTPFields {
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

    /// `text` as a 200 response of `type`.
    public static func respond(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: headers(type: type), body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// An error a page shows, as `{"error": "…"}`.
    public static func problem(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let json = (try? JSONEncoder().encode(["error": message])) ?? Data("{}".utf8)
        return Response(status: status, headers: headers(type: "application/json"), body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }

    /// Server-sent events: each string of `snapshots` as one `data:` event; an empty string is a
    /// keep-alive comment (a page that went away is noticed at the next write).
    public static func eventStream(_ snapshots: AsyncStream<String>) -> Response {
        var headers = headers(type: "text/event-stream; charset=utf-8")
        headers[.init("X-Accel-Buffering")!] = "no"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
            for await snapshot in snapshots {
                try await writer.write(ByteBuffer(string: snapshot.isEmpty ? ": keep-alive\n\n" : "data: \(snapshot)\n\n"))
            }
            try await writer.finish(nil)
        })
    }
}

/// Refuses requests that did not come from the page itself: a `Host` other than the address
/// listened on (DNS rebinding), and, with a `token`, state-changing requests without the page's
/// token or from another origin.
public struct GuardMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String?
    let authorities: AllowedAuthorities

    /// A guard for `authorities`; `token` (nil for a read-only page) for every request but GET and HEAD.
    public init(token: String?, authorities: AllowedAuthorities) {
        self.token = token
        self.authorities = authorities
    }

    /// Refuses a request from another host (421), or one that changes something without the token
    /// or from another origin (403); passes the rest on.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authority = request.head.authority, authorities.allows(authority) else {
            return LocalWebPage.problem(.misdirectedRequest, "unknown host")
        }
        if request.method != .get && request.method != .head {
            guard let token, let given = request.headers[.init("X-Counter-Token")!], Self.equal(given, token) else {
                return LocalWebPage.problem(.forbidden, "missing or wrong page token")
            }
            if let origin = request.headers[.origin], origin != "http://\(authority)" {
                return LocalWebPage.problem(.forbidden, "request from another origin")
            }
        }
        return try await next(request, context)
    }

    /// Compares in time independent of where the strings differ.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// The `Host` values (`host[:port]`) a page answers: the address it listens on.
public struct AllowedAuthorities: Sendable {
    /// Host names, lower case (IPv6 in brackets).
    public var hosts: Set<String>
    /// nil: any port (the port was chosen by the system).
    public var port: Int?

    /// `hosts` on `port`.
    public init(hosts: Set<String>, port: Int?) {
        self.hosts = hosts
        self.port = port
    }

    /// The authorities of a server listening on `host`:`port` (port 0: any), `localhost` included on loopback.
    public init(listeningOn host: String, port: Int) {
        var names = [host.contains(":") ? "[\(host)]" : host]
        if Self.isLoopback(host) { names += ["localhost", "127.0.0.1", "[::1]"] }
        self.init(hosts: Set(names), port: port == 0 ? nil : port)
    }

    /// Whether `host` is a loopback address.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Whether a request's `Host` (`authority`) names this server.
    public func allows(_ authority: String) -> Bool {
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

/// The page's live state as JSON snapshots to every open event stream: a new stream gets the
/// current snapshot first, then each change (an unchanged snapshot is not sent again). Its own lock:
/// callers publish from any thread.
public final class SnapshotBroadcaster: @unchecked Sendable {
    private let lock = NSLock()
    private var subscribers: [UUID: AsyncStream<String>.Continuation] = [:]
    private var snapshot = ""
    private var finished = false

    /// An empty broadcaster.
    public init() {}

    /// A new event stream (finished at once after ``finish()``).
    public func subscribe() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(4))
        let id = UUID()
        lock.lock()
        guard !finished else {
            lock.unlock()
            continuation.finish()
            return stream
        }
        subscribers[id] = continuation
        continuation.yield(snapshot)
        lock.unlock()
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            self.lock.lock()
            self.subscribers[id] = nil
            self.lock.unlock()
        }
        return stream
    }

    /// Sends `json` to every stream, unless it is the snapshot they have.
    public func publish(_ json: String) {
        lock.lock()
        defer { lock.unlock() }
        guard json != snapshot else { return }
        snapshot = json
        for c in subscribers.values { c.yield(json) }
    }

    /// A keep-alive on every stream, so a page that went away is noticed and dropped.
    public func keepAlive() {
        lock.lock()
        let all = subscribers.values
        lock.unlock()
        for c in all { c.yield("") }
    }

    /// The number of open streams.
    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return subscribers.count
    }

    /// Ends every stream; later subscriptions end at once.
    public func finish() {
        lock.lock()
        finished = true
        let all = subscribers.values
        subscribers = [:]
        lock.unlock()
        for c in all { c.finish() }
    }
}
