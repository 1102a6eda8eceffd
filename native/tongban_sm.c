/*
 * Standard SM2 (GB/T 32918) for the Tongban Gateway, as a small N-API addon.
 *
 * Why an addon: Node 20's crypto.sign() with SM2 keys uses an empty distinguishing ID (or plain
 * ECDSA) and publicEncrypt() refuses SM2, yet the OpenSSL 3.0 that Node embeds implements both
 * correctly once the ID is set with EVP_PKEY_CTX_set1_id. The node binary exports those libcrypto
 * symbols, so this file links against nothing: the symbols resolve to Node's own OpenSSL when the
 * addon is loaded, and the headers are the ones Node ships (include/node/openssl).
 *
 * Keys are parsed once into an EVP_PKEY held by a napi external, so per-call cost is one
 * EVP context plus the curve arithmetic. Every operation has a synchronous entry point and an
 * asynchronous one (napi async work on the libuv pool) so callers can keep the event loop free.
 *
 * SM4-GCM (sm4_gcm.c) is exported too, because GHASH in JavaScript costs more than the rest of an
 * envelope.
 *
 * Ciphertexts are OpenSSL's SM2 format, which is GM/T 0009 ASN.1 C1C3C2:
 *   SM2Cipher ::= SEQUENCE { x INTEGER, y INTEGER, hash OCTET STRING (32), ciphertext OCTET STRING }
 * Signatures are DER SEQUENCE { r INTEGER, s INTEGER }.
 */
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/err.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sm4_gcm.h"

typedef struct {
  EVP_PKEY *pkey;
  int is_private;
} sm_key;

typedef enum { OP_SIGN, OP_VERIFY, OP_ENCRYPT, OP_DECRYPT } sm_op;

#define MAX_ID_LEN 256

static EVP_MD *g_sm3 = NULL;

#define NAPI_CALL(env, call)                                   \
  do {                                                         \
    if ((call) != napi_ok) {                                   \
      napi_throw_error((env), "GW_NATIVE_NAPI", #call " failed"); \
      return NULL;                                             \
    }                                                          \
  } while (0)

/* ---------------------------------------------------------------- crypto core (no napi) */

static int sm_sign(EVP_PKEY *pkey, const uint8_t *id, size_t id_len, const uint8_t *msg,
                   size_t msg_len, uint8_t **out, size_t *out_len) {
  EVP_MD_CTX *mctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX *pctx = NULL; /* owned by mctx */
  int ok = 0;
  *out = NULL;
  if (mctx == NULL) goto end;
  if (EVP_DigestSignInit(mctx, &pctx, g_sm3, NULL, pkey) != 1) goto end;
  /* The ID must be set before the first update: the provider computes Z lazily from it. */
  if (EVP_PKEY_CTX_set1_id(pctx, id, (int)id_len) <= 0) goto end;
  *out_len = (size_t)EVP_PKEY_get_size(pkey);
  *out = malloc(*out_len);
  if (*out == NULL) goto end;
  if (EVP_DigestSign(mctx, *out, out_len, msg, msg_len) != 1) goto end;
  ok = 1;
end:
  if (!ok) { free(*out); *out = NULL; }
  EVP_MD_CTX_free(mctx);
  ERR_clear_error();
  return ok;
}

/* 1 valid, 0 invalid (including malformed signatures and internal errors). */
static int sm_verify(EVP_PKEY *pkey, const uint8_t *id, size_t id_len, const uint8_t *msg,
                     size_t msg_len, const uint8_t *sig, size_t sig_len) {
  EVP_MD_CTX *mctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX *pctx = NULL;
  int ok = 0;
  if (mctx == NULL) goto end;
  if (EVP_DigestVerifyInit(mctx, &pctx, g_sm3, NULL, pkey) != 1) goto end;
  if (EVP_PKEY_CTX_set1_id(pctx, id, (int)id_len) <= 0) goto end;
  ok = EVP_DigestVerify(mctx, sig, sig_len, msg, msg_len) == 1;
end:
  EVP_MD_CTX_free(mctx);
  ERR_clear_error();
  return ok;
}

static int sm_crypt(EVP_PKEY *pkey, int decrypt, const uint8_t *in, size_t in_len, uint8_t **out,
                    size_t *out_len) {
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
  int ok = 0;
  *out = NULL;
  if (ctx == NULL) goto end;
  if ((decrypt ? EVP_PKEY_decrypt_init(ctx) : EVP_PKEY_encrypt_init(ctx)) != 1) goto end;
  if ((decrypt ? EVP_PKEY_decrypt(ctx, NULL, out_len, in, in_len)
               : EVP_PKEY_encrypt(ctx, NULL, out_len, in, in_len)) != 1)
    goto end;
  *out = malloc(*out_len > 0 ? *out_len : 1);
  if (*out == NULL) goto end;
  if ((decrypt ? EVP_PKEY_decrypt(ctx, *out, out_len, in, in_len)
               : EVP_PKEY_encrypt(ctx, *out, out_len, in, in_len)) != 1)
    goto end;
  ok = 1;
end:
  if (!ok) { free(*out); *out = NULL; }
  EVP_PKEY_CTX_free(ctx);
  ERR_clear_error();
  return ok;
}

/* ---------------------------------------------------------------- napi helpers */

static void key_finalize(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  sm_key *k = (sm_key *)data;
  EVP_PKEY_free(k->pkey);
  free(k);
}

static int get_bytes(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool is_buf = false;
  if (napi_is_buffer(env, v, &is_buf) != napi_ok || !is_buf) return 0;
  return napi_get_buffer_info(env, v, (void **)data, len) == napi_ok;
}

static sm_key *get_key(napi_env env, napi_value v) {
  void *data = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external) return NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok) return NULL;
  return (sm_key *)data;
}

