import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sm2 as smc } from 'sm-crypto-v2';
import { afterAll, describe, expect, it } from 'vitest';
import {
  generateSm2KeyPair,
  getSm2,
  sm2CiphertextFromRaw,
  sm2CiphertextToRaw,
  sm2PublicKeyFromPoint,
  sm2SignatureFromRaw,
} from '../../../src/crypto/sm/index.js';
import { sm2PrivateParts } from '../../../src/crypto/sm/sm2-keys.js';
import { BACKENDS, pem, tempDir } from './helpers.js';

const message = Buffer.from('新生儿入户 跨省通办 — packet body with UTF-8 and binary \u0000\u00ff');

describe.each(BACKENDS)('SM2 interop with sm-crypto-v2 (%s backend)', (backend) => {
  const sm2 = getSm2(backend);
  const theirs = smc.generateKeyPairHex();
  const theirPublic = sm2PublicKeyFromPoint(Buffer.from(theirs.publicKey, 'hex'));
  const ours = generateSm2KeyPair();
  const ourPrivHex = sm2PrivateParts(ours.privateKey).d.toString(16).padStart(64, '0');
  const ourPubHex = smc.getPublicKeyFromPrivateKey(ourPrivHex);

  it('our signature verifies in sm-crypto-v2 (default ID, DER and raw r‖s)', () => {
    const sig = sm2.sign(message, ours.privateKey);
    expect(smc.doVerifySignature(message, sig.toString('hex'), ourPubHex, { hash: true, der: true })).toBe(
      true,
    );
    // Control: with another user ID sm-crypto-v2 must refuse it, so the ID really is in Z.
    expect(
      smc.doVerifySignature(message, sig.toString('hex'), ourPubHex, {
        hash: true,
        der: true,
        userId: 'otherid',
      }),
    ).toBe(false);
  });

  it("sm-crypto-v2's signature verifies here (DER and r‖s forms)", () => {
    const der = smc.doSignature(message, theirs.privateKey, { hash: true, der: true });
    expect(() => sm2.verify(message, Buffer.from(der, 'hex'), theirPublic)).not.toThrow();
    const rs = smc.doSignature(message, theirs.privateKey, { hash: true });
    expect(() => sm2.verify(message, sm2SignatureFromRaw(Buffer.from(rs, 'hex')), theirPublic)).not.toThrow();
    const wrongId = smc.doSignature(message, theirs.privateKey, { hash: true, der: true, userId: 'otherid' });
    expect(() => sm2.verify(message, Buffer.from(wrongId, 'hex'), theirPublic)).toThrow(
      expect.objectContaining({ code: 'GW_ERR_CRYPTO_SIGNATURE' }),
    );
  });

  it('our ciphertext decrypts in sm-crypto-v2 (C1C3C2, raw and ASN.1)', () => {
    const der = sm2.encrypt(message, theirPublic);
    const raw = sm2CiphertextToRaw(der).subarray(1); // sm-crypto-v2 omits the 04 of C1
    const out = smc.doDecrypt(raw.toString('hex'), theirs.privateKey, 1, { output: 'array' });
    expect(Buffer.from(out).equals(message)).toBe(true);
    const outAsn1 = smc.doDecrypt(der.toString('hex'), theirs.privateKey, 1, { output: 'array', asn1: true });
    expect(Buffer.from(outAsn1).equals(message)).toBe(true);
  });

  it("sm-crypto-v2's ciphertext decrypts here (C1C3C2, raw and ASN.1)", () => {
    const raw = smc.doEncrypt(message, ourPubHex, 1);
    expect(sm2.decrypt(sm2CiphertextFromRaw(Buffer.from(raw, 'hex')), ours.privateKey).equals(message)).toBe(
      true,
    );
    const asn1 = smc.doEncrypt(message, ourPubHex, 1, { asn1: true });
    expect(sm2.decrypt(Buffer.from(asn1, 'hex'), ours.privateKey).equals(message)).toBe(true);
    // Control: C1C2C3 order (cipherMode 0) must not decrypt as C1C3C2.
    const c1c2c3 = smc.doEncrypt(message, ourPubHex, 0);
    expect(() => sm2.decrypt(sm2CiphertextFromRaw(Buffer.from(c1c2c3, 'hex')), ours.privateKey)).toThrow(
      expect.objectContaining({ code: 'GW_ERR_CRYPTO_DECRYPT' }),
    );
  });
});

describe.each(BACKENDS)('SM2 interop with openssl pkeyutl (%s backend)', (backend) => {
  const sm2 = getSm2(backend);
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);
  const keys = generateSm2KeyPair();
  const sk = join(dir, `${backend}-sk.pem`);
  const pk = join(dir, `${backend}-pk.pem`);
  const msg = join(dir, `${backend}-msg.bin`);
  writeFileSync(sk, keys.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  writeFileSync(pk, pem('PUBLIC KEY', keys.publicKey.export({ format: 'der', type: 'spki' })));
  writeFileSync(msg, message);
  const openssl = (...args: string[]): Buffer =>
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const distid = ['-pkeyopt', 'distid:1234567812345678'];

  it('our signature verifies with openssl (distid 1234567812345678)', () => {
    const sig = join(dir, `${backend}-ours.sig`);
    writeFileSync(sig, sm2.sign(message, keys.privateKey));
    const out = openssl(
      'pkeyutl',
      '-verify',
      '-pubin',
      '-inkey',
      pk,
      '-rawin',
      '-digest',
      'sm3',
      ...distid,
      '-in',
      msg,
      '-sigfile',
      sig,
    );
    expect(out.toString()).toContain('Signature Verified Successfully');
    // Control: openssl with another ID refuses the same signature.
    expect(() =>
      openssl(
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        pk,
        '-rawin',
        '-digest',
        'sm3',
        '-pkeyopt',
        'distid:otherid',
        '-in',
        msg,
        '-sigfile',
        sig,
      ),
    ).toThrow();
  });

  it("openssl's signature verifies here", () => {
    const sig = join(dir, `${backend}-theirs.sig`);
    openssl('pkeyutl', '-sign', '-inkey', sk, '-rawin', '-digest', 'sm3', ...distid, '-in', msg, '-out', sig);
    expect(() => sm2.verify(message, readFileSync(sig), keys.publicKey)).not.toThrow();
  });

  it('our ciphertext decrypts with openssl', () => {
    const ct = join(dir, `${backend}-ours.ct`);
    writeFileSync(ct, sm2.encrypt(message, keys.publicKey));
    expect(openssl('pkeyutl', '-decrypt', '-inkey', sk, '-in', ct).equals(message)).toBe(true);
  });

  it("openssl's ciphertext (GM/T 0009 ASN.1 C1C3C2) decrypts here", () => {
    const ct = join(dir, `${backend}-theirs.ct`);
    openssl('pkeyutl', '-encrypt', '-pubin', '-inkey', pk, '-in', msg, '-out', ct);
    const der = readFileSync(ct);
    expect(der[0]).toBe(0x30);
    expect(sm2.decrypt(der, keys.privateKey).equals(message)).toBe(true);
  });
});
