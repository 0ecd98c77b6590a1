import EMRTDASN1
import EMRTDCore
import LDS
import SwiftASN1
import Testing

@Suite struct SecurityInfosTests {
    /// The EF.CardAccess of CCCD cards (shared/reference/CCCD.md).
    static let cccdCardAccess = h(
        "3134300D060804007F0007020202020101300F060A04007F000702020302020201013012060A04007F0007020204020202010202010D")

    @Test func cccdCardAccess() throws {
        let infos = try SecurityInfos.parse(Self.cccdCardAccess)
        #expect(infos.infos.count == 3)
        #expect(infos.raw == Self.cccdCardAccess)
        let pace = try #require(infos.paceInfos.first)
        #expect(pace.protocolOID == "0.4.0.127.0.7.2.2.4.2.2")
        #expect(pace.protocolName == "id-PACE-ECDH-GM-AES-CBC-CMAC-128")
        #expect(pace.version == 2)
        #expect(pace.parameterID == 13)
        #expect(pace.standardDomainParameterName == "brainpoolP256r1")
        #expect(pace.keyAgreement == .ecdh)
        #expect(pace.mapping == .generic)
        #expect(pace.cipher == .aes128)
        #expect(pace.cipher?.keyBits == 128)
        let ca = try #require(infos.chipAuthenticationInfos.first)
        #expect(ca.protocolName == "id-CA-ECDH-AES-CBC-CMAC-128")
        #expect(ca.version == 1)
        #expect(ca.keyID == nil)
        #expect(ca.keyAgreement == .ecdh)
        #expect(ca.cipher == .aes128)
        let ta = try #require(infos.terminalAuthenticationInfos.first)
        #expect(ta.version == 1)
        #expect(infos.infos.map(\.protocolName) == ["id-TA", "id-CA-ECDH-AES-CBC-CMAC-128", "id-PACE-ECDH-GM-AES-CBC-CMAC-128"])
        #expect(infos.infos[0].raw == h("300D060804007F0007020202020101"))
    }

    @Test func bsiWorkedExampleCardAccess() throws {
        let infos = try SecurityInfos.parse(Vectors.bytes("bsi_eac_ecdh_EF.CardAccess.bin"))
        #expect(infos.infos.count == 6)
        #expect(infos.terminalAuthenticationInfos.first?.version == 2)
        #expect(infos.chipAuthenticationInfos.first?.keyID == 1)
        #expect(infos.chipAuthenticationInfos.first?.protocolName == "id-CA-ECDH-AES-CBC-CMAC-128")
        #expect(infos.paceInfos.first?.parameterID == 13)
        let domain = try #require(infos.chipAuthenticationDomainParameterInfos.first)
        #expect(domain.protocolOID == "0.4.0.127.0.7.2.2.3.2")
        #expect(domain.domainParameter.algorithm == "0.4.0.127.0.7.1.2")  // standardizedDomainParameters
        #expect(domain.domainParameter.parameters == h("02010D"))
        #expect(domain.keyID == 1)
        #expect(infos.infos[3].protocolName == "id-CA-ECDH")
        // CardInfoLocator and PrivilegedTerminalInfo are kept as unknown with their bytes.
        let unknown = infos.infos.compactMap { info -> ASN1ObjectIdentifier? in
            if case .unknown(let oid, _) = info { oid } else { nil }
        }
        #expect(unknown == ["0.4.0.127.0.7.2.2.6", "0.4.0.127.0.7.2.2.8"])
        #expect(infos.infos.flatMap(\.raw).count + 3 == infos.raw.count)

        let dh = try SecurityInfos.parse(Vectors.bytes("bsi_eac_dh_EF.CardAccess.bin"))
        #expect(dh.paceInfos.first?.protocolName == "id-PACE-DH-GM-AES-CBC-CMAC-128")
        #expect(dh.paceInfos.first?.keyAgreement == .dh)
        #expect(dh.paceInfos.first?.standardDomainParameterName == "1024-bit MODP Group with 160-bit Prime Order Subgroup")
        #expect(dh.chipAuthenticationInfos.first?.keyAgreement == .dh)
    }

    @Test func protocolNames() {
        #expect(SecurityInfos.protocolName("0.4.0.127.0.7.2.2.4.1.1") == "id-PACE-DH-GM-3DES-CBC-CBC")
        #expect(SecurityInfos.protocolName("0.4.0.127.0.7.2.2.4.4.4") == "id-PACE-ECDH-IM-AES-CBC-CMAC-256")
        #expect(SecurityInfos.protocolName("0.4.0.127.0.7.2.2.4.6.3") == "id-PACE-ECDH-CAM-AES-CBC-CMAC-192")
        #expect(SecurityInfos.protocolName("0.4.0.127.0.7.2.2.4.2") == "id-PACE-ECDH-GM")
        #expect(SecurityInfos.protocolName("0.4.0.127.0.7.2.2.3.1.1") == "id-CA-DH-3DES-CBC-CBC")
        #expect(SecurityInfos.protocolName("0.4.0.127.0.7.2.2.1.2") == "id-PK-ECDH")
        #expect(SecurityInfos.protocolName("0.4.0.127.0.7.2.2.2") == "id-TA")
        #expect(SecurityInfos.protocolName("2.23.136.1.1.5") == "id-AA")
        #expect(SecurityInfos.protocolName("0.4.0.127.0.7.1.1.4.1.3") == "ecdsa-plain-SHA256")
        #expect(SecurityInfos.protocolName("0.4.0.127.0.7.2.2.4.5.1") == nil)
        #expect(SecurityInfos.protocolName("0.4.0.127.0.7.2.2.4.2.9") == nil)
        #expect(SecurityInfos.protocolName("1.2.3") == nil)
    }

