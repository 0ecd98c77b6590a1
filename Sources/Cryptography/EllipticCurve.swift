// Elliptic-curve groups over prime fields, for PACE (ICAO Doc 9303 Part 11, 4.4; BSI TR-03110) on
// both sides: the terminal and a virtual chip.
//
// Points from the other side are untrusted: every one is checked (length, coordinates below p, on
// the curve, not the point at infinity, in the prime-order subgroup) before OpenSSL computes with
// it, and a failure throws. Every integer output is left-padded to the size of the field or of the
// group order, never shortened by leading zeros.

public import EMRTDCore
internal import CCCDOpenSSL

extension EMRTDError.Code {
    /// A point was malformed, not on the curve, or not in the prime-order subgroup.
    public static let ecInvalidPoint = Self("crypto.invalid-point")
    /// A computation gave the point at infinity (e.g. a scalar that is a multiple of the order).
    public static let ecPointAtInfinity = Self("crypto.point-at-infinity")
    /// The standardized domain parameter identifier or the curve name is not one this toolkit knows.
    public static let unknownDomainParameters = Self("crypto.unknown-domain-parameters")
    /// Explicit domain parameters do not describe a usable group.
    public static let invalidDomainParameters = Self("crypto.invalid-domain-parameters")
    /// A private key was zero or not below the group order.
    public static let invalidPrivateKey = Self("crypto.invalid-private-key")
    /// A scalar or group element given to modular arithmetic was out of range (e.g. inverting zero).
    public static let invalidScalar = Self("crypto.invalid-scalar")
}

/// An affine point of an elliptic curve over a prime field.
///
/// Points come only from an ``ECGroup`` (which checked them) or from its arithmetic. A point does
/// not remember its group: any group it is given to checks it again.
public struct ECPoint: Sendable, Hashable, CustomStringConvertible {
    /// The x-coordinate, big-endian, left-padded to the group's ``ECGroup/fieldSize``.
    public let x: [UInt8]
    /// The y-coordinate, big-endian, left-padded to the group's ``ECGroup/fieldSize``.
    public let y: [UInt8]

    init(x: [UInt8], y: [UInt8]) {
        self.x = x
        self.y = y
    }

    /// The uncompressed encoding `04 ‖ X ‖ Y` (SEC 1 2.3.3; BSI TR-03111 3.2.1), as PACE sends
    /// ephemeral public keys (Doc 9303 Part 11, 9.4.5).
    public var encoded: [UInt8] { [0x04] + x + y }

    /// The uncompressed encoding in hex, `04…`.
    public var description: String { encoded.hex }
}

/// Owns one `EC_GROUP`. It is never modified after it is built, and OpenSSL only reads a const
/// `EC_GROUP`, so sharing it between threads is safe.
final class ECGroupHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(taking pointer: OpaquePointer) { self.pointer = pointer }
    deinit { EC_GROUP_free(pointer) }
}

/// Owns one `EC_POINT`, cleared when freed (points such as PACE's H are secret).
final class ECPointHandle {
    let pointer: OpaquePointer

    init(_ group: ECGroupHandle) throws(EMRTDError) {
        guard let p = EC_POINT_new(group.pointer) else { throw OpenSSL.failure("EC_POINT_new") }
        pointer = p
    }

    deinit { EC_POINT_clear_free(pointer) }
}

/// Runs `body` and discards whatever OpenSSL queued meanwhile: for calls whose failure on untrusted
/// input is an expected answer that the caller turns into its own error.
func discardingOpenSSLErrors<T>(_ body: () -> T) -> T {
    ERR_set_mark()
    defer { ERR_pop_to_mark() }
    return body()
}

/// An elliptic-curve group `E(GF(p))`, `y² = x³ + ax + b`, with a generator of prime order.
///
/// The standardized groups of Doc 9303 Part 11, 9.5.1 (BSI TR-03110-3, A.2.1.1) are
/// ``standard(parameterID:)``; PACE replaces the generator by the mapped one with
/// ``withGenerator(_:)``, and everything that says "generator" (``multiplyGenerator(_:)``,
/// ``publicKey(_:)``) then uses the mapped generator.
///
/// Two groups are equal when their curve, generator, order and cofactor are; the name does not count.
public struct ECGroup: Sendable, Hashable, CustomStringConvertible {
    let handle: ECGroupHandle

