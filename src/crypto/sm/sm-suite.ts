import type { CryptoSuite } from '../suite.js';
import { decryptGmt0010, encryptGmt0010 } from './gmt0010-enveloped.js';
import { signGmt0010, verifyGmt0010 } from './gmt0010-signed.js';
import { getSm2, type Sm2BackendChoice } from './sm2.js';
import { sm3 } from './sm2-js.js';

/** Options of the SM suite. */
export interface SmSuiteOptions {
  /** SM2 implementation; default `auto` (native addon when built, else pure JS). */
  readonly backend?: Sm2BackendChoice;
}

/**
 * The 国密 suite: SM3 digests, GM/T 0010 SignedData with standard SM2 (default ID), and GM/T 0010
 * EnvelopedData with an SM2-wrapped SM4-GCM content key. Stateless apart from key caches.
 */
export function createSmSuite(options: SmSuiteOptions = {}): CryptoSuite {
  const sm2 = getSm2(options.backend ?? 'auto');
  return {
    name: 'sm',
    digest: (data) => sm3(typeof data === 'string' ? Buffer.from(data, 'utf8') : data),
    sign: (content, signer) => signGmt0010(sm2, content, signer),
    verify: (signedData, expected) => verifyGmt0010(sm2, signedData, expected),
    encrypt: (content, recipientCertDer) => encryptGmt0010(sm2, content, recipientCertDer),
    decrypt: (envelope, recipient) => decryptGmt0010(sm2, envelope, recipient),
  };
}
