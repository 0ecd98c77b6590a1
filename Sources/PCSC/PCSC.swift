internal import CPCSCLite
#if canImport(Glibc)
import Glibc
#endif
public import EMRTDCore
public import ISO7816

/// A PC/SC resource manager context (pcscd through libpcsclite): the readers, waiting for cards,
/// connecting. Every C handle is owned here and released in `deinit`; no C type leaves the module.
public final class PCSCContext: @unchecked Sendable {
    // SCARDCONTEXT is a long; SCardCancel may be called from another thread, the rest is serial.
    private let handle: SCARDCONTEXT

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
        public let reader: String
        public let cardPresent: Bool
        /// The card is held exclusively by another program.
        public let exclusive: Bool
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

    /// Connects to the card in `reader` (T=0 or T=1, shared).
    public func connect(_ reader: String) throws(EMRTDError) -> PCSCCard {
        var card: SCARDHANDLE = 0
        var active: DWORD = 0
        let rc = SCardConnect(handle, reader, DWORD(SCARD_SHARE_SHARED), DWORD(SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1), &card, &active)
        guard rc == SCARD_S_SUCCESS else { throw PCSCReturnCode(rc).error(during: "connecting to the card in \(reader)") }
        return PCSCCard(context: self, handle: card, protocolMask: active, reader: reader)
    }
}

extension PCSCReturnCode {
    init(_ rc: LONG) { self.init(rawValue: UInt32(truncatingIfNeeded: rc)) }
}

/// A card in a PC/SC reader: the ``CardChannel`` the eMRTD core talks to at a counter.
public final class PCSCCard: CardChannel, @unchecked Sendable {
    private let context: PCSCContext  // keeps the context alive as long as the card
    private var handle: SCARDHANDLE
    private var protocolMask: DWORD
    public let reader: String
    private var connected = true

    /// Upper bound of a response: extended length (65536 data bytes) plus the status word.
    static let receiveBufferSize = 65538 + 16

    init(context: PCSCContext, handle: SCARDHANDLE, protocolMask: DWORD, reader: String) {
        self.context = context
        self.handle = handle
        self.protocolMask = protocolMask
        self.reader = reader
    }

    deinit {
        if connected { SCardDisconnect(handle, DWORD(SCARD_LEAVE_CARD)) }
    }

    /// The protocol in use: "T=0" or "T=1".
    public var transmissionProtocol: String { protocolMask == DWORD(SCARD_PROTOCOL_T0) ? "T=0" : "T=1" }

    /// The card's answer to reset.
    public func answerToReset() throws(EMRTDError) -> [UInt8] {
        var atr = [UInt8](repeating: 0, count: Int(MAX_ATR_SIZE))
        var atrLength = DWORD(atr.count)
        var state: DWORD = 0
        var proto: DWORD = 0
        var nameLength: DWORD = 0
        let rc = SCardStatus(handle, nil, &nameLength, &state, &proto, &atr, &atrLength)
        guard rc == SCARD_S_SUCCESS else { throw PCSCReturnCode(rc).error(during: "reading the card's status") }
        return Array(atr.prefix(Int(atrLength)))
    }

    /// Whether the card announces extended length in its ATR (ISO/IEC 7816-4 8.1.1.2.7, card
    /// capabilities in the historical bytes). EF.ATR/INFO can say so too; the reader checks it.
    public lazy var supportsExtendedLength: Bool = {
        guard let atr = try? answerToReset() else { return false }
        return ATR.announcesExtendedLength(atr)
    }()

    public func transmit(_ command: [UInt8]) throws(EMRTDError) -> [UInt8] {
        guard connected else { throw EMRTDError(.cardRemoved, "the card connection is closed") }
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

    /// Reconnects after a reset (SCARD_W_RESET_CARD; ``reconnect()``) or, with `resetCard`, to reset
    /// the card ourselves.
    public func reconnect(resetCard: Bool) throws(EMRTDError) {
        var active: DWORD = 0
        let rc = SCardReconnect(handle, DWORD(SCARD_SHARE_SHARED), DWORD(SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1),
                                DWORD(resetCard ? SCARD_RESET_CARD : SCARD_LEAVE_CARD), &active)
        guard rc == SCARD_S_SUCCESS else { throw PCSCReturnCode(rc).error(during: "reconnecting to the card") }
        protocolMask = active
    }

    public func disconnect() {
        guard connected else { return }
        SCardDisconnect(handle, DWORD(SCARD_LEAVE_CARD))
        connected = false
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
