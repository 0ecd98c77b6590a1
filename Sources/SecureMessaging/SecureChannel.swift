public import EMRTDCore
public import ISO7816

/// An ``APDUChannel`` that protects every command and verifies every response with
/// ``SecureMessaging``. Once a response fails to verify, or the chip answers 6987/6988, the channel
/// is closed: the chip has discarded its session keys. Other unprotected error status words
/// (6A82, 6700, …) are passed on and the session stays open, as many chips send them that way.
public final class SecureChannel: APDUChannel {
    public let underlying: any APDUChannel
    private var session: SecureMessaging
    public private(set) var isOpen = true

    public init(underlying: any APDUChannel, session: SecureMessaging) {
        self.underlying = underlying
        self.session = session
    }

    public var supportsExtendedLength: Bool { underlying.supportsExtendedLength }
    public var algorithm: SecureMessaging.Algorithm { session.algorithm }

    public func send(_ command: CommandAPDU) throws(EMRTDError) -> ResponseAPDU {
        guard isOpen else {
            throw EMRTDError(.smSessionClosed, "the secure messaging session was closed after an earlier error")
        }
        do throws(EMRTDError) {
            let protected = try session.protect(command)
            let response = try underlying.send(protected)
            let plain = try session.unprotect(response)
            if response.data.isEmpty && (plain.statusWord == StatusWord(rawValue: 0x6987) || plain.statusWord == StatusWord(rawValue: 0x6988)) {
                isOpen = false
                throw EMRTDError(.smSessionClosed, "the chip rejected secure messaging (\(plain.statusWord)) and closed the session")
            }
            return plain
        } catch {
            if error.code.domain == "sm" { isOpen = false }
            throw error
        }
    }
}
