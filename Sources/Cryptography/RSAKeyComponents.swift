// RSA keys as integers: what a personalization terminal sends to a Java Card passport applet
// (PUT DATA with the modulus and the private exponent), and how the chip side turns them back
// into a complete key.

public import EMRTDCore
internal import CCCDOpenSSL

extension PublicKey {
    /// For an RSA key, the modulus n and the public exponent e (big-endian, minimal); nil otherwise.
    public var rsaComponents: (modulus: [UInt8], publicExponent: [UInt8])? {
        guard case .rsa = kind else { return nil }
        guard let n = bigNumParameter(key, "n"), let e = bigNumParameter(key, "e"),
              let modulus = try? n.minimalBytes(), let exponent = try? e.minimalBytes()
        else { return nil }
        return (modulus, exponent)
    }
}

extension PrivateKey {
    /// For an RSA key, the modulus n and the private exponent d (big-endian, minimal); nil for
    /// other keys. Secret.
    public var rsaPrivateComponents: (modulus: [UInt8], privateExponent: [UInt8])? {
        guard case .rsa = publicKey.kind else { return nil }
        guard let n = bigNumParameter(key, "n"), let d = bigNumParameter(key, "d") else { return nil }
        d.setConstantTime()
        guard let modulus = try? n.minimalBytes(), let exponent = try? d.minimalBytes() else { return nil }
        return (modulus, exponent)
    }

    /// The RSA key with modulus `n`, public exponent `e` and private exponent `d`.
    ///
    /// The primes are recovered from (n, e, d) by the method of NIST SP 800-56B Rev. 2, Appendix
    /// C.2 (a random base whose square roots of 1 modulo n reveal a factor), so the key gets its
    /// CRT form and a PKCS #8 encoding. Throws ``EMRTDError/Code/invalidKey`` when the three
    /// integers are not an RSA key (no factor found, or p·q ≠ n).
    public init(rsaModulus n: [UInt8], publicExponent e: [UInt8], privateExponent d: [UInt8]) throws(EMRTDError) {
        try self.init(rsaModulus: n, publicExponent: e, privateExponent: SecretBytes(d))
    }

    /// The RSA key with modulus `n`, public exponent `e` and the private exponent `d` held in
    /// wipeable storage (as a personalization command delivered it).
    public init(rsaModulus n: [UInt8], publicExponent e: [UInt8], privateExponent d: SecretBytes) throws(EMRTDError) {
        func invalid(_ why: String) -> EMRTDError { EMRTDError(.invalidKey, "not an RSA private key: \(why)") }
        let modulus = try BigNum(n), publicExponent = try BigNum(e), privateExponent = try BigNum(secret: d)
        guard modulus.bitCount >= 512, modulus.isOdd else { throw invalid("the modulus is even or under 512 bits") }
        guard !publicExponent.isZero, publicExponent.compare(modulus) < 0, !privateExponent.isZero,
              privateExponent.compare(modulus) < 0
        else { throw invalid("an exponent is zero or not below the modulus") }
        let ctx = try BNContext()
        guard let (p, q) = try Self.factor(modulus, publicExponent, privateExponent, ctx) else {
            throw invalid("the exponents do not match the modulus")
        }
        // CRT parameters: dP = d mod (p-1), dQ = d mod (q-1), qInv = q^-1 mod p.
        let dP = try BigNum(), dQ = try BigNum()
        let pMinus1 = try p.minus(1), qMinus1 = try q.minus(1)
        guard BN_nnmod(dP.pointer, privateExponent.pointer, pMinus1.pointer, ctx.pointer) == 1,
              BN_nnmod(dQ.pointer, privateExponent.pointer, qMinus1.pointer, ctx.pointer) == 1
        else { throw OpenSSL.failure("BN_nnmod") }
        guard let qInv = try Modular(p, ctx).inverse(q) else { throw invalid("q has no inverse modulo p") }

        ERR_clear_error()
        guard let pkey = cccd_rsa_from_integers(
            modulus.pointer, publicExponent.pointer, privateExponent.pointer, p.pointer, q.pointer, dP.pointer,
            dQ.pointer, qInv.pointer)
        else { throw OpenSSL.failure("EVP_PKEY_fromdata(RSA)") }
        withExtendedLifetime((modulus, publicExponent, privateExponent, p, q, dP, dQ, qInv)) {}
        try self.init(EVPKey(taking: pkey))
    }

    /// p and q with p·q = n from e·d ≡ 1 (mod λ(n)); nil when 100 random bases find no factor,
    /// which for a real key happens with probability below 2^-100.
    private static func factor(
        _ n: BigNum, _ e: BigNum, _ d: BigNum, _ ctx: BNContext
    ) throws(EMRTDError) -> (BigNum, BigNum)? {
        // k = d·e − 1 = 2^s · t with t odd.
        let k = try BigNum()
        guard BN_mul(k.pointer, d.pointer, e.pointer, ctx.pointer) == 1 else { throw OpenSSL.failure("BN_mul") }
        let kMinus1 = try k.minus(1)
        guard !kMinus1.isZero, !kMinus1.isOdd else { return nil }
        var s = 0
        while !BN_is_bit_set(kMinus1.pointer, Int32(s)).boolValue { s += 1 }
        let t = try BigNum()
        guard BN_rshift(t.pointer, kMinus1.pointer, Int32(s)) == 1 else { throw OpenSSL.failure("BN_rshift") }
        let modN = Modular(n, ctx)
        let nMinus1 = try n.minus(1)
        let range = try n.minus(3)
        for _ in 0..<100 {
            let g = try BigNum.random(below: range).plus(2)  // g in [2, n-2]
            var x = try modN.power(g, t)
            if x.isOne || x.compare(nMinus1) == 0 { continue }
            for _ in 0..<s {
                let y = try modN.square(x)
                if y.isOne {
                    // x is a square root of 1 other than ±1: gcd(x − 1, n) is a factor.
                    let p = try BigNum()
                    let xMinus1 = try x.minus(1)
                    guard BN_gcd(p.pointer, xMinus1.pointer, n.pointer, ctx.pointer) == 1 else { throw OpenSSL.failure("BN_gcd") }
                    let q = try BigNum(), remainder = try BigNum()
                    guard BN_div(q.pointer, remainder.pointer, n.pointer, p.pointer, ctx.pointer) == 1 else {
                        throw OpenSSL.failure("BN_div")
                    }
                    guard remainder.isZero, !p.isOne, !q.isOne else { return nil }
                    return p.compare(q) > 0 ? (p, q) : (q, p)
                }
                if y.compare(nMinus1) == 0 { break }
                x = y
            }
        }
        return nil
    }
}

/// A BIGNUM parameter of a key (`n`, `e`, `d`, …), or nil when the key has none.
private func bigNumParameter(_ key: EVPKey, _ name: String) -> BigNum? {
    var bn: OpaquePointer? = nil
    let ok = discardingOpenSSLErrors { EVP_PKEY_get_bn_param(key.pointer, name, &bn) == 1 }
    guard ok, let bn else { return nil }
    return BigNum(taking: bn)
}

extension Int32 {
    fileprivate var boolValue: Bool { self != 0 }
}
