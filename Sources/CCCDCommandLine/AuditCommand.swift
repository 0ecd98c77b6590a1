import ArgumentParser
import AuditTrail
import EMRTDCore
import Foundation

/// `cccd audit`: the issuance center's audit (migrations, chain verification, reports).
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The center's audit: apply schema migrations, verify the hash chains, report.",
        subcommands: [Migrate.self, Verify.self, Report.self, Bench.self]
    )

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply the audit schema's migrations the store lacks (each once, in order).")

        @Option(name: .long, help: ArgumentHelp("The audit: an SQLite file or postgresql://… (password in PGPASSWORD or ~/.pgpass).", valueName: "FILE|URL"))
        var db: String

        func run() throws {
            do throws(EMRTDError) {
                let store: any AuditStore = AuditStores.isPostgreSQL(db) ? try PostgreSQLAuditStore(url: db) : try SQLiteAuditStore(path: db)
                let applied = try store.migrate()
                let version = try store.schemaVersion()
                print(applied.isEmpty ? "audit: schema already at version \(version)"
                                      : "audit: applied migration\(applied.count == 1 ? "" : "s") \(applied.map(String.init).joined(separator: ", ")); schema at version \(version)")
            } catch {
                throw fail(error)
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every station's hash chain; name each edited, deleted or reordered row (exit 1).",
            discussion: "With --journal, a station's journal is compared with the audit too: a row it delivered that the audit lacks (a deleted last row) is named.")

        @Option(name: .long, help: ArgumentHelp("The audit: an SQLite file or postgresql://….", valueName: "FILE|URL"))
        var db: String

        @Option(name: .long, help: ArgumentHelp("A station's journal to hold the audit against (repeatable).", valueName: "FILE"))
        var journal: [String] = []

        func run() throws {
            var problems: [AuditProblem] = []
            let rows: [AuditRow]
            do throws(EMRTDError) {
                rows = try AuditStores.open(db).rows(station: nil)
                problems = AuditChain.verify(rows)
                for path in journal {
                    let store = try SQLiteAuditStore(path: path)
                    problems += AuditChain.compare(rows, journal: try store.rows(station: nil), delivered: try store.deliveredSeqs(), journalName: path)
                }
            } catch {
                throw fail(error)
            }
            let stations = Set(rows.map(\.station)).count
            if problems.isEmpty {
                print("audit verify: \(rows.count) rows of \(stations) station\(stations == 1 ? "" : "s"): every chain intact")
                return
            }
            for p in problems.sorted(by: { ($0.station, $0.seq) < ($1.station, $1.seq) }) { print("audit verify: \(p)") }
            print("audit verify: \(problems.count) problem\(problems.count == 1 ? "" : "s") in \(rows.count) rows")
            throw ExitCode(1)
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Per station and per failure reason: counts, rows per hour, the slowest reads.")

        @Option(name: .long, help: ArgumentHelp("The audit: an SQLite file or postgresql://….", valueName: "FILE|URL"))
        var db: String

        @Option(name: .long, help: ArgumentHelp("Only rows inserted that day (UTC).", valueName: "YYYY-MM-DD"))
        var day: String?

        @Flag(name: .long, help: "CSV instead of text.")
        var csv = false

        func run() throws {
            if let day, day.count != 10 || day.filter({ $0 == "-" }).count != 2 {
                throw fail(EMRTDError(.invalidArgument, "--day takes YYYY-MM-DD"))
            }
            do throws(EMRTDError) {
                let report = AuditReport(try AuditStores.open(db).rows(station: nil), day: day)
                print(csv ? report.csv : report.text)
            } catch {
                throw fail(error)
            }
        }
    }

    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rows per second into the store: N synthetic rows, chained, delivered as a station delivers them.",
            discussion: "The rows are written under the station name bench-TIME: run it against a scratch database.")

        @Option(name: .long, help: ArgumentHelp("The store: an SQLite file or postgresql://….", valueName: "FILE|URL"))
        var db: String

        @Option(name: .long, help: ArgumentHelp("How many rows.", valueName: "N"))
        var rows = 5000

        func run() throws {
            do throws(EMRTDError) {
                let store = try AuditStores.open(db)
                let station = "bench-\(Int(Date().timeIntervalSince1970))"
                var previous: AuditRow?
                var chain: [AuditRow] = []
                chain.reserveCapacity(rows)
                for i in 0..<rows {
                    let now = AuditRow.timestamp(Date())
                    let row = AuditRow(
                        station: station, reader: "bench", operator: "bench", batch: "bench", recordID: String(format: "079%09d", i), attempt: 1,
                        insertedAt: now, readAt: now, verifiedAt: now, atr: "3b8880010000000000000000", documentNumber: String(format: "%09d", i),
                        sodSHA256: String(repeating: "ab", count: 32), dscSubject: "CN=bench", dscSerial: "01", verdict: "genuine", reasons: "",
                        apdus: 40, millis: 800
                    ).chained(after: previous)
                    chain.append(row)
                    previous = row
                }
                let start = Date()
                var index = 0
                while index < chain.count {
                    let end = min(index + 200, chain.count)
                    try store.deliver(Array(chain[index..<end]))
                    index = end
                }
                let seconds = Date().timeIntervalSince(start)
                print(String(format: "audit bench: %d rows in %.2f s = %.0f rows/s (batches of 200, one transaction each)", rows, seconds, Double(rows) / seconds))
            } catch {
                throw fail(error)
            }
        }
    }
}
