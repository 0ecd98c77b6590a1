import Cryptography
import EMRTDCore
import Testing

// ECGroup: the standardized curves, point validation of untrusted input, padding, scalar
// arithmetic, explicit parameters and mapped generators.

/// (parameter ID, name, field bytes, order bytes), Doc 9303 Part 11, 9.5.1.
private let standardCurves: [(Int, String, Int, Int)] = [
    (8, "secp192r1", 24, 24), (9, "brainpoolP192r1", 24, 24), (10, "secp224r1", 28, 28),
    (11, "brainpoolP224r1", 28, 28), (12, "secp256r1", 32, 32), (13, "brainpoolP256r1", 32, 32),
    (14, "brainpoolP320r1", 40, 40), (15, "secp384r1", 48, 48), (16, "brainpoolP384r1", 48, 48),
    (17, "brainpoolP512r1", 64, 64), (18, "secp521r1", 66, 66),
]

@Test(arguments: standardCurves.map { $0.0 })
func standardCurveLoadsAndAgrees(parameterID: Int) throws {
    let expected = try #require(standardCurves.first { $0.0 == parameterID })
    let group = try ECGroup.standard(parameterID: parameterID)
    #expect(group.parameterID == parameterID)
    #expect(group.name == expected.1)
    #expect(group.fieldSize == expected.2)
    #expect(group.orderSize == expected.3)
    #expect(group.prime.count == group.fieldSize && group.a.count == group.fieldSize && group.b.count == group.fieldSize)
    #expect(group.order.count == group.orderSize)
    #expect(group.cofactor == [1])
    #expect(try ECGroup.named(expected.1) == group)
    #expect(try group.point(group.generator.encoded) == group.generator)
    #expect(try group.multiplyGenerator([1]) == group.generator)

    // ECDH round trip between two generated keys.
    let skA = try group.generatePrivateKey(), skB = try group.generatePrivateKey()
    #expect(skA.count == group.orderSize)
    #expect(skA != skB)
    let pkA = try group.publicKey(skA), pkB = try group.publicKey(skB)
    #expect(pkA.encoded.count == 1 + 2 * group.fieldSize)
    let secretA = try group.sharedSecret(skA, group.point(pkB.encoded))
    let secretB = try group.sharedSecret(skB, group.point(pkA.encoded))
    #expect(secretA == secretB)
    #expect(secretA.count == group.fieldSize)
    #expect(try group.multiply(pkB, skA).x == secretA)

    // A mapped generator G' = m·G: keys over G' agree with the arithmetic over G (this exercises
    // OpenSSL's curve-specific code paths with a generator other than the standard one).
    let m = try group.generatePrivateKey()
    let mapped = try group.withGenerator(group.multiplyGenerator(m))
    #expect(mapped.generator != group.generator)
    #expect(mapped.name == group.name && mapped.order == group.order)
    let pkMapped = try mapped.publicKey(skA)
    #expect(pkMapped == (try group.publicKey(group.multiplyModOrder(m, skA))))
    #expect(pkMapped == (try group.multiply(mapped.generator, skA)))
    #expect(try mapped.sharedSecret(skB, mapped.publicKey(skA)) == mapped.sharedSecret(skA, mapped.publicKey(skB)))
}

@Test(arguments: [-1, 0, 2, 7, 19, 255])
func unknownCurveIDsThrow(parameterID: Int) {
    let error = #expect(throws: EMRTDError.self) { try ECGroup.standard(parameterID: parameterID) }
    #expect(error?.code == .unknownDomainParameters)
}

@Test func curveNamesAndAliases() throws {
    #expect(try ECGroup.named("P-256") == ECGroup.standard(parameterID: 12))
    #expect(try ECGroup.named("prime256v1").name == "secp256r1")
    #expect(try ECGroup.named("BRAINPOOLP384R1").parameterID == 16)
    let error = #expect(throws: EMRTDError.self) { try ECGroup.named("brainpoolP256t1") }
    #expect(error?.code == .unknownDomainParameters)
    #expect(try ECGroup.standard(parameterID: 12) != ECGroup.standard(parameterID: 13))
}

// MARK: - Untrusted points

