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
