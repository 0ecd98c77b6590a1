public import AuditTrail
import Foundation
import Hummingbird
public import IssuanceStation
import LocalWebPage
import Logging
public import Messages

/// `cccd station --dashboard`: a live page of the station for the floor supervisor: each reader's
/// state and the card in it (its record ID), cards per minute, passed and failed counts with the
/// failure reasons, and the last failures. Read-only; no holder data (record IDs only).
public final class StationDashboard: @unchecked Sendable {
    private let messages: Messages
    private let lock = NSLock()
    private var readers: [String: ReaderView] = [:]
    private var passed = 0
    private var failed = 0
    private var reasons: [String: Int] = [:]
    private var finishedAt: [Date] = []
    private var lastFailures: [FailureView] = []
    private let started = Date()
    private let events = SnapshotBroadcaster()

    struct ReaderView: Encodable {
        var name: String
        /// `waiting`, `reading`, `passed`, `failed`, `lost`, `no-record`.
        var state: String
        var stateText: String
        var recordID: String
    }

    struct FailureView: Encodable {
        var time: String
        var reader: String
        var recordID: String
        var verdict: String
        var reasons: String
    }

    struct View: Encodable {
        var readers: [ReaderView]
        var passed: Int
        var failed: Int
        var total: Int
        var perMinuteLastMinute: Int
        var perMinuteOverall: Double
        var reasons: [[String]]
        var lastFailures: [FailureView]
    }

    /// A dashboard in `messages`' language for `readers`.
    public init(readers names: [String], messages: Messages) {
        self.messages = messages
        for name in names { readers[name] = ReaderView(name: name, state: "waiting", stateText: messages[.dashboardWaiting], recordID: "") }
        publishLocked()
    }

    /// Takes one event of the station (its observer).
    public func record(_ event: Station.Event) {
        lock.lock()
        defer { lock.unlock() }
        let m = messages
        switch event {
        case .waiting(let reader):
            readers[reader] = ReaderView(name: reader, state: "waiting", stateText: m[.dashboardWaiting], recordID: readers[reader]?.state == "reading" ? "" : readers[reader]?.recordID ?? "")
        case .reading(let reader, let recordID):
            readers[reader] = ReaderView(name: reader, state: "reading", stateText: m[.dashboardReading], recordID: recordID)
        case .noRecord(let reader):
            readers[reader] = ReaderView(name: reader, state: "no-record", stateText: m[.dashboardNoRecord], recordID: "")
        case .lost(let reader):
            readers[reader] = ReaderView(name: reader, state: "lost", stateText: m[.dashboardLost], recordID: "")
        case .finished(let reader, let row):
            let good = row.verdict == "genuine"
            readers[reader] = ReaderView(name: reader, state: good ? "passed" : "failed", stateText: m[good ? .dashboardPassed : .dashboardFailed], recordID: row.recordID)
            finishedAt.append(Date())
            if good {
                passed += 1
            } else {
                failed += 1
                for code in row.reasons.split(separator: ",") { reasons[String(code), default: 0] += 1 }
                let time = String(row.verifiedAt.isEmpty ? row.insertedAt.prefix(19) : row.verifiedAt.prefix(19)).replacingOccurrences(of: "T", with: " ")
                lastFailures.insert(FailureView(time: time, reader: reader, recordID: row.recordID, verdict: m.verdictWord(row.verdict), reasons: row.reasons), at: 0)
                if lastFailures.count > 10 { lastFailures.removeLast() }
            }
        }
        publishLocked()
    }

    /// Publishes again (the per-minute figure moves with the clock).
    public func tick() {
        lock.lock()
        publishLocked()
        lock.unlock()
        events.keepAlive()
    }

    /// The current snapshot, then every change.
    func subscribe() -> AsyncStream<String> { events.subscribe() }

    /// Ends every event stream.
    public func stop() { events.finish() }

    private func publishLocked() {
        let now = Date()
        finishedAt.removeAll { now.timeIntervalSince($0) > 60 }
        let minutes = max(now.timeIntervalSince(started) / 60, 1.0 / 60)
        let view = View(
            readers: readers.values.sorted { $0.name < $1.name }, passed: passed, failed: failed, total: passed + failed,
            perMinuteLastMinute: finishedAt.count, perMinuteOverall: (Double(passed + failed) / minutes * 10).rounded() / 10,
            reasons: reasons.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map {
                [$0.key, "\($0.value)", messages.reason(check: "", status: "", code: $0.key) ?? ""]
            },
            lastFailures: lastFailures)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(view)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        events.publish(json)
    }

    /// Serves the page on `host`:`port` until the process ends; `onListening` gets the URL.
    public func serve(host: String, port: Int, onListening: @escaping @Sendable (String) -> Void) async throws {
        let router = Router()
        router.add(middleware: GuardMiddleware(token: nil, authorities: AllowedAuthorities(listeningOn: host, port: port)))
        let page = DashboardPage.html(messages)
        router.get("/") { _, _ in LocalWebPage.respond(page, type: "text/html; charset=utf-8") }
        router.get("/dashboard.js") { _, _ in LocalWebPage.respond(DashboardPage.script, type: "text/javascript; charset=utf-8") }
        router.get("/dashboard.css") { _, _ in LocalWebPage.respond(DashboardPage.style, type: "text/css; charset=utf-8") }
        router.get("/events") { [self] _, _ in LocalWebPage.eventStream(subscribe()) }
        var logger = Logger(label: "cccd-dashboard")
        logger.logLevel = .warning
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                let shown = host.contains(":") ? "[\(host)]" : host
                onListening("http://\(shown):\(channel.localAddress?.port ?? 0)/")
            },
            logger: logger)
        let ticker = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 5_000_000_000)
                tick()
            }
        }
        defer { ticker.cancel() }
        try await app.runService(gracefulShutdownSignals: [])
    }
}
