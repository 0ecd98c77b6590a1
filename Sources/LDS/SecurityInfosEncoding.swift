import EMRTDCore
import ISO7816

extension PACEInfo {
    /// A PACEInfo for the given protocol, DER-encoded into `raw`:
    /// `SEQUENCE { protocol OBJECT IDENTIFIER, version INTEGER, parameterId INTEGER OPTIONAL }`.
    public init(protocolOID: OID, version: Int, parameterID: Int?) {
        var body = TLV(tag: 0x06, value: protocolOID.contentBytes).encoded() + DER.integer(version)
        if let parameterID { body += DER.integer(parameterID) }
        self.init(protocolOID: protocolOID, version: version, parameterID: parameterID, raw: TLV(tag: 0x30, value: body).encoded())
    }
}

extension SecurityInfos {
    /// EF.CardAccess / DG14 content: `SecurityInfos ::= SET OF SecurityInfo`, from the infos' raw
    /// encodings in DER order (a SET OF sorts its elements).
    public static func encode(_ raws: [[UInt8]]) -> [UInt8] {
        let sorted = raws.sorted { $0.lexicographicallyPrecedes($1) }
        return TLV(tag: 0x31, value: sorted.flatMap { $0 }).encoded()
    }
}

enum DER {
    /// A non-negative INTEGER in minimal two's complement.
    static func integer(_ value: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var v = value
        repeat {
            bytes.insert(UInt8(v & 0xFF), at: 0)
            v >>= 8
        } while v > 0
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return TLV(tag: 0x02, value: bytes).encoded()
    }
}

extension ChipAuthenticationPublicKeyInfo {
    /// The DER encoding of a Chip Authentication public key on standardized domain parameters
    /// (BSI TR-03110-3 A.2.1.1, as ICAO 9303-11 App. I shows it):
    /// ```
    /// ChipAuthenticationPublicKeyInfo ::= SEQUENCE { protocol id-PK-ECDH | id-PK-DH,
    ///     chipAuthenticationPublicKey SubjectPublicKeyInfo, keyId INTEGER OPTIONAL }
    /// SubjectPublicKeyInfo ::= SEQUENCE { SEQUENCE { id-standardizedDomainParameters, INTEGER parameterID },
    ///     BIT STRING publicKey }
    /// ```
    /// `publicKey` is the uncompressed point (ECDH) or the public value (DH).
    public static func encode(publicKey: [UInt8], parameterID: Int, keyID: Int? = nil) -> [UInt8] {
        let ecdh = parameterID >= 8
        let protocolOID: OID = ecdh ? "0.4.0.127.0.7.2.2.1.2" : "0.4.0.127.0.7.2.2.1.1"
        let standardized: OID = "0.4.0.127.0.7.1.2"
        let algorithm = TLV(tag: 0x30, value: TLV(tag: 0x06, value: standardized.contentBytes).encoded() + DER.integer(parameterID))
        // A DH public value is an INTEGER inside the BIT STRING; an EC point goes in as it is.
        var key = publicKey
        if !ecdh {
            var v = publicKey[...]
            while v.count > 1 && v.first == 0 { v = v.dropFirst() }
            key = TLV(tag: 0x02, value: (v.first ?? 0) & 0x80 != 0 ? [0] + v : Array(v)).encoded()
        }
        let spki = TLV(tag: 0x30, value: algorithm.encoded() + TLV(tag: 0x03, value: [0x00] + key).encoded())
        var body = TLV(tag: 0x06, value: protocolOID.contentBytes).encoded() + spki.encoded()
        if let keyID { body += DER.integer(keyID) }
        return TLV(tag: 0x30, value: body).encoded()
    }
}

extension ChipAuthenticationInfo {
    /// `ChipAuthenticationInfo ::= SEQUENCE { protocol OID (id-CA-…), version INTEGER, keyId INTEGER OPTIONAL }`, DER.
    public static func encode(protocolOID: OID, version: Int = 1, keyID: Int? = nil) -> [UInt8] {
        var body = TLV(tag: 0x06, value: protocolOID.contentBytes).encoded() + DER.integer(version)
        if let keyID { body += DER.integer(keyID) }
        return TLV(tag: 0x30, value: body).encoded()
    }
}

extension ActiveAuthenticationInfo {
    /// `ActiveAuthenticationInfo ::= SEQUENCE { protocol id-AA (2.23.136.1.1.5), version INTEGER (1),
    /// signatureAlgorithm OBJECT IDENTIFIER }` (ICAO 9303-11 9.2.9), DER.
    public static func encode(signatureAlgorithm: OID) -> [UInt8] {
        let id: OID = "2.23.136.1.1.5"
        let body = TLV(tag: 0x06, value: id.contentBytes).encoded() + DER.integer(1)
            + TLV(tag: 0x06, value: signatureAlgorithm.contentBytes).encoded()
        return TLV(tag: 0x30, value: body).encoded()
    }
}

extension TerminalAuthenticationInfo {
    /// `TerminalAuthenticationInfo ::= SEQUENCE { protocol id-TA (0.4.0.127.0.7.2.2.2), version INTEGER }`, DER.
    public static func encode(version: Int) -> [UInt8] {
        let id: OID = "0.4.0.127.0.7.2.2.2"
        return TLV(tag: 0x30, value: TLV(tag: 0x06, value: id.contentBytes).encoded() + DER.integer(version)).encoded()
    }
}
