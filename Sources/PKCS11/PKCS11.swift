internal import CPKCS11
public import Cryptography
public import EMRTDCore
import EMRTDASN1
import SwiftASN1
import Foundation

extension EMRTDError.Code {
    /// A PKCS #11 URI that cannot be used (RFC 7512), or one carrying a PIN.
    public static let pkcs11URI = Self("pkcs11.uri")
    /// The PKCS #11 module could not be loaded or initialized.
    public static let pkcs11Module = Self("pkcs11.module")
    /// No token with the URI's label.
    public static let pkcs11TokenNotFound = Self("pkcs11.token-not-found")
    /// The token refused the PIN.
    public static let pkcs11PINIncorrect = Self("pkcs11.pin-incorrect")
    /// The token is locked after too many wrong PINs.
    public static let pkcs11PINLocked = Self("pkcs11.pin-locked")
    /// No key with the URI's object label and ID.
    public static let pkcs11KeyNotFound = Self("pkcs11.key-not-found")
    /// Any other PKCS #11 failure (the CK_RV is named).
    public static let pkcs11Failure = Self("pkcs11.failure")
}

/// A PKCS #11 URI (RFC 7512) naming a key in a token:
/// `pkcs11:token=cccd;object=dsc;id=%01?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin`.
/// The PIN is never part of it (`pin-value` is refused: a URI ends up on command lines and in logs).
public struct PKCS11URI: Sendable, Hashable, CustomStringConvertible {
    /// The token's label (`token=`).
    public var token: String
    /// The key's label (`object=`).
    public var object: String?
    /// The key's CKA_ID (`id=`, percent-encoded bytes).
    public var id: [UInt8]
    /// The module to load (`module-path=`); nil: `CCCD_PKCS11_MODULE`, else SoftHSM2's.
    public var modulePath: String?
    /// Where the PIN is (`pin-source=file:…`).
    public var pinSource: String?

    /// Parses `text`; throws for another scheme, a missing token, `pin-value`, or bad percent-encoding.
    public init(_ text: String) throws(EMRTDError) {
        guard text.hasPrefix("pkcs11:") else { throw EMRTDError(.pkcs11URI, "a PKCS #11 URI starts with pkcs11: (RFC 7512)") }
        let body = text.dropFirst("pkcs11:".count)
        let parts = body.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var token: String?
        var object: String?
        var id: [UInt8] = []
        var modulePath: String?
        var pinSource: String?
        func decode(_ value: Substring) throws(EMRTDError) -> [UInt8] {
            var out: [UInt8] = []
            var i = value.utf8.startIndex
            let bytes = value.utf8
            while i < bytes.endIndex {
                let c = bytes[i]
                if c == UInt8(ascii: "%") {
                    let h = bytes.index(after: i)
                    guard h < bytes.endIndex, bytes.index(after: h) < bytes.endIndex,
                          let byte = UInt8(String(decoding: [bytes[h], bytes[bytes.index(after: h)]], as: UTF8.self), radix: 16)
                    else { throw EMRTDError(.pkcs11URI, "bad percent-encoding in the PKCS #11 URI") }
                    out.append(byte)
                    i = bytes.index(i, offsetBy: 3)
                } else {
                    out.append(c)
                    i = bytes.index(after: i)
                }
            }
            return out
        }
        for attribute in parts[0].split(separator: ";") where !attribute.isEmpty {
            let kv = attribute.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { throw EMRTDError(.pkcs11URI, "a PKCS #11 URI attribute without a value: \(attribute)") }
            switch kv[0] {
            case "token": token = String(decoding: try decode(kv[1]), as: UTF8.self)
            case "object": object = String(decoding: try decode(kv[1]), as: UTF8.self)
            case "id": id = try decode(kv[1])
            case "type", "manufacturer", "model", "serial", "library-description", "library-manufacturer", "library-version", "slot-id", "slot-description", "slot-manufacturer":
                break
            case "pin-value": throw EMRTDError(.pkcs11URI, "the PIN does not go in the URI (give it on standard input or with --pin-file)")
            default: throw EMRTDError(.pkcs11URI, "unknown PKCS #11 URI attribute \(kv[0])")
            }
        }
        if parts.count == 2 {
            for attribute in parts[1].split(separator: "&") where !attribute.isEmpty {
                let kv = attribute.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { throw EMRTDError(.pkcs11URI, "a PKCS #11 URI query without a value: \(attribute)") }
                switch kv[0] {
                case "module-path": modulePath = String(decoding: try decode(kv[1]), as: UTF8.self)
                case "pin-source": pinSource = String(decoding: try decode(kv[1]), as: UTF8.self)
                case "pin-value": throw EMRTDError(.pkcs11URI, "the PIN does not go in the URI (give it on standard input or with --pin-file)")
                case "module-name": break
                default: throw EMRTDError(.pkcs11URI, "unknown PKCS #11 URI query attribute \(kv[0])")
                }
            }
        }
        guard let token, !token.isEmpty else { throw EMRTDError(.pkcs11URI, "the PKCS #11 URI names no token (token=…)") }
        guard object != nil || !id.isEmpty else { throw EMRTDError(.pkcs11URI, "the PKCS #11 URI names no key (object=… or id=…)") }
        self.token = token
        self.object = object
        self.id = id
        self.modulePath = modulePath
        self.pinSource = pinSource
    }

