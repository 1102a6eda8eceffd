/**
 * Bad input on 浙江's peer port: envelopes as 上海's gateway would send them, then replayed,
 * tampered with (bytes flipped across the whole CMS, header fields swapped, wrong keys), or
 * presented with the wrong TLS identity.
 */
import type { ClientChoice, CorpusCase, CorpusContext, EnvelopeOptions, PacketLike } from './corpus-types.js';

const E = (status: number, code?: string | readonly string[]) => ({ status, code });
const ENVELOPE_INVALID = E(400, 'GW_ERR_PEER_ENVELOPE_INVALID');
/** Which crypto check notices a flipped byte depends on where it lands (DER, OIDs, SM2 point, GCM tag, signature). */
const CRYPTO = E(400, [
  'GW_ERR_CRYPTO_MALFORMED',
  'GW_ERR_CRYPTO_DECRYPT',
  'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM',
  'GW_ERR_CRYPTO_INVALID_POINT',
  'GW_ERR_CRYPTO_SIGNATURE',
  'GW_ERR_CRYPTO_SIGNATURE_RANGE',
]);

type Env = Record<string, unknown> & { id: string; cms: string };
type Body = (c: CorpusContext) => Promise<Buffer | string>;

const peer = (
  name: string,
  body: Body | string | Buffer,
  expect: CorpusCase['expect'],
  client: ClientChoice = 'sender-node',
  contentType: string | null = 'application/json',
): CorpusCase => ({
  name,
  request: { port: 'peer', client, body, contentType },
  expect,
});

/** A genuine envelope of a fresh packet (changed by `mutatePacket`), then edited by `edit`. */
const envelope =
  (
    edit: (e: Env, c: CorpusContext) => void | Promise<void> = () => undefined,
    opts: EnvelopeOptions = {},
    mutatePacket?: (p: PacketLike) => void,
  ): Body =>
  async (c) => {
    const p = mutatePacket ? c.variant(mutatePacket) : c.packet();
    const e = await c.envelope(p, opts);
    await edit(e, c);
    return c.json(e);
  };

/** Flip the low bit of one CMS byte: `at` ≥ 0 from the start, < 0 from the end, or a fraction in (0, 1). */
const flip = (at: number) => (e: Env) => {
  const der = Buffer.from(e.cms, 'base64');
  const i = at < 0 ? der.length + at : at > 0 && at < 1 ? Math.floor(der.length * at) : at;
  der[i] = der[i]! ^ 0x01;
  e.cms = der.toString('base64');
};

// ---------------------------------------------------------------- TLS identity on the peer port
const identity: CorpusCase[] = [
  peer('peer identity: no client certificate', envelope(), E(401, 'GW_ERR_AUTH_NO_CLIENT_CERT'), 'none'),
  peer(
    'peer identity: certificate from a foreign CA',
    envelope(),
    E(401, 'GW_ERR_AUTH_UNTRUSTED_CERT'),
    'foreign-ca',
  ),
  peer('peer identity: self-signed', envelope(), E(401, 'GW_ERR_AUTH_UNTRUSTED_CERT'), 'self-signed'),
  peer('peer identity: a local system certificate', envelope(), E(403, 'GW_ERR_PEER_UNKNOWN'), 'population'),
  peer(
    "peer identity: the receiver's own node certificate",
    envelope(),
    E(403, 'GW_ERR_PEER_UNKNOWN'),
    'receiver-node',
  ),
  peer(
    'peer identity: 江苏 node (trusted CA, not a peer)',
    envelope(),
    E(403, 'GW_ERR_PEER_UNKNOWN'),
    'unknown-member-node',
  ),
  peer(
    "peer identity: expired certificate with the sender's name",
    envelope(),
    E(401, 'GW_ERR_AUTH_CERT_EXPIRED'),
    'expired-sender-node',
  ),
];

