internal import CPCSCLite
#if canImport(Glibc)
import Glibc
#endif
public import EMRTDCore
public import ISO7816
import Foundation

/// A PC/SC resource manager context (pcscd through libpcsclite): the readers, waiting for cards,
/// connecting. Every C handle is owned here and released in `deinit`; no C type leaves the module.
///
/// Its one stored property is immutable; the C library serializes the calls made on one context from
/// several threads (pcsc-lite holds the context's lock for the whole of each call), and ``cancel()``
/// is meant for another thread than the one waiting in ``waitForChange(_:from:timeoutMilliseconds:)``.
public final class PCSCContext: Sendable {
    // SCARDCONTEXT is a long.
    fileprivate let handle: SCARDCONTEXT

    /// Establishes a context with the resource manager (`SCardEstablishContext`, system scope); throws
    /// `card.pcsc-no-service` when pcscd is not running.
    public init() throws(EMRTDError) {
        var context: SCARDCONTEXT = 0
        let rc = SCardEstablishContext(DWORD(SCARD_SCOPE_SYSTEM), nil, nil, &context)
        guard rc == SCARD_S_SUCCESS else { throw PCSCReturnCode(rc).error(during: "connecting to the PC/SC service") }
        handle = context
    }

    deinit {
        SCardReleaseContext(handle)
    }

    /// The names of the connected readers (empty when there are none).
    public func readers() throws(EMRTDError) -> [String] {
        var length: DWORD = 0
        var rc = SCardListReaders(handle, nil, nil, &length)
        if PCSCReturnCode(rc) == .noReadersAvailable { return [] }
        guard rc == SCARD_S_SUCCESS else { throw PCSCReturnCode(rc).error(during: "listing readers") }
        guard length > 0, length < 1 << 20 else { return [] }
        var buffer = [CChar](repeating: 0, count: Int(length))
        rc = SCardListReaders(handle, nil, &buffer, &length)
        if PCSCReturnCode(rc) == .noReadersAvailable { return [] }
        guard rc == SCARD_S_SUCCESS else { throw PCSCReturnCode(rc).error(during: "listing readers") }
        // A multi-string: names separated by NUL, ended by an empty name.
        return buffer.split(separator: 0).map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    }

    /// The state of one reader.
    public struct ReaderState: Sendable, Hashable {
        /// The reader's name, as ``PCSCContext/readers()`` lists it.
        public let reader: String
        /// A card is in the reader or its field (`SCARD_STATE_PRESENT`).
        public let cardPresent: Bool
        /// The card is held exclusively by another program.
        public let exclusive: Bool
        /// The card's answer to reset; for a contactless card, the ATR the reader builds from its ATS or
        /// ATQB (PC/SC Part 3). Empty without a card.
        public let atr: [UInt8]
    }

    /// The current state of each reader.
    public func states(_ readers: [String]) throws(EMRTDError) -> [ReaderState] {
        try waitForChange(readers, from: nil, timeoutMilliseconds: 0)
    }

