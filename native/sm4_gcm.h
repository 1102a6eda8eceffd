/* SM4-GCM on OpenSSL's exported GCM128 engine (see sm4_gcm.c). */
#ifndef TONGBAN_SM4_GCM_H
#define TONGBAN_SM4_GCM_H
#include <stddef.h>
#include <stdint.h>

/* Load the SM4 ciphers once; 0 when this OpenSSL lacks them. */
int sm4_gcm_init(void);

/*
 * One-shot SM4-GCM with a 16-byte key and 16-byte tag. encrypt = 1: writes len bytes to out
 * and the tag to tag. encrypt = 0: decrypts into out and returns 1 only if tag matches.
 */
int sm4_gcm(int encrypt, const uint8_t key[16], const uint8_t *iv, size_t iv_len, const uint8_t *aad,
            size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16]);

#endif