    /// The curve's conventional name (`secp256r1`, `brainpoolP256r1`, …; `explicit` when unnamed).
    /// A group with a mapped generator keeps the name of its curve.
    public let name: String
    /// The standardized domain parameter identifier of the curve (8–18), if it has one. A group
    /// with a mapped generator keeps the identifier of its curve.
    public let parameterID: Int?
    /// The length of p in bytes: of each coordinate, of a shared secret.
    public let fieldSize: Int
    /// The length of the order n in bytes: of a private key, of chip authentication data.
    public let orderSize: Int
    /// The field prime p, big-endian, `fieldSize` bytes.
    public let prime: [UInt8]
    /// The coefficient a, `fieldSize` bytes.
    public let a: [UInt8]
    /// The coefficient b, `fieldSize` bytes.
    public let b: [UInt8]
    /// The prime order n of the generator, `orderSize` bytes.
    public let order: [UInt8]
    /// The cofactor h = #E / n, minimal big-endian (1 for every standardized curve).
    public let cofactor: [UInt8]
    /// The generator: the standard base point, or the mapped generator of a PACE run.
    public let generator: ECPoint

    // MARK: Construction

    /// The standardized domain parameters of Doc 9303 Part 11, 9.5.1 (BSI TR-03110-3, Table 4):
    /// 8 secp192r1, 9 brainpoolP192r1, 10 secp224r1, 11 brainpoolP224r1, 12 secp256r1,
    /// 13 brainpoolP256r1, 14 brainpoolP320r1, 15 secp384r1, 16 brainpoolP384r1,
    /// 17 brainpoolP512r1, 18 secp521r1. (0–2 are the MODP groups of ``DHGroup``.)
    public static func standard(parameterID: Int) throws(EMRTDError) -> ECGroup {
        if let cached = standardGroups[parameterID] { return cached }
        guard let curve = standardCurves.first(where: { $0.id == parameterID }) else {
            throw EMRTDError(
                .unknownDomainParameters,
                "standardized domain parameter \(parameterID) is not an elliptic curve (8-18 are)")
        }
        return try load(curve)
    }

    /// A standardized curve by name: `secp192r1`/`prime192v1`/`P-192`, `secp224r1`/`P-224`,
    /// `secp256r1`/`prime256v1`/`P-256`, `secp384r1`/`P-384`, `secp521r1`/`P-521`, and
    /// `brainpoolP192r1` … `brainpoolP512r1` (the `r1` curves of RFC 5639). Case is ignored.
    public static func named(_ name: String) throws(EMRTDError) -> ECGroup {
        let wanted = name.lowercased()
        guard let curve = standardCurves.first(where: { c in
            c.name.lowercased() == wanted || c.aliases.contains { $0.lowercased() == wanted }
        }) else {
            throw EMRTDError(.unknownDomainParameters, "unknown elliptic curve '\(name)'")
        }
        return try standard(parameterID: curve.id)
    }

