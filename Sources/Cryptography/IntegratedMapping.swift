// PACE Integrated Mapping (ICAO Doc 9303 Part 11, 4.4.3.3.2 and Appendix B; worked examples in
// Appendix H): the chip's nonce s and the terminal's nonce t are turned into a field element by the
// block-cipher based pseudo-random function Rp(s, t), and that element into the new generator.
//
//   R(s, t):  k0 = E(t, s);  for i = 0 … n-1:  x(i+1) = E(k(i), c1),  k(i+1) = E(k(i), c0)
//             (every k truncated to the key length), output x1 ‖ … ‖ xn, where E is the PACE
//             cipher in CBC mode with a zero IV and n is the least integer with n·l ≥ log2 p + 64.
//   Rp(s, t) = int(R(s, t)) mod p.
//   ECDH:  G~ = f_G(Rp(s, t)), the point encoding of Brier, Coron, Icart, Madore, Randriam and
//          Tibouchi (CRYPTO 2010), in the affine form of Doc 9303 Part 11, B.2 (needs p ≡ 3 mod 4).
//   DH:    g~ = Rp(s, t)^((p-1)/q) mod p, which must not be 1.

public import EMRTDCore
internal import CCCDOpenSSL

extension EMRTDError.Code {
    /// Integrated Mapping cannot map into this group, or the mapping gave a degenerate element.
    public static let mappingFailed = Self("crypto.mapping-failed")
}

/// The Integrated Mapping of PACE (Doc 9303 Part 11, 4.4.3.3.2), for the terminal and the chip alike.
///
/// Nonce lengths (Doc 9303 Part 11, 4.4.3.3): t has the key length k of the cipher (16 bytes for
/// 3DES and AES-128, 24 for AES-192, 32 for AES-256); s has l bits, the least multiple of the block
/// size with l ≥ k (16 bytes for 3DES and AES-128, 32 for AES-192 and AES-256).
public enum IntegratedMapping {
    /// The raw pseudo-random output `R(s, t) = x1 ‖ … ‖ xn` for a modulus of `modulusBits` bits,
    /// `n · l / 8` bytes (before the reduction mod p).
    public static func pseudoRandom(
        s: [UInt8], t: [UInt8], cipher: KeyDerivation.Cipher, modulusBits: Int
    ) throws(EMRTDError) -> [UInt8] {
        guard modulusBits > 0, modulusBits <= maximumIntegerBytes * 8 else {
            throw EMRTDError(.invalidArgument, "a \(modulusBits)-bit modulus is out of range")
        }
        let p = Parameters(cipher)
        guard t.count == cipher.keyLength else {
            throw EMRTDError(
                .invalidInputLength, "the Integrated Mapping nonce t must be \(cipher.keyLength) bytes, got \(t.count)")
        }
        guard s.count == p.l / 8 else {
            throw EMRTDError(
                .invalidInputLength, "the Integrated Mapping nonce s must be \(p.l / 8) bytes, got \(s.count)")
        }
        let n = (modulusBits + 64 + p.l - 1) / p.l
        var key = Array(try p.encrypt(key: t, s).prefix(cipher.keyLength))
        var out: [UInt8] = []
        out.reserveCapacity(n * p.l / 8)
        for _ in 0..<n {
            out += try p.encrypt(key: key, p.c1)
            key = Array(try p.encrypt(key: key, p.c0).prefix(cipher.keyLength))
        }
        return out
    }

    /// `Rp(s, t) = R(s, t) mod p`, left-padded to the length of `prime` (big-endian).
    public static func fieldElement(
        s: [UInt8], t: [UInt8], cipher: KeyDerivation.Cipher, prime: [UInt8]
    ) throws(EMRTDError) -> [UInt8] {
        let ctx = try BNContext()
        let p = try BigNum(strippingLeadingZeros(prime))
        guard p.bitCount > 1 else { throw EMRTDError(.invalidArgument, "the modulus must be at least 2") }
        let r = try BigNum(try pseudoRandom(s: s, t: t, cipher: cipher, modulusBits: p.bitCount), secret: true)
        return try Modular(p, ctx).reduce(r).bytes(padded: p.byteCount)
    }