    /// Waits until a reader's state differs from `known` (or, with `known` nil, returns the
    /// current states), at most `timeoutMilliseconds` (nil: forever). ``cancel()`` from another
    /// thread ends the wait with `card.pcsc-cancelled`.
    public func waitForChange(_ readers: [String], from known: [ReaderState]?, timeoutMilliseconds: UInt32?) throws(EMRTDError) -> [ReaderState] {
        guard !readers.isEmpty else { return [] }
        // The reader names must stay alive while pcsclite holds pointers to them.
        let names = readers.map { strdup($0) }
        defer { names.forEach { free($0) } }
        var states = names.enumerated().map { i, name in
            var s = SCARD_READERSTATE()
            s.szReader = UnsafePointer(name)
            let previous = known?.first { $0.reader == readers[i] }
            s.dwCurrentState = previous == nil ? DWORD(SCARD_STATE_UNAWARE)
                : DWORD(previous!.cardPresent ? SCARD_STATE_PRESENT : SCARD_STATE_EMPTY)
            return s
        }
        let timeout = known == nil ? 0 : (timeoutMilliseconds.map { DWORD($0) } ?? DWORD(INFINITE))
        let rc = SCardGetStatusChange(handle, timeout, &states, DWORD(states.count))
        if PCSCReturnCode(rc) == .timeout && known == nil {
            // With UNAWARE states pcsclite answers at once; a timeout here means no change.
        } else if rc != SCARD_S_SUCCESS {
            throw PCSCReturnCode(rc).error(during: "waiting for a card")
        }
        return states.enumerated().map { i, s in
            var state = s
            let atrLength = min(Int(state.cbAtr), MemoryLayout.size(ofValue: state.rgbAtr))
            let atr = withUnsafeBytes(of: &state.rgbAtr) { Array($0.prefix(atrLength)) }
            return ReaderState(
                reader: readers[i],
                cardPresent: state.dwEventState & DWORD(SCARD_STATE_PRESENT) != 0,
                exclusive: state.dwEventState & DWORD(SCARD_STATE_EXCLUSIVE) != 0,
                atr: atr
            )
        }
    }

    /// Ends a ``waitForChange(_:from:timeoutMilliseconds:)`` in progress.
    public func cancel() {
        SCardCancel(handle)
    }

    /// Connects to the card in `reader` (T=0 or T=1, shared). The card gets a context of its own,
    /// so that a command it is stuck in never holds up this context (see ``PCSCCard``).
    public func connect(_ reader: String) throws(EMRTDError) -> PCSCCard {
        try PCSCCard(connectingTo: reader, in: PCSCContext())
    }
}

extension PCSCReturnCode {
    init(_ rc: LONG) { self.init(rawValue: UInt32(truncatingIfNeeded: rc)) }
}

/// A card in a PC/SC reader: the ``CardChannel`` the eMRTD core talks to at a counter.
///
/// One thread at a time sends commands; ``cancelTransmit()``, ``disconnect()`` and the properties
/// may be used from any thread meanwhile. pcsc-lite cannot end a command in flight: `SCardCancel`
/// ends only `SCardGetStatusChange`, and any other call on the card (`SCardDisconnect`, with
/// `SCARD_RESET_CARD` or not, `SCardReconnect`, `SCardStatus`) waits for the command, since the
/// client library holds the context's lock for the whole exchange and pcscd the reader's lock around
/// the driver's; a reset through another context waits for that reader lock too. The command returns
/// when the reader driver does: the card answers or is removed, or the driver's own timeout. A thread
/// blocked on a card's handle that way even holds the library's process-wide lock, stalling every
/// PC/SC call of the process. So this card makes no call while one is in flight: a transmit or a
/// reconnection fails with ``EMRTDError/Code/pcscCardBusy``, and a disconnection (or the reset
/// ``cancelTransmit()`` asks for) is made by the call in flight as it returns. For the same reason the
/// card has a PC/SC context of its own, which nothing else uses.
///
/// `@unchecked Sendable`: the mutable state is read and written under `lock` only, and the C handle
/// is used by one call at a time (the `busy` phase), never after `SCardDisconnect`.
public final class PCSCCard: CancellableCardChannel, @unchecked Sendable {
    private let context: PCSCContext  // the card's own; released after the card (deinit first)
    private let handle: SCARDHANDLE  // SCardReconnect keeps it
    /// The name of the reader the card is in.
    public let reader: String
    /// Whether the card announces extended length in its ATR (ISO/IEC 7816-4 8.1.1.2.7, card
    /// capabilities in the historical bytes), as it was at connection. EF.ATR/INFO can say so too;
    /// the reader checks it.
    public let supportsExtendedLength: Bool
    private let lock = NSLock()
    private var state: State

    private struct State {
        var protocolMask: DWORD
        var phase = Phase.idle
        /// How the call in flight disconnects as it returns (`SCARD_LEAVE_CARD`, `SCARD_RESET_CARD`), if it does.
        var disconnectOnReturn: DWORD?
    }

