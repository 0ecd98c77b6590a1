// Diffie-Hellman in MODP groups with a prime-order subgroup, for PACE with DH (ICAO Doc 9303
// Part 11, 4.4 and 9.5.1; BSI TR-03110-3, A.2.1.1): the three groups of RFC 5114, section 2.
//
// Group elements travel as unsigned big-endian integers left-padded to the length of p
// (Doc 9303 Part 11, 4.4.5.2.1 and 9.4.5). Public values from the other side are untrusted and are
// checked as RFC 2631, 2.1.5 asks (1 < y < p-1 and y^q ≡ 1 mod p) before use.

public import EMRTDCore
internal import CCCDOpenSSL

extension EMRTDError.Code {
    /// A DH public value (or generator) was outside (1, p-1) or not in the prime-order subgroup.
    public static let dhInvalidPublicValue = Self("crypto.invalid-public-value")
}

/// A prime-order subgroup of the multiplicative group of GF(p): prime p, subgroup order q, and a
/// generator g of order q.
///
/// PACE replaces the generator by the mapped one with ``withGenerator(_:)``; ``publicKey(_:)`` then
/// uses it. Two groups are equal when p, q and g are.
public struct DHGroup: Sendable, Hashable, CustomStringConvertible {
    /// The modulus p, big-endian (``primeSize`` bytes).
    public let prime: [UInt8]
    /// The prime order q of the subgroup, big-endian, minimal length.
    public let subgroupOrder: [UInt8]
    /// The generator, left-padded to ``primeSize`` bytes.
    public let generator: [UInt8]
    /// A short name (`rfc5114-1024-160`, …; `explicit` when not standardized). A group with a
    /// mapped generator keeps the name of its parameters.
    public let name: String
    /// The standardized domain parameter identifier (0, 1, 2), if any; kept by a mapped group.
    public let parameterID: Int?

    /// The length of p in bytes: of every public value and of the shared secret.
    public var primeSize: Int { prime.count }

    // MARK: Construction

    /// The standardized domain parameters of Doc 9303 Part 11, 9.5.1: 0 = 1024-bit MODP group with
    /// 160-bit prime-order subgroup, 1 = 2048/224, 2 = 2048/256 (RFC 5114, 2.1–2.3).
    public static func standard(parameterID: Int) throws(EMRTDError) -> DHGroup {
        guard let group = standardGroups[parameterID] else {
            throw EMRTDError(
                .unknownDomainParameters,
                "standardized domain parameter \(parameterID) is not a MODP group (0-2 are)")
        }
        return group
    }

    /// A group from explicit parameters (big-endian; leading zeros are ignored). Checks that p and
    /// q are prime (q of at least 160 bits), q divides p-1, and g is an element of order q.
    public static func explicit(prime: [UInt8], subgroupOrder: [UInt8], generator: [UInt8]) throws(EMRTDError) -> DHGroup {
        func invalid(_ why: String) -> EMRTDError { EMRTDError(.invalidDomainParameters, "explicit DH parameters: \(why)") }
        let ctx = try BNContext()
        let p = try BigNum(strippingLeadingZeros(prime)), q = try BigNum(strippingLeadingZeros(subgroupOrder))
        guard p.bitCount >= 512, p.bitCount <= 8192, p.isOdd else {
            throw invalid("p has \(p.bitCount) bits (odd, 512 to 8192 are accepted)")
        }
        guard q.bitCount >= 160, q.bitCount < p.bitCount else { throw invalid("q has \(q.bitCount) bits") }
        guard try Modular(q, ctx).reduce(try p.minus(1)).isZero else { throw invalid("q does not divide p-1") }
        guard try p.isProbablePrime(ctx), try q.isProbablePrime(ctx) else { throw invalid("p or q is not prime") }
        let group = DHGroup(
            prime: try p.minimalBytes(), subgroupOrder: try q.minimalBytes(), generator: [],
            name: "explicit", parameterID: nil)
        let g = strippingLeadingZeros(generator)
        do {
            try group.validatePublicKey(g)
        } catch {
            throw invalid("the generator is not an element of order q")
        }
        let checked = group.replacingGenerator(leftPad(g, group.primeSize))
        if let known = standardGroups.values.first(where: { $0 == checked }) { return known }
        return checked
    }

    /// The same p and q with generator `g` (checked like a public value): the group PACE continues
    /// in after the mapping (Doc 9303 Part 11, 4.4.3.3).
    public func withGenerator(_ g: [UInt8]) throws(EMRTDError) -> DHGroup {
        try validatePublicKey(g)
        return replacingGenerator(leftPad(strippingLeadingZeros(g), primeSize))
    }

    // MARK: Key agreement

    /// A private key uniform in [1, q-1] from OpenSSL's DRBG, left-padded to the length of q.
    public func generatePrivateKey() throws(EMRTDError) -> [UInt8] {
        let q = try BigNum(subgroupOrder)
        let k = try BigNum.random(below: try q.minus(1)).plus(1)
        return try k.bytes(padded: subgroupOrder.count)
    }

