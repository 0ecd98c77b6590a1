import EMRTDCore
public import PassiveAuthentication
import PKIX
import Cryptography

extension Specimen {
    /// The project's test PKI, which signs the specimen's EF.SOD: a CSCA "CSCA VN TEST", a document
    /// signer and an empty CRL (ECDSA brainpoolP256r1 / SHA-256, valid 2025-2045), made with
    /// `cccd pki init --not-before 2025-01-01`. TEST ONLY: these private keys are public.
    /// `TestVectors/pki/` holds the same certificates and CRL for `--trust`.
    public static let testPKI: DocumentPKI = {
        do {
            return DocumentPKI(
                csca: try X509Certificate.parse(fileContents: Array(cscaPEM.utf8))[0],
                cscaKey: try PrivateKey(pem: cscaKeyPEM),
                dsc: try X509Certificate.parse(fileContents: Array(dscPEM.utf8))[0],
                dscKey: try PrivateKey(pem: dscKeyPEM),
                crl: try CertificateRevocationList.parse(fileContents: Array(crlPEM.utf8))[0],
                scheme: .ecdsa(.sha256, encoding: .der)
            )
        } catch {
            // The PEM texts below are constants checked by the tests; they always parse.
            fatalError("the built-in test PKI does not parse: \(error)")
        }
    }()

    static let cscaPEM = """
-----BEGIN CERTIFICATE-----
MIIB3TCCAYOgAwIBAgIIb4TcApjRHQcwCgYIKoZIzj0EAwIwQDELMAkGA1UEBhMC
Vk4xGjAYBgNVBAoMEWNjY2QtdG9vbGtpdCBURVNUMRUwEwYDVQQDDAxDU0NBIFZO
IFRFU1QwHhcNMjUwMTAxMDAwMDAwWhcNNDUwMTAxMDAwMDAwWjBAMQswCQYDVQQG
EwJWTjEaMBgGA1UECgwRY2NjZC10b29sa2l0IFRFU1QxFTATBgNVBAMMDENTQ0Eg
Vk4gVEVTVDBaMBQGByqGSM49AgEGCSskAwMCCAEBBwNCAARKkuwDqINkZPEM9ox8
BWH2u33YmUgT4WQZ/+FTxBSDcj8mr8GeKdpHz8ovixNHwL5ZzU6E6qs3ayZm2eJb
4OPyo2YwZDASBgNVHRMBAf8ECDAGAQH/AgEAMA4GA1UdDwEB/wQEAwIBBjAdBgNV
HQ4EFgQUD3ochyyqvtyXz8seybOuuIuNxygwHwYDVR0jBBgwFoAUD3ochyyqvtyX
z8seybOuuIuNxygwCgYIKoZIzj0EAwIDSAAwRQIgb/Z6S4VFl6G8VJDXcv+BvZXn
JIGcGlfSSijbkbH9gzoCIQCiObjXnGoTI+R5VT8nI/Cy+e9FzVfTpW6yg/mSNHyj
Rw==
-----END CERTIFICATE-----
"""

    static let cscaKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIGIAgEAMBQGByqGSM49AgEGCSskAwMCCAEBBwRtMGsCAQEEIDcZCg0eoDVms6A+
EgwrdOaSO0lWQGo5FYcxouaQlxeaoUQDQgAESpLsA6iDZGTxDPaMfAVh9rt92JlI
E+FkGf/hU8QUg3I/Jq/BninaR8/KL4sTR8C+Wc1OhOqrN2smZtniW+Dj8g==
-----END PRIVATE KEY-----
"""

    static let dscPEM = """
-----BEGIN CERTIFICATE-----
MIIB0jCCAXegAwIBAgIId6Lw5G/ZL+4wCgYIKoZIzj0EAwIwQDELMAkGA1UEBhMC
Vk4xGjAYBgNVBAoMEWNjY2QtdG9vbGtpdCBURVNUMRUwEwYDVQQDDAxDU0NBIFZO
IFRFU1QwHhcNMjUwMTAxMDAwMDAwWhcNNDAwMTAxMTgwMDAwWjBIMQswCQYDVQQG
EwJWTjEaMBgGA1UECgwRY2NjZC10b29sa2l0IFRFU1QxHTAbBgNVBAMMFERvY3Vt
ZW50IFNpZ25lciBURVNUMFowFAYHKoZIzj0CAQYJKyQDAwIIAQEHA0IABDonl4Av
PtNwPilUfLm8PJhzzZFlFadaMx/LS59xQIIeMw0DB/OLw0hbuU/WBT3rivSNFfOT
LVbKp71+R+a/0zqjUjBQMA4GA1UdDwEB/wQEAwIHgDAdBgNVHQ4EFgQUAErSWWc9
DOfWESAgoNUXEU3WoQowHwYDVR0jBBgwFoAUD3ochyyqvtyXz8seybOuuIuNxygw
CgYIKoZIzj0EAwIDSQAwRgIhAKKKKv8ootrQzQcHDhtMuMMcbGwZp+mmDDI7sDBt
rEGcAiEAmSIIlUyZwkz8kc+KdPr5yUl7/NQvhnMALp6n/UShrZc=
-----END CERTIFICATE-----
"""

    static let dscKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIGIAgEAMBQGByqGSM49AgEGCSskAwMCCAEBBwRtMGsCAQEEIHJ08Le560dW1xTi
Byh3Y0hChth0m1KSa9tY3ST0jR6AoUQDQgAEOieXgC8+03A+KVR8ubw8mHPNkWUV
p1ozH8tLn3FAgh4zDQMH84vDSFu5T9YFPeuK9I0V85MtVsqnvX5H5r/TOg==
-----END PRIVATE KEY-----
"""