/// Malformed and invalid encodings of brainpoolP256r1 points, each of which must throw.
private func invalidPointEncodings() throws -> [(String, [UInt8])] {
    let group = try ECGroup.standard(parameterID: 13)
    let g = group.generator.encoded
    var offCurve = g
    offCurve[offCurve.count - 1] ^= 0x01
    let otherCurve = try ECGroup.standard(parameterID: 12).generator.encoded
    return [
        ("empty", []),
        ("infinity 00", [0x00]),
        ("infinity 00 padded", [0x00] + [UInt8](repeating: 0, count: 64)),
        ("compressed 02", [0x02] + group.generator.x),
        ("compressed 03", [0x03] + group.generator.x),
        ("hybrid 06", [0x06] + Array(g.dropFirst())),
        ("one byte short", Array(g.dropLast())),
        ("one byte long", g + [0x00]),
        ("X only", [0x04] + group.generator.x),
        ("off curve", offCurve),
        ("all zero coordinates", [0x04] + [UInt8](repeating: 0, count: 64)),
        ("x = p", [0x04] + group.prime + group.generator.y),
        ("x = 2^256 - 1", [0x04] + group.prime.map { _ in 0xFF } + group.generator.y),
        ("P-256 generator", otherCurve),
        ("P-384 generator", try ECGroup.standard(parameterID: 15).generator.encoded),
    ]
}

@Test func invalidPointsThrow() throws {
    let group = try ECGroup.standard(parameterID: 13)
    let sk = try group.generatePrivateKey()
    for (label, encoding) in try invalidPointEncodings() {
        let error = #expect(throws: EMRTDError.self, "\(label)") { try group.point(encoding) }
        #expect(error?.code == .ecInvalidPoint, "\(label)")
    }
    // A point of another curve (valid there) is rejected by every operation here.
    let foreign = try ECGroup.standard(parameterID: 12).generator
    let foreignLong = try ECGroup.standard(parameterID: 15).generator
    for p in [foreign, foreignLong] {
        #expect(throws: EMRTDError.self) { try group.sharedSecret(sk, p) }
        #expect(throws: EMRTDError.self) { try group.multiply(p, [2]) }
        #expect(throws: EMRTDError.self) { try group.add(p, group.generator) }
        #expect(throws: EMRTDError.self) { try group.withGenerator(p) }
    }
    // point(x:y:) checks too; shorter coordinates are padded, longer ones must be zeros.
    #expect(throws: EMRTDError.self) { try group.point(x: group.generator.x, y: group.generator.x) }
    #expect(try group.point(x: [0, 0] + group.generator.x, y: group.generator.y) == group.generator)
    #expect(throws: EMRTDError.self) { try group.point(x: [1] + group.generator.x, y: group.generator.y) }
}

@Test func pointAtInfinityResultsThrow() throws {
    let group = try ECGroup.standard(parameterID: 12)
    let g = group.generator
    for scalar in [[], [0], [0, 0, 0], group.order, [0] + group.order] {
        let e1 = #expect(throws: EMRTDError.self) { try group.multiplyGenerator(scalar) }
        #expect(e1?.code == .ecPointAtInfinity)
        let e2 = #expect(throws: EMRTDError.self) { try group.multiply(g, scalar) }
        #expect(e2?.code == .ecPointAtInfinity)
    }
    // (n-1)·G = -G, and G + (-G) = ∞.
    let minusG = try group.multiplyGenerator(decremented(group.order))
    #expect(minusG.x == g.x && minusG.y != g.y)
    let error = #expect(throws: EMRTDError.self) { try group.add(g, minusG) }
    #expect(error?.code == .ecPointAtInfinity)
    // n + 1 reduces to 1.
    #expect(try group.multiply(g, incremented(group.order)) == g)
    #expect(try group.add(g, g) == group.multiplyGenerator([2]))
}

@Test func privateKeyRange() throws {
    let group = try ECGroup.standard(parameterID: 13)
    for bad in [[], [0], group.order, incremented(group.order), [UInt8](repeating: 0xFF, count: 32)] {
        let error = #expect(throws: EMRTDError.self) { try group.publicKey(bad) }
        #expect(error?.code == .invalidPrivateKey)
        let error2 = #expect(throws: EMRTDError.self) { try group.sharedSecret(bad, group.generator) }
        #expect(error2?.code == .invalidPrivateKey)
    }
    #expect(try group.publicKey([1]) == group.generator)
    #expect(try group.publicKey([0, 0, 1]) == group.generator)
    #expect(try group.publicKey(decremented(group.order)).x == group.generator.x)
}

// MARK: - Padding

