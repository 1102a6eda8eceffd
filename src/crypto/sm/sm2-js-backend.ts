import type { KeyObject } from 'node:crypto';
import type { Sm2Backend } from './sm2-backend.js';
import { encodeCiphertext, encodeSignature } from './sm2-asn1.js';
import { decryptRaw, encryptRaw, signRaw, verifyRaw } from './sm2-js.js';
import { sm2PrivateParts, sm2PublicParts } from './sm2-keys.js';

/**
 * The pure-JS backend: used when the addon is absent (or forced). Its async methods still run
 * on the event loop: BigInt work cannot be moved off it without a worker pool, and this backend
 * is the fallback, not the production path.
 */
export function createJsSm2Backend(): Sm2Backend {
  const backend: Sm2Backend = {
    name: 'js',
    sign(key: KeyObject, message, id) {
      const k = sm2PrivateParts(key);
      return encodeSignature(signRaw(k.d, k.point, message, id));
    },
    verify(key: KeyObject, message, _der, sig, id) {
      return verifyRaw(sm2PublicParts(key).point, message, id, sig);
    },
    encrypt(key: KeyObject, plaintext) {
      return encodeCiphertext(encryptRaw(sm2PublicParts(key).point, plaintext));
    },
    decrypt(key: KeyObject, _der, c) {
      return decryptRaw(sm2PrivateParts(key).d, c);
    },
    signAsync: async (key, message, id) => backend.sign(key, message, id),
    verifyAsync: async (key, message, der, sig, id) => backend.verify(key, message, der, sig, id),
    encryptAsync: async (key, plaintext) => backend.encrypt(key, plaintext),
    decryptAsync: async (key, der, c) => backend.decrypt(key, der, c),
  };
  return backend;
}