    /// The public value `g^sk mod p` with this group's generator, left-padded to ``primeSize``.
    ///
    /// `privateKey` is a non-zero big-endian exponent of at most ``primeSize`` bytes (leading zeros
    /// allowed); it need not be below q: the published examples use full-length exponents.
    public func publicKey(_ privateKey: [UInt8]) throws(EMRTDError) -> [UInt8] {
        let ctx = try BNContext()
        let mod = Modular(try BigNum(prime), ctx)
        let y = try mod.power(try BigNum(generator), try exponent(privateKey))
        guard !y.isOne else { throw EMRTDError(.invalidPrivateKey, "the private key is a multiple of q") }
        return try y.bytes(padded: primeSize)
    }

    /// DH key agreement (Doc 9303 Part 11, 9.6; PKCS #3): `peer^sk mod p`, left-padded to
    /// ``primeSize``. The peer's value is checked with ``validatePublicKey(_:)`` first.
    public func sharedSecret(_ privateKey: [UInt8], _ peerPublic: [UInt8]) throws(EMRTDError) -> [UInt8] {
        try validatePublicKey(peerPublic)
        let ctx = try BNContext()
        let mod = Modular(try BigNum(prime), ctx)
        let k = try mod.power(try BigNum(strippingLeadingZeros(peerPublic)), try exponent(privateKey))
        k.setConstantTime()
        guard !k.isOne else { throw EMRTDError(.invalidPrivateKey, "the private key is a multiple of q") }
        return try k.bytes(padded: primeSize)
    }

    /// Checks a public value from the other side (RFC 2631, 2.1.5): as an integer (leading zeros
    /// allowed) it must satisfy 1 < y < p-1 and y^q ≡ 1 mod p. Throws
    /// ``EMRTDError/Code/dhInvalidPublicValue`` otherwise.
    public func validatePublicKey(_ publicValue: [UInt8]) throws(EMRTDError) {
        let value = strippingLeadingZeros(publicValue)
        guard value.count <= primeSize else {
            throw EMRTDError(.dhInvalidPublicValue, "the DH public value is longer than p")
        }
        let ctx = try BNContext()
        let p = try BigNum(prime)
        let y = try BigNum(value)
        guard y.compare(try BigNum(word: 1)) > 0, y.compare(try p.minus(1)) < 0 else {
            throw EMRTDError(.dhInvalidPublicValue, "the DH public value is not in (1, p-1)")
        }
        guard try Modular(p, ctx).power(y, try BigNum(subgroupOrder)).isOne else {
            throw EMRTDError(.dhInvalidPublicValue, "the DH public value is not in the subgroup of order q")
        }
    }

    // MARK: Arithmetic (Generic Mapping)

    /// `a · b mod p`, left-padded to ``primeSize`` (g' = g^s · h, Doc 9303 Part 11, 4.4.3.3.1).
    /// Both operands must be in [1, p-1].
    public func multiply(_ a: [UInt8], _ b: [UInt8]) throws(EMRTDError) -> [UInt8] {
        let ctx = try BNContext()
        let mod = Modular(try BigNum(prime), ctx)
        let x = try element(a), y = try element(b)
        return try mod.mul(x, y).bytes(padded: primeSize)
    }

    /// `base^exponent mod p`, left-padded to ``primeSize``. `base` must be in [1, p-1]; the
    /// exponent is any big-endian integer of at most ``primeSize`` bytes (zero gives 1).
    public func power(_ base: [UInt8], _ exponent: [UInt8]) throws(EMRTDError) -> [UInt8] {
        let ctx = try BNContext()
        let mod = Modular(try BigNum(prime), ctx)
        let e = strippingLeadingZeros(exponent)
        guard e.count <= primeSize else {
            throw EMRTDError(.invalidScalar, "the exponent is longer than p")
        }
        let r = try mod.power(try element(base), try BigNum(e, secret: true))
        return try r.bytes(padded: primeSize)
    }

    /// `DHGroup(rfc5114-2048-224)`: the group's name.
    public var description: String { "DHGroup(\(name))" }

    /// Equal when p, q and g are, whatever the names.
    public static func == (lhs: DHGroup, rhs: DHGroup) -> Bool {
        lhs.prime == rhs.prime && lhs.subgroupOrder == rhs.subgroupOrder && lhs.generator == rhs.generator
    }

