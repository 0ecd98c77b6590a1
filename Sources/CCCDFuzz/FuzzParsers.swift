// libFuzzer entry point over every parser that eats bytes from a chip or a card image.
//
// The first input byte picks the parser, the rest is its input, so one corpus covers them all
// and libFuzzer's coverage guidance moves between them. Every parser must return or throw;
// a trap, a hang or a sanitizer report is a bug.
//
// Build:  swift build -c release --product cccd-fuzz --sanitize=fuzzer \
//           -Xswiftc -sanitize=fuzzer,address --scratch-path .build-fuzz
// Run:    .build-fuzz/release/cccd-fuzz -max_total_time=60 fuzz-corpus
// Replay: .build-fuzz/release/cccd-fuzz fuzz-artifacts/crash-… runs one input (libFuzzer's own
// replay); a crash found becomes a regression test in Tests/LDSTests/FuzzRegressionTests.swift.

import EMRTDCore
import ISO7816
import LDS
import MRZ

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let input = Array(bytes.dropFirst())
    switch bytes[0] % 12 {
    case 0:
        if let tlv = try? BERTLV.parse(input) {
            // Whatever parses must re-encode to something that parses to the same object.
            let again = try? BERTLV.parse(tlv.encoded())
            precondition(again == tlv, "BER-TLV round trip changed the object")
            _ = try? BERTLV.validate(tlv)
        }
    case 1:
        _ = try? MRZ(String(decoding: input, as: UTF8.self))
    case 2:
        _ = try? EFCOM(input)
    case 3:
        _ = try? DG1(input)
    case 4:
        if let dg13 = try? DG13(input) {
            _ = dg13.record
        }
    case 5:
        _ = try? DG2.faceImages(from: input)
    case 6:
        _ = try? DG14(input)
    case 7:
        _ = try? DG15(input)
    case 8:
        _ = try? DG11(input)
        _ = try? DG12(input)
    case 9:
        _ = try? SecurityInfos.parse(input)
    case 10:
        _ = try? CommandAPDU(bytes: input)
        _ = try? BERTLV.parseAll(input)
    default:
        _ = try? BERTLV.readHeader(input)
        _ = try? CardSettings.decode(json: input)
    }
    return 0
}