// ---------------------------------------------------------------- envelope shape
const without = (k: string) => (e: Env) => void delete e[k];
const withField = (k: string, v: unknown) => (e: Env) => void (e[k] = v);
const shape: CorpusCase[] = [
  peer('envelope: not JSON', 'not json', ENVELOPE_INVALID),
  peer('envelope: empty body', Buffer.alloc(0), ENVELOPE_INVALID),
  peer('envelope: JSON array', '[]', ENVELOPE_INVALID),
  peer('envelope: JSON null', 'null', ENVELOPE_INVALID),
  peer(
    'envelope: truncated JSON',
    async (c) => Buffer.from(await envelope()(c)).subarray(0, 100),
    ENVELOPE_INVALID,
  ),
  ...['v', 'suite', 'id', 'type', 'from', 'to', 'cms'].map((k) =>
    peer(`envelope: missing ${k}`, envelope(without(k)), ENVELOPE_INVALID),
  ),
  peer('envelope: extra field', envelope(withField('note', 'hi')), ENVELOPE_INVALID),
  peer('envelope: version 2', envelope(withField('v', 2)), ENVELOPE_INVALID),
  peer('envelope: version "1" as a string', envelope(withField('v', '1')), ENVELOPE_INVALID),
  peer('envelope: suite rsa', envelope(withField('suite', 'rsa')), ENVELOPE_INVALID),
  peer('envelope: id not a UUID', envelope(withField('id', 'packet-1')), ENVELOPE_INVALID),
  peer('envelope: type of 100 characters', envelope(withField('type', 'x'.repeat(100))), ENVELOPE_INVALID),
  peer('envelope: from as a number', envelope(withField('from', 310000)), ENVELOPE_INVALID),
  peer('envelope: cms not base64', envelope(withField('cms', '!!!not base64!!!')), ENVELOPE_INVALID),
  peer('envelope: cms empty', envelope(withField('cms', '')), ENVELOPE_INVALID),
  peer('envelope: cms as an object', envelope(withField('cms', { der: 'AA==' })), ENVELOPE_INVALID),
  peer(
    'envelope: cms base64 of garbage',
    envelope(withField('cms', Buffer.from('garbage, not DER').toString('base64'))),
    E(400, 'GW_ERR_CRYPTO_MALFORMED'),
  ),
  peer(
    'envelope: cms truncated to half',
    envelope((e) => void (e.cms = Buffer.from(e.cms, 'base64').subarray(0, 1000).toString('base64'))),
    E(400, 'GW_ERR_CRYPTO_MALFORMED'),
  ),
  peer(
    'envelope: cms with 100 bytes appended',
    envelope(
      (e) =>
        void (e.cms = Buffer.concat([Buffer.from(e.cms, 'base64'), Buffer.alloc(100)]).toString('base64')),
    ),
    E(400, 'GW_ERR_CRYPTO_MALFORMED'),
  ),
  peer(
    'envelope: sent as XML',
    envelope(),
    E(415, 'GW_ERR_API_UNSUPPORTED_MEDIA_TYPE'),
    'sender-node',
    'application/xml',
  ),
  peer(
    'envelope: no content type',
    envelope(),
    E(415, 'GW_ERR_API_UNSUPPORTED_MEDIA_TYPE'),
    'sender-node',
    null,
  ),
  peer('envelope: 17 MiB body', Buffer.alloc(17 * 1024 * 1024, 0x20), E(413, 'GW_ERR_API_BODY_TOO_LARGE')),
];

