import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type KeyObject, randomBytes } from 'node:crypto';

/** PEM text of a DER certificate (RFC 7468 §5). */
export function certificatePem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Write a certificate as PEM, world-readable (it is public). */
export function writeCertificate(path: string, der: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, certificatePem(der), { mode: 0o644 });
  chmodSync(path, 0o644);
}

/**
 * Write a private key as unencrypted PKCS#8 PEM readable by its owner only. It goes to a new
 * file first and is renamed into place: `writeFileSync`'s mode applies only to new files, so
 * overwriting an existing, more open file would otherwise expose the key for a moment.
 */
export function writePrivateKey(path: string, key: KeyObject): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, key.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  renameSync(temporary, path);
}
