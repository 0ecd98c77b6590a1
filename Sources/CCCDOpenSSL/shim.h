#ifndef CCCD_OPENSSL_SHIM_H
#define CCCD_OPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/des.h>

/* Initialises a CMAC context with the named block cipher (e.g. "AES-128-CBC") and key.
 * The parameter name is a macro (OSSL_MAC_PARAM_CIPHER), and the OSSL_PARAM array keeps
 * pointers to its strings, so it is built here where their lifetime is obvious. */
static inline int cccd_cmac_init(EVP_MAC_CTX *ctx, const char *cipher,
                                 const unsigned char *key, size_t key_len) {
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)cipher, 0);
    params[1] = OSSL_PARAM_construct_end();
    return EVP_MAC_init(ctx, key, key_len, params);
}

#endif

/* Elliptic-curve groups and big-number arithmetic for PACE (EllipticCurve.swift, FiniteFieldDH.swift,
 * IntegratedMapping.swift). Only the non-deprecated EC_GROUP/EC_POINT/BIGNUM interfaces are used. */
#ifndef CCCD_OPENSSL_SHIM_EC
#define CCCD_OPENSSL_SHIM_EC
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#endif

/* Public and private keys, signatures (PublicKey.swift, PrivateKey.swift): SubjectPublicKeyInfo and
 * PKCS #8 coding, RSA padding modes. */
#ifndef CCCD_OPENSSL_SHIM_PKEY
#define CCCD_OPENSSL_SHIM_PKEY
#include <openssl/x509.h>
#include <openssl/rsa.h>
#endif
