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
#include <openssl/param_build.h>
/* An RSA key from its integers (n, e, d, p, q, dP, dQ, qInv). Here in C because OSSL_PARAM_BLD keeps
 * the parameter names' pointers until OSSL_PARAM_BLD_to_param: they must be string literals, not
 * Swift's temporary C strings. Returns NULL on failure. */
static inline EVP_PKEY *cccd_rsa_from_integers(const BIGNUM *n, const BIGNUM *e, const BIGNUM *d,
                                               const BIGNUM *p, const BIGNUM *q, const BIGNUM *dp,
                                               const BIGNUM *dq, const BIGNUM *qinv) {
    EVP_PKEY *key = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    if (bld == NULL) return NULL;
    if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1
        || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1
        || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d) != 1
        || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p) != 1
        || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q) != 1
        || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp) != 1
        || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq) != 1
        || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qinv) != 1
        || (params = OSSL_PARAM_BLD_to_param(bld)) == NULL
        || (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL
        || EVP_PKEY_fromdata_init(ctx) != 1
        || EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params) != 1) {
        key = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return key;
}
#endif