static napi_value make_buffer(napi_env env, const uint8_t *data, size_t len) {
  napi_value out;
  void *dst = NULL;
  if (napi_create_buffer_copy(env, len, data, &dst, &out) != napi_ok) return NULL;
  return out;
}

static napi_value wrap_key(napi_env env, EVP_PKEY *pkey, int is_private) {
  napi_value ext;
  sm_key *k;
  if (pkey == NULL) {
    ERR_clear_error();
    napi_throw_error(env, "GW_NATIVE_KEY", "key is not a parseable SM2 key");
    return NULL;
  }
  if (!EVP_PKEY_is_a(pkey, "SM2")) {
    EVP_PKEY_free(pkey);
    napi_throw_error(env, "GW_NATIVE_KEY", "key is not on the SM2 curve");
    return NULL;
  }
  k = malloc(sizeof(*k));
  if (k == NULL) { EVP_PKEY_free(pkey); napi_throw_error(env, NULL, "out of memory"); return NULL; }
  k->pkey = pkey;
  k->is_private = is_private;
  NAPI_CALL(env, napi_create_external(env, k, key_finalize, NULL, &ext));
  return ext;
}

/* loadPrivateKey(pkcs8Der: Buffer): external */
static napi_value load_private_key(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  uint8_t *der; size_t len;
  const unsigned char *p;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || !get_bytes(env, argv[0], &der, &len)) {
    napi_throw_type_error(env, NULL, "expected a PKCS#8 DER buffer");
    return NULL;
  }
  p = der;
  return wrap_key(env, d2i_AutoPrivateKey(NULL, &p, (long)len), 1);
}

/* loadPublicKey(spkiDer: Buffer): external */
static napi_value load_public_key(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  uint8_t *der; size_t len;
  const unsigned char *p;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || !get_bytes(env, argv[0], &der, &len)) {
    napi_throw_type_error(env, NULL, "expected a SubjectPublicKeyInfo DER buffer");
    return NULL;
  }
  p = der;
  return wrap_key(env, d2i_PUBKEY(NULL, &p, (long)len), 0);
}

/* ---------------------------------------------------------------- operations */

typedef struct {
  sm_op op;
  sm_key *key;
  napi_ref key_ref;      /* keeps the external (and its EVP_PKEY) alive during async work */
  uint8_t *in; size_t in_len;
  uint8_t *sig; size_t sig_len;
  uint8_t id[MAX_ID_LEN]; size_t id_len;
  uint8_t *out; size_t out_len;
  int ok;
  napi_deferred deferred;
  napi_async_work work;
} sm_job;

static void job_run(sm_job *j) {
  switch (j->op) {
    case OP_SIGN:
      j->ok = sm_sign(j->key->pkey, j->id, j->id_len, j->in, j->in_len, &j->out, &j->out_len);
      break;
    case OP_VERIFY:
      j->ok = sm_verify(j->key->pkey, j->id, j->id_len, j->in, j->in_len, j->sig, j->sig_len);
      break;
    case OP_ENCRYPT:
      j->ok = sm_crypt(j->key->pkey, 0, j->in, j->in_len, &j->out, &j->out_len);
      break;
    case OP_DECRYPT:
      j->ok = sm_crypt(j->key->pkey, 1, j->in, j->in_len, &j->out, &j->out_len);
      break;
  }
}

static const char *job_error(sm_op op) {
  switch (op) {
    case OP_SIGN: return "SM2 signing failed";
    case OP_ENCRYPT: return "SM2 encryption failed";
    case OP_DECRYPT: return "SM2 decryption failed";
    default: return "SM2 operation failed";
  }
}

