import Foundation
import Inspection
import Messages
import Specimen
import VirtualChip
import LocalWebPage

/// Where the counter's cards come from.
public enum CounterCardSource: Sendable {
    /// A PC/SC reader: the one named (an index, a name or part of one), or the first holding a card.
    case pcsc(reader: String?)
    /// The virtual chip, in process: a card image's folder, or the built-in specimen (nil).
    case simulated(cardImage: String?)
}

/// The counter's desk: which readers there are, whether a card is in, the key the clerk typed, the
/// read and its result, and what the page shows of it. Nothing about a holder outlives the card:
/// taking the card off the reader (or "Done") drops the result, the only place holder data is kept;
/// the error shown after a failed read holds none.
///
/// The desk runs on its own threads (PC/SC calls block): one watches the readers, one reads.
/// Every change is broadcast to the page's event streams as one JSON snapshot.
final class CounterDesk: @unchecked Sendable {
    struct Options {
        var source: CounterCardSource
        var trustPaths: [String]
        var messages: Messages
        /// Seconds between two looks at the readers.
        var pollInterval: Double = 0.2
        /// Per-APDU and per-read limits (seconds, nil for none).
        var apduTimeout: Double? = 10
        var readTimeout: Double? = 120
        /// Where the desk tells an operator what happens (never a holder's data or a key).
        var log: @Sendable (String) -> Void = { _ in }
    }

    private let options: Options
    private let trust: TrustStore
    private let trustNames: [String]
    private var m: Messages { options.messages }

    // Everything below is guarded by `lock`.
    private let lock = NSLock()
    private var phase: Phase = .starting
    private var readers: [DeskView.Reader] = []
    /// The reader the desk serves (the named one, or the one that holds a card).
    private var current: String?
    /// Increases whenever a card arrives or leaves: a read started under another serial is stale.
    private var serial = 0
    private var cardIn = false
    private let events = SnapshotBroadcaster()
    private var stopped = false

    enum Phase {
        case starting
        case noService
        case noReader
        case waiting
        case card
        case reading(file: String?, done: Int, total: Int)
        case result(DeskView.Result)
        case failed(DeskView.Failure)
    }

    init(_ options: Options) throws(EMRTDError) {
        self.options = options
        var store = try TrustStore(paths: options.trustPaths)
        var names = store.names(for: options.trustPaths)
        if case .simulated(nil) = options.source {
            // The built-in specimen is signed by the project's test CSCA.
            store.add(Specimen.testPKI.csca)
            store.add(Specimen.testPKI.crl)
            names.append("the specimen's test CSCA (built in)")
        }
        trust = store
        trustNames = names
        if case .simulated(let dir) = options.source {
            // Fail now, not at the first read, when the image cannot be loaded.
            if let dir { _ = try CardImage.load(from: dir) }
        }
    }

    // MARK: The page's view

    /// Subscribes an event stream: the current snapshot first, then every change.
    func subscribe() -> AsyncStream<String> { events.subscribe() }

    /// The number of open event streams (for the tests and the log).
    var subscriberCount: Int { events.count }

    /// Ends every event stream and the reader watch.
    func stop() {
        lock.lock()
        stopped = true
        phase = .waiting
        lock.unlock()
        events.finish()
    }

    /// A comment line on every stream, so a closed page is noticed and dropped.
    private func keepAlive() { events.keepAlive() }

