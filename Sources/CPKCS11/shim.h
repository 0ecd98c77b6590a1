#ifndef CCCD_PKCS11_SHIM_H
#define CCCD_PKCS11_SHIM_H
/* PKCS #11 (OASIS, v2.40) through p11-kit's header; the module is loaded with dlopen. These helpers
 * keep the function list, attribute templates and mechanisms on the C side: Swift sees handles,
 * byte buffers and CK_RV codes only. */
#include <dlfcn.h>
#include <string.h>
#include <p11-kit/pkcs11.h>

typedef struct cccd_p11 {
    void *library;
    CK_FUNCTION_LIST *f;
} cccd_p11;

/* Loads the module at `path` and initializes it. CKR_GENERAL_ERROR when it cannot be loaded. */
static inline CK_RV cccd_p11_load(const char *path, cccd_p11 *out) {
    memset(out, 0, sizeof *out);
    out->library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!out->library) return CKR_GENERAL_ERROR;
    CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(out->library, "C_GetFunctionList");
    if (!get) { dlclose(out->library); out->library = NULL; return CKR_GENERAL_ERROR; }
    CK_RV rv = get(&out->f);
    if (rv != CKR_OK) { dlclose(out->library); out->library = NULL; return rv; }
    CK_C_INITIALIZE_ARGS args;
    memset(&args, 0, sizeof args);
    args.flags = CKF_OS_LOCKING_OK;
    rv = out->f->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) { dlclose(out->library); out->library = NULL; return rv; }
    return CKR_OK;
}

static inline void cccd_p11_unload(cccd_p11 *p) {
    if (p->f) p->f->C_Finalize(NULL);
    if (p->library) dlclose(p->library);
    p->f = NULL;
    p->library = NULL;
}

/* The slot whose token's label (blank-padded to 32) equals `label`. CKR_TOKEN_NOT_PRESENT when none. */
static inline CK_RV cccd_p11_find_slot(cccd_p11 *p, const char *label, CK_SLOT_ID *slot) {
    CK_SLOT_ID slots[64];
    CK_ULONG count = 64;
    CK_RV rv = p->f->C_GetSlotList(CK_TRUE, slots, &count);
    if (rv != CKR_OK) return rv;
    char padded[32];
    memset(padded, ' ', sizeof padded);
    size_t n = strlen(label);
    if (n > 32) return CKR_ARGUMENTS_BAD;
    memcpy(padded, label, n);
    for (CK_ULONG i = 0; i < count; i++) {
        CK_TOKEN_INFO info;
        if (p->f->C_GetTokenInfo(slots[i], &info) != CKR_OK) continue;
        if (memcmp(info.label, padded, 32) == 0) { *slot = slots[i]; return CKR_OK; }
    }
    return CKR_TOKEN_NOT_PRESENT;
}

/* A read-write session on `slot`, logged in as the user with `pin`. */
static inline CK_RV cccd_p11_open(cccd_p11 *p, CK_SLOT_ID slot, const unsigned char *pin, CK_ULONG pin_length, CK_SESSION_HANDLE *session) {
    CK_RV rv = p->f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, session);
    if (rv != CKR_OK) return rv;
    rv = p->f->C_Login(*session, CKU_USER, (unsigned char *)pin, pin_length);
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) { p->f->C_CloseSession(*session); return rv; }
    return CKR_OK;
}

static inline void cccd_p11_close(cccd_p11 *p, CK_SESSION_HANDLE session) {
    if (!p->f) return;
    p->f->C_Logout(session);
    p->f->C_CloseSession(session);
}

/* An EC key pair in the token: the private key sensitive, never extractable, for signing only. */
static inline CK_RV cccd_p11_generate_ec(cccd_p11 *p, CK_SESSION_HANDLE session, const unsigned char *params, CK_ULONG params_length,
                                         const char *label, const unsigned char *id, CK_ULONG id_length,
                                         CK_OBJECT_HANDLE *public_key, CK_OBJECT_HANDLE *private_key) {
    CK_MECHANISM mechanism = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ATTRIBUTE pub[] = {
        { CKA_TOKEN, &yes, sizeof yes }, { CKA_VERIFY, &yes, sizeof yes },
        { CKA_EC_PARAMS, (void *)params, params_length },
        { CKA_LABEL, (void *)label, strlen(label) }, { CKA_ID, (void *)id, id_length },
    };
    CK_ATTRIBUTE priv[] = {
        { CKA_TOKEN, &yes, sizeof yes }, { CKA_PRIVATE, &yes, sizeof yes }, { CKA_SIGN, &yes, sizeof yes },
        { CKA_SENSITIVE, &yes, sizeof yes }, { CKA_EXTRACTABLE, &no, sizeof no },
        { CKA_LABEL, (void *)label, strlen(label) }, { CKA_ID, (void *)id, id_length },
    };
    return p->f->C_GenerateKeyPair(session, &mechanism, pub, sizeof pub / sizeof pub[0], priv, sizeof priv / sizeof priv[0],
                                   public_key, private_key);
}

/* The first object of `object_class` with `label` (when not NULL) and `id` (when id_length > 0). */
static inline CK_RV cccd_p11_find(cccd_p11 *p, CK_SESSION_HANDLE session, CK_OBJECT_CLASS object_class, const char *label,
                                  const unsigned char *id, CK_ULONG id_length, CK_OBJECT_HANDLE *object) {
    CK_ATTRIBUTE template[3];
    CK_ULONG n = 0;
    template[n].type = CKA_CLASS; template[n].pValue = &object_class; template[n].ulValueLen = sizeof object_class; n++;
    if (label) { template[n].type = CKA_LABEL; template[n].pValue = (void *)label; template[n].ulValueLen = strlen(label); n++; }
    if (id_length > 0) { template[n].type = CKA_ID; template[n].pValue = (void *)id; template[n].ulValueLen = id_length; n++; }
    CK_RV rv = p->f->C_FindObjectsInit(session, template, n);
    if (rv != CKR_OK) return rv;
    CK_ULONG found = 0;
    rv = p->f->C_FindObjects(session, object, 1, &found);
    p->f->C_FindObjectsFinal(session);
    if (rv != CKR_OK) return rv;
    return found == 1 ? CKR_OK : CKR_KEY_HANDLE_INVALID;
}

/* One attribute's value: with `value` NULL, its length only. */
static inline CK_RV cccd_p11_attribute(cccd_p11 *p, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type,
                                       unsigned char *value, CK_ULONG *length) {
    CK_ATTRIBUTE attribute = { type, value, *length };
    CK_RV rv = p->f->C_GetAttributeValue(session, object, &attribute, 1);
    *length = attribute.ulValueLen;
    return rv;
}

/* Signs `data` with `mechanism` (CKM_ECDSA over a digest, CKM_SHA256_RSA_PKCS …). */
static inline CK_RV cccd_p11_sign(cccd_p11 *p, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE mechanism_type,
                                  const unsigned char *data, CK_ULONG length, unsigned char *signature, CK_ULONG *signature_length) {
    CK_MECHANISM mechanism = { mechanism_type, NULL, 0 };
    CK_RV rv = p->f->C_SignInit(session, &mechanism, key);
    if (rv != CKR_OK) return rv;
    return p->f->C_Sign(session, (unsigned char *)data, length, signature, signature_length);
}

/* Destroys an object (a test's key, or a key pair generation that failed half way). */
static inline CK_RV cccd_p11_destroy(cccd_p11 *p, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object) {
    return p->f->C_DestroyObject(session, object);
}
#endif