    /// The URI as given, without a PIN (it never holds one).
    public var description: String {
        var text = "pkcs11:token=\(token)"
        if let object { text += ";object=\(object)" }
        if !id.isEmpty { text += ";id=" + id.map { String(format: "%%%02x", $0) }.joined() }
        return text
    }

    /// The module to load: the URI's, else `CCCD_PKCS11_MODULE`, else SoftHSM2's.
    public var module: String {
        modulePath ?? ProcessInfo.processInfo.environment["CCCD_PKCS11_MODULE"] ?? "/usr/lib/softhsm/libsofthsm2.so"
    }
}

/// A logged-in session with a PKCS #11 token. `@unchecked Sendable`: PKCS #11 sessions are not to
/// be used from two threads at once, so every call holds `lock`.
public final class PKCS11Token: @unchecked Sendable {
    private var module = cccd_p11()
    private var session: CK_SESSION_HANDLE = 0
    /// Set once logged in: a token whose init failed has nothing to close (its deinit still runs).
    private var open = false
    private let lock = NSLock()
    /// The token's label.
    public let label: String

    /// Loads `uri`'s module, finds its token and logs in with `pin` (wiped by the caller after).
    public init(uri: PKCS11URI, pin: SecretBytes) throws(EMRTDError) {
        label = uri.token
        let path = uri.module
        let loaded = cccd_p11_load(path, &module)
        guard loaded == CKR_OK else {
            throw EMRTDError(.pkcs11Module, "cannot load the PKCS #11 module \(path) (\(Self.name(loaded)))")
        }
        var slot: CK_SLOT_ID = 0
        let found = cccd_p11_find_slot(&module, uri.token, &slot)
        guard found == CKR_OK else {
            cccd_p11_unload(&module)
            throw EMRTDError(.pkcs11TokenNotFound, "no token labelled \(uri.token) in \(path) (\(Self.name(found)))")
        }
        let opened = pin.withUnsafeBytes { bytes in
            cccd_p11_open(&module, slot, bytes.bindMemory(to: UInt8.self).baseAddress, CK_ULONG(bytes.count), &session)
        }
        guard opened == CKR_OK else {
            cccd_p11_unload(&module)
            switch opened {
            case CKR_PIN_INCORRECT: throw EMRTDError(.pkcs11PINIncorrect, "the token \(uri.token) refused the PIN (CKR_PIN_INCORRECT)")
            case CKR_PIN_LOCKED: throw EMRTDError(.pkcs11PINLocked, "the token \(uri.token) is locked after wrong PINs (CKR_PIN_LOCKED)")
            default: throw EMRTDError(.pkcs11Failure, "cannot log in to the token \(uri.token) (\(Self.name(opened)))")
            }
        }
    }

    deinit {
        guard open else { return }
        cccd_p11_close(&module, session)
        cccd_p11_unload(&module)
    }