/* Result as a JS value, or NULL with `*err` set to an Error object. */
static napi_value job_result(napi_env env, sm_job *j, napi_value *err) {
  napi_value v = NULL, msg, code;
  *err = NULL;
  if (j->op == OP_VERIFY) {
    napi_get_boolean(env, j->ok ? true : false, &v);
    return v;
  }
  if (j->ok) return make_buffer(env, j->out, j->out_len);
  napi_create_string_utf8(env, job_error(j->op), NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, "GW_NATIVE_CRYPTO", NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, msg, err);
  return NULL;
}

static void job_free(napi_env env, sm_job *j) {
  if (j->key_ref != NULL) napi_delete_reference(env, j->key_ref);
  free(j->in); free(j->sig); free(j->out);
  free(j);
}

static void exec_cb(napi_env env, void *data) { (void)env; job_run((sm_job *)data); }

static void complete_cb(napi_env env, napi_status status, void *data) {
  sm_job *j = (sm_job *)data;
  napi_value err = NULL, v = NULL;
  if (status == napi_ok) v = job_result(env, j, &err);
  if (v != NULL) napi_resolve_deferred(env, j->deferred, v);
  else {
    if (err == NULL) {
      napi_value m;
      napi_create_string_utf8(env, "SM2 async work was cancelled", NAPI_AUTO_LENGTH, &m);
      napi_create_error(env, NULL, m, &err);
    }
    napi_reject_deferred(env, j->deferred, err);
  }
  napi_delete_async_work(env, j->work);
  job_free(env, j);
}

static uint8_t *dup_bytes(const uint8_t *src, size_t len) {
  uint8_t *d = malloc(len > 0 ? len : 1);
  if (d != NULL && len > 0) memcpy(d, src, len);
  return d;
}

/*
 * Shared argument parsing. JS signatures:
 *   sign(key, msg, id)          verify(key, msg, sig, id)
 *   encrypt(key, plaintext)     decrypt(key, ciphertextDer)
 */
static napi_value run_op(napi_env env, napi_callback_info info, sm_op op, int async) {
  size_t argc = 4;
  napi_value argv[4], result, err;
  sm_job *j;
  uint8_t *in, *sig = NULL, *id = NULL;
  size_t in_len, sig_len = 0, id_len = 0;
  sm_key *key;
  size_t need = op == OP_VERIFY ? 4 : op == OP_SIGN ? 3 : 2;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < need) { napi_throw_type_error(env, NULL, "missing arguments"); return NULL; }
  key = get_key(env, argv[0]);
  if (key == NULL) { napi_throw_type_error(env, NULL, "expected a loaded SM2 key"); return NULL; }
  if ((op == OP_SIGN || op == OP_DECRYPT) && !key->is_private) {
    napi_throw_error(env, "GW_NATIVE_KEY", "operation needs a private key");
    return NULL;
  }
  if (!get_bytes(env, argv[1], &in, &in_len)) {
    napi_throw_type_error(env, NULL, "expected a Buffer");
    return NULL;
  }
  if (op == OP_VERIFY && !get_bytes(env, argv[2], &sig, &sig_len)) {
    napi_throw_type_error(env, NULL, "expected a signature Buffer");
    return NULL;
  }
  if ((op == OP_SIGN || op == OP_VERIFY) &&
      (!get_bytes(env, argv[op == OP_SIGN ? 2 : 3], &id, &id_len) || id_len > MAX_ID_LEN)) {
    napi_throw_type_error(env, NULL, "expected an ID Buffer of at most 256 bytes");
    return NULL;
  }
  j = calloc(1, sizeof(*j));
  if (j == NULL) { napi_throw_error(env, NULL, "out of memory"); return NULL; }
  j->op = op;
  j->key = key;
  j->id_len = id_len;
  if (id_len > 0) memcpy(j->id, id, id_len);
  if (!async) {
    /* Synchronous: use the caller's buffers in place, nothing to keep alive. */
    j->in = in; j->in_len = in_len; j->sig = sig; j->sig_len = sig_len;
    job_run(j);
    j->in = NULL; j->sig = NULL;
    result = job_result(env, j, &err);
    job_free(env, j);
    if (result == NULL) napi_throw(env, err);
    return result;
  }
  /* Asynchronous: copy the inputs, since JS may reuse its buffers before the work runs. */
  j->in = dup_bytes(in, in_len); j->in_len = in_len;
  if (sig != NULL) { j->sig = dup_bytes(sig, sig_len); j->sig_len = sig_len; }
  {
    napi_value name;
    napi_create_string_utf8(env, "tongban_sm2", NAPI_AUTO_LENGTH, &name);
    if (j->in == NULL || (sig != NULL && j->sig == NULL) ||
        napi_create_reference(env, argv[0], 1, &j->key_ref) != napi_ok ||
        napi_create_promise(env, &j->deferred, &result) != napi_ok ||
        napi_create_async_work(env, NULL, name, exec_cb, complete_cb, j, &j->work) != napi_ok ||
        napi_queue_async_work(env, j->work) != napi_ok) {
      job_free(env, j);
      napi_throw_error(env, NULL, "could not queue SM2 work");
      return NULL;
    }
  }
  return result;
}

