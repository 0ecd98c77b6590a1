import EMRTDCore
import PKCS11
import Testing

@Suite("PKCS #11 URIs (RFC 7512)")
struct PKCS11URITests {
    @Test("Token, object, percent-encoded id, module path and PIN source")
    func parse() throws {
        let uri = try PKCS11URI("pkcs11:token=My%20HSM;object=dsc-2026;id=%01%a2?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin")
        #expect(uri.token == "My HSM")
        #expect(uri.object == "dsc-2026")
        #expect(uri.id == [0x01, 0xA2])
        #expect(uri.modulePath == "/usr/lib/softhsm/libsofthsm2.so")
        #expect(uri.pinSource == "file:/run/pin")
        #expect(uri.description == "pkcs11:token=My HSM;object=dsc-2026;id=%01%a2")
        #expect(try PKCS11URI("pkcs11:token=t;id=%07;type=private").object == nil)
    }

    @Test("A PIN in the URI, another scheme, no token, no key, bad encoding: each refused with pkcs11.uri")
    func refused() {
        for text in [
            "pkcs11:token=t;object=k;pin-value=1234", "pkcs11:token=t;object=k?pin-value=1234", "pkcs12:token=t;object=k",
            "pkcs11:object=k", "pkcs11:token=t", "pkcs11:token=t;object=k;id=%0", "pkcs11:token=t;object=k;id=%zz",
            "pkcs11:token=t;object", "pkcs11:token=t;object=k;colour=blue", "pkcs11:token=t;object=k?module-path",
        ] {
            #expect(throws: EMRTDError(.pkcs11URI, ""), "\(text)") { try PKCS11URI(text) }
        }
    }
}
