import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Certificate,
  KeyUsage,
  id_ce_keyUsage,
  id_ce_basicConstraints,
  BasicConstraints,
} from '@peculiar/asn1-x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { afterAll, describe, expect, it } from 'vitest';
import {
  generateSm2KeyPair,
  issueSm2Certificate,
  readSm2Certificate,
  verifySm2CertificateSignature,
} from '../../../src/crypto/sm/index.js';
import { makeSmPki } from './fixtures.js';
import { pem, tempDir } from './helpers.js';

const coded = (code: string): unknown => expect.objectContaining({ code });

describe('SM2 certificates', () => {
  const pki = makeSmPki();
  const leaf = pki.leaf('520000 签名', 'sign');
  const otherPki = makeSmPki();
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);
  const write = (name: string, der: Buffer): string => {
    const file = join(dir, name);
    writeFileSync(file, pem('CERTIFICATE', der));
    return file;
  };
  const verify = (...args: string[]): string => {
    try {
      return execFileSync('openssl', ['verify', ...args], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    } catch (err) {
      return `FAILED ${String((err as { stdout?: Buffer }).stdout ?? '')}`;
    }
  };

  it('openssl verify -vfyopt distid:1234567812345678 accepts root → leaf', () => {
    const out = verify(
      '-vfyopt',
      'distid:1234567812345678',
      '-CAfile',
      write('root.pem', pki.rootDer),
      write('leaf.pem', leaf.certDer),
    );
    expect(out).toContain('leaf.pem: OK');
  });

  it('openssl refuses the leaf under another root, and with another distid (controls)', () => {
    const leafFile = write('leaf2.pem', leaf.certDer);
    expect(
      verify(
        '-vfyopt',
        'distid:1234567812345678',
        '-CAfile',
        write('other-root.pem', otherPki.rootDer),
        leafFile,
      ),
    ).toMatch(/^FAILED/);
    expect(
      verify('-vfyopt', 'distid:ALICE123@YAHOO.COM', '-CAfile', write('root2.pem', pki.rootDer), leafFile),
    ).toMatch(/^FAILED/);
  });

  it('verifies its own chain and refuses a wrong issuer', () => {
    expect(() => verifySm2CertificateSignature(leaf.certDer, pki.rootDer)).not.toThrow();
    expect(() => verifySm2CertificateSignature(pki.rootDer, pki.rootDer)).not.toThrow();
    expect(() => verifySm2CertificateSignature(leaf.certDer, otherPki.rootDer)).toThrow(
      coded('GW_ERR_CRYPTO_SIGNATURE'),
    );
  });

  it('carries the requested fields and extensions', () => {
    const x = new X509Certificate(leaf.certDer);
    expect(x.subject).toContain('CN=520000 签名');
    expect(x.issuer).toContain('CN=Tongban Test SM2 Root');
    expect(x.ca).toBe(false);
    expect(new X509Certificate(pki.rootDer).ca).toBe(true);
    const cert = AsnConvert.parse(leaf.certDer, Certificate);
    expect(cert.signatureAlgorithm.algorithm).toBe('1.2.156.10197.1.501');
    expect(cert.signatureAlgorithm.parameters).toBeUndefined();
    const ku = cert.tbsCertificate.extensions!.find((e) => e.extnID === id_ce_keyUsage)!;
    expect(ku.critical).toBe(true);
    expect(AsnConvert.parse(ku.extnValue, KeyUsage).toJSON().sort()).toEqual([
      'digitalSignature',
      'nonRepudiation',
    ]);
    const bc = cert.tbsCertificate.extensions!.find((e) => e.extnID === id_ce_basicConstraints)!;
    expect(AsnConvert.parse(bc.extnValue, BasicConstraints).cA).toBe(false);
  });

  it('uses the given serial and extended key usages', () => {
    const keys = generateSm2KeyPair();
    const der = issueSm2Certificate({
      subject: { commonName: 'system' },
      serialNumber: Buffer.from('00ff01', 'hex'),
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2060-01-01T00:00:00Z'),
      isCa: false,
      keyUsage: ['digitalSignature'],
      extKeyUsage: ['1.3.6.1.5.5.7.3.2'],
      publicKey: keys.publicKey,
      issuer: pki.root,
    });
    const x = new X509Certificate(der);
    expect(x.serialNumber.toUpperCase()).toBe('FF01'); // Node prints the value; the DER keeps 00 so it stays positive
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(new Date(x.validTo).getUTCFullYear()).toBe(2060); // GeneralizedTime after 2049
    expect(readSm2Certificate(der).serialNumber.toString('hex')).toBe('00ff01');
  });

  it('refuses mismatched keys', () => {
    const a = generateSm2KeyPair();
    const b = generateSm2KeyPair();
    const base = {
      subject: { commonName: 'x' },
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 1000),
      isCa: false,
      keyUsage: [],
    };
    expect(() =>
      issueSm2Certificate({ ...base, publicKey: a.publicKey, subjectPrivateKeyForSelfSigned: b.privateKey }),
    ).toThrow(coded('GW_ERR_CRYPTO_KEY'));
    expect(() => issueSm2Certificate({ ...base, publicKey: a.publicKey })).toThrow(
      coded('GW_ERR_CRYPTO_KEY'),
    );
    expect(() =>
      issueSm2Certificate({
        ...base,
        publicKey: a.publicKey,
        issuer: { certDer: pki.rootDer, privateKey: b.privateKey },
      }),
    ).toThrow(coded('GW_ERR_CRYPTO_KEY'));
  });
});
