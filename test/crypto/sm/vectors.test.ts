import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  getSm2,
  sm2PrivateKeyFromScalar,
  sm2PublicKeyFromPoint,
  sm3,
  sm4GcmDecrypt,
  sm4GcmEncrypt,
} from '../../../src/crypto/sm/index.js';
import { encodeCiphertext, encodeSignature } from '../../../src/crypto/sm/sm2-asn1.js';
import { computeZ, encryptRaw, publicPointOf, signRaw } from '../../../src/crypto/sm/sm2-js.js';
import { ANNEX, BACKENDS } from './helpers.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const big = (s: string): bigint => BigInt('0x' + s);
const ID = Buffer.from('1234567812345678');

describe('SM3 (GB/T 32905)', () => {
  it('hashes "abc"', () => {
    expect(sm3(Buffer.from('abc')).toString('hex')).toBe(
      '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
    );
  });
  it('hashes the 64-byte message "abcd" × 16', () => {
    expect(sm3(Buffer.from('abcd'.repeat(16))).toString('hex')).toBe(
      'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
    );
  });
});

describe('SM4 (GB/T 32907)', () => {
  const key = hex('0123456789abcdeffedcba9876543210');
  it('encrypts the standard block', () => {
    const c = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
    expect(c.update(key).toString('hex')).toBe('681edf34d206965e86b3e94f536e4246');
  });
  it('gives the 1,000,000-iteration value', () => {
    // One ECB context, one block per update: each call is an independent single-block encryption.
    const c = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
    let block = Buffer.from(key);
    for (let i = 0; i < 1_000_000; i++) block = c.update(block);
    expect(block.toString('hex')).toBe('595298c7c6fd271f0402f804c33d3f66');
  });
});

describe.each(BACKENDS)('SM4-GCM, RFC 8998 A.1 (%s implementation)', (impl) => {
  const key = hex('0123456789ABCDEFFEDCBA9876543210');
  const iv = hex('00001234567800000000ABCD');
  const aad = hex('FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2');
  const pt = hex(
    'AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA',
  );
  const ct = hex(
    '17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D',
  );
  const tag = hex('83DE3541E4C2B58177E065A9BF7B62EC');
  it('encrypts to the RFC ciphertext and tag', () => {
    const r = sm4GcmEncrypt(key, iv, pt, aad, impl);
    expect(r.ciphertext.toString('hex')).toBe(ct.toString('hex'));
    expect(r.tag.toString('hex')).toBe(tag.toString('hex'));
  });
  it('decrypts, and refuses a flipped tag, ciphertext or AAD bit', () => {
    expect(sm4GcmDecrypt(key, iv, ct, tag, aad, impl).equals(pt)).toBe(true);
    const flip = (b: Buffer, i: number): Buffer => Buffer.from(b.map((v, j) => (j === i ? v ^ 1 : v)));
    expect(() => sm4GcmDecrypt(key, iv, ct, flip(tag, 15), aad, impl)).toThrow(
      expect.objectContaining({ code: 'GW_ERR_CRYPTO_DECRYPT' }),
    );
    expect(() => sm4GcmDecrypt(key, iv, flip(ct, 40), tag, aad, impl)).toThrow(
      expect.objectContaining({ code: 'GW_ERR_CRYPTO_DECRYPT' }),
    );
    expect(() => sm4GcmDecrypt(key, iv, ct, tag, flip(aad, 0), impl)).toThrow(
      expect.objectContaining({ code: 'GW_ERR_CRYPTO_DECRYPT' }),
    );
  });
  it('handles lengths that are not whole blocks, agreeing with the other implementation', () => {
    const other = impl === 'native' ? 'js' : BACKENDS.includes('native') ? 'native' : 'js';
    for (const n of [0, 1, 15, 16, 17, 4097]) {
      const m = Buffer.alloc(n, 0x5a);
      const r = sm4GcmEncrypt(key, iv, m, aad.subarray(0, n % 21), impl);
      const o = sm4GcmEncrypt(key, iv, m, aad.subarray(0, n % 21), other);
      expect(r.ciphertext.equals(o.ciphertext) && r.tag.equals(o.tag)).toBe(true);
      expect(sm4GcmDecrypt(key, iv, r.ciphertext, r.tag, aad.subarray(0, n % 21), impl).equals(m)).toBe(true);
    }
  });
});

