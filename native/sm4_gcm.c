/*
 * SM4-GCM for the Tongban Gateway. Node 20's OpenSSL 3.0 has SM4-ECB/CTR but no SM4-GCM cipher;
 * it does export its generic GCM engine (CRYPTO_gcm128_*, modes.h), which takes any 128-bit block
 * cipher. We plug SM4 into it: the block function (hash subkey H, tag mask E_K(J0), partial
 * blocks) runs SM4-ECB, the ctr32 stream function runs SM4-CTR over whole blocks. GHASH is then
 * OpenSSL's (carry-less multiply where the CPU has it), which is the costly part in JavaScript.
 *
 * OpenSSL's CTR increments all 128 counter bits where GCM's inc32 wraps the low 32; they agree
 * below 2^32 blocks per message, far above what the gateway accepts (the JS side enforces it).
 */
#include "sm4_gcm.h"

#include <openssl/evp.h>
#include <openssl/modes.h>
#include <openssl/err.h>

static EVP_CIPHER *g_sm4_ecb = NULL;
static EVP_CIPHER *g_sm4_ctr = NULL;

typedef struct {
  EVP_CIPHER_CTX *ecb;
  EVP_CIPHER_CTX *ctr;
} sm4_pair;

int sm4_gcm_init(void) {
  if (g_sm4_ecb == NULL) g_sm4_ecb = EVP_CIPHER_fetch(NULL, "SM4-ECB", NULL);
  if (g_sm4_ctr == NULL) g_sm4_ctr = EVP_CIPHER_fetch(NULL, "SM4-CTR", NULL);
  ERR_clear_error();
  return g_sm4_ecb != NULL && g_sm4_ctr != NULL;
}

static void sm4_block(const unsigned char in[16], unsigned char out[16], const void *key) {
  const sm4_pair *k = (const sm4_pair *)key;
  int outl = 0;
  EVP_EncryptUpdate(k->ecb, out, &outl, in, 16);
}

static void sm4_ctr32(const unsigned char *in, unsigned char *out, size_t blocks, const void *key,
                      const unsigned char ivec[16]) {
  const sm4_pair *k = (const sm4_pair *)key;
  int outl = 0;
  /* Re-key only the IV: GCM128 hands over the counter block for each run of whole blocks. */
  EVP_EncryptInit_ex2(k->ctr, NULL, NULL, ivec, NULL);
  EVP_EncryptUpdate(k->ctr, out, &outl, in, (int)(blocks * 16));
}

int sm4_gcm(int encrypt, const uint8_t key[16], const uint8_t *iv, size_t iv_len, const uint8_t *aad,
            size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16]) {
  static const unsigned char zero_iv[16] = {0};
  sm4_pair k = {EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_new()};
  GCM128_CONTEXT *gcm = NULL;
  int ok = 0;
  if (k.ecb == NULL || k.ctr == NULL || len > (size_t)1 << 36 || len > 0x7ffffff0) goto end;
  if (EVP_EncryptInit_ex2(k.ecb, g_sm4_ecb, key, NULL, NULL) != 1) goto end;
  EVP_CIPHER_CTX_set_padding(k.ecb, 0);
  if (EVP_EncryptInit_ex2(k.ctr, g_sm4_ctr, key, zero_iv, NULL) != 1) goto end;
  gcm = CRYPTO_gcm128_new(&k, sm4_block);
  if (gcm == NULL) goto end;
  CRYPTO_gcm128_setiv(gcm, iv, iv_len);
  if (aad_len > 0 && CRYPTO_gcm128_aad(gcm, aad, aad_len) != 0) goto end;
  if (encrypt) {
    if (CRYPTO_gcm128_encrypt_ctr32(gcm, in, out, len, sm4_ctr32) != 0) goto end;
    CRYPTO_gcm128_tag(gcm, tag, 16);
    ok = 1;
  } else {
    if (CRYPTO_gcm128_decrypt_ctr32(gcm, in, out, len, sm4_ctr32) != 0) goto end;
    ok = CRYPTO_gcm128_finish(gcm, tag, 16) == 0;
  }
end:
  if (gcm != NULL) CRYPTO_gcm128_release(gcm);
  EVP_CIPHER_CTX_free(k.ecb);
  EVP_CIPHER_CTX_free(k.ctr);
  ERR_clear_error();
  return ok;
}