    /// A group from explicit domain parameters (Doc 9303 Part 11, 9.5.2; as DG14 or a certificate
    /// may carry them), all big-endian: the prime p, the coefficients a and b, the generator
    /// encoded uncompressed (`04 ‖ X ‖ Y`), its order n and the cofactor h.
    ///
    /// The parameters are checked (p and n prime, a and b below p, non-singular curve, generator on
    /// the curve with n·G = ∞); a throw means they describe no usable group. Parameters that are
    /// those of a standardized curve give that curve, with its name and identifier.
    public static func explicit(
        prime: [UInt8], a: [UInt8], b: [UInt8], generator: [UInt8], order: [UInt8], cofactor: [UInt8]
    ) throws(EMRTDError) -> ECGroup {
        func invalid(_ why: String) -> EMRTDError { EMRTDError(.invalidDomainParameters, "explicit EC parameters: \(why)") }
        let ctx = try BNContext()
        let p = try BigNum(strippingLeadingZeros(prime))
        let aBN = try BigNum(a), bBN = try BigNum(b)
        let n = try BigNum(order), h = try BigNum(cofactor)
        guard p.bitCount >= 64, p.bitCount <= 1024, p.isOdd else {
            throw invalid("the prime has \(p.bitCount) bits (64 to 1024 odd are accepted)")
        }
        guard aBN.compare(p) < 0, bBN.compare(p) < 0 else { throw invalid("a or b is not below p") }
        guard !h.isZero, h.bitCount <= 64 else { throw invalid("the cofactor must be between 1 and 2^64") }
        guard n.bitCount >= 64, n.bitCount <= p.bitCount + 1 else { throw invalid("the order has \(n.bitCount) bits") }
        guard try p.isProbablePrime(ctx) else { throw invalid("p is not prime") }
        guard try n.isProbablePrime(ctx) else { throw invalid("the order is not prime") }

        guard let raw = discardingOpenSSLErrors({ EC_GROUP_new_curve_GFp(p.pointer, aBN.pointer, bBN.pointer, ctx.pointer) })
        else { throw invalid("OpenSSL rejected the curve") }
        let handle = ECGroupHandle(taking: raw)
        let fieldSize = p.byteCount
        guard generator.count == 1 + 2 * fieldSize, generator.first == 0x04 else {
            throw invalid("the generator must be encoded uncompressed in \(1 + 2 * fieldSize) bytes")
        }
        let g = try ECPointHandle(handle)
        let gx = try BigNum(Array(generator[1...fieldSize])), gy = try BigNum(Array(generator[(1 + fieldSize)...]))
        guard gx.compare(p) < 0, gy.compare(p) < 0 else { throw invalid("a generator coordinate is not below p") }
        let valid = discardingOpenSSLErrors {
            EC_POINT_set_affine_coordinates(handle.pointer, g.pointer, gx.pointer, gy.pointer, ctx.pointer) == 1
                && EC_POINT_is_on_curve(handle.pointer, g.pointer, ctx.pointer) == 1
                && EC_GROUP_set_generator(handle.pointer, g.pointer, n.pointer, h.pointer) == 1
                && EC_GROUP_check(handle.pointer, ctx.pointer) == 1
        }
        guard valid else { throw invalid("the generator is not on the curve, or its order is not n") }

        let group = try ECGroup(handle: handle, name: "explicit", parameterID: nil)
        for curve in standardCurves {
            if let known = try? standard(parameterID: curve.id), known == group { return known }
        }
        return group
    }

    /// The same curve, order and cofactor with generator `g`: the group PACE continues in after the
    /// mapping (Doc 9303 Part 11, 4.4.3.3). `g` is checked like any received point.
    public func withGenerator(_ g: ECPoint) throws(EMRTDError) -> ECGroup {
        let ctx = try BNContext()
        let point = try handle(for: g, ctx)
        guard let copy = EC_GROUP_dup(handle.pointer) else { throw OpenSSL.failure("EC_GROUP_dup") }
        let newHandle = ECGroupHandle(taking: copy)
        guard let n = EC_GROUP_get0_order(handle.pointer), let h = EC_GROUP_get0_cofactor(handle.pointer),
              EC_GROUP_set_generator(newHandle.pointer, point.pointer, n, h) == 1
        else { throw OpenSSL.failure("EC_GROUP_set_generator") }
        return try ECGroup(handle: newHandle, name: name, parameterID: parameterID)
    }

    // MARK: Points

    /// Decodes and checks an uncompressed point `04 ‖ X ‖ Y` received from the other side.
    ///
    /// Throws ``EMRTDError/Code/ecInvalidPoint`` for a wrong length or first byte (compressed and
    /// infinity encodings included), a coordinate not below p, a point not on the curve, or (for a
    /// cofactor other than 1) a point outside the prime-order subgroup.
    public func point(_ encoded: [UInt8]) throws(EMRTDError) -> ECPoint {
        guard let first = encoded.first else { throw EMRTDError(.ecInvalidPoint, "empty point encoding") }
        switch first {
        case 0x04: break
        case 0x00: throw EMRTDError(.ecInvalidPoint, "the point at infinity is not a valid public key")
        case 0x02, 0x03: throw EMRTDError(.ecInvalidPoint, "compressed points are not accepted, only uncompressed (04)")
        default: throw EMRTDError(.ecInvalidPoint, "unknown point encoding \(String(first, radix: 16))")
        }
        guard encoded.count == 1 + 2 * fieldSize else {
            throw EMRTDError(
                .ecInvalidPoint,
                "an uncompressed \(name) point has \(1 + 2 * fieldSize) bytes, got \(encoded.count)")
        }
        return try point(x: Array(encoded[1...fieldSize]), y: Array(encoded[(1 + fieldSize)...]))
    }