// ---------------------------------------------------------------- header fields swapped or changed
const headers: CorpusCase[] = [
  peer(
    'header: from and to swapped',
    envelope((e) => void ([e.from, e.to] = [e.to, e.from])),
    E(403, 'GW_ERR_PEER_SIGNER_MISMATCH'),
  ),
  peer(
    'header: from claims 江苏',
    envelope(withField('from', '320000')),
    E(403, 'GW_ERR_PEER_SIGNER_MISMATCH'),
  ),
  peer('header: to is 江苏', envelope(withField('to', '320000')), E(422, 'GW_ERR_PEER_WRONG_RECIPIENT')),
  peer(
    'header: to is the sender',
    envelope(withField('to', '310000')),
    E(422, 'GW_ERR_PEER_WRONG_RECIPIENT'),
  ),
  peer(
    'header: type changed to decision',
    envelope(withField('type', 'newborn.decision')),
    E(400, 'GW_ERR_PEER_HEADER_MISMATCH'),
  ),
  peer(
    'header: id changed',
    envelope(withField('id', 'ffffffff-0000-4000-8000-000000000001')),
    E(400, 'GW_ERR_PEER_HEADER_MISMATCH'),
  ),
  peer(
    'header: cms of another packet under this header',
    async (c) => {
      const a = await c.envelope(c.packet());
      const b = await c.envelope(c.packet());
      return c.json({ ...a, cms: b.cms });
    },
    E(400, 'GW_ERR_PEER_HEADER_MISMATCH'),
  ),
  peer('header: sm envelope labelled intl', envelope(withField('suite', 'intl')), CRYPTO),
  peer('header: intl envelope labelled sm', envelope(withField('suite', 'sm'), { suite: 'intl' }), CRYPTO),
];

// ---------------------------------------------------------------- wrong keys
const keys: CorpusCase[] = (['sm', 'intl'] as const).flatMap((suite) => [
  peer(
    `keys (${suite}): signed by the receiver's own key`,
    envelope(undefined, { suite, signer: 'receiver' }),
    E(400, 'GW_ERR_CRYPTO_SIGNATURE'),
  ),
  peer(
    `keys (${suite}): signed by 江苏's key`,
    envelope(undefined, { suite, signer: 'stranger' }),
    E(400, 'GW_ERR_CRYPTO_SIGNATURE'),
  ),
  peer(
    `keys (${suite}): encrypted for the sender, not the receiver`,
    envelope(undefined, { suite, recipient: 'sender' }),
    E(400, 'GW_ERR_CRYPTO_DECRYPT'),
  ),
]);

// ---------------------------------------------------------------- genuine crypto, bad content
const content: CorpusCase[] = [
  peer(
    'content: signed bytes are not JSON',
    envelope(undefined, { content: Buffer.from('just text') }),
    ENVELOPE_INVALID,
  ),
  peer(
    'content: signed packet misses its payload',
    async (c) => {
      const p = c.variant((x) => delete (x as Record<string, unknown>).payload);
      return c.json(await c.envelope(p, { content: c.json(p) }));
    },
    E(422, 'GW_ERR_PACKET_SCHEMA'),
  ),
  peer(
    'content: signed packet with a bad 公民身份号码',
    envelope(undefined, {}, (p) => (p.payload.father!.idNumber = '330102199203150014')),
    E(422, 'GW_ERR_PACKET_ID_NUMBER'),
  ),
  peer(
    'content: signed packet under the wrong agreement',
    envelope(undefined, {}, (p) => (p.agreement = 'chuan-yu-qian')),
    E(422, 'GW_ERR_ROUTE_NO_AGREEMENT'),
  ),
  peer(
    'content: signed packet with an unknown region',
    envelope(undefined, {}, (p) => (p.payload.newborn.birthPlace.region = '990000')),
    E(422, 'GW_ERR_PACKET_REGION_CODE'),
  ),
];

// ---------------------------------------------------------------- replays
const remembered =
  (key: string): Body =>
  async (c) =>
    c.json(c.recall<Env>(key));
