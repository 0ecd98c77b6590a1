public import EMRTDCore
import Foundation
public import PCSC

/// The PC/SC readers of this machine, and the one to read: named (or by index), or the only one
/// holding a card, optionally waiting for a reader and a card to appear.
public struct CardReaders {
    private let context: PCSCContext
    /// Told what the selection is waiting for ("Waiting for a card…"), for a person to see.
    public var onWait: (String) -> Void = { _ in }

    /// Connects to the PC/SC service (pcscd); throws when it is not running.
    public init() throws(EMRTDError) {
        context = try PCSCContext()
    }

    /// Every reader and whether it holds a card.
    public func list() throws(EMRTDError) -> [PCSCContext.ReaderState] {
        let readers = try context.readers()
        return readers.isEmpty ? [] : try context.states(readers)
    }

    /// The reader `name` names: an index into ``list()``, an exact name, or part of one.
    public static func reader(_ name: String, among readers: [String]) throws(EMRTDError) -> String {
        if let index = Int(name), readers.indices.contains(index) { return readers[index] }
        if let match = readers.first(where: { $0 == name }) ?? readers.first(where: { $0.contains(name) }) { return match }
        throw EMRTDError(.pcscReaderRemoved, "no reader named \(name); readers: \(readers.joined(separator: ", "))")
    }

    /// Connects to the card in the reader `name` names, or in the only reader holding a card; with
    /// `waiting`, waits for a reader and a card first. Returns the card and the reader's name.
    public func connect(_ name: String? = nil, waiting: Bool = false) throws(EMRTDError) -> (card: PCSCCard, reader: String) {
        var readers = try context.readers()
        if readers.isEmpty && waiting {
            onWait("Waiting for a reader…")
            while readers.isEmpty {
                usleep(250_000)
                readers = try context.readers()
            }
        }
        guard !readers.isEmpty else { throw EMRTDError(.pcscNoReaders, "no smart card reader is connected") }
        var states = try context.states(readers)
        let chosen: String
        if let name {
            chosen = try Self.reader(name, among: readers)
            if waiting && !(states.first { $0.reader == chosen }?.cardPresent ?? false) {
                onWait("Waiting for a card in \(chosen)…")
                repeat { states = try context.waitForChange([chosen], from: states.filter { $0.reader == chosen }, timeoutMilliseconds: nil) }
                while !(states.first?.cardPresent ?? false)
            }
        } else {
            var holding = states.filter(\.cardPresent)
            while holding.isEmpty && waiting {
                onWait("Waiting for a card…")
                states = try context.waitForChange(readers, from: states, timeoutMilliseconds: nil)
                holding = states.filter(\.cardPresent)
            }
            guard !holding.isEmpty else { throw EMRTDError(.pcscNoCard, "no reader holds a card (wait for one, or name the reader)") }
            guard holding.count == 1 else {
                throw EMRTDError(.invalidArgument, "several readers hold a card; choose one: \(holding.map(\.reader).joined(separator: ", "))")
            }
            chosen = holding[0].reader
        }
        return (try context.connect(chosen), chosen)
    }
}
