import type { CryptoSuite, KeyedIdentity, SuiteName } from '../crypto/index.js';
import { GatewayError } from '../errors.js';

/**
 * What travels between gateways on the peer port. The header is in clear so the receiver can
 * route, dedupe and pick keys before decrypting; it carries no citizen data and must equal the
 * signed packet's own header after decryption (checked by the receiver).
 */
export interface WireEnvelope {
  readonly v: 1;
  readonly suite: SuiteName;
  readonly id: string;
  readonly type: string;
  readonly from: string;
  readonly to: string;
  /** base64 DER: ContentInfo(Enveloped) around ContentInfo(SignedData) around the canonical packet. */
  readonly cms: string;
}

/** Sign, then encrypt for the recipient (sign-then-encrypt hides who signed from eavesdroppers). */
export async function sealEnvelope(
  packetBytes: Buffer,
  header: { id: string; type: string; from: string; to: string },
  suite: CryptoSuite,
  signer: KeyedIdentity,
  recipientEncryptionCertDer: Buffer,
): Promise<WireEnvelope> {
  const signed = await suite.sign(packetBytes, signer);
  const enveloped = await suite.encrypt(signed, recipientEncryptionCertDer);
  return { v: 1, suite: suite.name, ...header, cms: enveloped.toString('base64') };
}

/** Decrypt with our key and verify against the sender's pinned signing certificate. */
export async function openEnvelope(
  env: WireEnvelope,
  suite: CryptoSuite,
  recipient: KeyedIdentity,
  senderSigningCertDer: Buffer,
): Promise<Buffer> {
  const signed = await suite.decrypt(Buffer.from(env.cms, 'base64'), recipient);
  const { content } = await suite.verify(signed, senderSigningCertDer);
  return content;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Check the shape of an envelope received on the peer port. */
export function parseWireEnvelope(raw: unknown): WireEnvelope {
  const bad = (message: string): GatewayError => new GatewayError('GW_ERR_PEER_ENVELOPE_INVALID', message);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad('envelope must be a JSON object');
  const e = raw as Record<string, unknown>;
  const allowed = new Set(['v', 'suite', 'id', 'type', 'from', 'to', 'cms']);
  for (const k of Object.keys(e)) if (!allowed.has(k)) throw bad(`unknown envelope field "${k}"`);
  if (e.v !== 1) throw bad('unsupported envelope version');
  if (e.suite !== 'sm' && e.suite !== 'intl') throw bad('suite must be "sm" or "intl"');
  if (typeof e.id !== 'string' || !UUID.test(e.id)) throw bad('id must be a UUID');
  for (const k of ['type', 'from', 'to'] as const) {
    if (typeof e[k] !== 'string' || (e[k] as string).length > 64) throw bad(`${k} must be a short string`);
  }
  if (typeof e.cms !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(e.cms)) throw bad('cms must be base64');
  return e as unknown as WireEnvelope;
}
