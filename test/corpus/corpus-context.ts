import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { createSuiteRegistry, type SuiteName } from '../../src/crypto/index.js';
import { packetDigestInput, type Packet } from '../../src/packets/index.js';
import { sealEnvelope } from '../../src/peer/envelope.js';
import {
  EKU,
  generateEcP256KeyPair,
  initDevPki,
  issueIntlCertificate,
  loadIdentity,
} from '../../src/pki/index.js';
import type {
  Answer,
  ClientChoice,
  CorpusContext,
  CorpusRequest,
  EnvelopeOptions,
  PacketLike,
} from './corpus-types.js';

const SAMPLE = join(import.meta.dirname, '../../samples/newborn-application.yangtze.json');
export const SENDER = '310000';
export const RECEIVER = '330000';
/** A member in the PKI (trusted CA) that neither gateway has as a peer. */
export const STRANGER = '320000';

const pem = (der: Buffer): string =>
  `-----BEGIN CERTIFICATE-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;

/** PEM certificate and key of a client choice (`none`: neither). */
export interface Credentials {
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

/**
 * Make the certificates the corpus needs beyond the development PKI: expired, not yet valid,
 * server-only, self-signed, and one from a foreign CA. All are ECDSA P-256 client certificates
 * (keys generated here, never committed).
 */
export async function makeCorpusCredentials(
  pkiDir: string,
  outDir: string,
): Promise<Map<ClientChoice, Credentials>> {
  mkdirSync(outDir, { recursive: true });
  const root = loadIdentity(join(pkiDir, 'root-ca.crt'), join(pkiDir, 'root-ca.key'));
  const day = 86_400_000;
  const now = Date.now();
  const issue = async (
    name: string,
    notBefore: Date,
    notAfter: Date,
    opts: { eku?: string[]; selfSigned?: boolean; commonName?: string } = {},
  ): Promise<Credentials> => {
    const keys = await generateEcP256KeyPair();
    const der = issueIntlCertificate({
      subject: {
        commonName: opts.commonName ?? `corpus-${name}`,
        organization: 'Tongban Dev',
        country: 'CN',
      },
      notBefore,
      notAfter,
      isCa: false,
      keyUsage: ['digitalSignature'],
      extKeyUsage: opts.eku ?? [EKU.clientAuth],
      publicKey: keys.publicKey,
      ...(opts.selfSigned
        ? { subjectPrivateKeyForSelfSigned: keys.privateKey }
        : { issuer: { certDer: root.certDer, privateKey: root.privateKey } }),
    });
    const cert = Buffer.from(pem(der));
    const key = Buffer.from(keys.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    writeFileSync(join(outDir, `${name}.crt`), cert);
    return { cert, key };
  };
  const file = (member: string, name: string): Credentials => ({
    cert: readFileSync(join(pkiDir, member, `${name}.crt`)),
    key: readFileSync(join(pkiDir, member, `${name}.key`)),
  });
  const foreignDir = join(outDir, 'foreign-pki');
  await initDevPki({ outDir: foreignDir, members: [SENDER], systems: ['population'] });
  const out = new Map<ClientChoice, Credentials>([
    ['population', file(SENDER, 'system-population')],
    ['window', file(SENDER, 'system-window')],
    ['other-member-system', file(RECEIVER, 'system-population')],
    ['none', {}],
    [
      'self-signed',
      await issue('self-signed', new Date(now - day), new Date(now + 30 * day), { selfSigned: true }),
    ],
    [
      'expired',
      await issue('expired', new Date(now - 30 * day), new Date(now - day), {
        commonName: `${SENDER}-population`,
      }),
    ],
    [
      'not-yet-valid',
      await issue('not-yet-valid', new Date(now + day), new Date(now + 30 * day), {
        commonName: `${SENDER}-population`,
      }),
    ],
    [
      'server-only-eku',
      await issue('server-only', new Date(now - day), new Date(now + 30 * day), { eku: [EKU.serverAuth] }),
    ],
    ['sender-node', file(SENDER, 'node-tls')],
    ['receiver-node', file(RECEIVER, 'node-tls')],
    ['unknown-member-node', file(STRANGER, 'node-tls')],
    [
      'expired-sender-node',
      await issue('expired-node', new Date(now - 30 * day), new Date(now - day), {
        commonName: new X509Certificate(readFileSync(join(pkiDir, SENDER, 'node-tls.crt'))).subject
          .split('\n')
          .find((l) => l.startsWith('CN='))
          ?.slice(3),
        eku: [EKU.clientAuth, EKU.serverAuth],
      }),
    ],
  ]);
  // A gateway-shaped PKI of its own: same names, different root.
  out.set('foreign-ca', {
    cert: readFileSync(join(foreignDir, SENDER, 'system-population.crt')),
    key: readFileSync(join(foreignDir, SENDER, 'system-population.key')),
  });
  return out;
}

/** One HTTPS request with chosen credentials, body and content type; never throws on a status. */
export function send(
  url: string,
  ca: Buffer,
  creds: Credentials,
  method: string,
  body: Buffer | undefined,
  contentType: string | null,
  timeoutMs = 20_000,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (body) headers['content-length'] = body.length;
    if (contentType !== null) headers['content-type'] = contentType;
    const req = request(
      url,
      { method, ca, cert: creds.cert, key: creds.key, headers, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            /* left empty: the code assertion then fails and shows the text */
          }
          resolve({ status: res.statusCode ?? 0, json, text });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    // A server may answer 413 and close before the whole body is written.
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EPIPE' || err.code === 'ECONNRESET'
        ? resolve({ status: 0, json: {}, text: err.code })
        : reject(err),
    );
    req.end(body);
  });
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const ITEM: Record<string, string> = { attachments: 'attachment', guardians: 'guardian' };

function toXml(v: unknown, name: string): string {
  if (Array.isArray(v)) return `<${name}>${v.map((i) => toXml(i, ITEM[name] ?? 'item')).join('')}</${name}>`;
  if (v !== null && typeof v === 'object') {
    return `<${name}>${Object.entries(v as Record<string, unknown>)
      .map(([k, c]) => toXml(c, k))
      .join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(v))}</${name}>`;
}

/** The context generators run with. Each case gets its own (fresh ids lists), sharing `memory`. */
export function createCorpusContext(pkiDir: string, memory: Map<string, unknown>): CorpusContext {
  const base = JSON.parse(readFileSync(SAMPLE, 'utf8')) as PacketLike;
  const suites = createSuiteRegistry();
  const identity = (member: string, suite: SuiteName, use: 'signing' | 'encryption') =>
    loadIdentity(join(pkiDir, member, `${suite}-${use}.crt`), join(pkiDir, member, `${suite}-${use}.key`));
  const created: string[] = [];
  const fresh = (): PacketLike => {
    const p = structuredClone(base);
    const n = randomBytes(6);
    p.id = `${randomBytes(4).toString('hex')}-c0de-4000-8000-${n.toString('hex')}`;
    p.caseId = `310110-20261123-c${n.toString('hex')}`;
    p.payload.newborn.birthCertificateNo = `Q${String(n.readUIntBE(0, 6) % 1_000_000_000).padStart(9, '0')}`;
    created.push(p.id);
    return p;
  };
  return {
    created,
    packet: () => fresh(),
    variant(mutate) {
      const p = fresh();
      mutate(p);
      return p;
    },
    json: (v) => Buffer.from(JSON.stringify(v), 'utf8'),
    xml(p, encoding = 'UTF-8') {
      const decl = encoding === null ? '' : `<?xml version="1.0" encoding="${encoding}"?>\n`;
      return decl + toXml(p, 'packet');
    },
    encode: (text, charset) =>
      charset.toLowerCase() === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, charset),
    async envelope(p, opts: EnvelopeOptions = {}) {
      const suite = opts.suite ?? 'sm';
      const signerMember = { sender: SENDER, receiver: RECEIVER, stranger: STRANGER }[
        opts.signer ?? 'sender'
      ];
      const recipientMember = opts.recipient === 'sender' ? SENDER : RECEIVER;
      const content = opts.content ?? packetDigestInput(p as unknown as Packet);
      const from = (p.from as { member: string }).member;
      const to = (p.to as { member: string }).member;
      const env = await sealEnvelope(
        content,
        { id: String(p.id), type: String(p.type), from, to },
        suites(suite),
        identity(signerMember, suite, 'signing'),
        identity(recipientMember, suite, 'encryption').certDer,
      );
      return { ...env } as Record<string, unknown> & { id: string; cms: string };
    },
    remember: (k, v) => void memory.set(k, v),
    recall: <T>(k: string): T => {
      if (!memory.has(k)) throw new Error(`corpus: nothing remembered as ${k} (an earlier case failed?)`);
      return memory.get(k) as T;
    },
  };
}

/** Resolve a case's request to bytes (runs its generator). */
export async function requestBody(r: CorpusRequest, c: CorpusContext): Promise<Buffer | undefined> {
  if (r.body === undefined) return undefined;
  const b = typeof r.body === 'function' ? await r.body(c) : r.body;
  return typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
}