    /// The point with affine coordinates `x`, `y` (big-endian; shorter values are left-padded,
    /// longer ones must start with zeros), checked like ``point(_:)``.
    public func point(x: [UInt8], y: [UInt8]) throws(EMRTDError) -> ECPoint {
        let x = strippingLeadingZeros(x), y = strippingLeadingZeros(y)
        guard x.count <= fieldSize, y.count <= fieldSize else {
            throw EMRTDError(.ecInvalidPoint, "a coordinate is longer than the \(fieldSize)-byte field")
        }
        let candidate = ECPoint(x: leftPad(x, fieldSize), y: leftPad(y, fieldSize))
        _ = try handle(for: candidate, try BNContext())
        return candidate
    }

    // MARK: Arithmetic

    /// `scalar · p`. The scalar is any big-endian integer (it is reduced mod n); throws
    /// ``EMRTDError/Code/ecPointAtInfinity`` when the result is the point at infinity.
    public func multiply(_ p: ECPoint, _ scalar: [UInt8]) throws(EMRTDError) -> ECPoint {
        let ctx = try BNContext()
        let q = try handle(for: p, ctx)
        let k = try reducedScalar(scalar, ctx)
        let r = try ECPointHandle(handle)
        guard EC_POINT_mul(handle.pointer, r.pointer, nil, q.pointer, k.pointer, ctx.pointer) == 1 else {
            throw OpenSSL.failure("EC_POINT_mul")
        }
        return try affine(r, ctx)
    }

    /// `scalar · G` with this group's generator (the mapped one after ``withGenerator(_:)``).
    public func multiplyGenerator(_ scalar: [UInt8]) throws(EMRTDError) -> ECPoint {
        let ctx = try BNContext()
        let k = try reducedScalar(scalar, ctx)
        return try generatorMultiple(k, ctx)
    }

    /// `a + b`; throws ``EMRTDError/Code/ecPointAtInfinity`` when `b = -a`.
    public func add(_ a: ECPoint, _ b: ECPoint) throws(EMRTDError) -> ECPoint {
        let ctx = try BNContext()
        let p = try handle(for: a, ctx), q = try handle(for: b, ctx)
        let r = try ECPointHandle(handle)
        guard EC_POINT_add(handle.pointer, r.pointer, p.pointer, q.pointer, ctx.pointer) == 1 else {
            throw OpenSSL.failure("EC_POINT_add")
        }
        return try affine(r, ctx)
    }

    // MARK: Key agreement

    /// A private key uniform in [1, n-1] from OpenSSL's DRBG, left-padded to ``orderSize`` bytes.
    public func generatePrivateKey() throws(EMRTDError) -> [UInt8] {
        let nMinusOne = try orderNumber().minus(1)
        let k = try BigNum.random(below: nMinusOne).plus(1)
        return try k.bytes(padded: orderSize)
    }

    /// The public key `sk · G` with this group's generator, so on a mapped group it is PACE's
    /// ephemeral key. `privateKey` is big-endian in [1, n-1]; leading zero bytes are allowed.
    public func publicKey(_ privateKey: [UInt8]) throws(EMRTDError) -> ECPoint {
        let ctx = try BNContext()
        return try generatorMultiple(try privateScalar(privateKey), ctx)
    }

