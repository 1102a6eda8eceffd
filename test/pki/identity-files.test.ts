import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { certFingerprint, loadCertDer, loadIdentity } from '../../src/pki/index.js';

let dir: string;
let certPem: string;
let keyPem: string;
let otherKeyPem: string;

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

function codeOf(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (err) {
    return isGatewayError(err) ? err.code : `not a GatewayError: ${String(err)}`;
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pki-files-'));
  certPem = join(dir, 'c.pem');
  keyPem = join(dir, 'k.pem');
  otherKeyPem = join(dir, 'other.pem');
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyPem,
    '-out',
    certPem,
    '-subj',
    '/CN=files',
    '-days',
    '2',
  ]);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', otherKeyPem]);
  openssl(['x509', '-in', certPem, '-outform', 'DER', '-out', join(dir, 'c.der')]);
  openssl(['pkcs8', '-topk8', '-nocrypt', '-in', keyPem, '-outform', 'DER', '-out', join(dir, 'k.der')]);
  openssl(['ec', '-in', keyPem, '-out', join(dir, 'k.sec1.pem')]);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('pki file helpers', () => {
  it('loadCertDer reads PEM and DER to the same DER', () => {
    const fromPem = loadCertDer(certPem);
    const fromDer = loadCertDer(join(dir, 'c.der'));
    expect(fromPem.equals(fromDer)).toBe(true);
    expect(fromPem.equals(Buffer.from(new X509Certificate(readFileSync(certPem)).raw))).toBe(true);
  });

  it('certFingerprint matches openssl x509 -fingerprint -sha256, lower-case without colons', () => {
    const expected = /=([0-9A-F:]+)/.exec(
      openssl(['x509', '-in', certPem, '-noout', '-fingerprint', '-sha256']),
    )?.[1];
    const fingerprint = certFingerprint(loadCertDer(certPem));
    expect(fingerprint).toBe(expected?.replace(/:/g, '').toLowerCase());
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('loadIdentity accepts PEM (PKCS#8, SEC1) and DER keys that match the certificate', () => {
    for (const key of [keyPem, join(dir, 'k.der'), join(dir, 'k.sec1.pem')]) {
      const identity = loadIdentity(certPem, key);
      expect(identity.certDer.equals(loadCertDer(certPem))).toBe(true);
      expect(identity.privateKey.type).toBe('private');
    }
    const pkcs8 = createPrivateKey(readFileSync(keyPem)).export({ format: 'der', type: 'pkcs8' });
    expect(
      loadIdentity(join(dir, 'c.der'), keyPem).privateKey.export({ format: 'der', type: 'pkcs8' }),
    ).toEqual(pkcs8);
  });

  it('refuses missing files, non-certificates and keys of another certificate with GW_ERR_CONFIG_INVALID', () => {
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect(codeOf(() => loadCertDer(join(dir, 'missing.pem')))).toBe('GW_ERR_CONFIG_INVALID');
    expect(codeOf(() => loadCertDer(garbage))).toBe('GW_ERR_CONFIG_INVALID');
    expect(codeOf(() => loadCertDer(keyPem))).toBe('GW_ERR_CONFIG_INVALID');
    expect(codeOf(() => loadIdentity(certPem, otherKeyPem))).toBe('GW_ERR_CONFIG_INVALID');
    expect(codeOf(() => loadIdentity(certPem, certPem))).toBe('GW_ERR_CONFIG_INVALID');
    const err = (() => {
      try {
        loadIdentity(certPem, otherKeyPem);
      } catch (e) {
        return e;
      }
    })();
    expect(String((err as Error).message)).toContain(otherKeyPem);
  });
});
