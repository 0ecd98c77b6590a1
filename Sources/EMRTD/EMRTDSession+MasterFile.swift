public import EMRTDCore
import ISO7816
public import LDS

// The master file's elementary files besides EF.CardAccess (ICAO Doc 9303-10): EF.ATR/INFO,
// read in plain before access control, and EF.CardSecurity, read after PACE. EF.CardSecurity shares
// FID 011D and SFI 1D with the application's EF.SOD: the current DF decides which one a command reaches.

extension EMRTDSession {
    /// The largest EF.ATR/INFO the reader takes (it holds a few short data objects).
    public static let maximumATRInfoSize = 4096

    /// SELECT MF (`00 A4 00 0C 02 3F00`). Chips that cannot select the master file once the
    /// application is running answer 6D00, 6A86, 6982 … (CHIP-QUIRKS A1, C1): that is
    /// `lds.access-denied`, the master file's files are out of reach, not an error of the read.
    public func selectMasterFile() throws(EMRTDError) {
        let response = try channel.send(CommandAPDU(ins: 0xA4, p1: 0x00, p2: 0x0C, data: [0x3F, 0x00]))
        guard response.statusWord.isSuccess else {
            throw EMRTDError(.accessDenied, "the chip refused to select the master file (SELECT MF answered \(response.statusWord))")
        }
    }

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
            if useSFI {
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

    /// Reads an elementary file of the master file under secure messaging (EF.CardSecurity after
    /// PACE): SELECT MF, the read, then SELECT of the eMRTD application again, so later reads reach
    /// the application's files; after a file-level error too.
    ///
    /// After a secure messaging failure access is re-established and the file read again from its
    /// start: re-establishing selects the application, where resuming would continue in EF.SOD.
    /// Bytes that start with EF.SOD's tag 77 mean the chip answered SELECT MF with 9000 and stayed
    /// in the application (CHIP-QUIRKS C1): they are refused as `lds.access-denied`, never returned.
    public func readFromMasterFile(_ file: LDSFile) throws(EMRTDError) -> [UInt8] {
        guard file.isInMasterFile else {
            throw EMRTDError(.invalidArgument, "\(file.name) is not a file of the master file")
        }
        let allowed = options.maximumReauthentications
        options.maximumReauthentications = 0
        defer { options.maximumReauthentications = allowed }
        var failures = 0
        while true {
            do throws(EMRTDError) {
                try selectMasterFile()
                let bytes = try readFile(file)
                if let tag = LDSFile.sod.tag, bytes.first.map(UInt32.init) == tag.rawValue {
                    throw EMRTDError(.accessDenied, "after SELECT MF the chip still served EF.SOD under \(String(format: "%04X", file.fileID)): the master file cannot be selected")
                }
                try selectApplication()
                return bytes
            } catch where error.code.domain == "sm" && failures < allowed {
                failures += 1
                try reestablish()
            } catch {
                if Self.concernsOneFile(error) { try selectApplication() }
                throw error
            }
        }
    }

    /// Errors of a master-file read that concern that file only: the read of the application goes on.
    static func concernsOneFile(_ error: EMRTDError) -> Bool {
        DocumentReader.fileLevel.contains(error.code) || error.code == .unexpectedStatus || error.code.domain == "tlv"
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
