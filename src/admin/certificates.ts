import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { GatewayConfig } from '../config/index.js';

/** A certificate the config names, with its validity. */
export interface ConfiguredCertificate {
  /** Stable label: `tls`, `ca:0`, `sm.signing`, `peer:330000:tls`, `system:population` … */
  readonly name: string;
  readonly file: string;
  /** This node's own (TLS, CA, signing, encryption): an expired one makes the node not ready. */
  readonly own: boolean;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const DAY_MS = 86_400_000;

/** Every certificate file a config names, labelled. */
export function certificateFiles(config: GatewayConfig): Array<{ name: string; file: string; own: boolean }> {
  const out: Array<{ name: string; file: string; own: boolean }> = [
    { name: 'tls', file: config.tls.cert, own: true },
  ];
  config.tls.ca.forEach((file, i) => out.push({ name: `ca:${i}`, file, own: true }));
  for (const [suite, s] of Object.entries(config.crypto.suites)) {
    out.push(
      { name: `${suite}.signing`, file: s.signing.cert, own: true },
      { name: `${suite}.encryption`, file: s.encryption.cert, own: true },
    );
  }
  for (const p of config.peers) {
    out.push({ name: `peer:${p.member}:tls`, file: p.tlsCert, own: false });
    for (const [suite, c] of Object.entries(p.certs)) {
      out.push(
        { name: `peer:${p.member}:${suite}.signing`, file: c.signing, own: false },
        { name: `peer:${p.member}:${suite}.encryption`, file: c.encryption, own: false },
      );
    }
  }
  for (const s of config.systems) out.push({ name: `system:${s.id}`, file: s.cert, own: false });
  return out;
}

/** Parse a certificate file (PEM or DER); OpenSSL 3 reads SM2 certificates as well. */
export function readCertificate(file: string): X509Certificate {
  return new X509Certificate(readFileSync(file));
}

/** Read every certificate the config names; unreadable files are skipped (config check reports them). */
export function configuredCertificates(config: GatewayConfig): ConfiguredCertificate[] {
  const out: ConfiguredCertificate[] = [];
  for (const c of certificateFiles(config)) {
    try {
      const x = readCertificate(c.file);
      out.push({
        ...c,
        subject: x.subject.replace(/\n/g, ', '),
        notBefore: new Date(x.validFrom),
        notAfter: new Date(x.validTo),
      });
    } catch {
      // A file replaced mid-read or not a certificate: the next look will tell.
    }
  }
  return out;
}

/** Whole days until `notAfter` (negative once passed). */
export function daysToExpiry(notAfter: Date, now = new Date()): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}