const sameReceipt = (key: string) => (a: { json: Record<string, unknown> }, c: CorpusContext) => {
  const first = c.recall<Record<string, unknown>>(`${key}-answer`);
  if (JSON.stringify(a.json.receipt) !== JSON.stringify(first.receipt))
    throw new Error('a replay must be answered with the original delivery receipt');
};
const replays: CorpusCase[] = (['sm', 'intl'] as const).flatMap((suite) => [
  {
    name: `replay (${suite}): a genuine envelope is delivered`,
    request: {
      port: 'peer' as const,
      client: 'sender-node' as const,
      body: async (c: CorpusContext) => {
        const p = c.packet();
        const e = await c.envelope(p, { suite });
        c.remember(`peer-${suite}-packet`, p);
        c.remember(`peer-${suite}`, e);
        return c.json(e);
      },
    },
    expect: E(200),
    check: (a: { json: Record<string, unknown> }, c: CorpusContext) =>
      c.remember(`peer-${suite}-answer`, a.json),
  },
  {
    ...peer(`replay (${suite}): the same bytes again`, remembered(`peer-${suite}`), E(200)),
    check: sameReceipt(`peer-${suite}`),
  },
  {
    ...peer(`replay (${suite}): the same bytes a third time`, remembered(`peer-${suite}`), E(200)),
    check: sameReceipt(`peer-${suite}`),
  },
  {
    ...peer(
      `replay (${suite}): the same packet sealed again (fresh content key)`,
      async (c) => c.json(await c.envelope(c.recall(`peer-${suite}-packet`), { suite })),
      E(200),
    ),
    check: sameReceipt(`peer-${suite}`),
  },
  peer(
    `replay (${suite}): same id, different content`,
    async (c) => {
      const p = {
        ...c.recall<Record<string, unknown>>(`peer-${suite}-packet`),
        caseId: `310110-20261123-x${suite}`,
      };
      return c.json(await c.envelope(p, { suite }));
    },
    E(409, 'GW_ERR_PACKET_ID_CONFLICT'),
  ),
  peer(
    `replay (${suite}): the original id with a flipped byte`,
    async (c) => {
      const e = { ...c.recall<Env>(`peer-${suite}`) };
      flip(0.5)(e);
      return c.json(e);
    },
    CRYPTO,
  ),
]);

// ---------------------------------------------------------------- flipped bytes across the CMS
// Absolute offsets hit the ContentInfo/EnvelopedData header, both version fields, the recipient
// identifier, algorithm OIDs and the SM2 / key-wrap block; fractions walk the encrypted content;
// the last bytes are the GCM tag.
const SM_OFFSETS = [
  0, 1, 3, 5, 12, 17, 21, 24, 26, 28, 35, 45, 70, 110, 125, 133, 145, 150, 180, 215, 250, 262, 268, 275, 286,
  300,
];
const INTL_OFFSETS = [0, 1, 3, 5, 12, 17, 21, 26, 35, 45, 70, 110, 135, 150, 200, 260, 330, 400];
const FRACTIONS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.97];
const flips: CorpusCase[] = [
  ...SM_OFFSETS.map((o) => peer(`flip (sm): byte ${o}`, envelope(flip(o)), CRYPTO)),
  ...FRACTIONS.map((f) => peer(`flip (sm): byte at ${f * 100}%`, envelope(flip(f)), CRYPTO)),
  ...[-1, -8, -16, -17].map((o) => peer(`flip (sm): byte ${o} from the end`, envelope(flip(o)), CRYPTO)),
  ...INTL_OFFSETS.map((o) => peer(`flip (intl): byte ${o}`, envelope(flip(o), { suite: 'intl' }), CRYPTO)),
  ...FRACTIONS.map((f) =>
    peer(`flip (intl): byte at ${f * 100}%`, envelope(flip(f), { suite: 'intl' }), CRYPTO),
  ),
  ...[-1, -8, -16, -17].map((o) =>
    peer(`flip (intl): byte ${o} from the end`, envelope(flip(o), { suite: 'intl' }), CRYPTO),
  ),
];

/** All peer-port cases. */
export const PEER_CASES: readonly CorpusCase[] = [
  ...identity,
  ...shape,
  ...headers,
  ...keys,
  ...content,
  ...replays,
  ...flips,
];