    static let crlPEM = """
-----BEGIN X509 CRL-----
MIH4MIGgAgEBMAoGCCqGSM49BAMCMEAxCzAJBgNVBAYTAlZOMRowGAYDVQQKDBFj
Y2NkLXRvb2xraXQgVEVTVDEVMBMGA1UEAwwMQ1NDQSBWTiBURVNUFw0yNTAxMDEw
MDAwMDBaFw0zNTAxMDExMjAwMDBaoC8wLTAfBgNVHSMEGDAWgBQPehyHLKq+3JfP
yx7Js664i43HKDAKBgNVHRQEAwIBATAKBggqhkjOPQQDAgNHADBEAiAiCRaE6r6B
x3yImFArHZtzxMbkvuoCSa/ElcNwCsYhrQIgVZt2td9C7G3vIb8cRMp3PRWca8Wk
+Wdm8bpgMwJhTDU=
-----END X509 CRL-----
"""

    /// The chip's static Chip Authentication key (brainpoolP256r1 scalar). TEST ONLY.
    static let chipAuthenticationKey = "358A9AAFA1DC3B435869D969EBF64880B3A66C2CF39F5C8393FF5E052321621C"

    /// The chip's Active Authentication key (RSA-2048, PKCS #8). TEST ONLY.
    static let activeAuthenticationKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDHSu7H1PqDqwKR
5cZNHJsFHggxVXp8tU0GHh0apTLFzS1EXTVWuy77hZjAfyV5YaIjpznvB7nWgpNk
vJmybUOBrw7AuDQdP7qNtKhfqQrW6R2dHF+LvFYu03W5RmXMsqVYWm7bRX8MizCd
aLtfrlXpPsuknM3z9SzVhk2b9h/dZOcblFFxBHQFlEuBQ/+JJGEN0N8/JJzFjYDG
0B5yhrvtrzO+Cq0cNryMwUYewPKielxxKKk85ERTDiKOhhF9MD/hj1wBpZsZp8Uw
aw67cmFqNmFXkfgiI/Hr/3RR2rLMnBgxYlMYwd155q9SbEZBgRtdFjibeiY0dgjD
Rq8FBowdAgMBAAECggEAS7SH22po1Z6fRcv61e0haEK9yvvVIU1/2myTEr2heWlV
IkykB/PoR4y695j1I9R2UsPiKo6NRlLo6dIJMrH1/GwDFyuCRIAiflUbxucAop4A
bV/LXdooBPa4GC8JWcadL+B+jxYpypqPV6Ri1Vh08zszAa+9PsiqhNxVXAMVnLRd
T8C7pP3wtgwqSZpKrlpSihxb/Iz4QKkDVO4QIL0WZMe8uboIFjOmJn53kNPJpjzQ
OuSVk8htffqBlnbupA5TKWYbpKhGybVJxVkwZfVBf7glZyYcw0SxwXpJLSbRZlgx
TsdqDIcTOci2jO+zhbPZwY2pM9jc+3VPrwCPkabqEwKBgQDzR4ctqiB8NF3/E1XA
a+CkE2k7WzDbSYZ9LoCkHK6OZZCsSs1tjD8YuUeQ1z8FA+aQnyIb3xBKJ9PJ1Nu9
+p7C7HIOHeUXDqaE2Vhs5SUT4z26ZjUGi+S1uNQcXH+QODroc8fCqqPQCaliI22v
tqAy9ay8cZc/cZKXbuI8SBu2pwKBgQDRtpxWJAHWiAY07MaL0ZjkhvV2S+8kCQZh
uIiEWQzu73ePIcUJeLMdnHHghCh3a+NDbhEOfHSyid9csIycyWSIqD8UCj32rtfG
bxggOphvlwGQ8xsaSHTpffjx8l0b35lEr/dcDes3SVbtqyYMp2EPV2mfBypIUVnc
LUnwHG0DmwKBgQCjWM+nFagiPXcvoefd/5EiGfZ6aExxsPigbOzrRGbgLcnqJX+x
oo1rKFypIB2sXGYfjPn2BNyHLh7CUi4JbZHUB7a9S81aofelE9qPo3w10krMMXxB
HQVADw48zM7KIzdKhRMH3lOHiDU3M9qeNN1z2glVrl+Dtdpb25QELdaN2QKBgAIX
vmulpFcNuHIiwsB2cP4m0qBBlbtYU7X573LSqKxhu2G0RpEXoUH0Y7aH2xeF/hiY
Kpdoaom1koMMR/rwj45Fj4uVppSlngWe6jC4JPlIGn3lzylt+6yw0yEm+ALlMlRb
JS7H/MbqdnGcuZ56tR9AEg/CNIvQNANceFZrEjNtAoGABkqltUG7dNJ1yotpIM7a
yMfAD/lJys+b33ohryrPRW+iJsHM3yYQcElQ2q1NR5i+E+s2KAiuVcMhM3H8aEXR
I3CxLPWTi/UveVQPcmi8Tdrx4bX3Cz3X2s/BG3eUeueGeP6vmw9J8aA0pATUZFEH
QCtyAGuQ1fdcjEaUcYlHn0g=
-----END PRIVATE KEY-----
"""
}
