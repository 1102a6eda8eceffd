import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Opaque handle to an EVP_PKEY parsed once by the addon. */
export type NativeKey = { readonly __nativeSm2Key: unique symbol };

/** The functions exported by native/tongban_sm.c (see that file for the contract). */
export interface NativeSmAddon {
  loadPrivateKey(pkcs8Der: Buffer): NativeKey;
  loadPublicKey(spkiDer: Buffer): NativeKey;
  sign(key: NativeKey, message: Uint8Array, id: Uint8Array): Buffer;
  verify(key: NativeKey, message: Uint8Array, signatureDer: Uint8Array, id: Uint8Array): boolean;
  encrypt(key: NativeKey, plaintext: Uint8Array): Buffer;
  decrypt(key: NativeKey, ciphertextDer: Uint8Array): Buffer;
  signAsync(key: NativeKey, message: Uint8Array, id: Uint8Array): Promise<Buffer>;
  verifyAsync(
    key: NativeKey,
    message: Uint8Array,
    signatureDer: Uint8Array,
    id: Uint8Array,
  ): Promise<boolean>;
  encryptAsync(key: NativeKey, plaintext: Uint8Array): Promise<Buffer>;
  decryptAsync(key: NativeKey, ciphertextDer: Uint8Array): Promise<Buffer>;
  /** SM4-GCM, 16-byte tag appended. */
  sm4GcmEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer;
  /** SM4-GCM; throws on a tag mismatch. */
  sm4GcmDecrypt(
    key: Uint8Array,
    iv: Uint8Array,
    ciphertext: Uint8Array,
    tag: Uint8Array,
    aad: Uint8Array,
  ): Buffer;
}

const ADDON_FILE = join('build', 'Release', 'tongban_sm.node');

let loaded: { addon?: NativeSmAddon; error?: string } | undefined;

function isAddon(value: unknown): value is NativeSmAddon {
  if (typeof value !== 'object' || value === null) return false;
  const names = [
    'loadPrivateKey',
    'loadPublicKey',
    'sign',
    'verify',
    'encrypt',
    'decrypt',
    'signAsync',
    'sm4GcmEncrypt',
  ];
  return names.every((n) => typeof (value as Record<string, unknown>)[n] === 'function');
}

/**
 * Find and load the addon once per process (never when TONGBAN_SM_NATIVE=0). The package root is searched upwards from this
 * file because the module runs both from `src/` (tests) and from `dist/src/` (built).
 */
export function loadNativeAddon(): { addon?: NativeSmAddon; error?: string } {
  if (loaded) return loaded;
  // The same switch that skips the build at install time (native/build.mjs) keeps a stale
  // build from being loaded, so a JS-only host behaves identically with or without build/.
  if (process.env['TONGBAN_SM_NATIVE'] === '0') {
    loaded = { error: 'disabled by TONGBAN_SM_NATIVE=0' };
    return loaded;
  }
  let dir = dirname(fileURLToPath(import.meta.url));
  let file: string | undefined;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, ADDON_FILE))) {
      file = join(dir, ADDON_FILE);
      break;
    }
    dir = dirname(dir);
  }
  if (!file) {
    loaded = { error: `${ADDON_FILE} not found (run npm ci, or node native/build.mjs)` };
    return loaded;
  }
  try {
    const mod: unknown = createRequire(import.meta.url)(file);
    loaded = isAddon(mod)
      ? { addon: mod }
      : { error: `${file} does not export the SM functions (stale build? run npm ci)` };
  } catch (err) {
    loaded = { error: `${file} failed to load: ${err instanceof Error ? err.message : String(err)}` };
  }
  return loaded;
}