    /// ECDH (BSI TR-03111 ECKA-DH, as Doc 9303 Part 11, 9.6 uses it): the x-coordinate of
    /// `sk · peer`, left-padded to ``fieldSize`` bytes. `peer` is checked again.
    public func sharedSecret(_ privateKey: [UInt8], _ peer: ECPoint) throws(EMRTDError) -> [UInt8] {
        let ctx = try BNContext()
        let k = try privateScalar(privateKey)
        let q = try handle(for: peer, ctx)
        let r = try ECPointHandle(handle)
        guard EC_POINT_mul(handle.pointer, r.pointer, nil, q.pointer, k.pointer, ctx.pointer) == 1 else {
            throw OpenSSL.failure("EC_POINT_mul")
        }
        return try affine(r, ctx).x
    }

    // MARK: Scalars (Chip Authentication Mapping)

    /// `a · b mod n`, left-padded to ``orderSize`` bytes (CA_IC = SK_IC⁻¹ · SK_Map,IC, Doc 9303
    /// Part 11, 4.4.3.5.1).
    public func multiplyModOrder(_ a: [UInt8], _ b: [UInt8]) throws(EMRTDError) -> [UInt8] {
        let ctx = try BNContext()
        let mod = Modular(try orderNumber(), ctx)
        let x = try BigNum(a, secret: true), y = try BigNum(b, secret: true)
        return try mod.mul(x, y).bytes(padded: orderSize)
    }

    /// `a⁻¹ mod n`, left-padded to ``orderSize`` bytes; throws ``EMRTDError/Code/invalidScalar`` when
    /// `a ≡ 0 mod n`.
    public func inverseModOrder(_ a: [UInt8]) throws(EMRTDError) -> [UInt8] {
        let ctx = try BNContext()
        let mod = Modular(try orderNumber(), ctx)
        let x = try mod.reduce(try BigNum(a, secret: true))
        x.setConstantTime()
        guard !x.isZero, let inverse = try mod.inverse(x) else {
            throw EMRTDError(.invalidScalar, "zero has no inverse modulo the group order")
        }
        return try inverse.bytes(padded: orderSize)
    }

    /// `ECGroup(brainpoolP256r1)`: the curve's name.
    public var description: String { "ECGroup(\(name))" }

    /// Equal when the domain parameters (p, a, b, G, n, h) are, whatever the names.
    public static func == (lhs: ECGroup, rhs: ECGroup) -> Bool {
        lhs.prime == rhs.prime && lhs.a == rhs.a && lhs.b == rhs.b && lhs.generator == rhs.generator
            && lhs.order == rhs.order && lhs.cofactor == rhs.cofactor
    }

