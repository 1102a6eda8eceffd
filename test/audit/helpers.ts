import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  CheckpointSignatureVerifier,
  ExchangeEvent,
  ExchangeLogOptions,
} from '../../src/audit/index.js';

/** A test signer: ECDSA P-256 key and a self-signed certificate made at setup (no keys in git). */
export interface TestSigner {
  certDer: Buffer;
  signer: (data: Buffer) => Promise<Buffer>;
  /** Verifies with the key of the certificate carried in the entry, pinned to ours. */
  verifySignature: CheckpointSignatureVerifier;
}

export async function makeSigner(): Promise<TestSigner> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // A real self-signed X.509 certificate, made by the openssl CLI from a key generated now.
  const tmp = mkdtempSync(join(tmpdir(), 'audit-cert-'));
  try {
    writeFileSync(join(tmp, 'k.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    execFileSync('openssl', [
      'req',
      '-new',
      '-x509',
      '-key',
      join(tmp, 'k.pem'),
      '-subj',
      '/CN=audit-test-520000',
      '-days',
      '30',
      '-outform',
      'DER',
      '-out',
      join(tmp, 'c.der'),
    ]);
    const certDer = readFileSync(join(tmp, 'c.der'));
    const publicKey = new X509Certificate(certDer).publicKey;
    return {
      certDer,
      signer: async (data) => sign('sha256', data, privateKey),
      verifySignature: async (data, signature, der) => {
        if (!der.equals(certDer)) return false; // pinning: a forger's own certificate is not trusted
        return verify('sha256', data, publicKey, signature);
      },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A second, unrelated P-256 key (a forger). */
export function forgerSign(data: Buffer): Buffer {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return sign('sha256', data, privateKey);
}

export function tempDir(prefix = 'audit-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A controllable clock starting at a fixed Asia/Shanghai time. */
export function fakeClock(start = '2025-03-01T09:00:00+08:00'): {
  now: () => Date;
  advance: (ms: number) => void;
} {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}

export const SECRET = Buffer.from('0123456789abcdef0123456789abcdef', 'utf8');

export function baseOptions(dir: string, extra: Partial<ExchangeLogOptions> = {}): ExchangeLogOptions {
  return { dir, member: '520000', instanceId: 'gw-a', hash: 'sm3', secret: SECRET, ...extra };
}

/** Synthetic citizens (valid GB 11643 check digits), to check that none of them leaks. */
export const PEOPLE = [
  { role: 'applicant', idNumber: '11010519491231002X', name: '徐明' },
  { role: 'mother', idNumber: '520102199003074429', name: '王小丽' },
  { role: 'newborn', idNumber: '330106202501010019', name: '徐𠮷安' },
] as const;

export function sampleEvent(i: number): ExchangeEvent {
  return {
    event: i % 3 === 0 ? 'accepted' : i % 3 === 1 ? 'queued' : 'sent',
    packetId: `8f6c2a1e-0000-4000-8000-${String(i).padStart(12, '0')}`,
    caseId: `CASE-${i % 7}`,
    type: 'newborn.application',
    from: '520000-520102001',
    to: '510000-510104001',
    actor: 'system:520000-population',
    outcome: 'ok',
    detail: { attempt: i % 4, note: 'ok' },
    people: i % 2 === 0 ? [...PEOPLE] : [PEOPLE[0]],
  };
}
