import EMRTD
import EMRTDCore
import ISO7816
import LDS
import PCSC
import Testing
import VirtualChip

/// A read interrupted by another program resetting the card (PC/SC SCARD_W_RESET_CARD) is read again,
/// once, after reconnecting: `retryingOnceAfterReset`, which `cccd-read` and the issuance station use.
@Suite("Reading again after a reset by another program")
struct CardResetTests {
    @Test("One reset mid-read: exactly one reconnection, then the whole document is read")
    func oneReset() throws {
        let key = try specimenKey()
        let image = try specimen()
        let card = ResettingCard(try VirtualChip(image: image), resets: [20])
        var told: [EMRTDError.Code] = []
        let result = try card.retryingOnceAfterReset(onRetry: { told.append($0.code) }) { () throws(EMRTDError) in
            try DocumentReader().read(from: card, key: key)
        }
        #expect(card.reconnections == 1)
        #expect(told == [.pcscCardReset])
        #expect(card.transmitted[0] == 20)  // the first connection ended at the reset
        for file in image.files.keys where file != .cardSecurity && file != .dg3 {
            #expect(result.files[file] == image.files[file], "\(file.name) differs from the image")
        }
        #expect(Document(files: result.files).problems.isEmpty)
    }

    @Test("A second reset in the read after reconnecting is reported as card.pcsc-card-reset")
    func secondReset() throws {
        let key = try specimenKey()
        let card = ResettingCard(try VirtualChip(image: specimen()), resets: [20, 5])
        #expect(throws: EMRTDError(.pcscCardReset, "")) {
            try card.retryingOnceAfterReset { () throws(EMRTDError) in try DocumentReader().read(from: card, key: key) }
        }
        #expect(card.reconnections == 1)
        #expect(card.transmitted == [20, 5])
    }

    @Test("Any other error ends the read at once, without reconnecting; other codes can be added")
    func otherErrors() throws {
        let key = try specimenKey()
        var faults = VirtualChip.Faults()
        faults.removeAfterAPDUs = 15
        let removed = ResettingCard(try VirtualChip(image: specimen(), faults: faults), resets: [])
        #expect(throws: EMRTDError(.cardRemoved, "")) {
            try removed.retryingOnceAfterReset { () throws(EMRTDError) in try DocumentReader().read(from: removed, key: key) }
        }
        #expect(removed.reconnections == 0)
        // The station also reads again after a PC/SC glitch (pcscFailure).
        let glitch = ResettingCard(try VirtualChip(image: specimen()), resets: [12], error: PCSCReturnCode.commError)
        var codes: [EMRTDError.Code] = []
        _ = try glitch.retryingOnceAfterReset(alsoAfter: [.pcscFailure], onRetry: { codes.append($0.code) }) { () throws(EMRTDError) in
            try DocumentReader().read(from: glitch, key: key)
        }
        #expect(codes == [.pcscFailure])
        #expect(glitch.reconnections == 1)
        let unasked = ResettingCard(try VirtualChip(image: specimen()), resets: [12], error: PCSCReturnCode.commError)
        #expect(throws: EMRTDError(.pcscFailure, "")) {
            try unasked.retryingOnceAfterReset { () throws(EMRTDError) in try DocumentReader().read(from: unasked, key: key) }
        }
        #expect(unasked.reconnections == 0)
    }
}

/// A card in a PC/SC reader that another program resets: on the n-th APDU of a connection (one
/// number per connection, in `resets`) the chip is power-cycled and the APDU fails as pcsclite
/// reports it; until `reconnect()` every APDU fails the same way, as with a real reader.
final class ResettingCard: ReconnectableCardChannel {
    let chip: VirtualChip
    private var resets: [Int]
    private let error: PCSCReturnCode
    private var pendingReset = false
    /// APDUs sent on each connection, the current one last.
    private(set) var transmitted: [Int] = [0]
    private(set) var reconnections = 0

    init(_ chip: VirtualChip, resets: [Int], error: PCSCReturnCode = .resetCard) {
        self.chip = chip
        self.resets = resets
        self.error = error
    }

    var supportsExtendedLength: Bool { chip.supportsExtendedLength }

    func transmit(_ command: [UInt8]) throws(EMRTDError) -> [UInt8] {
        guard !pendingReset else { throw error.error(during: "sending an APDU to Test Reader 00 00") }
        transmitted[transmitted.count - 1] += 1
        if let n = resets.first, transmitted.last == n {
            resets.removeFirst()
            chip.reset()
            pendingReset = true
            throw error.error(during: "sending an APDU to Test Reader 00 00")
        }
        return try chip.transmit(command)
    }

    func reconnect() throws(EMRTDError) {
        reconnections += 1
        pendingReset = false
        transmitted.append(0)
    }
}
