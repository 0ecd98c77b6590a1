public import EMRTDCore
public import ISO7816

/// A card connection that can be made again after another program reset the card (PC/SC
/// `SCARD_W_RESET_CARD`, surfaced as ``EMRTDError/Code/pcscCardReset``). ``PCSCCard`` is one; tests
/// give their own.
public protocol ReconnectableCardChannel: CardChannel {
    /// Connects again to the card as it is now (powered, in its initial state after the reset),
    /// without resetting it once more.
    func reconnect() throws(EMRTDError)
}

extension ReconnectableCardChannel {
    /// Runs `body`, which talks to this card from the start (a whole read); when another program
    /// resets the card meanwhile, reconnects once and runs `body` again. The reset ends every session
    /// state on the chip, so nothing of the first attempt is kept. A second reset, a failed
    /// reconnection and every other error are thrown as they are.
    ///
    /// - Parameters:
    ///   - codes: errors besides ``EMRTDError/Code/pcscCardReset`` that get the same one more try
    ///     (the issuance station adds ``EMRTDError/Code/pcscFailure``, a reader or driver glitch).
    ///   - onRetry: told the error before the reconnection (to say so, or to pause).
    public func retryingOnceAfterReset<T>(
        alsoAfter codes: Set<EMRTDError.Code> = [],
        onRetry: (EMRTDError) -> Void = { _ in },
        _ body: () throws(EMRTDError) -> T
    ) throws(EMRTDError) -> T {
        do {
            return try body()
        } catch where error.code == .pcscCardReset || codes.contains(error.code) {
            onRetry(error)
            try reconnect()
            return try body()
        }
    }
}

extension PCSCCard: ReconnectableCardChannel {
    /// Reconnects after a reset by another program (SCardReconnect, leaving the card as it is).
    public func reconnect() throws(EMRTDError) {
        try reconnect(resetCard: false)
    }
}
