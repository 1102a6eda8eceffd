import { ContentInfo, EnvelopedData, SignedData } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { describe, expect, it } from 'vitest';
import { createSmSuite, sm3 } from '../../../src/crypto/sm/index.js';
import { BACKENDS, cipherLayout, flipBit } from './helpers.js';
import { makeSmPki } from './fixtures.js';

const coded = (code: string): unknown => expect.objectContaining({ code });
const pki = makeSmPki();
const signer = pki.leaf('520000 signing', 'sign');
const recipient = pki.leaf('510000 encryption', 'encrypt');
const stranger = pki.leaf('500000 encryption', 'encrypt');
const packet = Buffer.from(
  JSON.stringify({ id: 'a7c1', type: 'newborn.application', payload: '出生登记申请'.repeat(200) }),
);

describe.each(BACKENDS)('sm suite (%s backend)', (backend) => {
  const suite = createSmSuite({ backend });

  it('is named sm and digests with SM3', () => {
    expect(suite.name).toBe('sm');
    expect(suite.digest('abc').toString('hex')).toBe(
      '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
    );
    expect(suite.digest(Buffer.from('abc')).equals(sm3(Buffer.from('abc')))).toBe(true);
  });

  it('signs and verifies, with and without pinning, returning content, signer and time', async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const signed = await suite.sign(packet, signer);
    for (const pinned of [signer.certDer, undefined]) {
      const v = await suite.verify(signed, pinned);
      expect(v.content.equals(packet)).toBe(true);
      expect(v.signerCertDer.equals(signer.certDer)).toBe(true);
      expect(v.signingTime!.getTime()).toBeGreaterThanOrEqual(before);
      expect(v.signingTime!.getTime()).toBeLessThanOrEqual(Date.now());
    }
  });

  it('writes GM/T 0010 OIDs that a generic CMS parser reads back', async () => {
    const signed = await suite.sign(packet, signer);
    const ci = AsnConvert.parse(signed, ContentInfo);
    expect(ci.contentType).toBe('1.2.156.10197.6.1.4.2.2');
    const sd = AsnConvert.parse(ci.content, SignedData);
    expect(sd.encapContentInfo.eContentType).toBe('1.2.156.10197.6.1.4.2.1');
    expect(sd.digestAlgorithms[0]!.algorithm).toBe('1.2.156.10197.1.401');
    const si = sd.signerInfos[0]!;
    expect(si.signatureAlgorithm.algorithm).toBe('1.2.156.10197.1.501');
    expect(si.signedAttrs!.map((a) => a.attrType).sort()).toEqual([
      '1.2.840.113549.1.9.3',
      '1.2.840.113549.1.9.4',
      '1.2.840.113549.1.9.5',
    ]);
    expect(Buffer.from(AsnConvert.serialize(sd.certificates![0]!.certificate!)).equals(signer.certDer)).toBe(
      true,
    );

    const env = await suite.encrypt(packet, recipient.certDer);
    const eci = AsnConvert.parse(env, ContentInfo);
    expect(eci.contentType).toBe('1.2.156.10197.6.1.4.2.3');
    const ed = AsnConvert.parse(eci.content, EnvelopedData);
    expect(ed.recipientInfos[0]!.ktri!.keyEncryptionAlgorithm.algorithm).toBe('1.2.156.10197.1.301.3');
    expect(ed.encryptedContentInfo.contentEncryptionAlgorithm.algorithm).toBe('1.2.156.10197.1.104.8');
    expect(ed.encryptedContentInfo.encryptedContent!.value!.byteLength).toBe(packet.length + 16);
  });

  it('refuses a SignedData pinned to another certificate', async () => {
    const signed = await suite.sign(packet, signer);
    await expect(suite.verify(signed, stranger.certDer)).rejects.toThrow(coded('GW_ERR_CRYPTO_SIGNATURE'));
  });

  it('refuses tampered content, attributes and signature', async () => {
    const signed = await suite.sign(packet, signer);
    const at = signed.indexOf(packet.subarray(0, 32));
    await expect(suite.verify(flipBit(signed, at + 10), signer.certDer)).rejects.toThrow(
      coded('GW_ERR_CRYPTO_SIGNATURE'),
    );
    const timeAt = signed.indexOf(Buffer.from('06092a864886f70d010905', 'hex')); // signing-time attribute OID
    await expect(suite.verify(flipBit(signed, timeAt + 15), signer.certDer)).rejects.toThrow(
      coded('GW_ERR_CRYPTO_SIGNATURE'),
    );
    await expect(suite.verify(flipBit(signed, signed.length - 3), signer.certDer)).rejects.toThrow(
      coded('GW_ERR_CRYPTO_SIGNATURE'),
    );
  });

  it('refuses truncated or padded SignedData as malformed', async () => {
    const signed = await suite.sign(packet, signer);
    for (const cut of [0, 5, 100, signed.length - 1]) {
      await expect(suite.verify(signed.subarray(0, cut), signer.certDer)).rejects.toThrow(
        coded('GW_ERR_CRYPTO_MALFORMED'),
      );
    }
    await expect(suite.verify(Buffer.concat([signed, Buffer.from([0])]))).rejects.toThrow(
      coded('GW_ERR_CRYPTO_MALFORMED'),
    );
  });

  it('encrypts and decrypts, with a fresh key and nonce per call', async () => {
    const a = await suite.encrypt(packet, recipient.certDer);
    const b = await suite.encrypt(packet, recipient.certDer);
    expect(a.equals(b)).toBe(false);
    expect((await suite.decrypt(a, recipient)).equals(packet)).toBe(true);
    expect((await suite.decrypt(b, recipient)).equals(packet)).toBe(true);
  });

  it('refuses the wrong recipient', async () => {
    const env = await suite.encrypt(packet, recipient.certDer);
    await expect(suite.decrypt(env, stranger)).rejects.toThrow(coded('GW_ERR_CRYPTO_DECRYPT'));
    // Right certificate, wrong key: the SM2 unwrap fails.
    await expect(
      suite.decrypt(env, { certDer: recipient.certDer, privateKey: stranger.privateKey }),
    ).rejects.toThrow(coded('GW_ERR_CRYPTO_DECRYPT'));
  });

  it('refuses a tampered envelope: content, tag, wrapped key', async () => {
    const env = await suite.encrypt(packet, recipient.certDer);
    await expect(suite.decrypt(flipBit(env, env.length - 100), recipient)).rejects.toThrow(
      coded('GW_ERR_CRYPTO_DECRYPT'),
    );
    await expect(suite.decrypt(flipBit(env, env.length - 1), recipient)).rejects.toThrow(
      coded('GW_ERR_CRYPTO_DECRYPT'),
    );
    const ed = AsnConvert.parse(AsnConvert.parse(env, ContentInfo).content, EnvelopedData);
    const wrapped = Buffer.from(ed.recipientInfos[0]!.ktri!.encryptedKey.buffer);
    const keyAt = env.indexOf(wrapped);
    expect(keyAt).toBeGreaterThan(0);
    const parts = cipherLayout(wrapped);
    await expect(suite.decrypt(flipBit(env, keyAt + parts.c3), recipient)).rejects.toThrow(
      coded('GW_ERR_CRYPTO_DECRYPT'),
    );
    await expect(suite.decrypt(flipBit(env, keyAt + parts.c2), recipient)).rejects.toThrow(
      coded('GW_ERR_CRYPTO_DECRYPT'),
    );
    await expect(suite.decrypt(flipBit(env, keyAt + parts.x + 3), recipient)).rejects.toThrow(
      coded('GW_ERR_CRYPTO_INVALID_POINT'),
    );
    await expect(suite.decrypt(env.subarray(0, env.length - 1), recipient)).rejects.toThrow(
      coded('GW_ERR_CRYPTO_MALFORMED'),
    );
  });

  it('round-trips sign-then-encrypt of an empty and a 1 MiB packet', async () => {
    for (const body of [Buffer.alloc(0), Buffer.alloc(1 << 20, 7)]) {
      const env = await suite.encrypt(await suite.sign(body, signer), recipient.certDer);
      const v = await suite.verify(await suite.decrypt(env, recipient), signer.certDer);
      expect(v.content.equals(body)).toBe(true);
    }
  });

  it('refuses a signer key that does not match its certificate', async () => {
    await expect(
      suite.sign(packet, { certDer: signer.certDer, privateKey: stranger.privateKey }),
    ).rejects.toThrow(coded('GW_ERR_CRYPTO_KEY'));
  });

  it('refuses a SignedData where an envelope is expected and vice versa', async () => {
    const signed = await suite.sign(packet, signer);
    await expect(suite.decrypt(signed, recipient)).rejects.toThrow(
      coded('GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM'),
    );
    const env = await suite.encrypt(packet, recipient.certDer);
    await expect(suite.verify(env)).rejects.toThrow(coded('GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM'));
  });
});

describe('sm suite across backends', () => {
  it('verifies and decrypts what the other backend produced', async () => {
    if (BACKENDS.length < 2) return;
    const native = createSmSuite({ backend: 'native' });
    const js = createSmSuite({ backend: 'js' });
    const env1 = await native.encrypt(await native.sign(packet, signer), recipient.certDer);
    expect((await js.verify(await js.decrypt(env1, recipient), signer.certDer)).content.equals(packet)).toBe(
      true,
    );
    const env2 = await js.encrypt(await js.sign(packet, signer), recipient.certDer);
    expect(
      (await native.verify(await native.decrypt(env2, recipient), signer.certDer)).content.equals(packet),
    ).toBe(true);
  });
});
