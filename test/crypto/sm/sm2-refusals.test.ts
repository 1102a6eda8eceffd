import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateSm2KeyPair,
  getSm2,
  sm2PublicKeyFromPoint,
  sm2PublicKeyFromSpki,
} from '../../../src/crypto/sm/index.js';
import { derTlv, derUnsigned, TAG } from '../../../src/crypto/sm/der.js';
import { encodeCiphertext, parseCiphertext } from '../../../src/crypto/sm/sm2-asn1.js';
import { N, P } from '../../../src/crypto/sm/sm2-curve.js';
import { sm2PublicParts } from '../../../src/crypto/sm/sm2-keys.js';
import { BACKENDS, cipherLayout, flipBit } from './helpers.js';

const coded = (code: string): unknown => expect.objectContaining({ code });
const message = Buffer.from('refusal cases');

describe.each(BACKENDS)('SM2 refusals (%s backend)', (backend) => {
  const sm2 = getSm2(backend);
  const keys = generateSm2KeyPair();
  const other = generateSm2KeyPair();

  describe('signatures', () => {
    const sig = sm2.sign(message, keys.privateKey);

    it('refuses a signature made with another ID, and checks with another ID', async () => {
      const foreign = sm2.sign(message, keys.privateKey, { id: Buffer.from('ALICE123@YAHOO.COM') });
      expect(() => sm2.verify(message, foreign, keys.publicKey)).toThrow(coded('GW_ERR_CRYPTO_SIGNATURE'));
      await expect(sm2.verifyAsync(message, foreign, keys.publicKey)).rejects.toThrow(
        coded('GW_ERR_CRYPTO_SIGNATURE'),
      );
      expect(() => sm2.verify(message, sig, keys.publicKey, { id: Buffer.from('1234567812345679') })).toThrow(
        coded('GW_ERR_CRYPTO_SIGNATURE'),
      );
      // …while the matching ID verifies, so the refusals above are about the ID alone.
      expect(() =>
        sm2.verify(message, foreign, keys.publicKey, { id: Buffer.from('ALICE123@YAHOO.COM') }),
      ).not.toThrow();
    });

    it('refuses another key, another message and a flipped signature bit', () => {
      expect(() => sm2.verify(message, sig, other.publicKey)).toThrow(coded('GW_ERR_CRYPTO_SIGNATURE'));
      expect(() => sm2.verify(Buffer.from('refusal casez'), sig, keys.publicKey)).toThrow(
        coded('GW_ERR_CRYPTO_SIGNATURE'),
      );
      expect(() => sm2.verify(message, flipBit(sig, sig.length - 1), keys.publicKey)).toThrow(
        coded('GW_ERR_CRYPTO_SIGNATURE'),
      );
    });

    it('refuses truncated, padded and non-DER signatures as malformed', async () => {
      for (const cut of [1, 2, 10, sig.length - 1]) {
        expect(() => sm2.verify(message, sig.subarray(0, cut), keys.publicKey)).toThrow(
          coded('GW_ERR_CRYPTO_MALFORMED'),
        );
      }
      expect(() => sm2.verify(message, Buffer.concat([sig, Buffer.from([0])]), keys.publicKey)).toThrow(
        coded('GW_ERR_CRYPTO_MALFORMED'),
      );
      expect(() => sm2.verify(message, Buffer.alloc(64, 1), keys.publicKey)).toThrow(
        coded('GW_ERR_CRYPTO_MALFORMED'),
      );
      await expect(sm2.verifyAsync(message, sig.subarray(0, 20), keys.publicKey)).rejects.toThrow(
        coded('GW_ERR_CRYPTO_MALFORMED'),
      );
      // A non-minimal INTEGER (leading 00 before a byte < 0x80) is not DER.
      const padded = derTlv(TAG.SEQUENCE, derTlv(TAG.INTEGER, Buffer.from([0, 1])), derUnsigned(5n));
      expect(() => sm2.verify(message, padded, keys.publicKey)).toThrow(coded('GW_ERR_CRYPTO_MALFORMED'));
    });

    it('refuses r or s equal to 0 or ≥ n with the range code', async () => {
      const good = 12345n;
      for (const [r, s] of [
        [0n, good],
        [good, 0n],
        [N, good],
        [good, N],
        [N + 1n, good],
        [good, 2n ** 256n - 1n],
      ] as const) {
        const der = derTlv(TAG.SEQUENCE, derUnsigned(r), derUnsigned(s));
        expect(() => sm2.verify(message, der, keys.publicKey)).toThrow(
          coded('GW_ERR_CRYPTO_SIGNATURE_RANGE'),
        );
        await expect(sm2.verifyAsync(message, der, keys.publicKey)).rejects.toThrow(
          coded('GW_ERR_CRYPTO_SIGNATURE_RANGE'),
        );
      }
      // In range but wrong: a plain signature failure.
      const edge = derTlv(TAG.SEQUENCE, derUnsigned(N - 1n), derUnsigned(1n));
      expect(() => sm2.verify(message, edge, keys.publicKey)).toThrow(coded('GW_ERR_CRYPTO_SIGNATURE'));
    });
  });

  describe('encryption', () => {
    const ct = sm2.encrypt(message, keys.publicKey);
    const at = cipherLayout(ct);

    it('decrypts the untouched ciphertext (control)', () => {
      expect(sm2.decrypt(ct, keys.privateKey).equals(message)).toBe(true);
    });

    it('refuses a flipped bit in C1 (point no longer on the curve)', async () => {
      const bad = flipBit(ct, at.x + 5);
      expect(() => sm2.decrypt(bad, keys.privateKey)).toThrow(coded('GW_ERR_CRYPTO_INVALID_POINT'));
      await expect(sm2.decryptAsync(flipBit(ct, at.y + 7), keys.privateKey)).rejects.toThrow(
        coded('GW_ERR_CRYPTO_INVALID_POINT'),
      );
    });

    it('refuses C1 replaced by another curve point (−C1)', () => {
      const c = parseCiphertext(ct);
      const negated = encodeCiphertext({ ...c, y: P - c.y });
      expect(() => sm2.decrypt(negated, keys.privateKey)).toThrow(coded('GW_ERR_CRYPTO_DECRYPT'));
    });

    it('refuses a flipped bit in C3 and in C2', async () => {
      expect(() => sm2.decrypt(flipBit(ct, at.c3 + 3), keys.privateKey)).toThrow(
        coded('GW_ERR_CRYPTO_DECRYPT'),
      );
      expect(() => sm2.decrypt(flipBit(ct, at.c2), keys.privateKey)).toThrow(coded('GW_ERR_CRYPTO_DECRYPT'));
      await expect(sm2.decryptAsync(flipBit(ct, ct.length - 1), keys.privateKey)).rejects.toThrow(
        coded('GW_ERR_CRYPTO_DECRYPT'),
      );
    });

    it('refuses the wrong private key', async () => {
      expect(() => sm2.decrypt(ct, other.privateKey)).toThrow(coded('GW_ERR_CRYPTO_DECRYPT'));
      await expect(sm2.decryptAsync(ct, other.privateKey)).rejects.toThrow(coded('GW_ERR_CRYPTO_DECRYPT'));
    });

    it('refuses truncated or padded DER and a short hash as malformed', () => {
      for (const cut of [1, 3, at.c3, ct.length - 1]) {
        expect(() => sm2.decrypt(ct.subarray(0, cut), keys.privateKey)).toThrow(
          coded('GW_ERR_CRYPTO_MALFORMED'),
        );
      }
      expect(() => sm2.decrypt(Buffer.concat([ct, Buffer.from([0])]), keys.privateKey)).toThrow(
        coded('GW_ERR_CRYPTO_MALFORMED'),
      );
      const c = parseCiphertext(ct);
      const shortHash = encodeCiphertext({ ...c, hash: c.hash.subarray(0, 31) });
      expect(() => sm2.decrypt(shortHash, keys.privateKey)).toThrow(coded('GW_ERR_CRYPTO_MALFORMED'));
    });

    it('refuses C1 with a coordinate ≥ p', () => {
      const c = parseCiphertext(ct);
      expect(() => sm2.decrypt(encodeCiphertext({ ...c, x: c.x + P }), keys.privateKey)).toThrow(
        coded('GW_ERR_CRYPTO_INVALID_POINT'),
      );
    });

    it('refuses an empty plaintext', () => {
      expect(() => sm2.encrypt(Buffer.alloc(0), keys.publicKey)).toThrow(coded('GW_ERR_CRYPTO_MALFORMED'));
    });
  });

  describe('keys', () => {
    it('refuses public points that are not on the curve', () => {
      const { point, spki } = sm2PublicParts(keys.publicKey);
      const raw = Buffer.concat([
        Buffer.from([4]),
        Buffer.from(point.x.toString(16).padStart(64, '0'), 'hex'),
        Buffer.from((point.y ^ 1n).toString(16).padStart(64, '0'), 'hex'),
      ]);
      expect(() => sm2PublicKeyFromPoint(raw)).toThrow(coded('GW_ERR_CRYPTO_INVALID_POINT'));
      const badSpki = flipBit(spki, spki.length - 1);
      expect(() => sm2PublicKeyFromSpki(badSpki)).toThrow(coded('GW_ERR_CRYPTO_INVALID_POINT'));
      expect(() => sm2PublicKeyFromPoint(Buffer.concat([Buffer.from([2]), raw.subarray(1, 33)]))).toThrow(
        coded('GW_ERR_CRYPTO_INVALID_POINT'),
      );
    });

    it('refuses keys that are not SM2, and a public key for signing', () => {
      const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      expect(() => sm2.sign(message, p256.privateKey)).toThrow(coded('GW_ERR_CRYPTO_KEY'));
      expect(() => sm2.encrypt(message, p256.publicKey)).toThrow(
        coded('GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM'),
      );
      expect(() => sm2.sign(message, keys.publicKey)).toThrow(coded('GW_ERR_CRYPTO_KEY'));
    });
  });
});
