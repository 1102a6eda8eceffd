import { createHash } from 'node:crypto';
import type { CryptoSuite } from '../suite.js';
import { CertificateCache } from './certificate-cache.js';
import { decryptCms } from './decrypt-cms.js';
import { encryptCms } from './encrypt-cms.js';
import { signCms } from './sign-cms.js';
import { verifyCms } from './verify-cms.js';

/**
 * The `intl` crypto suite: RFC 5652 CMS that `openssl cms` verifies and decrypts.
 *
 * - `sign`: SignedData, encapsulated content, SHA-256, ECDSA P-256 or RSA (by the key's type),
 *   signer certificate included, signed attributes contentType, messageDigest, signingTime and
 *   ESS signingCertificateV2.
 * - `encrypt`: AuthEnvelopedData, AES-256-GCM, content key wrapped with RSAES-OAEP-SHA-256 for
 *   the recipient's RSA certificate.
 * - `digest`: SHA-256.
 *
 * ASN.1 is handled with node-forge; every private- and public-key operation is Node's native
 * crypto (OpenSSL), which is far faster than forge's pure-JS RSA and ECDSA-capable.
 */
export function createIntlSuite(): CryptoSuite {
  const certs = new CertificateCache();
  return Object.freeze({
    name: 'intl' as const,
    digest: (data: Buffer | string): Buffer => createHash('sha256').update(data).digest(),
    sign: async (content, signer) => signCms(certs, content, signer),
    verify: async (signedData, expectedSignerCertDer) => verifyCms(certs, signedData, expectedSignerCertDer),
    encrypt: async (content, recipientCertDer) => encryptCms(certs, content, recipientCertDer),
    decrypt: async (envelope, recipient) => decryptCms(certs, envelope, recipient),
  } satisfies CryptoSuite);
}