    private func locked<T>(_ body: () throws(EMRTDError) -> T) throws(EMRTDError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// The private key `uri` names, with its public key (from the token's public key object).
    public func key(_ uri: PKCS11URI) throws(EMRTDError) -> PKCS11Key {
        try locked { () throws(EMRTDError) -> PKCS11Key in
            let privateKey = try findLocked(CKO_PRIVATE_KEY, uri)
            let publicKey = try findLocked(CKO_PUBLIC_KEY, uri)
            let params = try attributeLocked(publicKey, CKA_EC_PARAMS)
            let point = try attributeLocked(publicKey, CKA_EC_POINT)
            return PKCS11Key(token: self, handle: privateKey, publicKey: try Self.publicKey(params: params, point: point), name: uri.description)
        }
    }

    /// Generates an EC key pair on `curve` (brainpoolP256r1 by default) in the token, labelled and
    /// identified as `uri` says: the private key sensitive and never extractable. Refuses to
    /// overwrite: a key already under that label or ID is an error.
    public func generateECKey(_ uri: PKCS11URI, curve: String = "brainpoolP256r1") throws(EMRTDError) -> PKCS11Key {
        guard let oid = KnownOID.namedCurves.first(where: { $0.name.lowercased() == curve.lowercased() })?.oid else {
            throw EMRTDError(.invalidArgument, "unknown curve \(curve)")
        }
        let params = DERWriter.oid(oid)
        return try locked { () throws(EMRTDError) -> PKCS11Key in
            if (try? findLocked(CKO_PRIVATE_KEY, uri)) != nil {
                throw EMRTDError(.invalidArgument, "the token \(label) already holds a key named by \(uri); choose another object or id")
            }
            var publicHandle: CK_OBJECT_HANDLE = 0, privateHandle: CK_OBJECT_HANDLE = 0
            let label = uri.object ?? "dsc"
            let id = uri.id.isEmpty ? Array(label.utf8) : uri.id
            let rv = params.withUnsafeBufferPointer { p in
                id.withUnsafeBufferPointer { i in
                    cccd_p11_generate_ec(&module, session, p.baseAddress, CK_ULONG(p.count), label, i.baseAddress, CK_ULONG(i.count), &publicHandle, &privateHandle)
                }
            }
            guard rv == CKR_OK else { throw EMRTDError(.pkcs11Failure, "C_GenerateKeyPair (\(curve)) failed: \(Self.name(rv))") }
            let point = try attributeLocked(publicHandle, CKA_EC_POINT)
            return PKCS11Key(token: self, handle: privateHandle, publicKey: try Self.publicKey(params: params, point: point), name: uri.description)
        }
    }

    /// What the token says of a private key: (sensitive, extractable, what reading its value gave).
    public func protection(of key: PKCS11Key) throws(EMRTDError) -> (sensitive: Bool, extractable: Bool, valueRead: String) {
        try locked { () throws(EMRTDError) -> (sensitive: Bool, extractable: Bool, valueRead: String) in
            let sensitive = try attributeLocked(key.handle, CKA_SENSITIVE) == [1]
            let extractable = try attributeLocked(key.handle, CKA_EXTRACTABLE) == [1]
            var length: CK_ULONG = 0
            let rv = cccd_p11_attribute(&module, session, key.handle, CKA_VALUE, nil, &length)
            return (sensitive, extractable, Self.name(rv))
        }
    }

    /// Signs with `mechanism` under the lock.
    func sign(_ handle: CK_OBJECT_HANDLE, mechanism: CK_MECHANISM_TYPE, data: [UInt8]) throws(EMRTDError) -> [UInt8] {
        try locked { () throws(EMRTDError) -> [UInt8] in
            var signature = [UInt8](repeating: 0, count: 1024)
            var length = CK_ULONG(signature.count)
            let rv = data.withUnsafeBufferPointer { d in
                signature.withUnsafeMutableBufferPointer { s in
                    cccd_p11_sign(&module, session, handle, mechanism, d.baseAddress, CK_ULONG(d.count), s.baseAddress, &length)
                }
            }
            guard rv == CKR_OK else { throw EMRTDError(.pkcs11Failure, "C_Sign failed: \(Self.name(rv))") }
            return Array(signature.prefix(Int(length)))
        }
    }

    private func findLocked(_ objectClass: CK_OBJECT_CLASS, _ uri: PKCS11URI) throws(EMRTDError) -> CK_OBJECT_HANDLE {
        var handle: CK_OBJECT_HANDLE = 0
        let rv = uri.id.withUnsafeBufferPointer { id in
            if let object = uri.object {
                return cccd_p11_find(&module, session, objectClass, object, id.baseAddress, CK_ULONG(id.count), &handle)
            }
            return cccd_p11_find(&module, session, objectClass, nil, id.baseAddress, CK_ULONG(id.count), &handle)
        }
        guard rv == CKR_OK else {
            throw EMRTDError(.pkcs11KeyNotFound, "no \(objectClass == CKO_PRIVATE_KEY ? "private" : "public") key \(uri) in the token \(label)")
        }
        return handle
    }

    private func attributeLocked(_ object: CK_OBJECT_HANDLE, _ type: CK_ATTRIBUTE_TYPE) throws(EMRTDError) -> [UInt8] {
        var length: CK_ULONG = 0
        var rv = cccd_p11_attribute(&module, session, object, type, nil, &length)
        guard rv == CKR_OK, length < 1 << 16 else { throw EMRTDError(.pkcs11Failure, "C_GetAttributeValue failed: \(Self.name(rv))") }
        var value = [UInt8](repeating: 0, count: Int(length))
        rv = value.withUnsafeMutableBufferPointer { cccd_p11_attribute(&module, session, object, type, $0.baseAddress, &length) }
        guard rv == CKR_OK else { throw EMRTDError(.pkcs11Failure, "C_GetAttributeValue failed: \(Self.name(rv))") }
        return Array(value.prefix(Int(length)))
    }

    /// The SubjectPublicKeyInfo of an EC key from CKA_EC_PARAMS (a namedCurve OID) and CKA_EC_POINT
    /// (an OCTET STRING holding the uncompressed point, or the bare point as some tokens give it).
    static func publicKey(params: [UInt8], point: [UInt8]) throws(EMRTDError) -> PublicKey {
        var raw = point
        if point.count >= 2, point[0] == 0x04, point[1] != 0x04 || point.count % 2 == 0 {
            // DER OCTET STRING (04 len …): unwrap; a bare uncompressed point has odd length.
            let reader = ASN1Reader(.pkcs11Failure, rules: .der)
            if let inner = try? reader.octetString(try reader.parse(point, what: "CKA_EC_POINT"), what: "CKA_EC_POINT") {
                raw = inner
            }
        }
        let spki = DERWriter.sequence([
            DERWriter.sequence([DERWriter.oid(KnownOID.ecPublicKey), params]),
            DERWriter.bitString(raw),
        ])
        return try PublicKey(subjectPublicKeyInfo: spki)
    }

    /// A CK_RV by its name.
    static func name(_ rv: CK_RV) -> String {
        switch rv {
        case CKR_OK: "CKR_OK"
        case CKR_GENERAL_ERROR: "CKR_GENERAL_ERROR"
        case CKR_ARGUMENTS_BAD: "CKR_ARGUMENTS_BAD"
        case CKR_ATTRIBUTE_SENSITIVE: "CKR_ATTRIBUTE_SENSITIVE"
        case CKR_ATTRIBUTE_TYPE_INVALID: "CKR_ATTRIBUTE_TYPE_INVALID"
        case CKR_PIN_INCORRECT: "CKR_PIN_INCORRECT"
        case CKR_PIN_LOCKED: "CKR_PIN_LOCKED"
        case CKR_TOKEN_NOT_PRESENT: "CKR_TOKEN_NOT_PRESENT"
        case CKR_KEY_HANDLE_INVALID: "CKR_KEY_HANDLE_INVALID"
        case CKR_MECHANISM_INVALID: "CKR_MECHANISM_INVALID"
        case CKR_USER_NOT_LOGGED_IN: "CKR_USER_NOT_LOGGED_IN"
        case CKR_DEVICE_ERROR: "CKR_DEVICE_ERROR"
        default: String(format: "CK_RV 0x%08lX", rv)
        }
    }
}

/// A private key in a PKCS #11 token: it signs in the token and never leaves it.
public final class PKCS11Key: SigningKey, @unchecked Sendable {
    private let token: PKCS11Token
    let handle: CK_OBJECT_HANDLE
    /// The matching public key (read from the token).
    public let publicKey: PublicKey
    private let name: String

    init(token: PKCS11Token, handle: CK_OBJECT_HANDLE, publicKey: PublicKey, name: String) {
        self.token = token
        self.handle = handle
        self.publicKey = publicKey
        self.name = name
    }

    /// "PKCS11Key(pkcs11:token=…;object=…, EC brainpoolP256r1)".
    public var description: String { "PKCS11Key(\(name), \(publicKey.description.dropFirst("PublicKey(".count).dropLast()))" }

    /// Signs in the token: ECDSA over the digest computed here (CKM_ECDSA), DER or plain as `scheme` says.
    public func signature(for message: [UInt8], scheme: SignatureScheme) throws(EMRTDError) -> [UInt8] {
        guard case .ecdsa(let hash, let encoding) = scheme else {
            throw EMRTDError(.invalidArgument, "\(name): only ECDSA keys are used from a token here (scheme \(scheme))")
        }
        let plain = try token.sign(handle, mechanism: CK_MECHANISM_TYPE(CKM_ECDSA), data: hash.hash(message))
        switch encoding {
        case .plain: return plain
        case .der: return try ECDSASignature.der(fromPlain: plain)
        }
    }
}
