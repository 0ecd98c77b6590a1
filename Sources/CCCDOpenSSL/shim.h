#ifndef CCCD_OPENSSL_SHIM_H
#define CCCD_OPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/des.h>
#endif
