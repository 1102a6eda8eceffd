import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntlSuite } from '../../../src/crypto/intl/index.js';
import { isGatewayError } from '../../../src/errors.js';
import { makeLeaf, makeRoot, openssl, type TestIdentity } from './openssl-pki.js';

const suite = createIntlSuite();
let dir: string;
let root: TestIdentity;
let ecSigner: TestIdentity;
let rsaSigner: TestIdentity;
let recipient: TestIdentity;
let otherRecipient: TestIdentity;

/** The error code a promise rejects with, or 'ok'. Non-gateway errors fail the assertion. */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return isGatewayError(err) ? err.code : `not a GatewayError: ${String(err)}`;
  }
}

function file(name: string, bytes?: Buffer): string {
  const path = join(dir, name);
  if (bytes) writeFileSync(path, bytes);
  return path;
}

const packet = Buffer.from(JSON.stringify({ type: 'newborn.application', 姓名: '张三', n: 'x'.repeat(300) }));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'intl-suite-'));
  root = makeRoot(dir, 'root');
  ecSigner = makeLeaf(dir, 'ec-signer', root, 'ec', 'digitalSignature,nonRepudiation');
  rsaSigner = makeLeaf(dir, 'rsa-signer', root, 'rsa', 'digitalSignature,nonRepudiation');
  recipient = makeLeaf(dir, 'recipient', root, 'rsa', 'keyEncipherment');
  otherRecipient = makeLeaf(dir, 'other-recipient', root, 'rsa', 'keyEncipherment');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('intl suite: digest', () => {
  it('is SHA-256 (FIPS 180-2 "abc" vector)', () => {
    expect(suite.digest('abc').toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(suite.name).toBe('intl');
  });
});

describe('intl suite: SignedData', () => {
  it.each(['ec', 'rsa'] as const)('round-trips with a %s key, with and without pinning', async (kind) => {
    const signer = kind === 'ec' ? ecSigner : rsaSigner;
    const before = Date.now();
    const signed = await suite.sign(packet, signer);
    for (const pin of [undefined, signer.certDer]) {
      const verified = await suite.verify(signed, pin);
      expect(verified.content.equals(packet)).toBe(true);
      expect(verified.signerCertDer.equals(signer.certDer)).toBe(true);
      expect(verified.signingTime?.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(verified.signingTime?.getTime()).toBeLessThanOrEqual(Date.now());
    }
  });

  it.each(['ec', 'rsa'] as const)('is accepted by openssl cms -verify (%s, with -cades)', async (kind) => {
    const signed = file(`ours-${kind}.p7`, await suite.sign(packet, kind === 'ec' ? ecSigner : rsaSigner));
    const out = openssl([
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      signed,
      '-CAfile',
      root.certPath,
    ]);
    expect(out.equals(packet)).toBe(true);
    const cades = openssl([
      'cms',
      '-verify',
      '-cades',
      '-binary',
      '-inform',
      'DER',
      '-in',
      signed,
      '-CAfile',
      root.certPath,
    ]);
    expect(cades.equals(packet)).toBe(true);
  });

  it('openssl cms -verify refuses our SignedData once a content byte is changed', async () => {
    const signed = await suite.sign(packet, ecSigner);
    const at = signed.indexOf(packet.subarray(0, 20));
    signed[at + 5] ^= 0x01;
    const path = file('tampered.p7', signed);
    expect(() =>
      openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', path, '-CAfile', root.certPath]),
    ).toThrow();
  });

  it.each([
    ['ec', []],
    ['ec', ['-cades']],
    ['rsa', []],
  ] as const)('verifies what openssl cms -sign produced (%s %s)', async (kind, extra) => {
    const signer = kind === 'ec' ? ecSigner : rsaSigner;
    const input = file('packet.json', packet);
    const der = openssl([
      'cms',
      '-sign',
      ...extra,
      '-binary',
      '-nodetach',
      '-md',
      'sha256',
      '-in',
      input,
      '-signer',
      signer.certPath,
      '-inkey',
      signer.keyPath,
      '-outform',
      'DER',
    ]);
    const verified = await suite.verify(der, signer.certDer);
    expect(verified.content.equals(packet)).toBe(true);
    expect(verified.signingTime).toBeInstanceOf(Date);
    expect((await suite.verify(der)).signerCertDer.equals(signer.certDer)).toBe(true);
  });

  it('refuses a detached openssl signature (content must be encapsulated)', async () => {
    const input = file('packet.json', packet);
    const der = openssl([
      'cms',
      '-sign',
      '-binary',
      '-in',
      input,
      '-signer',
      ecSigner.certPath,
      '-inkey',
      ecSigner.keyPath,
      '-outform',
      'DER',
    ]);
    expect(await codeOf(suite.verify(der))).toBe('GW_ERR_CRYPTO_MALFORMED');
  });

  it('refuses a signature pinned to another certificate', async () => {
    const signed = await suite.sign(packet, ecSigner);
    expect(await codeOf(suite.verify(signed, rsaSigner.certDer))).toBe('GW_ERR_CRYPTO_SIGNATURE');
    expect(await codeOf(suite.verify(signed, recipient.certDer))).toBe('GW_ERR_CRYPTO_SIGNATURE');
  });

  it('refuses every single flipped byte of a SignedData with a code', async () => {
    const signed = await suite.sign(packet, ecSigner);
    const codes = new Map<string, number>();
    for (let i = 0; i < signed.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const bad = Buffer.from(signed);
        bad[i] = (bad[i] ?? 0) ^ mask;
        const code = await codeOf(suite.verify(bad));
        if (code === 'ok' || code.startsWith('not a')) throw new Error(`byte ${i} ^ ${mask}: ${code}`);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }
    expect(codes.get('GW_ERR_CRYPTO_SIGNATURE')).toBeGreaterThan(0);
    expect(codes.get('GW_ERR_CRYPTO_MALFORMED')).toBeGreaterThan(0);
  });

  it('refuses garbage and truncation as malformed, without parser internals', async () => {
    const signed = await suite.sign(packet, ecSigner);
    for (const bad of [
      Buffer.alloc(0),
      Buffer.from('not der'),
      signed.subarray(0, signed.length - 1),
      Buffer.concat([signed, Buffer.from([0])]),
    ]) {
      const err: unknown = await suite.verify(bad).catch((e: unknown) => e);
      expect(isGatewayError(err, 'GW_ERR_CRYPTO_MALFORMED')).toBe(true);
      expect(String((err as Error).message)).not.toMatch(/asn\.?1 parsing|forge|bytes to read/i);
    }
    const envelope = await suite.encrypt(packet, recipient.certDer);
    expect(await codeOf(suite.verify(envelope))).toBe('GW_ERR_CRYPTO_MALFORMED');
  });

  it('refuses keys it does not support and keys that do not match the certificate', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    expect(await codeOf(suite.sign(packet, { certDer: ecSigner.certDer, privateKey: p384 }))).toBe(
      'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM',
    );
    const otherP256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    expect(await codeOf(suite.sign(packet, { certDer: ecSigner.certDer, privateKey: otherP256 }))).toBe(
      'GW_ERR_CRYPTO_KEY',
    );
  });
});

describe('intl suite: AuthEnvelopedData', () => {
  it('round-trips, including empty and 1 MiB content', async () => {
    for (const content of [packet, Buffer.alloc(0), Buffer.alloc(1 << 20, 7)]) {
      const envelope = await suite.encrypt(content, recipient.certDer);
      expect((await suite.decrypt(envelope, recipient)).equals(content)).toBe(true);
    }
  });

  it('is decrypted by openssl cms -decrypt', async () => {
    const envelope = file('ours.env', await suite.encrypt(packet, recipient.certDer));
    const out = openssl([
      'cms',
      '-decrypt',
      '-binary',
      '-inform',
      'DER',
      '-in',
      envelope,
      '-recip',
      recipient.certPath,
      '-inkey',
      recipient.keyPath,
    ]);
    expect(out.equals(packet)).toBe(true);
    const structure = openssl(['asn1parse', '-inform', 'DER', '-in', envelope]).toString();
    expect(structure).toMatch(/id-smime-ct-authEnvelopedData/);
    expect(structure).toMatch(/rsaesOaep/);
    expect(structure).toMatch(/aes-256-gcm/);
  });

  it('decrypts what openssl cms -encrypt -aes-256-gcm with RSAES-OAEP-SHA-256 produced', async () => {
    const input = file('packet.json', packet);
    const der = openssl([
      'cms',
      '-encrypt',
      '-binary',
      '-aes-256-gcm',
      '-in',
      input,
      '-outform',
      'DER',
      '-recip',
      recipient.certPath,
      '-keyopt',
      'rsa_padding_mode:oaep',
      '-keyopt',
      'rsa_oaep_md:sha256',
    ]);
    expect((await suite.decrypt(der, recipient)).equals(packet)).toBe(true);
  });

  it('refuses PKCS#1 v1.5 key transport and unauthenticated EnvelopedData from openssl', async () => {
    const input = file('packet.json', packet);
    const v15 = openssl([
      'cms',
      '-encrypt',
      '-binary',
      '-aes-256-gcm',
      '-in',
      input,
      '-outform',
      'DER',
      '-recip',
      recipient.certPath,
    ]);
    expect(await codeOf(suite.decrypt(v15, recipient))).toBe('GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM');
    const cbc = openssl([
      'cms',
      '-encrypt',
      '-binary',
      '-aes-256-cbc',
      '-in',
      input,
      '-outform',
      'DER',
      '-recip',
      recipient.certPath,
      '-keyopt',
      'rsa_padding_mode:oaep',
      '-keyopt',
      'rsa_oaep_md:sha256',
    ]);
    expect(await codeOf(suite.decrypt(cbc, recipient))).toBe('GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM');
  });

  it('refuses the wrong recipient', async () => {
    const envelope = await suite.encrypt(packet, recipient.certDer);
    expect(await codeOf(suite.decrypt(envelope, otherRecipient))).toBe('GW_ERR_CRYPTO_DECRYPT');
    // Right certificate, wrong key: the key unwrap fails.
    const impostor = { certDer: recipient.certDer, privateKey: otherRecipient.privateKey };
    expect(await codeOf(suite.decrypt(envelope, impostor))).toBe('GW_ERR_CRYPTO_DECRYPT');
  });

  it('refuses every single flipped byte of an envelope with a code', async () => {
    const envelope = await suite.encrypt(packet, recipient.certDer);
    const codes = new Map<string, number>();
    for (let i = 0; i < envelope.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const bad = Buffer.from(envelope);
        bad[i] = (bad[i] ?? 0) ^ mask;
        const code = await codeOf(suite.decrypt(bad, recipient));
        if (code === 'ok' || code.startsWith('not a')) throw new Error(`byte ${i} ^ ${mask}: ${code}`);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }
    expect(codes.get('GW_ERR_CRYPTO_DECRYPT')).toBeGreaterThan(0);
    expect(codes.get('GW_ERR_CRYPTO_MALFORMED')).toBeGreaterThan(0);
  });

  it('refuses EC recipient certificates and garbage', async () => {
    expect(await codeOf(suite.encrypt(packet, ecSigner.certDer))).toBe('GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM');
    expect(await codeOf(suite.encrypt(packet, Buffer.from('nope')))).toBe('GW_ERR_CRYPTO_MALFORMED');
    expect(await codeOf(suite.decrypt(Buffer.from([0x30, 0x03, 0x02, 0x01]), recipient))).toBe(
      'GW_ERR_CRYPTO_MALFORMED',
    );
    const signed = await suite.sign(packet, ecSigner);
    expect(await codeOf(suite.decrypt(signed, recipient))).toBe('GW_ERR_CRYPTO_MALFORMED');
    expect(readFileSync(recipient.certPath, 'latin1')).toMatch(/BEGIN CERTIFICATE/);
  });
});
