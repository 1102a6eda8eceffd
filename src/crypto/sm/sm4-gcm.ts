import { createCipheriv, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../../errors.js';
import { Ghash } from './ghash.js';
import { loadNativeAddon, type NativeSmAddon } from './native-addon.js';

/**
 * SM4-GCM (NIST SP 800-38D with SM4 as the block cipher, as RFC 8998 uses it), because Node 20's
 * OpenSSL has no `sm4-gcm`. Two implementations, both proven against RFC 8998 Appendix A.1:
 * `native` (the addon plugs SM4 into OpenSSL's exported GCM engine, ~50 µs per 4 KiB) and `js`
 * (Node's `sm4-ecb` for the hash subkey and tag mask, `sm4-ctr` for the keystream, our GHASH).
 *
 * Only 96-bit IVs are accepted (J0 = IV ‖ 0³¹ ‖ 1): that is what RFC 8998 and our envelopes use.
 * OpenSSL's CTR increments the whole 128-bit counter while GCM's inc32 wraps the low 32 bits;
 * they agree until 2³² blocks, so messages are limited well below that (64 GiB).
 */

/** Byte length of the SM4 key, the GCM IV and the tag. */
export const SM4_KEY_BYTES = 16;
/** 96-bit IV. */
export const SM4_GCM_IV_BYTES = 12;
/** 128-bit tag. */
export const SM4_GCM_TAG_BYTES = 16;

const MAX_BYTES = 2 ** 36 - 32;

/** Which SM4-GCM implementation to use; `auto` = native when the addon is loaded. */
export type Sm4GcmImpl = 'auto' | 'native' | 'js';

function nativeFor(impl: Sm4GcmImpl): NativeSmAddon | undefined {
  if (impl === 'js') return undefined;
  const { addon, error } = loadNativeAddon();
  if (!addon && impl === 'native') {
    throw new GatewayError(
      'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM',
      `Native SM4-GCM unavailable: ${error ?? 'unknown'}`,
    );
  }
  return addon;
}

function ecbBlock(key: Uint8Array, block: Uint8Array): Buffer {
  const c = createCipheriv('sm4-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

function check(key: Uint8Array, iv: Uint8Array, length: number): void {
  if (key.length !== SM4_KEY_BYTES) throw new GatewayError('GW_ERR_CRYPTO_KEY', 'SM4 key must be 16 bytes');
  if (iv.length !== SM4_GCM_IV_BYTES)
    throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'SM4-GCM IV must be 12 bytes');
  if (length > MAX_BYTES) throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'SM4-GCM message too long');
}

function ctr(key: Uint8Array, j0: Buffer, data: Uint8Array): Buffer {
  const counter = Buffer.from(j0);
  counter.writeUInt32BE((counter.readUInt32BE(12) + 1) >>> 0, 12); // inc32(J0)
  const c = createCipheriv('sm4-ctr', key, counter);
  return Buffer.concat([c.update(data), c.final()]);
}

function tagOf(key: Uint8Array, j0: Buffer, aad: Uint8Array, ciphertext: Uint8Array): Buffer {
  const h = ecbBlock(key, Buffer.alloc(16));
  const lengths = Buffer.alloc(16);
  lengths.writeBigUInt64BE(BigInt(aad.length) * 8n, 0);
  lengths.writeBigUInt64BE(BigInt(ciphertext.length) * 8n, 8);
  const s = new Ghash(h).update(aad).update(ciphertext).update(lengths).digest();
  const mask = ecbBlock(key, j0);
  for (let i = 0; i < 16; i++) s[i]! ^= mask[i]!;
  return s;
}

function j0Of(iv: Uint8Array): Buffer {
  return Buffer.concat([iv, Buffer.from([0, 0, 0, 1])]);
}

/** Encrypt; returns the ciphertext and the 16-byte tag. */
export function sm4GcmEncrypt(
  key: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array = Buffer.alloc(0),
  impl: Sm4GcmImpl = 'auto',
): { ciphertext: Buffer; tag: Buffer } {
  check(key, iv, plaintext.length);
  const native = nativeFor(impl);
  if (native) {
    const out = native.sm4GcmEncrypt(key, iv, plaintext, aad);
    return { ciphertext: out.subarray(0, plaintext.length), tag: out.subarray(plaintext.length) };
  }
  const j0 = j0Of(iv);
  const ciphertext = ctr(key, j0, plaintext);
  return { ciphertext, tag: tagOf(key, j0, aad, ciphertext) };
}

/** Check the tag, then decrypt; a mismatch is GW_ERR_CRYPTO_DECRYPT. */
export function sm4GcmDecrypt(
  key: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array = Buffer.alloc(0),
  impl: Sm4GcmImpl = 'auto',
): Buffer {
  check(key, iv, ciphertext.length);
  if (tag.length !== SM4_GCM_TAG_BYTES)
    throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'SM4-GCM tag must be 16 bytes');
  const native = nativeFor(impl);
  if (native) {
    try {
      return native.sm4GcmDecrypt(key, iv, ciphertext, tag, aad);
    } catch (err) {
      throw new GatewayError('GW_ERR_CRYPTO_DECRYPT', 'SM4-GCM authentication tag does not match', [], {
        cause: err,
      });
    }
  }
  const j0 = j0Of(iv);
  if (!timingSafeEqual(tagOf(key, j0, aad, ciphertext), tag)) {
    throw new GatewayError('GW_ERR_CRYPTO_DECRYPT', 'SM4-GCM authentication tag does not match');
  }
  return ctr(key, j0, ciphertext);
}
