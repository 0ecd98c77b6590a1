import Cryptography
import EMRTDCore
import Testing

// DHGroup: the RFC 5114 groups, public value validation, padding, arithmetic, explicit parameters.

/// (parameter ID, name, bytes of p, bits of q), Doc 9303 Part 11, 9.5.1.
private let standardDHGroups: [(Int, String, Int, Int)] = [
    (0, "rfc5114-1024-160", 128, 160), (1, "rfc5114-2048-224", 256, 224), (2, "rfc5114-2048-256", 256, 256),
]

private func bitLength(_ bytes: [UInt8]) -> Int {
    guard let first = bytes.firstIndex(where: { $0 != 0 }) else { return 0 }
    return (bytes.count - first) * 8 - bytes[first].leadingZeroBitCount
}

@Test(arguments: standardDHGroups.map { $0.0 })
func standardDHGroupLoadsAndAgrees(parameterID: Int) throws {
    let expected = try #require(standardDHGroups.first { $0.0 == parameterID })
    let group = try DHGroup.standard(parameterID: parameterID)
    #expect(group.parameterID == parameterID && group.name == expected.1)
    #expect(group.primeSize == expected.2 && bitLength(group.prime) == expected.2 * 8)
    #expect(bitLength(group.subgroupOrder) == expected.3)
    #expect(group.generator.count == group.primeSize)
    // The generator has order q; the parameters pass the explicit checks (p, q prime; q | p-1).
    try group.validatePublicKey(group.generator)
    #expect(try DHGroup.explicit(prime: group.prime, subgroupOrder: group.subgroupOrder, generator: group.generator) == group)

    let skA = try group.generatePrivateKey(), skB = try group.generatePrivateKey()
    #expect(skA.count == group.subgroupOrder.count && skA != skB)
    let pkA = try group.publicKey(skA), pkB = try group.publicKey(skB)
    #expect(pkA.count == group.primeSize && pkB.count == group.primeSize)
    try group.validatePublicKey(pkA)
    let secret = try group.sharedSecret(skA, pkB)
    #expect(secret.count == group.primeSize)
    #expect(try group.sharedSecret(skB, pkA) == secret)
    #expect(try group.power(pkB, skA) == secret)

    // A mapped generator g' = g^m: keys over g' are g^(m·sk).
    let m = try group.generatePrivateKey()
    let mapped = try group.withGenerator(group.publicKey(m))
    #expect(mapped != group && mapped.name == group.name)
    #expect(try mapped.publicKey(skA) == group.power(group.publicKey(m), skA))
    #expect(try mapped.publicKey(skA) == group.power(group.publicKey(skA), m))
}

@Test(arguments: [-1, 3, 8, 12])
func unknownDHGroupIDsThrow(parameterID: Int) {
    let error = #expect(throws: EMRTDError.self) { try DHGroup.standard(parameterID: parameterID) }
    #expect(error?.code == .unknownDomainParameters)
}

@Test(arguments: [0, 1, 2])
func invalidPublicValuesThrow(parameterID: Int) throws {
    let group = try DHGroup.standard(parameterID: parameterID)
    let p = group.prime
    // An element outside the subgroup: small integers almost never are in it; the first that is not
    // is found with the group's own arithmetic.
    var outside: [UInt8]? = nil
    for candidate in 2...50 where outside == nil {
        let y = [UInt8(candidate)]
        if try group.power(y, group.subgroupOrder) != [UInt8](repeating: 0, count: group.primeSize - 1) + [1] {
            outside = y
        }
    }
    let notInSubgroup = try #require(outside)
    let cases: [(String, [UInt8])] = [
        ("empty", []), ("0", [0]), ("0 padded", [UInt8](repeating: 0, count: p.count)), ("1", [1]),
        ("1 padded", [UInt8](repeating: 0, count: p.count - 1) + [1]), ("p-1", decremented(p)), ("p", p),
        ("p+1", incremented(p)), ("longer than p", [1] + p), ("all FF", [UInt8](repeating: 0xFF, count: p.count)),
        ("not in the subgroup", notInSubgroup),
        ("not in the subgroup, padded", [UInt8](repeating: 0, count: p.count - 1) + notInSubgroup),
    ]
    let sk = try group.generatePrivateKey()
    for (label, value) in cases {
        let e1 = #expect(throws: EMRTDError.self, "\(label)") { try group.validatePublicKey(value) }
        #expect(e1?.code == .dhInvalidPublicValue, "\(label)")
        let e2 = #expect(throws: EMRTDError.self, "\(label)") { try group.sharedSecret(sk, value) }
        #expect(e2?.code == .dhInvalidPublicValue, "\(label)")
        #expect(throws: EMRTDError.self, "\(label)") { try group.withGenerator(value) }
    }
    // Leading zeros on a valid value are fine.
    try group.validatePublicKey([0, 0] + group.publicKey(sk))
}

