#if canImport(Glibc)
import Glibc
#endif
public import EMRTDCore
import ISO7816

extension EMRTDError.Code {
    /// The connection to the vpcd reader driver failed.
    public static let vpcdConnection = Self("vpcd.connection")
    /// vpcd sent a message the card side does not understand.
    public static let vpcdProtocol = Self("vpcd.protocol")
}

extension VirtualChip {
    /// An answer to reset for the virtual chip: T=1, and card capabilities in the historical bytes
    /// announcing extended length exactly when the chip accepts it (ISO/IEC 7816-4 8.1.1.2.7).
    public var answerToReset: [UInt8] {
        let historical: [UInt8] = [0x80, 0x73, 0x00, 0x00, announcesExtendedLength ? 0x40 : 0x00, 0x31, 0xC0]
        var atr: [UInt8] = [0x3B, 0x80 | UInt8(historical.count), 0x01] + historical
        atr.append(atr.dropFirst().reduce(0, ^))  // TCK: XOR of T0 … last historical byte
        return atr
    }
}

/// The card side of the vsmartcard vpcd protocol: the virtual chip as a card in the `Virtual PCD`
/// reader of pcscd, for every PC/SC client.
///
/// Every message, both ways, is a 2-byte big-endian length and that many bytes. A 1-byte message
/// from vpcd is a control code (00 power off, 01 power on, 02 reset, 04 get ATR); anything longer
/// is a command APDU, answered with the response APDU. Closing the connection removes the card.
public final class VPCDCardSide {
    /// The chip that answers; powered off, on and reset as vpcd says.
    public let chip: VirtualChip
    /// The host where vpcd listens.
    public let host: String
    /// vpcd's TCP port: 35963 for the first virtual reader.
    public let port: UInt16
    /// After this many APDUs the card is pulled out (the connection closed): tests of removal mid-read.
    public var removeAfterAPDUs: Int?
    /// Seconds to wait before each answer: a slow chip.
    public var responseDelay: Double = 0
    /// Once the card has answered an APDU, pull it out after this many idle seconds (the
    /// inspection system is done with it): `cccd conformance serve` presents documents one by one.
    public var removeWhenIdle: Double?
    /// Called with each event, for a `--verbose` log.
    public var log: ((String) -> Void)?
    /// Answers each command APDU in place of `chip.process` (a ``HostileChip``); `nil` pulls the card out.
    public var respond: (([UInt8]) -> [UInt8]?)?

    /// Command APDUs received over every connection so far.
    public private(set) var apdus = 0

    /// Serves `chip` to the vpcd at `host`:`port` once ``run(retryInterval:shouldStop:)`` is called.
    public init(chip: VirtualChip, host: String = "127.0.0.1", port: UInt16 = 35963) {
        self.chip = chip
        self.host = host
        self.port = port
    }

    /// Serves the chip until `shouldStop` says so, reconnecting when vpcd restarts.
    /// Returns when the card was removed (`removeAfterAPDUs`) or on stop.
    public func run(retryInterval: Double = 0.5, shouldStop: () -> Bool = { false }) throws(EMRTDError) {
        while !shouldStop() {
            let fd: Int32
            do {
                fd = try connect()
            } catch {
                log?("vpcd not reachable at \(host):\(port) (\(error.message)); retrying")
                usleep(UInt32(retryInterval * 1e6))
                continue
            }
            log?("connected to vpcd at \(host):\(port)")
            let removed = serve(fd, shouldStop: shouldStop)
            close(fd)
            chip.reset()
            if removed {
                log?("card removed after \(apdus) APDUs")
                return
            }
            log?("vpcd closed the connection; reconnecting")
            usleep(UInt32(retryInterval * 1e6))
        }
    }

    private func connect() throws(EMRTDError) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw EMRTDError(.vpcdConnection, "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw EMRTDError(.vpcdConnection, "\(host) is not an IPv4 address")
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw EMRTDError(.vpcdConnection, "connect: \(reason)")
        }
        // vpcd writes the length and the APDU separately: without these every APDU waits for
        // Nagle's algorithm and a delayed ACK (about 40 ms).
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_QUICKACK, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    /// Returns true when the card was removed on purpose, false when vpcd went away.
    private func serve(_ fd: Int32, shouldStop: () -> Bool) -> Bool {
        while !shouldStop() {
            if let idle = removeWhenIdle, apdus > 0, !Self.readable(fd, within: idle) { return true }
            guard let header = readExactly(fd, 2) else { return false }
            let length = Int(header[0]) << 8 | Int(header[1])
            guard length > 0, let body = readExactly(fd, length) else { return false }
            let command: [UInt8]
            switch VPCDMessage.message(body[...]) {
            case .powerOff, .powerOn, .reset:
                chip.reset()
                continue
            case .getATR:
                guard send(fd, chip.answerToReset) else { return false }
                continue
            case .unknownControl(let code):
                log?("unknown vpcd control code \(Hex.encode([code]))")
                continue
            case .apdu(let bytes):
                command = bytes
            }
            apdus += 1
            if let limit = removeAfterAPDUs, apdus > limit { return true }
            if responseDelay > 0 { usleep(UInt32(responseDelay * 1e6)) }
            let response: [UInt8]
            if let respond {
                guard let answer = respond(command) else { return true }
                response = answer
            } else {
                response = chip.process(command).encoded
            }
            guard send(fd, response) else { return false }
        }
        return false
    }

    /// Whether `fd` has data (or an end of stream) within `seconds`.
    private static func readable(_ fd: Int32, within seconds: Double) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, Int32(seconds * 1000)) != 0
    }

    private func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + done, count - done, 0) }
            // Quick ACK is one-shot: re-arm it after every read, or vpcd's second write (the APDU
            // after its length) waits for our delayed ACK.
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_QUICKACK, &one, socklen_t(MemoryLayout<Int32>.size))
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                return nil
            }
            done += n
        }
        return buffer
    }

    /// Sends length and data in one write, so the reader's side gets the whole answer at once.
    private func send(_ fd: Int32, _ data: [UInt8]) -> Bool {
        guard let frame = try? VPCDMessage.encodeFrame(data) else { return false }
        var done = 0
        while done < frame.count {
            let n = frame.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + done, frame.count - done, Int32(MSG_NOSIGNAL)) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                return false
            }
            done += n
        }
        return true
    }
}
