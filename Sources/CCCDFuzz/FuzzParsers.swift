// libFuzzer entry point. One sanitizer build serves every target: the environment variable
// CCCD_FUZZ_TARGET names the one to run (`cccd-fuzz` with CCCD_FUZZ_TARGET=list prints them).
// The targets are in Sources/FuzzTargets.
//
// Build:  swift build -c release --product cccd-fuzz --sanitize=fuzzer \
//           -Xswiftc -sanitize=fuzzer,address --scratch-path .build-fuzz
// Run:    CCCD_FUZZ_TARGET=sod .build-fuzz/release/cccd-fuzz -max_total_time=60 corpus/sod
//         (scripts/fuzz.sh runs them all, seeded by scripts/fuzz-seeds.sh)
// Replay: CCCD_FUZZ_TARGET=sod .build-fuzz/release/cccd-fuzz crash-… runs one input; a crash found
//         becomes a file under TestVectors/fuzz-regressions/<target>/, replayed by the tests.

#if canImport(Glibc)
import Glibc
#endif
import FuzzTargets

private let selected: FuzzTarget = {
    let name = getenv("CCCD_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    if let target = FuzzTarget.named(name) { return target }
    let list = FuzzTarget.all.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n")
    print("cccd-fuzz: set CCCD_FUZZ_TARGET to one of:\n\(list)")
    // libFuzzer treats exit() inside the target as a finding; leave without its handlers.
    fflush(nil)
    _exit(name == "list" ? 0 : 2)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selected.run(bytes)
    return 0
}