    /// The point encoding `f_G(t)` of Doc 9303 Part 11, B.2 (affine coordinates): maps a field
    /// element `0 < t < p` (big-endian) to a point of the prime-order subgroup, multiplied by the
    /// cofactor. Requires p ≡ 3 mod 4 (true of every standardized curve but secp224r1); throws
    /// ``EMRTDError/Code/mappingFailed`` otherwise or when `t` is out of range.
    public static func encodePoint(_ fieldElement: [UInt8], ecGroup group: ECGroup) throws(EMRTDError) -> ECPoint {
        let ctx = try BNContext()
        let pBN = try BigNum(group.prime)
        let f = Modular(pBN, ctx)
        guard try Modular(try BigNum(word: 4), ctx).reduce(pBN).compare(try BigNum(word: 3)) == 0 else {
            throw EMRTDError(
                .mappingFailed,
                "the Integrated Mapping point encoding needs p ≡ 3 (mod 4), which \(group.name) does not satisfy")
        }
        let t = try BigNum(fieldElement, secret: true)
        guard !t.isZero, t.compare(pBN) < 0 else {
            throw EMRTDError(.mappingFailed, "the field element to encode must be in (0, p)")
        }
        let a = try BigNum(group.a), b = try BigNum(group.b)
        let one = try BigNum(word: 1)

        // 1. α = -t² mod p
        let alpha = try f.negate(try f.square(t))
        // 2. X2 = -b · a⁻¹ · (1 + (α + α²)⁻¹) = -b · (1 + α + α²) · (a · (α + α²))⁻¹ mod p
        let alphaPlusSquare = try f.add(alpha, try f.square(alpha))
        guard let denominator = try f.inverse(try f.mul(a, alphaPlusSquare)) else {
            throw EMRTDError(.mappingFailed, "the point encoding is undefined for this field element (a·(α+α²) = 0)")
        }
        let x2 = try f.mul(try f.mul(try f.negate(b), try f.add(one, alphaPlusSquare)), denominator)
        // 3. X3 = α · X2 mod p
        let x3 = try f.mul(alpha, x2)
        // 4. h2 = X2³ + a · X2 + b mod p
        let h2 = try f.add(try f.add(try f.mul(try f.square(x2), x2), try f.mul(a, x2)), b)
        // 6. U = t³ · h2 mod p  (step 5, h3, is not needed for the affine output)
        let u = try f.mul(try f.mul(try f.square(t), t), h2)
        // 7. A = h2^(p - 1 - (p + 1)/4) mod p
        // (Every BigNum handed to OpenSSL is a named constant: a temporary could be freed before the call.)
        let pPlusOne = try pBN.plus(1), pMinusOne = try pBN.minus(1)
        let quarter = try BigNum(), exponent = try BigNum()
        guard BN_rshift(quarter.pointer, pPlusOne.pointer, 2) == 1 else { throw OpenSSL.failure("BN_rshift") }
        guard BN_sub(exponent.pointer, pMinusOne.pointer, quarter.pointer) == 1 else { throw OpenSSL.failure("BN_sub") }
        let aa = try f.power(h2, exponent)
        // 8./9. (x, y) = (X2, A · h2) if A² · h2 = 1, else (X3, A · U)
        let x: BigNum, y: BigNum
        if try f.mul(try f.square(aa), h2).isOne {
            x = x2
            y = try f.mul(aa, h2)
        } else {
            x = x3
            y = try f.mul(aa, u)
        }
        let encoded = ECPoint(x: try x.bytes(padded: group.fieldSize), y: try y.bytes(padded: group.fieldSize))
        // 10. [f](x, y): into the prime-order subgroup. (With f = 1 the point is only checked.)
        if group.cofactor == [1] { return try group.point(x: encoded.x, y: encoded.y) }
        do {
            return try group.cofactorMultiple(ofCurvePoint: encoded)
        } catch where error.code == .ecPointAtInfinity {
            throw EMRTDError(.mappingFailed, "the encoded point has small order: [f]P is the point at infinity")
        }
    }

    /// The mapped generator `G~ = f_G(Rp(s, t))` for ECDH (Doc 9303 Part 11, 4.4.3.3.2); pass it to
    /// ``ECGroup/withGenerator(_:)``.
    public static func map(
        s: [UInt8], t: [UInt8], cipher: KeyDerivation.Cipher, ecGroup group: ECGroup
    ) throws(EMRTDError) -> ECPoint {
        let element = try fieldElement(s: s, t: t, cipher: cipher, prime: group.prime)
        return try encodePoint(element, ecGroup: group)
    }