    private enum Phase {
        case idle
        /// A PC/SC call on the handle is in flight.
        case busy
        /// Disconnected: the handle is gone.
        case closed
    }

    /// Upper bound of a response: extended length (65536 data bytes) plus the status word.
    static let receiveBufferSize = 65538 + 16

    fileprivate init(connectingTo reader: String, in context: PCSCContext) throws(EMRTDError) {
        var card: SCARDHANDLE = 0
        var active: DWORD = 0
        let rc = SCardConnect(context.handle, reader, DWORD(SCARD_SHARE_SHARED), DWORD(SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1), &card, &active)
        guard rc == SCARD_S_SUCCESS else { throw PCSCReturnCode(rc).error(during: "connecting to the card in \(reader)") }
        self.context = context
        handle = card
        self.reader = reader
        supportsExtendedLength = (try? Self.answerToReset(card)).map(ATR.announcesExtendedLength) ?? false
        state = State(protocolMask: active)
    }

    deinit {
        // No call is in flight: it would hold a reference to the card.
        if state.phase != .closed { SCardDisconnect(handle, DWORD(SCARD_LEAVE_CARD)) }
    }

    /// The protocol in use: "T=0" or "T=1".
    public var transmissionProtocol: String {
        lock.withLock { state.protocolMask } == DWORD(SCARD_PROTOCOL_T0) ? "T=0" : "T=1"
    }

    /// The card's answer to reset.
    public func answerToReset() throws(EMRTDError) -> [UInt8] {
        try call { handle, _ throws(EMRTDError) in try Self.answerToReset(handle) }
    }

    private static func answerToReset(_ handle: SCARDHANDLE) throws(EMRTDError) -> [UInt8] {
        var atr = [UInt8](repeating: 0, count: Int(MAX_ATR_SIZE))
        var atrLength = DWORD(atr.count)
        var state: DWORD = 0
        var proto: DWORD = 0
        var nameLength: DWORD = 0
        let rc = SCardStatus(handle, nil, &nameLength, &state, &proto, &atr, &atrLength)
        guard rc == SCARD_S_SUCCESS else { throw PCSCReturnCode(rc).error(during: "reading the card's status") }
        return Array(atr.prefix(Int(atrLength)))
    }

    /// Sends one command APDU with `SCardTransmit` (T=0 or T=1) and returns the response with SW1 SW2.
    /// An empty answer is `card.removed`; a call while another is in flight fails with `card.pcsc-busy`.
    public func transmit(_ command: [UInt8]) throws(EMRTDError) -> [UInt8] {
        try call { handle, protocolMask throws(EMRTDError) in
            var response = [UInt8](repeating: 0, count: Self.receiveBufferSize)
            var length = DWORD(response.count)
            let pci = protocolMask == DWORD(SCARD_PROTOCOL_T0) ? cccd_pcsc_pci_t0() : cccd_pcsc_pci_t1()
            let rc = command.withUnsafeBufferPointer { cmd in
                SCardTransmit(handle, pci, cmd.baseAddress, DWORD(cmd.count), nil, &response, &length)
            }
            guard rc == SCARD_S_SUCCESS else { throw PCSCReturnCode(rc).error(during: "sending an APDU to \(reader)") }
            if length == 0 {
                // vpcd (and some readers) report a vanished card as an empty answer.
                throw EMRTDError(.cardRemoved, "\(reader): the card gave no answer (was it removed?)")
            }
            guard length >= 2, Int(length) <= response.count else {
                throw EMRTDError(.malformedResponse, "the reader returned \(length) bytes, not a response APDU")
            }
            return Array(response.prefix(Int(length)))
        }
    }

    /// Reconnects after a reset (SCARD_W_RESET_CARD; ``reconnect()``) or, with `resetCard`, to reset
    /// the card ourselves.
    public func reconnect(resetCard: Bool) throws(EMRTDError) {
        try call { handle, _ throws(EMRTDError) in
            var active: DWORD = 0
            let rc = SCardReconnect(handle, DWORD(SCARD_SHARE_SHARED), DWORD(SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1),
                                    DWORD(resetCard ? SCARD_RESET_CARD : SCARD_LEAVE_CARD), &active)
            guard rc == SCARD_S_SUCCESS else { throw PCSCReturnCode(rc).error(during: "reconnecting to the card") }
            lock.withLock { state.protocolMask = active }
        }
    }