    /// Hashes the domain parameters, as `==` compares them.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(prime)
        hasher.combine(a)
        hasher.combine(b)
        hasher.combine(generator)
        hasher.combine(order)
        hasher.combine(cofactor)
    }

    // MARK: - Internals

    private init(handle: ECGroupHandle, name: String, parameterID: Int?) throws(EMRTDError) {
        let ctx = try BNContext()
        let p = try BigNum(), a = try BigNum(), b = try BigNum()
        guard EC_GROUP_get_field_type(handle.pointer) == NID_X9_62_prime_field else {
            throw EMRTDError(.invalidDomainParameters, "\(name) is not a curve over a prime field")
        }
        guard EC_GROUP_get_curve(handle.pointer, p.pointer, a.pointer, b.pointer, ctx.pointer) == 1 else {
            throw OpenSSL.failure("EC_GROUP_get_curve")
        }
        guard let n = EC_GROUP_get0_order(handle.pointer), let h = EC_GROUP_get0_cofactor(handle.pointer),
              let g = EC_GROUP_get0_generator(handle.pointer)
        else { throw EMRTDError(.invalidDomainParameters, "\(name) has no generator, order or cofactor") }
        let order = try BigNum(copying: n), cofactor = try BigNum(copying: h)
        guard !order.isZero, !cofactor.isZero else {
            throw EMRTDError(.invalidDomainParameters, "\(name) has a zero order or cofactor")
        }
        self.handle = handle
        self.name = name
        self.parameterID = parameterID
        self.fieldSize = p.byteCount
        self.orderSize = order.byteCount
        self.prime = try p.bytes(padded: fieldSize)
        self.a = try a.bytes(padded: fieldSize)
        self.b = try b.bytes(padded: fieldSize)
        self.order = try order.bytes(padded: orderSize)
        self.cofactor = try cofactor.minimalBytes()
        self.generator = try Self.affine(g, group: handle, fieldSize: p.byteCount, ctx)
    }

    private struct StandardCurve: Sendable {
        let id: Int
        let name: String
        let nid: Int32
        let aliases: [String]
    }

    private static let standardCurves: [StandardCurve] = [
        StandardCurve(id: 8, name: "secp192r1", nid: NID_X9_62_prime192v1, aliases: ["prime192v1", "P-192"]),
        StandardCurve(id: 9, name: "brainpoolP192r1", nid: NID_brainpoolP192r1, aliases: []),
        StandardCurve(id: 10, name: "secp224r1", nid: NID_secp224r1, aliases: ["P-224"]),
        StandardCurve(id: 11, name: "brainpoolP224r1", nid: NID_brainpoolP224r1, aliases: []),
        StandardCurve(id: 12, name: "secp256r1", nid: NID_X9_62_prime256v1, aliases: ["prime256v1", "P-256"]),
        StandardCurve(id: 13, name: "brainpoolP256r1", nid: NID_brainpoolP256r1, aliases: []),
        StandardCurve(id: 14, name: "brainpoolP320r1", nid: NID_brainpoolP320r1, aliases: []),
        StandardCurve(id: 15, name: "secp384r1", nid: NID_secp384r1, aliases: ["P-384"]),
        StandardCurve(id: 16, name: "brainpoolP384r1", nid: NID_brainpoolP384r1, aliases: []),
        StandardCurve(id: 17, name: "brainpoolP512r1", nid: NID_brainpoolP512r1, aliases: []),
        StandardCurve(id: 18, name: "secp521r1", nid: NID_secp521r1, aliases: ["P-521"]),
    ]

    /// Each standardized group built once (lazily, thread-safely, as every static `let`); a curve
    /// that failed to load is absent here and ``standard(parameterID:)`` retries it, throwing.
    private static let standardGroups: [Int: ECGroup] = {
        var out: [Int: ECGroup] = [:]
        for curve in standardCurves {
            if let group = try? load(curve) { out[curve.id] = group }
        }
        return out
    }()

    private static func load(_ curve: StandardCurve) throws(EMRTDError) -> ECGroup {
        ERR_clear_error()
        guard let raw = EC_GROUP_new_by_curve_name(curve.nid) else {
            throw OpenSSL.failure("EC_GROUP_new_by_curve_name(\(curve.name))")
        }
        return try ECGroup(handle: ECGroupHandle(taking: raw), name: curve.name, parameterID: curve.id)
    }

    /// A fresh copy of the order n.
    private func orderNumber() throws(EMRTDError) -> BigNum {
        guard let n = EC_GROUP_get0_order(handle.pointer) else { throw OpenSSL.failure("EC_GROUP_get0_order") }
        return try BigNum(copying: n)
    }

    /// `scalar mod n`, marked secret; throws when it is zero (the product would be the point at infinity).
    private func reducedScalar(_ scalar: [UInt8], _ ctx: BNContext) throws(EMRTDError) -> BigNum {
        let k = try Modular(try orderNumber(), ctx).reduce(try BigNum(scalar, secret: true))
        k.setConstantTime()
        guard !k.isZero else {
            throw EMRTDError(
                .ecPointAtInfinity, "the scalar is a multiple of the group order: the product is the point at infinity")
        }
        return k
    }

    /// A private key as a number, checked to be in [1, n-1].
    private func privateScalar(_ privateKey: [UInt8]) throws(EMRTDError) -> BigNum {
        let k = try BigNum(privateKey, secret: true)
        guard !k.isZero, k.compare(try orderNumber()) < 0 else {
            throw EMRTDError(.invalidPrivateKey, "an EC private key must be in [1, n-1] for \(name)")
        }
        return k
    }

    private func generatorMultiple(_ k: BigNum, _ ctx: BNContext) throws(EMRTDError) -> ECPoint {
        let r = try ECPointHandle(handle)
        guard EC_POINT_mul(handle.pointer, r.pointer, k.pointer, nil, nil, ctx.pointer) == 1 else {
            throw OpenSSL.failure("EC_POINT_mul")
        }
        return try affine(r, ctx)
    }

    /// The OpenSSL point for `p`, after every check ``point(_:)`` documents.
    func handle(for p: ECPoint, _ ctx: BNContext, subgroupCheck: Bool = true) throws(EMRTDError) -> ECPointHandle {
        guard p.x.count == fieldSize, p.y.count == fieldSize else {
            throw EMRTDError(
                .ecInvalidPoint, "the point's coordinates are not \(fieldSize) bytes: it is not a \(name) point")
        }
        let x = try BigNum(p.x), y = try BigNum(p.y), prime = try BigNum(self.prime)
        guard x.compare(prime) < 0, y.compare(prime) < 0 else {
            throw EMRTDError(.ecInvalidPoint, "a point coordinate is not below the field prime")
        }
        let point = try ECPointHandle(handle)
        let onCurve = discardingOpenSSLErrors {
            EC_POINT_set_affine_coordinates(handle.pointer, point.pointer, x.pointer, y.pointer, ctx.pointer) == 1
                && EC_POINT_is_on_curve(handle.pointer, point.pointer, ctx.pointer) == 1
        }
        guard onCurve else { throw EMRTDError(.ecInvalidPoint, "the point is not on \(name)") }
        guard EC_POINT_is_at_infinity(handle.pointer, point.pointer) == 0 else {
            throw EMRTDError(.ecInvalidPoint, "the point at infinity is not a valid point here")
        }
        if subgroupCheck, cofactor != [1] {
            // Outside the prime-order subgroup unless n·P = ∞ (small-subgroup points).
            let check = try ECPointHandle(handle)
            guard let n = EC_GROUP_get0_order(handle.pointer),
                  EC_POINT_mul(handle.pointer, check.pointer, nil, point.pointer, n, ctx.pointer) == 1
            else { throw OpenSSL.failure("EC_POINT_mul") }
            guard EC_POINT_is_at_infinity(handle.pointer, check.pointer) == 1 else {
                throw EMRTDError(.ecInvalidPoint, "the point is not in the prime-order subgroup of \(name)")
            }
        }
        return point
    }

    /// `[h] P` for a point `P` that is on the curve but possibly outside the prime-order subgroup
    /// (step 10 of the Integrated Mapping point encoding).
    func cofactorMultiple(ofCurvePoint p: ECPoint) throws(EMRTDError) -> ECPoint {
        let ctx = try BNContext()
        let q = try handle(for: p, ctx, subgroupCheck: false)
        let h = try BigNum(cofactor)
        let r = try ECPointHandle(handle)
        guard EC_POINT_mul(handle.pointer, r.pointer, nil, q.pointer, h.pointer, ctx.pointer) == 1 else {
            throw OpenSSL.failure("EC_POINT_mul")
        }
        return try affine(r, ctx)
    }

    private func affine(_ point: ECPointHandle, _ ctx: BNContext) throws(EMRTDError) -> ECPoint {
        try Self.affine(point.pointer, group: handle, fieldSize: fieldSize, ctx)
    }

    private static func affine(
        _ point: OpaquePointer, group: ECGroupHandle, fieldSize: Int, _ ctx: BNContext
    ) throws(EMRTDError) -> ECPoint {
        guard EC_POINT_is_at_infinity(group.pointer, point) == 0 else {
            throw EMRTDError(.ecPointAtInfinity, "the result is the point at infinity")
        }
        let x = try BigNum(), y = try BigNum()
        x.setConstantTime()
        y.setConstantTime()
        guard EC_POINT_get_affine_coordinates(group.pointer, point, x.pointer, y.pointer, ctx.pointer) == 1 else {
            throw OpenSSL.failure("EC_POINT_get_affine_coordinates")
        }
        return ECPoint(x: try x.bytes(padded: fieldSize), y: try y.bytes(padded: fieldSize))
    }
}

/// `bytes` left-padded with zeros to `length` (unchanged when already that long or longer).
func leftPad(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
    bytes.count >= length ? bytes : [UInt8](repeating: 0, count: length - bytes.count) + bytes
}