/// Finds k with (k·G).x starting with a zero byte, deterministically, and checks that the shared
/// secret and the public key keep that byte.
@Test(arguments: [12, 13, 18])
func leadingZeroCoordinatesArePadded(parameterID: Int) throws {
    let group = try ECGroup.standard(parameterID: parameterID)
    var found = false
    for k in 1...4000 where !found {
        let scalar = [UInt8(k >> 8), UInt8(k & 0xFF)]
        let point = try group.multiplyGenerator(scalar)
        // P-521's top byte holds one bit, so there the second byte must be zero too.
        guard point.x[0] == 0, parameterID != 18 || point.x[1] == 0 else { continue }
        found = true
        #expect(point.x.count == group.fieldSize)
        #expect(point.encoded.count == 1 + 2 * group.fieldSize)
        #expect(try group.point(point.encoded) == point)
        let secret = try group.sharedSecret(scalar, group.generator)
        #expect(secret.count == group.fieldSize)
        #expect(secret.first == 0)
        if parameterID == 18 { #expect(secret[1] == 0) }
        #expect(secret == point.x)
    }
    #expect(found)
}

/// 1000 ECDH runs each on P-256 and brainpoolP256r1: keys and secrets always have full length.
@Test(arguments: [12, 13])
func randomECDHNeverShort(parameterID: Int) throws {
    let group = try ECGroup.standard(parameterID: parameterID)
    for _ in 0..<1000 {
        let skA = try group.generatePrivateKey(), skB = try group.generatePrivateKey()
        #expect(skA.count == 32 && skB.count == 32)
        let pkA = try group.publicKey(skA), pkB = try group.publicKey(skB)
        #expect(pkA.x.count == 32 && pkA.y.count == 32)
        let s1 = try group.sharedSecret(skA, pkB)
        #expect(s1.count == 32)
        let s2 = try group.sharedSecret(skB, pkA)
        #expect(s1 == s2)
    }
}

// MARK: - Scalars mod n

@Test func scalarArithmeticModOrder() throws {
    let group = try ECGroup.standard(parameterID: 13)
    let one = [UInt8](repeating: 0, count: 31) + [1]
    for _ in 0..<20 {
        let a = try group.generatePrivateKey()
        let inverse = try group.inverseModOrder(a)
        #expect(inverse.count == 32)
        #expect(try group.multiplyModOrder(a, inverse) == one)
        #expect(try group.inverseModOrder(inverse) == a)
    }
    #expect(try group.multiplyModOrder([2], [3]) == [UInt8](repeating: 0, count: 31) + [6])
    #expect(try group.multiplyModOrder(group.order, [5]) == [UInt8](repeating: 0, count: 32))
    #expect(try group.inverseModOrder([1]) == one)
    for zero in [[], [0], group.order] {
        let error = #expect(throws: EMRTDError.self) { try group.inverseModOrder(zero) }
        #expect(error?.code == .invalidScalar)
    }
}

// MARK: - Explicit parameters

@Test func explicitParameters() throws {
    let standard = try ECGroup.standard(parameterID: 13)
    let same = try ECGroup.explicit(
        prime: standard.prime, a: standard.a, b: standard.b, generator: standard.generator.encoded,
        order: standard.order, cofactor: standard.cofactor)
    #expect(same == standard)
    #expect(same.name == "brainpoolP256r1" && same.parameterID == 13)

    // Another generator of the same curve: a valid group, but not a standardized one.
    let g2 = try standard.multiplyGenerator([2])
    let other = try ECGroup.explicit(
        prime: standard.prime, a: standard.a, b: standard.b, generator: g2.encoded,
        order: standard.order, cofactor: [1])
    #expect(other.name == "explicit" && other.parameterID == nil)
    #expect(other == (try standard.withGenerator(g2)))
    #expect(try other.publicKey([3]) == standard.multiplyGenerator([6]))

    var badB = standard.b
    badB[badB.count - 1] ^= 1
    var composite = standard.order
    composite[composite.count - 1] ^= 2  // the order stays odd, but is no longer prime
    /// The standard parameters with some replaced.
    func variant(
        prime: [UInt8]? = nil, a: [UInt8]? = nil, b: [UInt8]? = nil, generator: [UInt8]? = nil,
        order: [UInt8]? = nil, cofactor: [UInt8] = [1]
    ) -> () throws -> ECGroup {
        {
            try ECGroup.explicit(
                prime: prime ?? standard.prime, a: a ?? standard.a, b: b ?? standard.b,
                generator: generator ?? standard.generator.encoded, order: order ?? standard.order, cofactor: cofactor)
        }
    }
    let cases: [(String, () throws -> ECGroup)] = [
        ("b changed", variant(b: badB)),
        ("order not prime", variant(order: composite)),
        ("cofactor 0", variant(cofactor: [0])),
        ("compressed generator", variant(generator: [0x02] + standard.generator.x)),
        ("prime composite", variant(prime: decremented(decremented(standard.prime)))),
        ("a = p", variant(a: standard.prime)),
    ]
    for (label, make) in cases {
        let error = #expect(throws: EMRTDError.self, "\(label)") { try make() }
        #expect(error?.code == .invalidDomainParameters, "\(label)")
    }
}

// MARK: - Helpers

/// A big-endian counter decremented by one (the value must be non-zero).
func decremented(_ value: [UInt8]) -> [UInt8] {
    var out = value
    for i in out.indices.reversed() {
        if out[i] != 0 {
            out[i] -= 1
            break
        }
        out[i] = 0xFF
    }
    return out
}
