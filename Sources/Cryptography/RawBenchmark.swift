internal import CCCDOpenSSL
import Dispatch
public import EMRTDCore

extension ECGroup {
    /// Mean seconds of one bare `EC_POINT_mul` (a variable point times a full-size scalar) on OpenSSL
    /// objects built once beforehand: the floor a protocol's elliptic-curve cost is compared with
    /// (`cccd bench`). Nothing is converted or checked inside the timed loop.
    public func measureRawScalarMultiplication(iterations: Int) throws(EMRTDError) -> Double {
        let ctx = try BNContext()
        let scalar = try BigNum(generatePrivateKey(), secret: true)
        let point = try handle(for: generator, ctx)
        let result = try ECPointHandle(handle)
        let n = max(iterations, 1)
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<n {
            guard EC_POINT_mul(handle.pointer, result.pointer, nil, point.pointer, scalar.pointer, ctx.pointer) == 1 else {
                throw OpenSSL.failure("EC_POINT_mul")
            }
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(n)
    }
}

/// The floor a cipher call is compared with (`cccd bench`): one OpenSSL context, made and keyed once,
/// then per operation only the IV reset and the bytes run through (`EVP_CipherInit_ex2` with no
/// cipher and no key, `EVP_CipherUpdate`, `EVP_CipherFinal_ex`), padding off.
public enum RawCipher {
    /// Mean seconds to encrypt `bytes` bytes (a multiple of the block size) with the named OpenSSL
    /// cipher (`DES-EDE-CBC`, `AES-128-CBC` …) over `iterations` operations.
    public static func measure(_ name: String, key: [UInt8], iv: [UInt8], bytes: Int, iterations: Int) throws(EMRTDError) -> Double {
        ERR_clear_error()
        guard let cipher = EVP_CIPHER_fetch(nil, name, nil) else { throw OpenSSL.failure("EVP_CIPHER_fetch(\(name))") }
        defer { EVP_CIPHER_free(cipher) }
        guard Int(EVP_CIPHER_get_key_length(cipher)) == key.count, Int(EVP_CIPHER_get_iv_length(cipher)) == iv.count,
              bytes % Int(EVP_CIPHER_get_block_size(cipher)) == 0
        else { throw EMRTDError(.invalidArgument, "\(name) does not take a \(key.count)-byte key, a \(iv.count)-byte IV and \(bytes) bytes") }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw OpenSSL.failure("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        guard EVP_CipherInit_ex2(ctx, cipher, key, iv, 1, nil) == 1, EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 else {
            throw OpenSSL.failure("EVP_CipherInit_ex2(\(name))")
        }
        let input = [UInt8](repeating: 0x5A, count: bytes)
        var output = [UInt8](repeating: 0, count: bytes + 32)
        let n = max(iterations, 1)
        var ok = true
        let start = DispatchTime.now().uptimeNanoseconds
        input.withUnsafeBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in
                var length: Int32 = 0, final: Int32 = 0
                for _ in 0..<n where ok {
                    ok = EVP_CipherInit_ex2(ctx, nil, nil, iv, 1, nil) == 1
                        && EVP_CipherUpdate(ctx, o.baseAddress, &length, i.baseAddress, Int32(bytes)) == 1
                        && EVP_CipherFinal_ex(ctx, o.baseAddress! + Int(length), &final) == 1
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(n)
        guard ok else { throw OpenSSL.failure("EVP_CipherUpdate(\(name))") }
        return seconds
    }
}