    /// Hashes p, q and g, as `==` compares them.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(prime)
        hasher.combine(subgroupOrder)
        hasher.combine(generator)
    }

    // MARK: - Internals

    private init(prime: [UInt8], subgroupOrder: [UInt8], generator: [UInt8], name: String, parameterID: Int?) {
        self.prime = prime
        self.subgroupOrder = subgroupOrder
        self.generator = generator
        self.name = name
        self.parameterID = parameterID
    }

    private func replacingGenerator(_ g: [UInt8]) -> DHGroup {
        DHGroup(prime: prime, subgroupOrder: subgroupOrder, generator: g, name: name, parameterID: parameterID)
    }

    /// A private exponent: non-zero, at most `primeSize` bytes, marked secret.
    private func exponent(_ privateKey: [UInt8]) throws(EMRTDError) -> BigNum {
        let k = strippingLeadingZeros(privateKey)
        guard !k.isEmpty, k.count <= primeSize else {
            throw EMRTDError(.invalidPrivateKey, "a DH private key must be non-zero and at most \(primeSize) bytes")
        }
        return try BigNum(k, secret: true)
    }

    /// A group element operand: an integer in [1, p-1].
    private func element(_ bytes: [UInt8]) throws(EMRTDError) -> BigNum {
        let v = strippingLeadingZeros(bytes)
        guard !v.isEmpty, v.count <= primeSize else {
            throw EMRTDError(.invalidScalar, "a group element must be in [1, p-1]")
        }
        let x = try BigNum(v, secret: true)
        guard x.compare(try BigNum(prime)) < 0 else {
            throw EMRTDError(.invalidScalar, "a group element must be in [1, p-1]")
        }
        return x
    }

    /// RFC 5114, 2.1–2.3 (the same values OpenSSL 3 ships as dh_1024_160, dh_2048_224, dh_2048_256).
    private static let standardGroups: [Int: DHGroup] = {
        func group(_ id: Int, _ name: String, p: String, g: String, q: String) -> DHGroup {
            // Literals in this file: a malformed one is a programming error caught by every test run.
            let prime = try! Hex.decode(p)
            return DHGroup(
                prime: prime, subgroupOrder: try! Hex.decode(q), generator: leftPad(try! Hex.decode(g), prime.count),
                name: name, parameterID: id)
        }
        return [
            0: group(
                0, "rfc5114-1024-160",
                p: "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C0"
                    + "13ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCC"
                    + "C0A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371",
                g: "A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F5504F213"
                    + "160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F531DBF0A0169B6A2"
                    + "8AD662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5",
                q: "F518AA8781A8DF278ABA4E7D64B7CB9D49462353"),
            1: group(
                1, "rfc5114-2048-224",
                p: "AD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75E6FA141DF95A56DBAF9A3C407BA1DF15"
                    + "EB3D688A309C180E1DE6B85A1274A0A66D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B7AD5B7D0B6C122"
                    + "07C9F98D11ED34DBF6C6BA0B2C8BBC27BE6A00E0A0B9C49708B3BF8A317091883681286130BC8985DB1602E714415D"
                    + "9330278273C7DE31EFDC7310F7121FD5A07415987D9ADC0A486DCDF93ACC44328387315D75E198C641A480CD86A1B9"
                    + "E587E8BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF4BA80A29E3FB73C16B8E75B97EF363E2"
                    + "FFA31F71CF9DE5384E71B81C0AC4DFFE0C10E64F",
                g: "AC4032EF4F2D9AE39DF30B5C8FFDAC506CDEBE7B89998CAF74866A08CFE4FFE3A6824A4E10B9A6F0DD921F01A70C4AFA"
                    + "AB739D7700C29F52C57DB17C620A8652BE5E9001A8D66AD7C17669101999024AF4D027275AC1348BB8A762D0521BC9"
                    + "8AE247150422EA1ED409939D54DA7460CDB5F6C6B250717CBEF180EB34118E98D119529A45D6F834566E3025E316A3"
                    + "30EFBB77A86F0C1AB15B051AE3D428C8F8ACB70A8137150B8EEB10E183EDD19963DDD9E263E4770589EF6AA21E7F5F"
                    + "2FF381B539CCE3409D13CD566AFBB48D6C019181E1BCFE94B30269EDFE72FE9B6AA4BD7B5A0F1C71CFFF4C19C418E1"
                    + "F6EC017981BC087F2A7065B384B890D3191F2BFA",
                q: "801C0D34C58D93FE997177101F80535A4738CEBCBF389A99B36371EB"),
            2: group(
                2, "rfc5114-2048-256",
                p: "87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF4561B2AA30"
                    + "16C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF"
                    + "7B6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1CAA6B7902D5252673548"
                    + "8A0EF13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971"
                    + "506026C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103A4B54330C198AF126116D227"
                    + "6E11715F693877FAD7EF09CADB094AE91E1A1597",
                g: "3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA12510DBC15077BE463FFF4FED4AAC0BB555"
                    + "BE3A6C1B0C6B47B1BC3773BF7E8C6F62901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC14"
                    + "4B777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193B5045AF2767164E1DFC967C1FB3F"
                    + "2E55A4BD1BFFE83B9C80D052B985D182EA0ADB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557"
                    + "CD0915B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C32F63078490F00EF8D647D148"
                    + "D47954515E2327CFEF98C582664B4C0F6CC41659",
                q: "8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3"),
        ]
    }()
}
