public import EMRTDCore
import ISO7816
public import LDS

// EF.ATR/INFO, a file of the master file besides EF.CardAccess (ICAO Doc 9303-10), read in plain
// before access control; its limits size every later READ BINARY. (EF.CardSecurity, read right
// after PACE-CAM, is in EMRTDSession.performPACE.)

extension EMRTDSession {
    /// The largest EF.ATR/INFO the reader takes (it holds a few short data objects).
    public static let maximumATRInfoSize = 4096

    /// Reads EF.ATR/INFO in plain, before access control: READ BINARY by SFI 01, and SELECT 2F01
    /// then READ BINARY when the chip refuses the short file identifier. The file has no outer tag
    /// giving its size, so it is read until a short answer, 6282 or 6B00 past its start.
    public func readATRInfo() throws(EMRTDError) -> [UInt8] {
        let file = LDSFile.atrInfo
        var data: [UInt8] = []
        var useSFI = options.useShortFileIdentifiers
        var want = min(blockSize, options.shortBlockSize)
        for _ in 0..<64 {
            let offset = data.count
            let command = useSFI && offset <= 0xFF
                ? CommandAPDU(ins: 0xB0, p1: 0x80 | file.shortFileID, p2: UInt8(offset), ne: want)
                : CommandAPDU(ins: 0xB0, p1: UInt8(offset >> 8), p2: UInt8(offset & 0xFF), ne: want)
            let response = try channel.send(command)
            let sw = response.statusWord
            if sw == .success || sw == .endOfFileReached {
                guard response.data.count <= want else {
                    throw EMRTDError(.fileReadFailed, "\(file.name): the chip returned \(response.data.count) bytes where \(want) were asked")
                }
                data += response.data
                guard data.count <= Self.maximumATRInfoSize else {
                    throw EMRTDError(.fileTooLarge, "\(file.name) holds more than the \(Self.maximumATRInfoSize) bytes the reader takes")
                }
                if sw == .endOfFileReached || response.data.count < want { return data }
                continue
            }
            if offset > 0 && (sw == .wrongParameters || sw == .wrongLength) { return data }  // past the end
            if let exact = sw.correctLength, exact < want {
                want = exact
                continue
            }
            if sw == .wrongLength || sw == .wrongParameters, let smaller = Self.stepDown(from: want) {
                want = smaller
                continue
            }
            if useSFI && sw != .fileNotFound {
                // A chip that does not read by short file identifier: SELECT decides. 6A82 to the
                // short file identifier already says the file is not there (one APDU on chips
                // without EF.ATR/INFO, as most are).
                useSFI = false
                try select(file)
                continue
            }
            switch sw {
            case .fileNotFound: throw EMRTDError(.fileNotFound, "\(file.name) is not on the chip (6A82)")
            case .securityStatusNotSatisfied: throw EMRTDError(.accessDenied, "\(file.name) is not readable before access control (6982)")
            default: throw EMRTDError.status(sw, during: "READ BINARY \(file.name) at offset \(offset)")
            }
        }
        throw EMRTDError(.fileReadFailed, "\(file.name): the chip refused every READ BINARY length")
    }

    /// Takes the limits of EF.ATR/INFO (ISO/IEC 7816-4 12.7.1) for every later READ BINARY, and
    /// says what changed:
    ///
    /// - DO'7F66' with room for more than a short response: extended length is used (unless
    ///   ``ReaderOptions/extendedLength`` is `false`), with blocks whose secure messaging response
    ///   fits the chip's maximum response length;
    /// - DO'7F66' with a small maximum: blocks no larger than fit in it;
    /// - no DO'7F66': the chip takes short APDUs only (unless ``ReaderOptions/extendedLength`` is `true`).
    @discardableResult
    public func apply(atrInfo: ATRInfo) -> String {
        guard let limits = atrInfo.extendedLength else {
            guard options.extendedLength != true else { return "EF.ATR/INFO announces no extended length; extended length is forced" }
            blockSize = min(blockSize, options.shortBlockSize)
            return "EF.ATR/INFO announces no extended length: short READ BINARY of at most \(blockSize) bytes"
        }
        let fitting = Self.readLength(fittingResponse: limits.maximumResponseLength)
        if fitting > CommandAPDU.maximumShortNe && options.extendedLength != false {
            blockSize = min(options.extendedBlockSize, fitting)
            return "EF.ATR/INFO announces extended length (responses up to \(limits.maximumResponseLength) bytes): READ BINARY of up to \(blockSize) bytes"
        }
        blockSize = min(blockSize, options.shortBlockSize, fitting)
        return "EF.ATR/INFO limits responses to \(limits.maximumResponseLength) bytes: READ BINARY of at most \(blockSize) bytes"
    }

    /// The longest READ BINARY whose answer under secure messaging, status word included, fits
    /// `maximum` bytes, with AES (16-byte blocks, the larger padding of the two ciphers):
    /// DO'87' (tag, length, padding indicator, padded data), DO'99' (4), DO'8E' (10), SW (2).
    /// 223 for a 256-byte response, as ``ReaderOptions/shortBlockSize`` says.
    public static func readLength(fittingResponse maximum: Int) -> Int {
        func protectedSize(_ n: Int) -> Int {
            let padded = (n / 16 + 1) * 16
            return 1 + BERTLV.encodeLength(padded + 1).count + 1 + padded + 4 + 10 + 2
        }
        var n = max(0, min(maximum, 1 << 20))
        while n > 1 && protectedSize(n) > maximum { n -= 1 }
        return max(n, 1)
    }
}