@Test func dhPrivateKeysAndOperands() throws {
    let group = try DHGroup.standard(parameterID: 0)
    for bad in [[], [0], [0, 0], [UInt8](repeating: 1, count: 129)] {
        let error = #expect(throws: EMRTDError.self) { try group.publicKey(bad) }
        #expect(error?.code == .invalidPrivateKey)
    }
    // A multiple of q maps to 1: rejected.
    let error = #expect(throws: EMRTDError.self) { try group.publicKey(group.subgroupOrder) }
    #expect(error?.code == .invalidPrivateKey)
    // Exponents above q are accepted (the BSI example uses 1024-bit ones) and act mod q.
    let one = [UInt8](repeating: 0, count: 127) + [1]
    #expect(try group.publicKey([1]) == group.generator)
    #expect(try group.publicKey(incremented(group.subgroupOrder)) == group.generator)

    let g = group.generator
    #expect(try group.multiply(g, one) == g)
    #expect(try group.multiply(g, [1]) == g)
    #expect(try group.power(g, []) == one)
    #expect(try group.multiply(group.power(g, [2]), group.power(g, [3])) == group.power(g, [5]))
    for bad in [[], [0], group.prime, incremented(group.prime), [1] + group.prime] {
        let e1 = #expect(throws: EMRTDError.self) { try group.multiply(bad, g) }
        #expect(e1?.code == .invalidScalar)
        let e2 = #expect(throws: EMRTDError.self) { try group.power(bad, [2]) }
        #expect(e2?.code == .invalidScalar)
    }
    let e3 = #expect(throws: EMRTDError.self) { try group.power(g, [1] + group.prime) }
    #expect(e3?.code == .invalidScalar)
}

/// Finds an exponent whose public value starts with a zero byte, deterministically; it keeps its
/// full length, as the shared secret with it does.
@Test(arguments: [0, 2])
func leadingZeroDHValuesArePadded(parameterID: Int) throws {
    let group = try DHGroup.standard(parameterID: parameterID)
    var found = false
    for k in 2...3000 where !found {
        let sk = [UInt8(k >> 8), UInt8(k & 0xFF)]
        let pk = try group.publicKey(sk)
        guard pk[0] == 0 else { continue }
        found = true
        #expect(pk.count == group.primeSize)
        try group.validatePublicKey(pk)
        // g^sk is also the shared secret of sk with g as the peer's value.
        let secret = try group.sharedSecret(sk, group.generator)
        #expect(secret == pk && secret.count == group.primeSize)
    }
    #expect(found)
}

@Test func randomDHNeverShort() throws {
    let group = try DHGroup.standard(parameterID: 0)
    for _ in 0..<200 {
        let skA = try group.generatePrivateKey(), skB = try group.generatePrivateKey()
        #expect(skA.count == 20)
        let pkA = try group.publicKey(skA), pkB = try group.publicKey(skB)
        #expect(pkA.count == 128 && pkB.count == 128)
        let s = try group.sharedSecret(skA, pkB)
        #expect(s.count == 128)
        #expect(s == (try group.sharedSecret(skB, pkA)))
    }
}

@Test func explicitDHParameters() throws {
    let group = try DHGroup.standard(parameterID: 0)
    let withLeadingZero = try DHGroup.explicit(
        prime: [0] + group.prime, subgroupOrder: group.subgroupOrder, generator: group.generator)
    #expect(withLeadingZero.parameterID == 0)
    let mappedG = try group.publicKey([7])
    let custom = try DHGroup.explicit(prime: group.prime, subgroupOrder: group.subgroupOrder, generator: mappedG)
    #expect(custom.name == "explicit" && custom.parameterID == nil)
    #expect(custom == (try group.withGenerator(mappedG)))

    func variant(prime: [UInt8]? = nil, q: [UInt8]? = nil, g: [UInt8]? = nil) -> () throws -> DHGroup {
        {
            try DHGroup.explicit(
                prime: prime ?? group.prime, subgroupOrder: q ?? group.subgroupOrder, generator: g ?? group.generator)
        }
    }
    let cases: [(String, () throws -> DHGroup)] = [
        ("q does not divide p-1", variant(q: incremented(incremented(group.subgroupOrder)))),
        ("generator 1", variant(g: [1])),
        ("generator p-1", variant(g: decremented(group.prime))),
        ("short prime", variant(prime: [0x17], q: [0x0B], g: [2])),
        ("q = p", variant(q: group.prime)),
    ]
    for (label, make) in cases {
        let error = #expect(throws: EMRTDError.self, "\(label)") { try make() }
        #expect(error?.code == .invalidDomainParameters, "\(label)")
    }
}