describe('SM2 math layer with fixed k (GB/T 32918 Annex A and C)', () => {
  const d = big(ANNEX.d);
  const pub = publicPointOf(d);
  it('derives P and Z_A of the Annex', () => {
    expect(pub.x).toBe(big(ANNEX.px));
    expect(pub.y).toBe(big(ANNEX.py));
    expect(computeZ(ID, pub).toString('hex')).toBe(ANNEX.za);
  });
  it('reproduces the Annex A signature (r, s)', () => {
    const sig = signRaw(d, pub, Buffer.from(ANNEX.signMessage), ID, () => big(ANNEX.k));
    expect(sig.r).toBe(big(ANNEX.r));
    expect(sig.s).toBe(big(ANNEX.s));
  });
  it('reproduces the Annex C ciphertext C1 ‖ C3 ‖ C2', () => {
    const c = encryptRaw(pub, Buffer.from(ANNEX.encMessage), () => big(ANNEX.k));
    expect(c.x).toBe(big(ANNEX.c1x));
    expect(c.y).toBe(big(ANNEX.c1y));
    expect(c.hash.toString('hex')).toBe(ANNEX.c3.toLowerCase());
    expect(c.ciphertext.toString('hex')).toBe(ANNEX.c2.toLowerCase());
  });
  it('makes Z from the hash the way GB/T 32918.2 §5.5 describes (independent SM3 check)', () => {
    const manual = createHash('sm3')
      .update(Buffer.from([0x00, 0x80]))
      .update(ID)
      .update(hex('FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC'))
      .update(hex('28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93'))
      .update(hex('32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7'))
      .update(hex('BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0'))
      .update(hex(ANNEX.px))
      .update(hex(ANNEX.py))
      .digest('hex');
    expect(manual).toBe(ANNEX.za);
  });
});

describe.each(BACKENDS)('SM2 Annex vectors through the %s backend', (backend) => {
  const sm2 = getSm2(backend);
  const privateKey = sm2PrivateKeyFromScalar(hex(ANNEX.d));
  const publicKey = sm2PublicKeyFromPoint(hex('04' + ANNEX.px + ANNEX.py));
  const annexSig = encodeSignature({ r: big(ANNEX.r), s: big(ANNEX.s) });
  const annexCipher = encodeCiphertext({
    x: big(ANNEX.c1x),
    y: big(ANNEX.c1y),
    hash: hex(ANNEX.c3),
    ciphertext: hex(ANNEX.c2),
  });

  it('is the backend asked for', () => {
    expect(sm2.backend).toBe(backend);
  });
  it('verifies the Annex A signature (sync and async)', async () => {
    expect(() => sm2.verify(Buffer.from(ANNEX.signMessage), annexSig, publicKey)).not.toThrow();
    await expect(
      sm2.verifyAsync(Buffer.from(ANNEX.signMessage), annexSig, publicKey),
    ).resolves.toBeUndefined();
  });
  it('refuses the Annex A signature on another message', () => {
    expect(() => sm2.verify(Buffer.from('message digesT'), annexSig, publicKey)).toThrow(
      expect.objectContaining({ code: 'GW_ERR_CRYPTO_SIGNATURE' }),
    );
  });
  it('decrypts the Annex C ciphertext (sync and async)', async () => {
    expect(sm2.decrypt(annexCipher, privateKey).toString()).toBe(ANNEX.encMessage);
    expect((await sm2.decryptAsync(annexCipher, privateKey)).toString()).toBe(ANNEX.encMessage);
  });
  it('signs with the Annex key so that the other backend verifies it', () => {
    const other = getSm2(backend === 'js' && BACKENDS.includes('native') ? 'native' : 'js');
    const sig = sm2.sign(Buffer.from(ANNEX.signMessage), privateKey);
    expect(() => other.verify(Buffer.from(ANNEX.signMessage), sig, publicKey)).not.toThrow();
    const ct = sm2.encrypt(Buffer.from(ANNEX.encMessage), publicKey);
    expect(other.decrypt(ct, privateKey).toString()).toBe(ANNEX.encMessage);
  });
});
