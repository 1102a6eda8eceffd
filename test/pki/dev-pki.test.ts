import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  KeyUsageFlags,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
} from '@peculiar/asn1-x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntlSuite } from '../../src/crypto/intl/index.js';
import { isGatewayError } from '../../src/errors.js';
import {
  type DevPkiLayout,
  initDevPki,
  loadCertDer,
  loadIdentity,
  type ManifestEntry,
} from '../../src/pki/index.js';
import { describeSealFile } from '../../src/seal/index.js';

const MEMBERS = ['520000', '510000'];
const SYSTEMS = ['population', 'window'];
const MEMBER_FILES = [
  'node-tls',
  'intl-signing',
  'intl-encryption',
  'sm-signing',
  'sm-encryption',
  'sm-seal-maker',
  'sm-seal-signer',
  'intl-seal-signer',
  'system-population',
  'system-window',
];

let dir: string;
let pki: DevPkiLayout;

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/** The DER value of one extension of a PEM certificate file. */
function extensionValue(path: string, oid: string): ArrayBuffer | undefined {
  const cert = AsnConvert.parse(new X509Certificate(readFileSync(path)).raw, Certificate);
  return cert.tbsCertificate.extensions?.find((e) => e.extnID === oid)?.extnValue.buffer;
}

function keyUsageOf(path: string): number {
  const value = extensionValue(path, id_ce_keyUsage);
  return value ? AsnConvert.parse(value, KeyUsage).toNumber() : -1;
}

function extKeyUsageOf(path: string): string[] {
  const value = extensionValue(path, id_ce_extKeyUsage);
  return value ? [...AsnConvert.parse(value, ExtendedKeyUsage)] : [];
}

const { digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment } = KeyUsageFlags;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dev-pki-'));
  pki = await initDevPki({ outDir: join(dir, 'pki'), members: MEMBERS, systems: SYSTEMS });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('initDevPki: files', () => {
  it('writes the documented layout, keys readable by the owner only', () => {
    const out = join(dir, 'pki');
    expect(pki.outDir).toBe(out);
    expect(pki.rootCa).toEqual({ cert: join(out, 'root-ca.crt'), key: join(out, 'root-ca.key') });
    expect(pki.smRootCa).toEqual({ cert: join(out, 'sm-root-ca.crt'), key: join(out, 'sm-root-ca.key') });
    const stems = ['root-ca', 'sm-root-ca', ...MEMBERS.flatMap((m) => MEMBER_FILES.map((f) => `${m}/${f}`))];
    for (const stem of stems) {
      expect(readFileSync(join(out, `${stem}.crt`), 'latin1')).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
      expect(readFileSync(join(out, `${stem}.key`), 'latin1')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(statSync(join(out, `${stem}.key`)).mode & 0o777).toBe(0o600);
    }
    expect(pki.members['510000']?.systems.window).toEqual({
      cert: join(out, '510000', 'system-window.crt'),
      key: join(out, '510000', 'system-window.key'),
    });
    expect(pki.members['520000']?.smSealSigner.cert).toBe(join(out, '520000', 'sm-seal-signer.crt'));
  });

  it('makes a development unit seal per member that the 承办人 and unit signers may use', () => {
    const m = pki.members['520000']!;
    expect(m.seal.der).toBe(join(pki.outDir, '520000', 'seal-unit.der'));
    const described = describeSealFile(readFileSync(m.seal.der));
    expect(described.format).toBe('SESeal');
    expect(described.seal).toMatchObject({ esID: '52000001000001', name: m.seal.name, type: 1 });
    expect(described.seal.makerSubject).toContain('520000 电子印章制章者');
    expect(described.seal.signers).toHaveLength(4);
    expect(described.seal.signers.join('\n')).toMatch(/520000 承办人/);
    // The picture file is the one inside the seal.
    const png = readFileSync(m.seal.png);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(Buffer.from(described.decoded.seal.eSealInfo.picture.data).equals(png)).toBe(true);
    const manifest = JSON.parse(readFileSync(pki.manifest, 'utf8')) as { seals: Array<Record<string, string>> };
    expect(manifest.seals.map((s) => [s.member, s.file, s.picture])).toEqual(
      MEMBERS.map((mm) => [mm, `${mm}/seal-unit.der`, `${mm}/seal-unit.png`]),
    );
    expect(manifest.seals[0]?.sha256).toBe(createHash('sha256').update(readFileSync(m.seal.der)).digest('hex'));
  });

  it('writes a manifest with fingerprints and validity, and no keys', () => {
    const text = readFileSync(pki.manifest, 'utf8');
    expect(text).not.toMatch(/PRIVATE KEY|BEGIN/);
    const manifest = JSON.parse(text) as { certificates: ManifestEntry[]; members: string[] };
    expect(manifest.members).toEqual(MEMBERS);
    expect(manifest.certificates).toHaveLength(2 + MEMBERS.length * MEMBER_FILES.length);
    for (const entry of manifest.certificates) {
      const cert = new X509Certificate(readFileSync(join(pki.outDir, entry.cert)));
      expect(entry.sha256).toBe(cert.fingerprint256.replace(/:/g, '').toLowerCase());
      expect(Date.parse(entry.notAfter)).toBe(Date.parse(cert.validTo));
      expect(existsSync(join(pki.outDir, entry.key))).toBe(true);
    }
    const leaf = manifest.certificates.find((e) => e.cert === '520000/intl-encryption.crt');
    expect(leaf?.keyType).toBe('RSA 2048');
    expect(manifest.certificates.find((e) => e.cert === '520000/sm-seal-maker.crt')?.keyType).toBe('SM2');
    expect(manifest.certificates.find((e) => e.cert === 'root-ca.crt')?.keyType).toBe('ECDSA P-256');
    const days = (Date.parse(leaf?.notAfter ?? '') - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(824);
    expect(days).toBeLessThan(826);
  });
});

describe('initDevPki: certificates', () => {
  it('chains node, signing, encryption and system certificates to the intl root (openssl verify)', () => {
    for (const m of MEMBERS) {
      const layout = pki.members[m];
      if (!layout) throw new Error(m);
      const certs = [
        layout.nodeTls,
        layout.intlSigning,
        layout.intlEncryption,
        ...Object.values(layout.systems),
      ];
      for (const { cert } of certs) {
        expect(openssl(['verify', '-CAfile', pki.rootCa.cert, cert])).toContain(': OK');
      }
      // Wrong trust anchor: the SM root does not vouch for intl certificates.
      expect(() => openssl(['verify', '-CAfile', pki.smRootCa.cert, layout.nodeTls.cert])).toThrow();
    }
  });

  it('gives each certificate the specified names, key types and usages', () => {
    const m = pki.members['520000'];
    if (!m) throw new Error('520000');
    const root = new X509Certificate(readFileSync(pki.rootCa.cert));
    expect(root.subject).toContain('CN=Tongban Dev Root CA');
    expect(root.ca).toBe(true);
    expect(root.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');

    const tls = new X509Certificate(readFileSync(m.nodeTls.cert));
    expect(tls.subject).toContain('CN=gw-520000');
    expect(tls.ca).toBe(false);
    expect(tls.subjectAltName).toBe(
      'DNS:localhost, DNS:gw-520000.tongban.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(extKeyUsageOf(m.nodeTls.cert).sort()).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(keyUsageOf(m.nodeTls.cert) & digitalSignature).toBe(digitalSignature);

    expect(keyUsageOf(m.intlSigning.cert)).toBe(digitalSignature | nonRepudiation);
    expect(
      new X509Certificate(readFileSync(m.intlSigning.cert)).publicKey.asymmetricKeyDetails?.namedCurve,
    ).toBe('prime256v1');
    const enc = new X509Certificate(readFileSync(m.intlEncryption.cert));
    expect(enc.publicKey.asymmetricKeyType).toBe('rsa');
    expect(enc.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(keyUsageOf(m.intlEncryption.cert)).toBe(keyEncipherment);

    const system = new X509Certificate(readFileSync(m.systems.population?.cert ?? ''));
    expect(system.subject).toContain('CN=520000-population');
    expect(system.subject).toContain('O=520000');
    expect(extKeyUsageOf(m.systems.population?.cert ?? '')).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(system.checkIssued(root)).toBe(true);

    expect(keyUsageOf(m.smEncryption.cert)).toBe(keyEncipherment | dataEncipherment);
    expect(keyUsageOf(m.smSigning.cert) & digitalSignature).toBe(digitalSignature);
    expect(new X509Certificate(readFileSync(m.smSealMaker.cert)).subject).toContain('电子印章制章者');
    expect(new X509Certificate(readFileSync(m.smSealSigner.cert)).subject).toContain('承办人');
  });

  it('chains the SM2 certificates to the SM2 root (openssl verify with the default SM2 ID)', () => {
    for (const m of MEMBERS) {
      const layout = pki.members[m];
      if (!layout) throw new Error(m);
      for (const { cert } of [
        layout.smSigning,
        layout.smEncryption,
        layout.smSealMaker,
        layout.smSealSigner,
      ]) {
        expect(
          openssl(['verify', '-vfyopt', 'distid:1234567812345678', '-CAfile', pki.smRootCa.cert, cert]),
        ).toContain(': OK');
        // SPKI names the SM2 curve, 1.2.156.10197.1.301 (Node 20 reports no key type for it).
        const spki = new X509Certificate(readFileSync(cert)).publicKey.export({
          format: 'der',
          type: 'spki',
        });
        expect(spki.includes(Buffer.from('06082a811ccf5501822d', 'hex'))).toBe(true);
      }
    }
  });

  it('serves the intl suite: sign/verify and encrypt/decrypt between two members, openssl agrees', async () => {
    const suite = createIntlSuite();
    const a = pki.members['520000'];
    const b = pki.members['510000'];
    if (!a || !b) throw new Error('members');
    const packet = Buffer.from('{"type":"newborn.application"}');
    const signed = await suite.sign(packet, loadIdentity(a.intlSigning.cert, a.intlSigning.key));
    const verified = await suite.verify(signed, loadCertDer(a.intlSigning.cert));
    expect(verified.content.equals(packet)).toBe(true);
    const envelope = await suite.encrypt(signed, loadCertDer(b.intlEncryption.cert));
    const opened = await suite.decrypt(envelope, loadIdentity(b.intlEncryption.cert, b.intlEncryption.key));
    expect(opened.equals(signed)).toBe(true);
    const other = await suite
      .decrypt(envelope, loadIdentity(a.intlEncryption.cert, a.intlEncryption.key))
      .catch((e: unknown) => e);
    expect(isGatewayError(other, 'GW_ERR_CRYPTO_DECRYPT')).toBe(true);
    const signedPath = join(dir, 'signed.p7');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(signedPath, signed);
    const out = execFileSync(
      'openssl',
      ['cms', '-verify', '-binary', '-inform', 'DER', '-in', signedPath, '-CAfile', pki.rootCa.cert],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(out.equals(packet)).toBe(true);
  });
});

describe('initDevPki: re-running and bad input', () => {
  it('keeps existing roots when members are added, so earlier certificates stay valid', async () => {
    const before = readFileSync(pki.rootCa.cert, 'latin1');
    const smBefore = readFileSync(pki.smRootCa.cert, 'latin1');
    const again = await initDevPki({ outDir: pki.outDir, members: ['500000'], validDays: 30 });
    expect(readFileSync(again.rootCa.cert, 'latin1')).toBe(before);
    expect(readFileSync(again.smRootCa.cert, 'latin1')).toBe(smBefore);
    expect(
      openssl(['verify', '-CAfile', pki.rootCa.cert, join(pki.outDir, '520000', 'node-tls.crt')]),
    ).toContain(': OK');
    expect(
      openssl(['verify', '-CAfile', pki.rootCa.cert, again.members['500000']?.nodeTls.cert ?? '']),
    ).toContain(': OK');
    const manifest = JSON.parse(readFileSync(again.manifest, 'utf8')) as { certificates: ManifestEntry[] };
    expect(manifest.certificates.filter((e) => e.reused).map((e) => e.role)).toEqual([
      'root-ca',
      'sm-root-ca',
    ]);
  });

  it('refuses bad member codes, system names and validity', async () => {
    for (const opts of [
      { members: ['52000'] },
      { members: ['520000'], systems: ['../x'] },
      { members: ['520000'], validDays: 0 },
    ]) {
      const err = await initDevPki({ outDir: join(dir, 'bad'), ...opts }).catch((e: unknown) => e);
      expect(isGatewayError(err, 'GW_ERR_CONFIG_INVALID')).toBe(true);
    }
  });
});