    @Test func activeAuthenticationInfo() throws {
        // SET { SEQUENCE { id-AA, 1, ecdsa-plain-SHA256 } }
        let bytes = h("3119" + "3017" + "0606678108010105" + "020101" + "060A04007F00070101040103")
        let infos = try SecurityInfos.parse(bytes)
        let aa = try #require(infos.activeAuthenticationInfos.first)
        #expect(aa.version == 1)
        #expect(aa.signatureAlgorithmName == "ecdsa-plain-SHA256")
        #expect(infos.infos.first?.protocolName == "id-AA")
    }

    @Test func errors() {
        #expect(code { try SecurityInfos.parse(h("3003020101")) } == .asn1Invalid)  // not a SEQUENCE inside
        #expect(code { try SecurityInfos.parse(h("3000")) } == .asn1Invalid)  // SEQUENCE, not SET
        #expect(code { try SecurityInfos.parse(h("3103300106")) } == .asn1Invalid)
        #expect(code { try SecurityInfos.parse(h("31023000")) } == .asn1Invalid)  // empty SecurityInfo
        // PACEInfo whose version is not an INTEGER.
        #expect(code { try SecurityInfos.parse(h("3110300E060A04007F000702020402020400")) } == .asn1Invalid)
        // Four elements in a known SecurityInfo.
        #expect(code { try SecurityInfos.parse(h("3118" + "3016" + "060A04007F00070202040202" + "020102" + "02010D" + "020100")) } == .asn1Invalid)
        // Truncations of the CCCD file all fail.
        for n in 0..<Self.cccdCardAccess.count {
            #expect(code { try SecurityInfos.parse(Array(Self.cccdCardAccess.prefix(n))) } == .asn1Invalid, "prefix \(n)")
        }
        #expect(code { try SecurityInfos.parse(Self.cccdCardAccess + [0]) } == .asn1Invalid)
        #expect(code { try SecurityInfos.parse(h("318401000000300D")) } == .asn1Invalid)
    }

    @Test func emptySetIsValid() throws {
        #expect(try SecurityInfos.parse(h("3100")).infos.isEmpty)
    }
}

@Suite struct DG14Tests {
    @Test func doc9303Sample() throws {
        let bytes = try Vectors.bytes("doc9303_sample_DG14.bin")
        let dg14 = try DG14(bytes)
        #expect(dg14.raw == bytes)
        let infos = dg14.securityInfos
        #expect(infos.infos.count == 3)
        let key = try #require(infos.chipAuthenticationPublicKeyInfos.first)
        #expect(key.protocolOID == "0.4.0.127.0.7.2.2.1.1")
        #expect(key.keyAgreement == .dh)
        #expect(key.keyID == nil)
        #expect(key.publicKey.algorithmName == "dhKeyAgreement")
        #expect(key.publicKey.details == .dh(primeBits: 1024))
        #expect(infos.chipAuthenticationInfos.first?.protocolName == "id-CA-DH-3DES-CBC-CBC")
        #expect(infos.chipAuthenticationInfos.first?.cipher == .tripleDES)
        #expect(infos.terminalAuthenticationInfos.first?.version == 1)
    }

    @Test(arguments: ["bsi2008_Datagroup14.bin", "etsi103200_DG14.bin"])
    func ecdhSamples(name: String) throws {
        let dg14 = try DG14(Vectors.bytes(name))
        let infos = dg14.securityInfos
        let key = try #require(infos.chipAuthenticationPublicKeyInfos.first)
        #expect(key.protocolOID == "0.4.0.127.0.7.2.2.1.2")
        #expect(infos.infos.first?.protocolName == "id-PK-ECDH")
        #expect(key.keyAgreement == .ecdh)
        #expect(key.publicKey.algorithmName == "id-ecPublicKey")
        guard case .ec(let curve) = key.publicKey.details else {
            Issue.record("not an EC key: \(key.publicKey.details)")
            return
        }
        #expect(curve.hasExplicitParameters)
        #expect(curve.namedCurve == nil)
        #expect(curve.fieldBits == 224)  // brainpoolP224r1 spelled out
        #expect(key.publicKey.publicKey.count == 57)  // 04 || X || Y
        #expect(key.publicKey.publicKey.first == 0x04)
        #expect(infos.chipAuthenticationInfos.first?.protocolName == "id-CA-ECDH-3DES-CBC-CBC")
    }

