import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyedIdentity } from '../../../src/crypto/index.js';

/** Run the openssl CLI; returns stdout. Throws with stderr on a non-zero exit. */
export function openssl(args: string[], input?: Buffer): Buffer {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** A certificate and key written as PEM files, and loaded. */
export interface TestIdentity extends KeyedIdentity {
  readonly certPath: string;
  readonly keyPath: string;
}

function load(certPath: string, keyPath: string): TestIdentity {
  const certDer = Buffer.from(new X509Certificate(readFileSync(certPath)).raw);
  return { certPath, keyPath, certDer, privateKey: createPrivateKey(readFileSync(keyPath)) };
}

function keyArgs(kind: 'ec' | 'rsa'): string[] {
  return kind === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
}

/** A self-signed CA made by the openssl CLI (independent of our code). */
export function makeRoot(dir: string, name: string): TestIdentity {
  const certPath = join(dir, `${name}.pem`);
  const keyPath = join(dir, `${name}.key`);
  openssl([
    'req',
    '-x509',
    ...keyArgs('ec'),
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '30',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return load(certPath, keyPath);
}

/** A leaf issued by `ca` with the given key type and keyUsage. */
export function makeLeaf(
  dir: string,
  name: string,
  ca: TestIdentity,
  kind: 'ec' | 'rsa',
  keyUsage: string,
): TestIdentity {
  const certPath = join(dir, `${name}.pem`);
  const keyPath = join(dir, `${name}.key`);
  const csrPath = join(dir, `${name}.csr`);
  const extPath = join(dir, `${name}.ext`);
  openssl([
    'req',
    '-new',
    ...keyArgs(kind),
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    csrPath,
    '-subj',
    `/CN=${name}`,
  ]);
  writeFileSync(
    extPath,
    `basicConstraints=CA:FALSE\nkeyUsage=critical,${keyUsage}\nsubjectKeyIdentifier=hash\n`,
  );
  openssl([
    'x509',
    '-req',
    '-in',
    csrPath,
    '-CA',
    ca.certPath,
    '-CAkey',
    ca.keyPath,
    '-CAcreateserial',
    '-days',
    '30',
    '-extfile',
    extPath,
    '-out',
    certPath,
  ]);
  return load(certPath, keyPath);
}
