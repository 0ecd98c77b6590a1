import EMRTDCore
import ISO7816
import LDS
import Testing

/// Mutated and truncated chip files must give a value or an EMRTDError, never a trap.
@Suite struct RobustnessTests {
    /// SplitMix64: deterministic, so a failure reproduces.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func parseAny(_ bytes: [UInt8]) -> [EMRTDError.Code?] {
        [
            code { try BERTLV.validate(bytes) }, code { try EFCOM(bytes) }, code { try DG1(bytes) },
            code { try DG11(bytes) }, code { try DG12(bytes) }, code { try DG13(bytes) }, code { try DG14(bytes) },
            code { try DG15(bytes) }, code { try SecurityInfos.parse(bytes) },
            code { try SubjectPublicKeyInfo.parse(bytes) },
        ]
    }

    @Test(arguments: [
        "bsi2008_EF_COM.bin", "bsi2008_Datagroup1.bin", "bsi2008_Datagroup14.bin", "doc9303_sample_DG14.bin",
        "bsi2008_Datagroup15.bin", "bsi_eac_ecdh_EF.CardAccess.bin",
    ])
    func mutations(name: String) throws {
        let original = try Vectors.bytes(name)
        try mutate(original, seed: UInt64(original.count))
    }

    @Test func dg13Mutations() throws {
        try mutate(Vectors.hexFile("dg13-synthetic.hex"), seed: 13)
    }

    func mutate(_ original: [UInt8], seed: UInt64) throws {
        var rng = Generator(state: seed)
        for _ in 0..<300 {
            var b = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<b.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: b[i] = UInt8.random(in: 0...255, using: &rng)
                case 1: b[i] = [0x80, 0x81, 0x84, 0xFF, 0x00, 0x1F][Int.random(in: 0..<6, using: &rng)]
                case 2: b.removeSubrange(i..<min(b.count, i + Int.random(in: 1...8, using: &rng)))
                default: b.insert(UInt8.random(in: 0...255, using: &rng), at: i)
                }
                if b.isEmpty { b = [0] }
            }
            // Every outcome is either success or an EMRTDError.
            #expect(!Self.parseAny(b).contains(EMRTDError.Code("not-emrtd")))
        }
    }

    @Test func deepNestingIsRejected() {
        var deep: [UInt8] = [0x05, 0x00]
        for _ in 0..<500 { deep = [0x30] + BERTLV.encodeLength(deep.count) + deep }
        let set = [0x31] + BERTLV.encodeLength(deep.count) + deep
        #expect(code { try SecurityInfos.parse(set) } == .asn1Invalid)
        #expect(code { try BERTLV.validate(set) } == .tlvDepthExceeded)
        let dg14 = [0x6E] + BERTLV.encodeLength(set.count) + set
        #expect(code { try DG14(dg14) } == .asn1Invalid)
    }
}
