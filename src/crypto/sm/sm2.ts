import type { KeyObject } from 'node:crypto';
import { GatewayError, isGatewayError } from '../../errors.js';
import { loadNativeAddon } from './native-addon.js';
import { parseCiphertext, parseSignature } from './sm2-asn1.js';
import type { Sm2Backend, Sm2BackendName } from './sm2-backend.js';
import { createJsSm2Backend } from './sm2-js-backend.js';
import { createNativeSm2Backend } from './sm2-native-backend.js';

/** The default user ID of GB/T 32918 / GM/T 0009, used for Z unless a caller says otherwise. */
export const SM2_DEFAULT_ID: Buffer = Buffer.from('1234567812345678', 'ascii');

/** Options of sign/verify. */
export interface Sm2SignOptions {
  /** User ID hashed into Z. Default `1234567812345678`; other IDs exist only for interop tests. */
  readonly id?: Uint8Array;
}

/** `auto` = native when the addon loaded, else js; env `TONGBAN_SM2_BACKEND=js|native` overrides. */
export type Sm2BackendChoice = Sm2BackendName | 'auto';

/**
 * Standard SM2 (GB/T 32918): signatures are DER `SEQUENCE { r, s }` over SM3(Z ‖ M), ciphertexts
 * are GM/T 0009 ASN.1 C1C3C2. Keys are Node KeyObjects on the SM2 curve. Every refusal is a
 * GatewayError: GW_ERR_CRYPTO_MALFORMED (DER), GW_ERR_CRYPTO_SIGNATURE_RANGE (r or s not in
 * [1, n−1]), GW_ERR_CRYPTO_INVALID_POINT (C1 or a key off the curve), GW_ERR_CRYPTO_SIGNATURE
 * (does not verify, e.g. wrong ID), GW_ERR_CRYPTO_DECRYPT (C3 mismatch, wrong key), GW_ERR_CRYPTO_KEY.
 */
export interface Sm2 {
  /** The implementation behind this object. */
  readonly backend: Sm2BackendName;
  /** Sign `message` (SM3 with Z is applied inside); returns a DER signature. */
  sign(message: Uint8Array, privateKey: KeyObject, options?: Sm2SignOptions): Buffer;
  /** Verify; returns normally when valid, throws a coded GatewayError otherwise. */
  verify(message: Uint8Array, signature: Uint8Array, publicKey: KeyObject, options?: Sm2SignOptions): void;
  /** Encrypt for `publicKey` (a private KeyObject is accepted for its public half). */
  encrypt(plaintext: Uint8Array, publicKey: KeyObject): Buffer;
  /** Decrypt a GM/T 0009 DER ciphertext. */
  decrypt(ciphertext: Uint8Array, privateKey: KeyObject): Buffer;
  /** As `sign`, off the event loop with the native backend. */
  signAsync(message: Uint8Array, privateKey: KeyObject, options?: Sm2SignOptions): Promise<Buffer>;
  /** As `verify`, off the event loop with the native backend. */
  verifyAsync(
    message: Uint8Array,
    signature: Uint8Array,
    publicKey: KeyObject,
    options?: Sm2SignOptions,
  ): Promise<void>;
  /** As `encrypt`, off the event loop with the native backend. */
  encryptAsync(plaintext: Uint8Array, publicKey: KeyObject): Promise<Buffer>;
  /** As `decrypt`, off the event loop with the native backend. */
  decryptAsync(ciphertext: Uint8Array, privateKey: KeyObject): Promise<Buffer>;
}

function keyFailure(err: unknown): GatewayError {
  if (isGatewayError(err)) return err;
  return new GatewayError('GW_ERR_CRYPTO_KEY', 'SM2 operation failed with this key', [], { cause: err });
}

function checkPlaintext(plaintext: Uint8Array): void {
  if (plaintext.length === 0)
    throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'SM2 plaintext must not be empty');
}

function wrap(b: Sm2Backend): Sm2 {
  const idOf = (o?: Sm2SignOptions): Uint8Array => o?.id ?? SM2_DEFAULT_ID;
  const verdict = (ok: boolean): void => {
    if (!ok) throw new GatewayError('GW_ERR_CRYPTO_SIGNATURE', 'SM2 signature does not verify');
  };
  const opened = (m: Buffer | null): Buffer => {
    if (!m) throw new GatewayError('GW_ERR_CRYPTO_DECRYPT');
    return m;
  };
  const guard = <T>(f: () => T): T => {
    try {
      return f();
    } catch (err) {
      throw keyFailure(err);
    }
  };
  return {
    backend: b.name,
    sign: (message, key, o) => guard(() => b.sign(key, message, idOf(o))),
    verify: (message, signature, key, o) => {
      const sig = parseSignature(signature);
      verdict(guard(() => b.verify(key, message, signature, sig, idOf(o))));
    },
    encrypt: (plaintext, key) => {
      checkPlaintext(plaintext);
      return guard(() => b.encrypt(key, plaintext));
    },
    decrypt: (ciphertext, key) => {
      const c = parseCiphertext(ciphertext);
      return opened(guard(() => b.decrypt(key, ciphertext, c)));
    },
    signAsync: async (message, key, o) =>
      b.signAsync(key, message, idOf(o)).catch((e: unknown) => Promise.reject(keyFailure(e))),
    verifyAsync: async (message, signature, key, o) => {
      const sig = parseSignature(signature);
      verdict(
        await b
          .verifyAsync(key, message, signature, sig, idOf(o))
          .catch((e: unknown) => Promise.reject(keyFailure(e))),
      );
    },
    encryptAsync: async (plaintext, key) => {
      checkPlaintext(plaintext);
      return b.encryptAsync(key, plaintext).catch((e: unknown) => Promise.reject(keyFailure(e)));
    },
    decryptAsync: async (ciphertext, key) => {
      const c = parseCiphertext(ciphertext);
      return opened(
        await b.decryptAsync(key, ciphertext, c).catch((e: unknown) => Promise.reject(keyFailure(e))),
      );
    },
  };
}

const instances = new Map<Sm2BackendName, Sm2>();

/** Whether the native addon loaded, and why not when it did not. */
export function nativeSm2Status(): { readonly available: boolean; readonly error?: string } {
  const { addon, error } = loadNativeAddon();
  return addon ? { available: true } : { available: false, error };
}

/** The backend that `auto` selects in this process. */
export function sm2BackendName(): Sm2BackendName {
  const forced = process.env['TONGBAN_SM2_BACKEND'];
  if (forced === 'js' || forced === 'native') return forced;
  return nativeSm2Status().available ? 'native' : 'js';
}

/** An SM2 implementation; `native` throws when the addon is not built. */
export function getSm2(choice: Sm2BackendChoice = 'auto'): Sm2 {
  const name = choice === 'auto' ? sm2BackendName() : choice;
  let sm2 = instances.get(name);
  if (!sm2) {
    if (name === 'native') {
      const { addon, error } = loadNativeAddon();
      if (!addon)
        throw new GatewayError(
          'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM',
          `Native SM2 backend unavailable: ${error ?? 'unknown'}`,
        );
      sm2 = wrap(createNativeSm2Backend(addon));
    } else {
      sm2 = wrap(createJsSm2Backend());
    }
    instances.set(name, sm2);
  }
  return sm2;
}
