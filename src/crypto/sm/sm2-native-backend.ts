import type { KeyObject } from 'node:crypto';
import { GatewayError } from '../../errors.js';
import type { Sm2Backend } from './sm2-backend.js';
import type { NativeKey, NativeSmAddon } from './native-addon.js';
import { sm2PrivateParts, sm2PublicParts } from './sm2-keys.js';

/**
 * The OpenSSL backend (native/tongban_sm.c). Each KeyObject is parsed into an EVP_PKEY once and
 * the handle is cached on the KeyObject, so per-call cost is one EVP context plus the curve math.
 */
export function createNativeSm2Backend(addon: NativeSmAddon): Sm2Backend {
  const privateHandles = new WeakMap<KeyObject, NativeKey>();
  const publicHandles = new WeakMap<KeyObject, NativeKey>();

  const load = (load: () => NativeKey): NativeKey => {
    try {
      return load();
    } catch (err) {
      throw new GatewayError('GW_ERR_CRYPTO_KEY', 'SM2 key rejected by OpenSSL', [], { cause: err });
    }
  };
  const priv = (key: KeyObject): NativeKey => {
    let h = privateHandles.get(key);
    if (!h) {
      const der = sm2PrivateParts(key).pkcs8;
      h = load(() => addon.loadPrivateKey(der));
      privateHandles.set(key, h);
    }
    return h;
  };
  const pub = (key: KeyObject): NativeKey => {
    let h = publicHandles.get(key);
    if (!h) {
      const der = sm2PublicParts(key).spki;
      h = load(() => addon.loadPublicKey(der));
      publicHandles.set(key, h);
    }
    return h;
  };
  // OpenSSL reports a failed decryption (bad C3, bad point) as an error; the contract is null.
  const orNull = (f: () => Buffer): Buffer | null => {
    try {
      return f();
    } catch {
      return null;
    }
  };

  return {
    name: 'native',
    sign: (key, message, id) => addon.sign(priv(key), message, id),
    verify: (key, message, der, _sig, id) => addon.verify(pub(key), message, der, id),
    encrypt: (key, plaintext) => addon.encrypt(pub(key), plaintext),
    decrypt: (key, der) => orNull(() => addon.decrypt(priv(key), der)),
    signAsync: async (key, message, id) => addon.signAsync(priv(key), message, id),
    verifyAsync: async (key, message, der, _sig, id) => addon.verifyAsync(pub(key), message, der, id),
    encryptAsync: async (key, plaintext) => addon.encryptAsync(pub(key), plaintext),
    decryptAsync: async (key, der) => {
      const handle = priv(key);
      return addon.decryptAsync(handle, der).catch(() => null);
    },
  };
}
