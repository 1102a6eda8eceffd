import {
  constants,
  createPublicKey,
  createCipheriv,
  createDecipheriv,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import type { KeyedIdentity } from '../src/crypto/index.js';
import { createIntlSuite } from '../src/crypto/intl/index.js';
import { generateEcP256KeyPair, generateRsaKeyPair, issueIntlCertificate } from '../src/pki/index.js';
import type { BenchRow } from './bench-row.js';
import { median } from './stats.js';

const PACKET_BYTES = 4096;

async function identities(): Promise<{ signer: KeyedIdentity; recipient: KeyedIdentity }> {
  const now = Date.now();
  const validity = { notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) };
  const rootKeys = await generateEcP256KeyPair();
  const rootDer = issueIntlCertificate({
    subject: { commonName: 'Bench Root' },
    ...validity,
    isCa: true,
    keyUsage: ['keyCertSign'],
    publicKey: rootKeys.publicKey,
    subjectPrivateKeyForSelfSigned: rootKeys.privateKey,
  });
  const issuer = { certDer: rootDer, privateKey: rootKeys.privateKey };
  const signerKeys = await generateEcP256KeyPair();
  const recipientKeys = await generateRsaKeyPair(2048);
  const leaf = (commonName: string, publicKey: typeof signerKeys.publicKey, encipher: boolean): Buffer =>
    issueIntlCertificate({
      subject: { commonName },
      ...validity,
      isCa: false,
      keyUsage: encipher ? ['keyEncipherment'] : ['digitalSignature', 'nonRepudiation'],
      publicKey,
      issuer,
    });
  return {
    signer: { certDer: leaf('Bench Signer', signerKeys.publicKey, false), privateKey: signerKeys.privateKey },
    recipient: {
      certDer: leaf('Bench Recipient', recipientKeys.publicKey, true),
      privateKey: recipientKeys.privateKey,
    },
  };
}

/** Operations per second of `fn` during one round of `ms` milliseconds. */
async function rate(fn: () => unknown, ms: number): Promise<number> {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await fn();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

/**
 * Median ops/s of an operation and of its limit, measured in alternating rounds: the machine
 * is shared, and alternating keeps a burst of foreign load from landing on one side only.
 */
async function paired(
  name: string,
  operation: () => unknown,
  limit: () => unknown,
  note: string,
  rounds = 7,
  ms = 200,
): Promise<BenchRow> {
  const ours: number[] = [];
  const bare: number[] = [];
  for (let r = 0; r < rounds; r++) {
    bare.push(await rate(limit, ms));
    ours.push(await rate(operation, ms));
  }
  const m = median(ours);
  const l = median(bare);
  return { name, unit: 'ops/s', median: m, limit: l, ratio: m / l, note };
}

/**
 * The `intl` suite on a 4 KiB packet: sign, verify, encrypt, decrypt (median ops/s over
 * rounds). Each row's limit is the bare Node crypto work the operation cannot avoid, measured
 * in the same run: ECDSA P-256 sign/verify of the packet, and RSA-OAEP wrap/unwrap plus
 * AES-256-GCM of the packet; the ratio is the share of that speed the CMS layer keeps.
 */
export async function benchIntl(): Promise<BenchRow[]> {
  const suite = createIntlSuite();
  const { signer, recipient } = await identities();
  const packet = randomBytes(PACKET_BYTES);
  const signed = await suite.sign(packet, signer);
  const envelope = await suite.encrypt(packet, recipient.certDer);
  const rawSignature = nodeSign('sha256', packet, signer.privateKey);
  const oaep = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' };
  const recipientPublic = createPublicKey(recipient.privateKey);
  const wrappedKey = publicEncrypt({ key: recipientPublic, ...oaep }, randomBytes(32));

  const publicKey = createPublicKey(signer.privateKey);
  const rows: BenchRow[] = [];
  rows.push(
    await paired(
      'intl sign 4 KiB (ECDSA P-256)',
      () => suite.sign(packet, signer),
      () => nodeSign('sha256', packet, signer.privateKey),
      'limit: Node crypto.sign ECDSA P-256',
    ),
  );
  rows.push(
    await paired(
      'intl verify 4 KiB (ECDSA P-256)',
      () => suite.verify(signed, signer.certDer),
      () => nodeVerify('sha256', packet, publicKey, rawSignature),
      'limit: Node crypto.verify ECDSA P-256',
    ),
  );
  rows.push(
    await paired(
      'intl encrypt 4 KiB (AES-GCM, RSA-OAEP)',
      () => suite.encrypt(packet, recipient.certDer),
      () => {
        const key = randomBytes(32);
        const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
        Buffer.concat([cipher.update(packet), cipher.final(), cipher.getAuthTag()]);
        return publicEncrypt({ key: recipientPublic, ...oaep }, key);
      },
      'limit: Node RSA-OAEP wrap + AES-GCM',
    ),
  );
  rows.push(
    await paired(
      'intl decrypt 4 KiB (AES-GCM, RSA-OAEP)',
      () => suite.decrypt(envelope, recipient),
      () => {
        const key = privateDecrypt({ key: recipient.privateKey, ...oaep }, wrappedKey);
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.alloc(12));
        return decipher.update(packet);
      },
      'limit: Node RSA-OAEP unwrap + AES-GCM',
    ),
  );
  return rows;
}
