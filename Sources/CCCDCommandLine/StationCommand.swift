import ArgumentParser
import AuditTrail
import LocalWebPage
import StationDashboard
import EMRTDCore
import Inspection
import Messages
import Foundation
import IssuanceStation
import PassiveAuthentication
import PCSC
import Personalization
#if canImport(Glibc)
import Glibc
#endif

/// `cccd station`: the QA station of an issuance center.
struct StationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "station",
        abstract: HelpText[.helpStationAbstract],
        discussion: HelpText[.helpStationDiscussion]
    )

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpStationRecords], valueName: "BATCH.jsonl"))
    var records: String

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpReadTrust], valueName: "PATH"))
    var trust: [String] = []

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpStationDb], valueName: "FILE|URL"))
    var db: String

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpStationJournal], valueName: "FILE"))
    var journal: String?

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpStationStation], valueName: "NAME"))
    var station: String?

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpStationOperator], valueName: "NAME"))
    var `operator`: String?

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpStationBatch], valueName: "NAME"))
    var batch: String?

    @Flag(name: .long, help: ArgumentHelp(HelpText[.helpStationInOrder]))
    var inOrder = false

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpStationLang], valueName: "en|vi"))
    var lang: Language?

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpStationReader], valueName: "NAME"))
    var reader: [String] = []

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpStationCards], valueName: "N"))
    var cards: Int?

    @Option(name: .long, help: ArgumentHelp(HelpText[.helpStationDashboard], valueName: "HOST:PORT"))
    var dashboard: String?

    func run() throws {
        let station: Station
        let readers: [String]
        let log: AuditJournal
        var board: StationDashboard? = nil
        do {
            let entries = try loadBatch(records)
            let store = try TrustStore(paths: trust)
            let name = self.station ?? ProcessInfo.processInfo.hostName
            if AuditStores.isPostgreSQL(db) {
                // Connected lazily: a station starts and reads while the server is away.
                let central = try PostgreSQLAuditStore(url: db, connectNow: false)
                do throws(EMRTDError) {
                    try central.requireCurrentSchema()
                } catch where error.code == .auditSchema {
                    throw error
                } catch {
                    writeLine("audit: \(error.message); rows wait in the journal until it answers")
                }
                log = try AuditJournal(path: journal ?? "cccd-journal-\(name).sqlite", station: name, central: central) { writeLine($0) }
            } else {
                guard journal == nil else { throw EMRTDError(.invalidArgument, "--journal goes with a PostgreSQL --db (an SQLite --db is its own journal)") }
                log = try AuditJournal(path: db, station: name, central: nil)
            }
            let identity = Station.Identity(
                operator: self.operator ?? ProcessInfo.processInfo.environment["USER"] ?? "operator",
                batch: batch ?? (records as NSString).lastPathComponent)
            let all = try PCSCContext().readers()
            readers = reader.isEmpty ? all : all.filter { name in reader.contains { name == $0 || name.contains($0) } }
            guard !readers.isEmpty else { throw EMRTDError(.pcscNoReaders, "no reader to watch (readers: \(all.joined(separator: ", ")))") }
            let messages = Messages(lang ?? .fromEnvironment())
            if let dashboard {
                let (host, port) = try CommonOptions.listenAddress(dashboard, option: "--dashboard")
                if !AllowedAuthorities.isLoopback(host) {
                    writeLine("warning: the dashboard listens on \(host), not on loopback: anyone who reaches it sees the station's record IDs")
                }
                let page = StationDashboard(readers: readers, messages: messages)
                board = page
                Task.detached {
                    do {
                        try await page.serve(host: host, port: port) { writeLine("dashboard: open \($0) in a browser") }
                    } catch {
                        writeLine("dashboard: cannot serve on \(host):\(port): \(error)")
                    }
                }
            }
            var observer: (@Sendable (Station.Event) -> Void)? = nil
            if let page = board { observer = { event in page.record(event) } }
            station = Station(entries: entries, trust: store, log: log, identity: identity, inOrder: inOrder,
                              messages: messages, observer: observer) { line in writeLine(line) }
        } catch let error as EMRTDError {
            throw fail(error)
        }
        // SIGINT and SIGTERM stop the station: dispatch sources take them instead of their default
        // action, and the handlers run on a queue, not in signal context, so they may take a lock.
        let signals = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { station.stop() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        writeLine("station: watching \(readers.joined(separator: ", "))\(inOrder ? " (records in order)" : " (scan an ID, then insert the card)")")
        if !inOrder {
            let feeder = Thread {
                while let line = readLine() { station.scan(line) }
            }
            feeder.start()
        }
        let limit = cards
        station.run(readers: readers) {
            // With --cards the station runs until that many cards, whatever the batch says (a soak
            // run inserts the same records again and again).
            if let limit { return station.cardsHandled >= limit }
            return batchDone(station.summary())
        }
        let summary = station.summary()
        if log.pending > 0 && !log.flush(timeout: 10) {
            writeLine("audit: \(log.pending) rows not delivered yet; they stay in the journal and go with the next start")
        }
        log.close()
        board?.stop()
        print("")
        print("summary: \(summary.passed.count) passed, \(summary.failed.count) failed, \(summary.pending.count) pending")
        for (id, why) in summary.failed { print("  failed \(id): \(why)") }
        for id in summary.pending { print("  pending \(id)") }
        if !summary.failed.isEmpty || !summary.pending.isEmpty { throw ExitCode(ExitStatus.notGenuine) }
    }

    /// The batch ends when every record has passed.
    private func batchDone(_ summary: Station.Summary) -> Bool {
        summary.pending.isEmpty && summary.failed.isEmpty
    }

    private func loadBatch(_ path: String) throws(EMRTDError) -> [Station.Entry] {
        guard let data = FileManager.default.contents(atPath: path) else { throw EMRTDError(.io, "cannot read \(path)") }
        let base = (path as NSString).deletingLastPathComponent
        var entries: [Station.Entry] = []
        for (n, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let record: CitizenRecord
            do {
                record = try CitizenRecord.decode(json: Array(line.utf8))
            } catch {
                throw EMRTDError(error.code, "\(path) line \(n + 1): \(error.message)")
            }
            var photo: [UInt8]? = nil
            if let name = record.photo {
                let full = name.hasPrefix("/") ? name : (base as NSString).appendingPathComponent(name)
                guard let bytes = FileManager.default.contents(atPath: full) else { throw EMRTDError(.io, "\(path) line \(n + 1): cannot read \(full)") }
                photo = [UInt8](bytes)
            }
            entries.append(Station.Entry(record: record, photo: photo))
        }
        return entries
    }
}

/// One line on standard output, written at once (the station's log is read while it runs).
private func writeLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
