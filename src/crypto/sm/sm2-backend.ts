import type { KeyObject } from 'node:crypto';
import type { RawCiphertext, RawSignature } from './sm2-js.js';

/** Which SM2 implementation runs: OpenSSL through the addon, or BigInt JavaScript. */
export type Sm2BackendName = 'native' | 'js';

/**
 * One SM2 implementation. Inputs are already validated by sm2.ts (strict DER, r/s range, C1 on
 * the curve), so a backend only answers the mathematical question; it reports a failed
 * verification as `false` and a failed decryption as `null`, and sm2.ts turns those into
 * coded errors. Async variants run off the event loop where the backend can (native).
 */
export interface Sm2Backend {
  readonly name: Sm2BackendName;
  sign(key: KeyObject, message: Uint8Array, id: Uint8Array): Buffer;
  verify(key: KeyObject, message: Uint8Array, der: Uint8Array, sig: RawSignature, id: Uint8Array): boolean;
  encrypt(key: KeyObject, plaintext: Uint8Array): Buffer;
  decrypt(key: KeyObject, der: Uint8Array, c: RawCiphertext): Buffer | null;
  signAsync(key: KeyObject, message: Uint8Array, id: Uint8Array): Promise<Buffer>;
  verifyAsync(
    key: KeyObject,
    message: Uint8Array,
    der: Uint8Array,
    sig: RawSignature,
    id: Uint8Array,
  ): Promise<boolean>;
  encryptAsync(key: KeyObject, plaintext: Uint8Array): Promise<Buffer>;
  decryptAsync(key: KeyObject, der: Uint8Array, c: RawCiphertext): Promise<Buffer | null>;
}