    /// The mapped generator `g~ = Rp(s, t)^((p-1)/q) mod p` for DH (Doc 9303 Part 11, 4.4.3.3.2),
    /// left-padded to the length of p; throws ``EMRTDError/Code/mappingFailed`` when it is 1. Pass
    /// it to ``DHGroup/withGenerator(_:)``.
    public static func map(
        s: [UInt8], t: [UInt8], cipher: KeyDerivation.Cipher, dhGroup group: DHGroup
    ) throws(EMRTDError) -> [UInt8] {
        let element = try fieldElement(s: s, t: t, cipher: cipher, prime: group.prime)
        let ctx = try BNContext()
        let p = try BigNum(group.prime), q = try BigNum(group.subgroupOrder)
        let pMinusOne = try p.minus(1), cofactor = try BigNum(), remainder = try BigNum()
        guard BN_div(cofactor.pointer, remainder.pointer, pMinusOne.pointer, q.pointer, ctx.pointer) == 1 else {
            throw OpenSSL.failure("BN_div")
        }
        let g = try Modular(p, ctx).power(try BigNum(element, secret: true), cofactor)
        guard !g.isZero, !g.isOne else {
            throw EMRTDError(.mappingFailed, "the Integrated Mapping gave the degenerate generator \(g.isOne ? 1 : 0)")
        }
        return try g.bytes(padded: group.primeSize)
    }

    // MARK: - Internals

    /// The block cipher, block length l and constants c0, c1 of Rp for one PACE cipher.
    private struct Parameters {
        let cipher: KeyDerivation.Cipher
        /// Bits of s, of each output block x_i and of the constants.
        let l: Int
        let c0: [UInt8]
        let c1: [UInt8]

        init(_ cipher: KeyDerivation.Cipher) {
            self.cipher = cipher
            switch cipher {
            case .tripleDES, .aes128:
                // "In case of DES, k is considered to be equal to 128 bits" (4.4.3.3.2).
                l = 128
                c0 = [0xA6, 0x68, 0x89, 0x2A, 0x7C, 0x41, 0xE3, 0xCA, 0x73, 0x9F, 0x40, 0xB0, 0x57, 0xD8, 0x59, 0x04]
                c1 = [0xA4, 0xE1, 0x36, 0xAC, 0x72, 0x5F, 0x73, 0x8B, 0x01, 0xC1, 0xF6, 0x02, 0x17, 0xC1, 0x88, 0xAD]
            case .aes192, .aes256:
                l = 256
                c0 = [
                    0xD4, 0x63, 0xD6, 0x52, 0x34, 0x12, 0x4E, 0xF7, 0x89, 0x70, 0x54, 0x98, 0x6D, 0xCA, 0x0A, 0x17,
                    0x4E, 0x28, 0xDF, 0x75, 0x8C, 0xBA, 0xA0, 0x3F, 0x24, 0x06, 0x16, 0x41, 0x4D, 0x5A, 0x16, 0x76,
                ]
                c1 = [
                    0x54, 0xBD, 0x72, 0x55, 0xF0, 0xAA, 0xF8, 0x31, 0xBE, 0xC3, 0x42, 0x3F, 0xCF, 0x39, 0xD6, 0x9B,
                    0x6C, 0xBF, 0x06, 0x66, 0x77, 0xD0, 0xFA, 0xAE, 0x5A, 0xAD, 0xD9, 0x9D, 0xF8, 0xE5, 0x35, 0x17,
                ]
            }
        }

        /// E(key, data) in CBC mode with a zero IV, no padding (data is whole blocks).
        func encrypt(key: [UInt8], _ data: [UInt8]) throws(EMRTDError) -> [UInt8] {
            switch cipher {
            case .tripleDES: try LegacyCiphers.TripleDES.encryptCBC(key: key, data)
            case .aes128, .aes192, .aes256: try AESCipher.encryptCBC(key: key, iv: [UInt8](repeating: 0, count: 16), data)
            }
        }
    }
}
