import type { CryptoSuite } from '../suite.js';
import { decryptGmt0010, encryptGmt0010 } from './gmt0010-enveloped.js';
import { signGmt0010, verifyGmt0010 } from './gmt0010-signed.js';
import { getSm2, type Sm2, type Sm2BackendChoice } from './sm2.js';
import { sm3 } from './sm2-js.js';

/** Options of the SM suite. */
export interface SmSuiteOptions {
  /** SM2 implementation; default `auto` (native addon when built, else pure JS). */
  readonly backend?: Sm2BackendChoice;
  /**
   * Where native SM2 runs. `async` (default): on the libuv pool, so the event loop stays free
   * for other requests and several operations proceed in parallel. `sync`: on the calling
   * thread, which saves the thread hop (measurable on a saturated machine) at the price of
   * blocking the loop ~1 ms per operation. No effect on the JS backend.
   */
  readonly sm2Calls?: 'async' | 'sync';
}

/** The async SM2 entry points served by the sync ones (see SmSuiteOptions.sm2Calls). */
function onCallingThread(sm2: Sm2): Sm2 {
  return {
    ...sm2,
    signAsync: async (m, k, o) => sm2.sign(m, k, o),
    verifyAsync: async (m, s, k, o) => sm2.verify(m, s, k, o),
    encryptAsync: async (p, k) => sm2.encrypt(p, k),
    decryptAsync: async (c, k) => sm2.decrypt(c, k),
  };
}

/**
 * The 国密 suite: SM3 digests, GM/T 0010 SignedData with standard SM2 (default ID), and GM/T 0010
 * EnvelopedData with an SM2-wrapped SM4-GCM content key. Stateless apart from key caches.
 */
export function createSmSuite(options: SmSuiteOptions = {}): CryptoSuite {
  const base = getSm2(options.backend ?? 'auto');
  const sm2 = options.sm2Calls === 'sync' ? onCallingThread(base) : base;
  return {
    name: 'sm',
    digest: (data) => sm3(typeof data === 'string' ? Buffer.from(data, 'utf8') : data),
    sign: (content, signer) => signGmt0010(sm2, content, signer),
    verify: (signedData, expected) => verifyGmt0010(sm2, signedData, expected),
    encrypt: (content, recipientCertDer) => encryptGmt0010(sm2, content, recipientCertDer),
    decrypt: (envelope, recipient) => decryptGmt0010(sm2, envelope, recipient),
  };
}