    @Test func errors() throws {
        #expect(code { try DG14(h("6F00")) } == .ldsUnexpectedTag)
        #expect(code { try DG14(h("6E00")) } == .asn1Invalid)
        let bytes = try Vectors.bytes("bsi2008_Datagroup14.bin")
        for n in 0..<bytes.count {
            #expect(code { try DG14(Array(bytes.prefix(n))) } != nil, "prefix \(n)")
        }
    }
}

@Suite struct DG15Tests {
    @Test(arguments: ["bsi2008_Datagroup15.bin", "etsi103200_DG15.bin", "bsi_tr03105_Datagroup15.bin"])
    func rsaSamples(name: String) throws {
        let bytes = try Vectors.bytes(name)
        let dg15 = try DG15(bytes)
        #expect(dg15.raw == bytes)
        #expect(dg15.publicKey.algorithm == "1.2.840.113549.1.1.1")
        #expect(dg15.publicKey.algorithmName == "rsaEncryption")
        #expect(dg15.publicKey.details == .rsa(modulusBits: 1024, publicExponent: [0x01, 0x00, 0x01]))
        #expect(dg15.publicKey.raw == Array(bytes.dropFirst(3)))
    }

    @Test func namedCurveKey() throws {
        // SPKI { { id-ecPublicKey, brainpoolP256r1 }, BIT STRING 00 04 … } with a dummy 65-byte point.
        let point = [UInt8(0x04)] + Array(repeating: 0x11, count: 64)
        let spki = h("305A" + "3014" + "06072A8648CE3D0201" + "06092B2403030208010107" + "034200") + point
        let dg15 = try DG15([0x6F, UInt8(spki.count)] + spki)
        guard case .ec(let curve) = dg15.publicKey.details else {
            Issue.record("not EC")
            return
        }
        #expect(curve.namedCurve == "1.3.36.3.3.2.8.1.1.7")
        #expect(curve.name == "brainpoolP256r1")
        #expect(curve.fieldBits == 256)
        #expect(!curve.hasExplicitParameters)
        #expect(dg15.publicKey.publicKey == point)
    }

    @Test func errors() throws {
        #expect(code { try DG15(h("6E00")) } == .ldsUnexpectedTag)
        #expect(code { try DG15(h("6F023000")) } == .asn1Invalid)
        // BIT STRING with unused bits.
        #expect(code { try SubjectPublicKeyInfo.parse(h("300B" + "3005" + "06032A0304" + "03020701")) } == .asn1Invalid)
        // RSA key whose BIT STRING is not an RSAPublicKey.
        #expect(code { try SubjectPublicKeyInfo.parse(h("3013" + "300D06092A864886F70D0101010500" + "03020000")) } == .asn1Invalid)
        // Unknown algorithm: kept, not interpreted.
        #expect(try SubjectPublicKeyInfo.parse(h("300B" + "3005" + "06032A0304" + "03020001")).details == .other)
        let bytes = try Vectors.bytes("bsi2008_Datagroup15.bin")
        for n in 0..<bytes.count {
            #expect(code { try DG15(Array(bytes.prefix(n))) } != nil, "prefix \(n)")
        }
    }
}

@Suite struct OIDTests {
    @Test func roundTrip() throws {
        for text in ["1.0.10646.1.0.8", "0.4.0.127.0.7.2.2.4.2.2", "2.23.136.1.1.5", "1.2.840.113549.1.1.1", "2.999.3"] {
            let oid = try #require(try? ASN1ObjectIdentifier(dotRepresentation: text))
            if text == "2.999.3" {
                withKnownIssue("swift-asn1 1.7.4 reads the first subidentifier of 2.40 and above as two arcs (26.39)") {
                    #expect(oid.description == text)
                }
            } else {
                #expect(oid.description == text)
            }
            #expect(try ASN1ObjectIdentifier(contentBytes: oid.contentBytes) == oid)
        }
        #expect(ASN1ObjectIdentifier("1.0.10646.1.0.8").contentBytes == h("28D316010008"))
        #expect((try? ASN1ObjectIdentifier(dotRepresentation: "1")) == nil)
        #expect((try? ASN1ObjectIdentifier(dotRepresentation: "1..2")) == nil)
        #expect((try? ASN1ObjectIdentifier(dotRepresentation: "a.b")) == nil)
        #expect(code { try ASN1ObjectIdentifier(contentBytes: []) } == .asn1Invalid)
        #expect(code { try ASN1ObjectIdentifier(contentBytes: [0x2B, 0x81]) } == .asn1Invalid)
        #expect(code { try ASN1ObjectIdentifier(contentBytes: [0x2B, 0x80, 0x01]) } == .asn1Invalid)
        #expect(code { try ASN1ObjectIdentifier(contentBytes: [0x2B] + Array(repeating: 0xFF, count: 12) + [0x01]) } == .asn1Invalid)
        #expect(ASN1ObjectIdentifier("0.4.0.127.0.7.2.2.4.2.2").hasPrefix("0.4.0.127.0.7.2.2.4"))
    }
}