    /// Publishes the current state. Call with `lock` held.
    private func publishLocked() {
        let view = DeskView(phase: phase, readers: readers, reader: current, cardIn: cardIn, serial: serial, m)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        let json = (try? encoder.encode(view)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        events.publish(json)
    }

    // MARK: Watching the readers

    /// Starts the reader watch on its own thread.
    func start() {
        let thread = Thread { [self] in watch() }
        thread.name = "counter readers"
        thread.start()
    }

    private func watch() {
        var context: CardReaders?
        var lastKeepAlive = Date()
        while true {
            lock.lock()
            let done = stopped
            lock.unlock()
            if done { return }
            switch options.source {
            case .simulated(let dir):
                let name = dir.map { "virtual chip (\($0))" } ?? "virtual chip (built-in specimen)"
                observe(readers: [DeskView.Reader(name: name, card: true)], serving: name, present: true)
            case .pcsc(let wanted):
                do {
                    if context == nil { context = try CardReaders() }
                    let states = try context!.list()
                    let list = states.map { DeskView.Reader(name: $0.reader, card: $0.cardPresent) }
                    var serving: String?
                    if let wanted {
                        serving = try? CardReaders.reader(wanted, among: states.map(\.reader))
                    } else {
                        serving = states.first(where: \.cardPresent)?.reader ?? current.flatMap { c in states.contains { $0.reader == c } ? c : nil }
                    }
                    let present = serving.map { s in states.contains { $0.reader == s && $0.cardPresent } } ?? false
                    observe(readers: list, serving: serving, present: present)
                } catch {
                    // pcscd gone (or restarted): look again with a new context.
                    context = nil
                    lock.lock()
                    if case .noService = phase {} else {
                        options.log("counter: PC/SC service unavailable [\(error.code)]")
                    }
                    readers = []
                    noteCardLocked(present: false)
                    phase = .noService
                    publishLocked()
                    lock.unlock()
                }
            }
            if Date().timeIntervalSince(lastKeepAlive) > 15 {
                keepAlive()
                lastKeepAlive = Date()
            }
            Thread.sleep(forTimeInterval: options.pollInterval)
        }
    }

    /// What the last look at the readers found.
    private func observe(readers list: [DeskView.Reader], serving: String?, present: Bool) {
        lock.lock()
        defer { lock.unlock() }
        readers = list
        if serving != current && !present, case .reading = phase {} else if serving != nil { current = serving }
        noteCardLocked(present: present)
        switch phase {
        case .starting, .noService, .noReader, .waiting:
            phase = present ? .card : (list.isEmpty ? .noReader : .waiting)
        case .card, .result:
            if !present { phase = list.isEmpty ? .noReader : .waiting }
        case .reading, .failed:
            break
        }
        publishLocked()
    }

    /// A card arrived or left: a new serial either way; a result goes with its card.
    private func noteCardLocked(present: Bool) {
        guard present != cardIn else { return }
        cardIn = present
        serial += 1
        switch phase {
        case .result:
            phase = .waiting
            options.log("counter: card taken off the reader; screen cleared")
        case .failed:
            // A new card starts afresh; a card taken off leaves the error (it holds no holder data).
            if present { phase = .card }
        default: break
        }
        if present { options.log("counter: card on \(current ?? "the reader")") }
    }

    // MARK: Reading

    /// What the clerk typed to open the chip.
    struct KeyForm: Decodable {
        var can: String?
        var mrz: String?
        var id: String?
        var dob: String?
        var doe: String?

        /// The access key, or a message for the clerk.
        func accessKey(_ m: Messages) -> Result<AccessKey, KeyFormError> {
            func clean(_ s: String?) -> String? {
                let t = s?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                return t.isEmpty ? nil : t
            }
            if let can = clean(can) {
                guard can.count == 6, can.allSatisfy({ $0.isASCII && $0.isNumber }) else { return .failure(KeyFormError(m[.counterKeyCANDigits])) }
                return .success(.can(SecretBytes(utf8: can)))
            }
            if let text = clean(mrz) {
                let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == " " }).joined(separator: "\n")
                do throws(EMRTDError) {
                    return .success(.mrz(MRZKey(mrz: try MRZ(lines.uppercased()))))
                } catch {
                    return .failure(KeyFormError(m[.errorInput] + ": " + error.message))
                }
            }
            if let number = clean(id) {
                guard let dob = clean(dob), let doe = clean(doe) else { return .failure(KeyFormError(m[.counterKeyMissing])) }
                do throws(EMRTDError) {
                    if number.count == 12, number.allSatisfy({ $0.isASCII && $0.isNumber }) {
                        return .success(.mrz(try CCCD.mrzKey(personalID: number, dateOfBirth: dob, dateOfExpiry: doe)))
                    }
                    return .success(.mrz(try MRZKey(documentNumber: number.uppercased(), dateOfBirth: dob, dateOfExpiry: doe)))
                } catch {
                    return .failure(KeyFormError(m[.errorInput] + ": " + error.message))
                }
            }
            return .failure(KeyFormError(m[.counterKeyMissing]))
        }
    }

    /// A key the clerk typed that cannot be used, said in the page's language.
    struct KeyFormError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// Why a read was not started.
    enum SubmitRefusal: Error {
        case noCard
        case busy
    }

    /// Starts reading the card with `key`, on its own thread.
    func read(with key: AccessKey) throws(SubmitRefusal) {
        lock.lock()
        switch phase {
        case .card: break
        case .failed where cardIn: break
        case .reading: lock.unlock(); throw .busy
        default: lock.unlock(); throw .noCard
        }
        guard let reader = current else { lock.unlock(); throw .noCard }
        let startedSerial = serial
        phase = .reading(file: nil, done: 0, total: 0)
        publishLocked()
        lock.unlock()
        options.log("counter: reading the card on \(reader)")
        let thread = Thread { [self] in run(reader: reader, key: key, serial: startedSerial) }
        thread.name = "counter read"
        thread.start()
    }

    /// Back to the key form (after an error, or "Done" after a result): the result is dropped.
    func clear() {
        lock.lock()
        switch phase {
        case .result, .failed:
            phase = cardIn ? .card : (readers.isEmpty ? .noReader : .waiting)
            if case .simulated = options.source { serial += 1 }
            options.log("counter: screen cleared")
        default: break
        }
        publishLocked()
        lock.unlock()
    }

    private func run(reader: String, key: AccessKey, serial started: Int) {
        var inspector = Inspector()
        inspector.reader.options.timeLimits = TimeLimits(perAPDU: options.apduTimeout, perRead: options.readTimeout)
        inspector.reader.progress = { [self] file, done, total in
            lock.lock()
            if case .reading = phase, serial == started {
                phase = .reading(file: file.name, done: done, total: total)
                publishLocked()
            }
            lock.unlock()
        }
        let outcome: Result<Inspection, EMRTDError>
        do throws(EMRTDError) {
            switch options.source {
            case .simulated(let dir):
                let image = if let dir { try CardImage.load(from: dir) } else { try Specimen.cardImage() }
                let chip = try VirtualChip(image: image)
                outcome = .success(try inspector.inspect(chip, key: key, trust: trust, trustNames: trustNames, source: reader))
            case .pcsc:
                let (card, name) = try CardReaders().connect(reader)
                defer { card.disconnect() }
                outcome = .success(try inspector.inspect(card, key: key, trust: trust, trustNames: trustNames, source: "\(name) (\(card.transmissionProtocol))"))
            }
        } catch {
            outcome = .failure(error)
        }
        // Rendering happens outside the lock; the holder's data lives only in the result.
        let result: DeskView.Result?
        if case .success(let inspection) = outcome { result = DeskView.Result(inspection, m) } else { result = nil }

        lock.lock()
        defer { lock.unlock() }
        let stale = serial != started || stopped
        switch outcome {
        case .success(let inspection):
            if stale {
                // The card left during the read: what was read goes with it.
                phase = cardIn ? .card : (readers.isEmpty ? .noReader : .waiting)
                options.log("counter: card taken off before the result was shown; result dropped")
            } else {
                phase = .result(result!)
                options.log("counter: verdict \(inspection.verdict.rawValue), \(inspection.report.stats.total.apdus) APDUs, "
                    + String(format: "%.2f s", inspection.report.stats.total.seconds))
            }
        case .failure(let error):
            var failure = DeskView.Failure(error, m)
            if stale && !cardIn {
                // Taken off mid-read: whatever the transport said, that is what happened.
                failure = DeskView.Failure(EMRTDError(.cardRemoved, "the card was taken off the reader during the read (\(error.code))"), m)
            }
            phase = .failed(failure)
            options.log("counter: read failed [\(error.code)]")
        }
        publishLocked()
    }
}
