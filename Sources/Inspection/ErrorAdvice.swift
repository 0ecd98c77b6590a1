public import EMRTDCore
public import Messages

/// An error as a person reads it: what happened and what to do, in their language (the counter
/// page and the command-line tools' Vietnamese errors share it). The library's message and code
/// stay beside it, for support.
public struct ErrorAdvice: Sendable {
    /// What happened, in the language of the messages.
    public let what: String
    /// What to do about it, when there is something to do.
    public let advice: String?

    /// `error` explained in `messages`' language; `badInput` tells a mistake in what the person
    /// gave (arguments, files) from a failure of the card or the reader.
    public init(_ error: EMRTDError, _ messages: Messages, badInput: Bool) {
        let m = messages
        switch error.code.rawValue {
        case "bac.authentication-failed", "pace.authentication-failed", "bac.refused":
            (what, advice) = (m[.errorAccessRefused], m[.errorAccessAdvice])
        case "card.removed", "card.timeout", "card.read-timeout", "card.transport", "card.pcsc-card-reset":
            (what, advice) = (m[.errorCardGone], m[.errorCardGoneAdvice])
        case "card.pcsc-no-service", "card.pcsc-no-readers", "card.pcsc-no-card", "card.pcsc-reader-removed":
            (what, advice) = (m[.errorNoReader], m[.errorNoReaderAdvice])
        default:
            if error.code.domain == "sm" {
                (what, advice) = (m[.errorSecureMessaging], m[.errorCardGoneAdvice])
            } else {
                (what, advice) = (badInput ? m[.errorInput] : m[.errorOther], nil)
            }
        }
    }
}