#define OP_FN(name, op, async) \
  static napi_value name(napi_env env, napi_callback_info info) { return run_op(env, info, op, async); }
OP_FN(sign_sync, OP_SIGN, 0)
OP_FN(verify_sync, OP_VERIFY, 0)
OP_FN(encrypt_sync, OP_ENCRYPT, 0)
OP_FN(decrypt_sync, OP_DECRYPT, 0)
OP_FN(sign_async, OP_SIGN, 1)
OP_FN(verify_async, OP_VERIFY, 1)
OP_FN(encrypt_async, OP_ENCRYPT, 1)
OP_FN(decrypt_async, OP_DECRYPT, 1)


/* ---------------------------------------------------------------- SM4-GCM (sm4_gcm.c) */

/*
 * sm4GcmEncrypt(key16, iv, plaintext, aad): ciphertext ‖ tag(16)
 * sm4GcmDecrypt(key16, iv, ciphertext, tag16, aad): plaintext; throws on a tag mismatch.
 * Synchronous: a 4 KiB packet costs tens of microseconds, less than a thread hop.
 */
static napi_value sm4_gcm_call(napi_env env, napi_callback_info info, int encrypt) {
  size_t argc = 5;
  napi_value argv[5], result;
  uint8_t *key, *iv, *in, *aad, *tag = NULL, *out;
  size_t key_len, iv_len, in_len, aad_len, tag_len = 0;
  size_t need = encrypt ? 4 : 5;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < need || !get_bytes(env, argv[0], &key, &key_len) || key_len != 16 ||
      !get_bytes(env, argv[1], &iv, &iv_len) || iv_len == 0 || !get_bytes(env, argv[2], &in, &in_len) ||
      (!encrypt && (!get_bytes(env, argv[3], &tag, &tag_len) || tag_len != 16)) ||
      !get_bytes(env, argv[encrypt ? 3 : 4], &aad, &aad_len)) {
    napi_throw_type_error(env, NULL, "sm4Gcm: bad arguments");
    return NULL;
  }
  NAPI_CALL(env, napi_create_buffer(env, in_len + (encrypt ? 16 : 0), (void **)&out, &result));
  if (!sm4_gcm(encrypt, key, iv, iv_len, aad, aad_len, in, in_len, out, encrypt ? out + in_len : tag)) {
    napi_throw_error(env, "GW_NATIVE_CRYPTO", encrypt ? "SM4-GCM encryption failed" : "SM4-GCM tag mismatch");
    return NULL;
  }
  return result;
}

static napi_value sm4_gcm_encrypt(napi_env env, napi_callback_info info) { return sm4_gcm_call(env, info, 1); }
static napi_value sm4_gcm_decrypt(napi_env env, napi_callback_info info) { return sm4_gcm_call(env, info, 0); }

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"loadPrivateKey", NULL, load_private_key, NULL, NULL, NULL, napi_enumerable, NULL},
    {"loadPublicKey", NULL, load_public_key, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sign", NULL, sign_sync, NULL, NULL, NULL, napi_enumerable, NULL},
    {"verify", NULL, verify_sync, NULL, NULL, NULL, napi_enumerable, NULL},
    {"encrypt", NULL, encrypt_sync, NULL, NULL, NULL, napi_enumerable, NULL},
    {"decrypt", NULL, decrypt_sync, NULL, NULL, NULL, napi_enumerable, NULL},
    {"signAsync", NULL, sign_async, NULL, NULL, NULL, napi_enumerable, NULL},
    {"verifyAsync", NULL, verify_async, NULL, NULL, NULL, napi_enumerable, NULL},
    {"encryptAsync", NULL, encrypt_async, NULL, NULL, NULL, napi_enumerable, NULL},
    {"decryptAsync", NULL, decrypt_async, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sm4GcmEncrypt", NULL, sm4_gcm_encrypt, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sm4GcmDecrypt", NULL, sm4_gcm_decrypt, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (g_sm3 == NULL) {
    /* Fetch once: passing EVP_sm3() would repeat an implicit provider fetch on every call. */
    g_sm3 = EVP_MD_fetch(NULL, "SM3", NULL);
    if (g_sm3 == NULL) {
      napi_throw_error(env, "GW_NATIVE_INIT", "OpenSSL in this Node has no SM3");
      return NULL;
    }
  }
  if (!sm4_gcm_init()) {
    napi_throw_error(env, "GW_NATIVE_INIT", "OpenSSL in this Node has no SM4-ECB/CTR");
    return NULL;
  }
  NAPI_CALL(env, napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