    /// Disconnects, leaving the card as it is; with a call in flight, that call disconnects as it
    /// returns. Nothing is sent afterwards.
    public func disconnect() {
        close(DWORD(SCARD_LEAVE_CARD))
    }

    /// Ends the connection after a command that took too long, resetting the card (`SCARD_RESET_CARD`)
    /// so that no state of the abandoned exchange survives: at once when no call is in flight, else as
    /// the call returns (pcsc-lite cannot end it earlier; see ``PCSCCard``).
    ///
    /// - Returns: false: the command in flight, if any, returns only when the reader gives it back.
    public func cancelTransmit() -> Bool {
        close(DWORD(SCARD_RESET_CARD))
        return false
    }

    private func close(_ disposition: DWORD) {
        lock.lock()
        switch state.phase {
        case .closed:
            lock.unlock()
        case .busy:
            // A reset asked for wins over a plain disconnection.
            if state.disconnectOnReturn != DWORD(SCARD_RESET_CARD) { state.disconnectOnReturn = disposition }
            lock.unlock()
        case .idle:
            state.phase = .closed
            lock.unlock()
            SCardDisconnect(handle, disposition)
        }
    }

    /// Runs `body`, one PC/SC call on the handle, unless the card is closed or another call is in
    /// flight; then makes the disconnection asked for meanwhile, if any.
    private func call<T>(_ body: (SCARDHANDLE, DWORD) throws(EMRTDError) -> T) throws(EMRTDError) -> T {
        lock.lock()
        switch state.phase {
        case .closed:
            lock.unlock()
            throw EMRTDError(.cardRemoved, "the card connection is closed")
        case .busy:
            lock.unlock()
            throw EMRTDError(.pcscCardBusy, "\(reader): the card is still busy with an earlier command; it takes no other until the reader gives that one back")
        case .idle:
            state.phase = .busy
        }
        let protocolMask = state.protocolMask
        lock.unlock()
        defer {
            lock.lock()
            let disposition = state.disconnectOnReturn
            state.phase = disposition == nil ? .idle : .closed
            lock.unlock()
            if let disposition { SCardDisconnect(handle, disposition) }
        }
        return try body(handle, protocolMask)
    }
}

/// Answer-to-reset parsing (ISO/IEC 7816-3 8.2, 7816-4 8.1.1).
public enum ATR {
    /// The historical bytes of an ATR, or nil if it is malformed.
    public static func historicalBytes(_ atr: [UInt8]) -> [UInt8]? {
        guard atr.count >= 2 else { return nil }
        let t0 = atr[1]
        let k = Int(t0 & 0x0F)
        var i = 2
        var y = t0 >> 4
        while true {
            let present = [y & 1, y & 2, y & 4, y & 8].filter { $0 != 0 }.count
            let td = (y & 8) != 0
            i += present
            guard i <= atr.count else { return nil }
            if !td { break }
            y = atr[i - 1] >> 4
        }
        guard i + k <= atr.count else { return nil }
        return Array(atr[i..<(i + k)])
    }

    /// Extended Lc/Le from the card capabilities (tag 7x in compact-TLV historical bytes,
    /// third software function byte, bit 7).
    public static func announcesExtendedLength(_ atr: [UInt8]) -> Bool {
        guard let historical = historicalBytes(atr), historical.first == 0x80 else { return false }
        var i = 1
        while i < historical.count {
            let tag = historical[i] >> 4
            let length = Int(historical[i] & 0x0F)
            let value = historical[(i + 1)..<min(historical.count, i + 1 + length)]
            if tag == 0x7, value.count >= 3 { return value[value.startIndex + 2] & 0x40 != 0 }
            i += 1 + length
        }
        return false
    }
}
