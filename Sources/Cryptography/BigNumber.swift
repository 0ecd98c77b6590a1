// Owned OpenSSL BIGNUMs and modular arithmetic, for the group code of PACE (EllipticCurve.swift,
// FiniteFieldDH.swift, IntegratedMapping.swift). Nothing here is public: callers see byte arrays.
//
// Every BIGNUM is owned by one `BigNum` whose deinit clears and frees it (values are often secret:
// private keys, nonces, shared secrets). Every failed call throws an `EMRTDError` with OpenSSL's text.

internal import CCCDOpenSSL
import EMRTDCore

/// The largest integer (in bytes) any group operation accepts; far above every real parameter
/// (8 KiB = 65536 bits), it only keeps absurd inputs from costing absurd time.
let maximumIntegerBytes = 8192

/// One owned `BIGNUM`.
final class BigNum {
    /// The owned `BIGNUM`. Pass it to OpenSSL only from a named constant or a parameter: Swift may
    /// free a temporary (`f().pointer`) as soon as the pointer is read, before the C call runs.
    let pointer: OpaquePointer

    /// Zero.
    init() throws(EMRTDError) {
        guard let p = BN_new() else { throw OpenSSL.failure("BN_new") }
        pointer = p
    }

    /// Takes ownership of a `BIGNUM` returned by OpenSSL.
    init(taking pointer: OpaquePointer) { self.pointer = pointer }

    /// The unsigned big-endian integer `bytes` (leading zeros allowed, empty is zero).
    convenience init(_ bytes: [UInt8], secret: Bool = false) throws(EMRTDError) {
        guard bytes.count <= maximumIntegerBytes else {
            throw EMRTDError(
                .invalidArgument, "integer of \(bytes.count) bytes is too long (at most \(maximumIntegerBytes))")
        }
        try self.init()
        let ok = bytes.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), pointer) != nil }
        guard ok else { throw OpenSSL.failure("BN_bin2bn") }
        if secret { setConstantTime() }
    }

    /// The secret unsigned big-endian integer `secret`, read in place (constant-time operations).
    convenience init(secret: SecretBytes) throws(EMRTDError) {
        guard secret.count <= maximumIntegerBytes else {
            throw EMRTDError(.invalidArgument, "integer of \(secret.count) bytes is too long (at most \(maximumIntegerBytes))")
        }
        try self.init()
        let ok = secret.withUnsafeBytes { s in
            BN_bin2bn(s.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(s.count), pointer) != nil
        }
        guard ok else { throw OpenSSL.failure("BN_bin2bn") }
        setConstantTime()
    }

    /// A small non-negative integer.
    convenience init(word: UInt) throws(EMRTDError) {
        try self.init()
        guard BN_set_word(pointer, word) == 1 else { throw OpenSSL.failure("BN_set_word") }
    }

    /// An independent copy of a `BIGNUM` OpenSSL owns (e.g. `EC_GROUP_get0_order`).
    convenience init(copying other: OpaquePointer) throws(EMRTDError) {
        guard let p = BN_dup(other) else { throw OpenSSL.failure("BN_dup") }
        self.init(taking: p)
    }

    deinit { BN_clear_free(pointer) }

    /// Marks the value secret: exponentiations and inversions with it take the constant-time paths.
    func setConstantTime() { BN_set_flags(pointer, BN_FLG_CONSTTIME) }

    var bitCount: Int { Int(BN_num_bits(pointer)) }
    var byteCount: Int { (bitCount + 7) / 8 }
    var isZero: Bool { BN_is_zero(pointer) == 1 }
    var isOne: Bool { BN_is_one(pointer) == 1 }
    var isOdd: Bool { BN_is_odd(pointer) == 1 }

    /// -1, 0 or 1 as `self` is less than, equal to or greater than `other`.
    func compare(_ other: BigNum) -> Int { Int(BN_cmp(pointer, other.pointer)) }

    /// Big-endian bytes left-padded with zeros to exactly `length`; throws if the value needs more.
    func bytes(padded length: Int) throws(EMRTDError) -> [UInt8] {
        guard length >= byteCount else {
            throw EMRTDError(.cryptoFailure, "a \(byteCount)-byte integer does not fit in \(length) bytes")
        }
        if length == 0 { return [] }
        var out = [UInt8](repeating: 0, count: length)
        let written = out.withUnsafeMutableBufferPointer { BN_bn2binpad(pointer, $0.baseAddress, Int32(length)) }
        guard Int(written) == length else { throw OpenSSL.failure("BN_bn2binpad") }
        return out
    }

    /// Minimal big-endian bytes (zero is one zero byte).
    func minimalBytes() throws(EMRTDError) -> [UInt8] { try bytes(padded: max(byteCount, 1)) }

    /// `self - word` as a new number (`self` must be at least `word`).
    func minus(_ word: UInt) throws(EMRTDError) -> BigNum {
        let r = try BigNum(copying: pointer)
        guard BN_sub_word(r.pointer, word) == 1 else { throw OpenSSL.failure("BN_sub_word") }
        return r
    }

    /// `self + word` as a new number.
    func plus(_ word: UInt) throws(EMRTDError) -> BigNum {
        let r = try BigNum(copying: pointer)
        guard BN_add_word(r.pointer, word) == 1 else { throw OpenSSL.failure("BN_add_word") }
        return r
    }

    /// True when the value is prime (OpenSSL's Miller-Rabin with its default number of rounds).
    func isProbablePrime(_ ctx: BNContext) throws(EMRTDError) -> Bool {
        let r = BN_check_prime(pointer, ctx.pointer, nil)
        guard r >= 0 else { throw OpenSSL.failure("BN_check_prime") }
        return r == 1
    }

    /// A uniformly random value in [0, range), from OpenSSL's private DRBG.
    static func random(below range: BigNum) throws(EMRTDError) -> BigNum {
        let r = try BigNum()
        r.setConstantTime()
        guard BN_priv_rand_range(r.pointer, range.pointer) == 1 else { throw OpenSSL.failure("BN_priv_rand_range") }
        return r
    }
}

