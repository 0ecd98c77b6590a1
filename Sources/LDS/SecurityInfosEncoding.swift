import EMRTDASN1
public import SwiftASN1

extension PACEInfo {
    /// A PACEInfo for the given protocol, DER-encoded into `raw`:
    /// `SEQUENCE { protocol OBJECT IDENTIFIER, version INTEGER, parameterId INTEGER OPTIONAL }`.
    public init(protocolOID: ASN1ObjectIdentifier, version: Int, parameterID: Int?) {
        var fields = [DERWriter.oid(protocolOID), DERWriter.integer(version)]
        if let parameterID { fields.append(DERWriter.integer(parameterID)) }
        self.init(protocolOID: protocolOID, version: version, parameterID: parameterID, raw: DERWriter.sequence(fields))
    }
}

extension SecurityInfos {
    /// EF.CardAccess / DG14 content: `SecurityInfos ::= SET OF SecurityInfo`, from the infos' raw
    /// encodings in DER order (a SET OF sorts its elements).
    public static func encode(_ raws: [[UInt8]]) -> [UInt8] { DERWriter.set(of: raws) }
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
        let algorithm = DERWriter.sequence([
            DERWriter.oid(KnownOID.standardizedDomainParameters), DERWriter.integer(parameterID),
        ])
        // A DH public value is an INTEGER inside the BIT STRING; an EC point goes in as it is.
        let key = ecdh ? publicKey : DERWriter.unsignedInteger(publicKey)
        var fields = [
            DERWriter.oid(ecdh ? KnownOID.idPKECDH : KnownOID.idPKDH),
            DERWriter.sequence([algorithm, DERWriter.bitString(key)]),
        ]
        if let keyID { fields.append(DERWriter.integer(keyID)) }
        return DERWriter.sequence(fields)
    }
}

extension ChipAuthenticationInfo {
    /// `ChipAuthenticationInfo ::= SEQUENCE { protocol OID (id-CA-…), version INTEGER, keyId INTEGER OPTIONAL }`, DER.
    public static func encode(protocolOID: ASN1ObjectIdentifier, version: Int = 1, keyID: Int? = nil) -> [UInt8] {
        var fields = [DERWriter.oid(protocolOID), DERWriter.integer(version)]
        if let keyID { fields.append(DERWriter.integer(keyID)) }
        return DERWriter.sequence(fields)
    }
}

extension ActiveAuthenticationInfo {
    /// `ActiveAuthenticationInfo ::= SEQUENCE { protocol id-AA (2.23.136.1.1.5), version INTEGER (1),
    /// signatureAlgorithm OBJECT IDENTIFIER }` (ICAO 9303-11 9.2.9), DER.
    public static func encode(signatureAlgorithm: ASN1ObjectIdentifier) -> [UInt8] {
        DERWriter.sequence([DERWriter.oid(KnownOID.idAA), DERWriter.integer(1), DERWriter.oid(signatureAlgorithm)])
    }
}

extension TerminalAuthenticationInfo {
    /// `TerminalAuthenticationInfo ::= SEQUENCE { protocol id-TA (0.4.0.127.0.7.2.2.2), version INTEGER }`, DER.
    public static func encode(version: Int) -> [UInt8] {
        DERWriter.sequence([DERWriter.oid(KnownOID.idTA), DERWriter.integer(version)])
    }
}
