// The C-backed half of the module: thin wrappers over the OpenSSL 3 EVP interfaces.
//
// Every function validates lengths *before* handing a buffer to OpenSSL (OpenSSL reads as many key
// and IV bytes as the algorithm wants, whatever the buffer holds), owns each C object for exactly
// the scope of one call (`defer` frees it), and turns a failed call into an `EMRTDError` carrying
// OpenSSL's own error text. No OpenSSL type leaves this file.

internal import CCCDOpenSSL
import EMRTDCore

enum OpenSSL {
    // MARK: Errors

    /// Drains this thread's OpenSSL error queue into an error naming the failed operation.
    static func failure(_ operation: String) -> EMRTDError {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            reasons.append(reason(code))
        }
        let detail = reasons.isEmpty ? "no OpenSSL error reported" : reasons.joined(separator: "; ")
        return EMRTDError(.cryptoFailure, "\(operation) failed: \(detail)")
    }

    /// The error of a call that failed, from the newest entry of this thread's OpenSSL error queue
    /// (that call's), then the queue emptied. For hot paths that do not clear the queue before each
    /// call: `ERR_clear_error` cost about 90 ns, a third of an AES operation on 224 bytes.
    static func lastFailure(_ operation: String) -> EMRTDError {
        let code = ERR_peek_last_error()
        ERR_clear_error()
        return EMRTDError(.cryptoFailure, "\(operation) failed: \(code == 0 ? "no OpenSSL error reported" : reason(code))")
    }

    /// OpenSSL's text for an error code.
    private static func reason(_ code: UInt) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: Fetched algorithms

    /// Digests, ciphers and the CMAC fetched from the default provider once per process. Without a
    /// fetched object OpenSSL 3 looks the algorithm up by name, under its store's lock, on every
    /// call: in the profile of one passive authentication the lookups (`OPENSSL_strcasecmp`,
    /// `pthread_rwlock_rdlock`, `OPENSSL_LH_doall_arg`) cost more than the hashes. Fetched objects
    /// are immutable and reference-counted, and OpenSSL documents them as safe to share between
    /// threads (crypto(7), "ALGORITHM FETCHING"); these are never freed. A name not listed here
    /// is fetched and freed per call, as before.
    ///
    /// `@unchecked Sendable`: the pointer is to an immutable, thread-safe OpenSSL object.
    struct Fetched: @unchecked Sendable {
        let pointer: OpaquePointer

        static let digests = fetch(["SHA1", "SHA2-224", "SHA2-256", "SHA2-384", "SHA2-512"]) { EVP_MD_fetch(nil, $0, nil) }
        static let ciphers = fetch(
            ["DES-EDE-CBC", "DES-EDE3-CBC", "DES-EDE-ECB", "DES-EDE3-ECB"]
                + [128, 192, 256].flatMap { bits in ["CBC", "ECB"].map { "AES-\(bits)-\($0)" } }
        ) { EVP_CIPHER_fetch(nil, $0, nil) }
        static let cmac = EVP_MAC_fetch(nil, "CMAC", nil).map(Fetched.init)

        private static func fetch(_ names: [String], _ get: (String) -> OpaquePointer?) -> [String: Fetched] {
            var table: [String: Fetched] = [:]
            for name in names { if let pointer = get(name) { table[name] = Fetched(pointer: pointer) } }
            ERR_clear_error()
            return table
        }
    }

    // MARK: Digests

    /// One-shot digest with an algorithm fetched from the default provider.
    ///
    /// Traps if the algorithm is unavailable or the call fails: SHA-1/SHA-2 are built into every
    /// OpenSSL 3 default provider, so failure means a broken installation, and there is no safe
    /// result to return instead.
    static func digest(_ name: String, length: Int, _ data: [UInt8]) -> [UInt8] {
        let cached = Fetched.digests[name]
        guard let md = cached?.pointer ?? EVP_MD_fetch(nil, name, nil) else {
            fatalError("\(failure("EVP_MD_fetch(\(name))").message)")
        }
        defer { if cached == nil { EVP_MD_free(md) } }
        precondition(Int(EVP_MD_get_size(md)) == length, "OpenSSL digest \(name) has an unexpected size")

        var out = [UInt8](repeating: 0, count: length)
        var outLength: UInt32 = 0
        let ok = data.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &outLength, md, nil) == 1
            }
        }
        guard ok, Int(outLength) == length else {
            fatalError("\(failure("EVP_Digest(\(name))").message)")
        }
        return out
    }

    /// Digest of the concatenation of `parts`, written into `output` (at least the digest's
    /// length): for a key derived from a secret, so neither the input nor the digest is copied.
    static func digest(_ name: String, length: Int, parts: [UnsafeRawBufferPointer], into output: UnsafeMutableRawBufferPointer) {
        let cached = Fetched.digests[name]
        guard let md = cached?.pointer ?? EVP_MD_fetch(nil, name, nil), let ctx = EVP_MD_CTX_new() else {
            fatalError("\(failure("EVP_MD_fetch(\(name))").message)")
        }
        defer { if cached == nil { EVP_MD_free(md) }; EVP_MD_CTX_free(ctx) }
        precondition(Int(EVP_MD_get_size(md)) == length && output.count >= length, "OpenSSL digest \(name) has an unexpected size")
        var outLength: UInt32 = 0
        var ok = EVP_DigestInit_ex2(ctx, md, nil) == 1
        for part in parts where ok && part.count > 0 { ok = EVP_DigestUpdate(ctx, part.baseAddress, part.count) == 1 }
        ok = ok && EVP_DigestFinal_ex(ctx, output.baseAddress?.assumingMemoryBound(to: UInt8.self), &outLength) == 1
        guard ok, Int(outLength) == length else { fatalError("\(failure("EVP_Digest(\(name))").message)") }
    }

    // MARK: Block ciphers

    /// Runs `input` through the named cipher without padding.
    ///
    /// - Parameters:
    ///   - name: an OpenSSL cipher name such as `DES-EDE-CBC` or `AES-128-ECB`.
    ///   - iv: ignored (and may be empty) for ECB ciphers; must be exactly the cipher's IV length otherwise.
    static func cipher(
        _ name: String, key: UnsafeRawBufferPointer, iv: [UInt8], encrypt: Bool, _ input: [UInt8]
    ) throws(EMRTDError) -> [UInt8] {
        ERR_clear_error()
        let cached = Fetched.ciphers[name]
        guard let cipher = cached?.pointer ?? EVP_CIPHER_fetch(nil, name, nil) else { throw failure("EVP_CIPHER_fetch(\(name))") }
        defer { if cached == nil { EVP_CIPHER_free(cipher) } }

        let keyLength = Int(EVP_CIPHER_get_key_length(cipher))
        let ivLength = Int(EVP_CIPHER_get_iv_length(cipher))
        let blockSize = Int(EVP_CIPHER_get_block_size(cipher))
        guard key.count == keyLength else {
            throw EMRTDError(.invalidKeyLength, "\(name) needs a \(keyLength)-byte key, got \(key.count) bytes")
        }
        guard ivLength == 0 || iv.count == ivLength else {
            throw EMRTDError(.invalidInputLength, "\(name) needs a \(ivLength)-byte IV, got \(iv.count) bytes")
        }
        guard input.count % blockSize == 0 else {
            throw EMRTDError(
                .invalidInputLength, "\(name) input must be a multiple of \(blockSize) bytes, got \(input.count)")
        }
        guard input.count <= Int(Int32.max) - blockSize else {
            throw EMRTDError(.invalidInputLength, "\(name) input is too long (\(input.count) bytes)")
        }

        guard let ctx = EVP_CIPHER_CTX_new() else { throw failure("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(ctx) }

        // Room for one extra block, as EVP_CipherUpdate's contract requires.
        var out = [UInt8](repeating: 0, count: input.count + blockSize)
        var updateLength: Int32 = 0
        var finalLength: Int32 = 0
        var failedStep: String? = nil
        do {
            let k = key.bindMemory(to: UInt8.self)
            iv.withUnsafeBufferPointer { v in
                input.withUnsafeBufferPointer { i in
                    out.withUnsafeMutableBufferPointer { o in
                        guard EVP_CipherInit_ex2(ctx, cipher, k.baseAddress, ivLength > 0 ? v.baseAddress : nil,
                                                 encrypt ? 1 : 0, nil) == 1
                        else { failedStep = "EVP_CipherInit_ex2(\(name))"; return }
                        // Callers pad explicitly (ISO/IEC 9797-1 method 2), never PKCS#7.
                        guard EVP_CIPHER_CTX_set_padding(ctx, 0) == 1
                        else { failedStep = "EVP_CIPHER_CTX_set_padding"; return }
                        if i.count > 0 {
                            guard EVP_CipherUpdate(ctx, o.baseAddress, &updateLength, i.baseAddress, Int32(i.count)) == 1
                            else { failedStep = "EVP_CipherUpdate(\(name))"; return }
                        }
                        guard EVP_CipherFinal_ex(ctx, o.baseAddress! + Int(updateLength), &finalLength) == 1
                        else { failedStep = "EVP_CipherFinal_ex(\(name))"; return }
                    }
                }
            }
        }
        if let failedStep { throw failure(failedStep) }
        let total = Int(updateLength) + Int(finalLength)
        guard total == input.count else {
            throw EMRTDError(.cryptoFailure, "\(name) produced \(total) bytes for \(input.count) bytes of input")
        }
        out.removeSubrange(total...)
        return out
    }

    // MARK: CMAC

    /// Full-length CMAC (NIST SP 800-38B) with the named CBC cipher; the key length must match it.
    static func cmac(cipher name: String, key: UnsafeRawBufferPointer, _ message: [UInt8]) throws(EMRTDError) -> [UInt8] {
        ERR_clear_error()
        guard let mac = Fetched.cmac?.pointer else { throw failure("EVP_MAC_fetch(CMAC)") }
        guard let ctx = EVP_MAC_CTX_new(mac) else { throw failure("EVP_MAC_CTX_new") }
        defer { EVP_MAC_CTX_free(ctx) }

        var out = [UInt8](repeating: 0, count: 16)
        var outLength = 0
        var failedStep: String? = nil
        do {
            let k = key.bindMemory(to: UInt8.self)
            message.withUnsafeBufferPointer { m in
                out.withUnsafeMutableBufferPointer { o in
                    guard cccd_cmac_init(ctx, name, k.baseAddress, k.count) == 1
                    else { failedStep = "EVP_MAC_init(CMAC, \(name))"; return }
                    if m.count > 0 {
                        guard EVP_MAC_update(ctx, m.baseAddress, m.count) == 1
                        else { failedStep = "EVP_MAC_update(CMAC)"; return }
                    }
                    guard EVP_MAC_final(ctx, o.baseAddress, &outLength, o.count) == 1
                    else { failedStep = "EVP_MAC_final(CMAC)"; return }
                }
            }
        }
        if let failedStep { throw failure(failedStep) }
        guard outLength == out.count else {
            throw EMRTDError(.cryptoFailure, "CMAC produced \(outLength) bytes, expected \(out.count)")
        }
        return out
    }

    // MARK: Randomness and comparison

    static func randomBytes(_ count: Int) throws(EMRTDError) -> [UInt8] {
        guard count >= 0, count <= Int(Int32.max) else {
            throw EMRTDError(.invalidArgument, "cannot generate \(count) random bytes")
        }
        if count == 0 { return [] }
        ERR_clear_error()
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) == 1 }
        guard ok else { throw failure("RAND_bytes") }
        return out
    }

    /// True when the equal-length buffers are equal; the time taken depends only on the length.
    static func equalConstantTime(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        precondition(a.count == b.count)
        if a.isEmpty { return true }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0 }
        }
    }
}