/// One owned `BN_CTX` (scratch space for BIGNUM arithmetic); one per operation, never shared.
final class BNContext {
    let pointer: OpaquePointer

    init() throws(EMRTDError) {
        guard let p = BN_CTX_secure_new() else { throw OpenSSL.failure("BN_CTX_secure_new") }
        pointer = p
    }

    deinit { BN_CTX_free(pointer) }
}

/// Arithmetic modulo one number; each result is a new `BigNum` in [0, modulus).
struct Modular {
    let modulus: BigNum
    let ctx: BNContext

    init(_ modulus: BigNum, _ ctx: BNContext) {
        self.modulus = modulus
        self.ctx = ctx
    }

    func reduce(_ a: BigNum) throws(EMRTDError) -> BigNum {
        let r = try BigNum()
        guard BN_nnmod(r.pointer, a.pointer, modulus.pointer, ctx.pointer) == 1 else { throw OpenSSL.failure("BN_nnmod") }
        return r
    }

    func add(_ a: BigNum, _ b: BigNum) throws(EMRTDError) -> BigNum {
        let r = try BigNum()
        guard BN_mod_add(r.pointer, a.pointer, b.pointer, modulus.pointer, ctx.pointer) == 1 else {
            throw OpenSSL.failure("BN_mod_add")
        }
        return r
    }

    func sub(_ a: BigNum, _ b: BigNum) throws(EMRTDError) -> BigNum {
        let r = try BigNum()
        guard BN_mod_sub(r.pointer, a.pointer, b.pointer, modulus.pointer, ctx.pointer) == 1 else {
            throw OpenSSL.failure("BN_mod_sub")
        }
        return r
    }

    func mul(_ a: BigNum, _ b: BigNum) throws(EMRTDError) -> BigNum {
        let r = try BigNum()
        guard BN_mod_mul(r.pointer, a.pointer, b.pointer, modulus.pointer, ctx.pointer) == 1 else {
            throw OpenSSL.failure("BN_mod_mul")
        }
        return r
    }

    func square(_ a: BigNum) throws(EMRTDError) -> BigNum {
        let r = try BigNum()
        guard BN_mod_sqr(r.pointer, a.pointer, modulus.pointer, ctx.pointer) == 1 else {
            throw OpenSSL.failure("BN_mod_sqr")
        }
        return r
    }

    func negate(_ a: BigNum) throws(EMRTDError) -> BigNum { try sub(try BigNum(), a) }

    /// `base^exponent mod modulus`. Constant-time when either operand is marked secret (the
    /// modulus must then be odd, as every prime and group order here is).
    func power(_ base: BigNum, _ exponent: BigNum) throws(EMRTDError) -> BigNum {
        let r = try BigNum()
        guard BN_mod_exp(r.pointer, base.pointer, exponent.pointer, modulus.pointer, ctx.pointer) == 1 else {
            throw OpenSSL.failure("BN_mod_exp")
        }
        return r
    }

    /// The multiplicative inverse, or nil when there is none (`a` ≡ 0 or not coprime to the modulus).
    func inverse(_ a: BigNum) throws(EMRTDError) -> BigNum? {
        let r = try BigNum()
        ERR_set_mark()
        guard BN_mod_inverse(r.pointer, a.pointer, modulus.pointer, ctx.pointer) != nil else {
            // "no inverse" is an answer, not a failure: drop what OpenSSL queued for it.
            ERR_pop_to_mark()
            return nil
        }
        ERR_clear_last_mark()
        return r
    }
}

/// `bytes` without its leading zero bytes.
func strippingLeadingZeros(_ bytes: [UInt8]) -> [UInt8] {
    guard let first = bytes.firstIndex(where: { $0 != 0 }) else { return [] }
    return first == 0 ? bytes : Array(bytes[first...])
}
