/**
 * Bad input on 上海's API port (local systems). Every case is data: a body (or a generator of
 * one), a content type, a client certificate, and the status and code the gateway must answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientChoice, CorpusCase, CorpusContext, CorpusRequest, PacketLike } from './corpus-types.js';

const DECISION = join(import.meta.dirname, '../../samples/newborn-decision.approved.json');

type Body = CorpusRequest['body'];
const E = (status: number, code?: string | readonly string[]) => ({ status, code });

const MALFORMED_JSON = E(400, 'GW_ERR_API_MALFORMED_JSON');
const MALFORMED_XML = E(400, 'GW_ERR_API_MALFORMED_XML');
const DOCTYPE = E(400, 'GW_ERR_API_XML_DOCTYPE');
const BAD_ENCODING = E(400, 'GW_ERR_API_BAD_ENCODING');
const CHARSET_MISMATCH = E(400, 'GW_ERR_API_CHARSET_MISMATCH');
const UNSUPPORTED_CHARSET = E(415, 'GW_ERR_API_UNSUPPORTED_CHARSET');
const MEDIA_TYPE = E(415, 'GW_ERR_API_UNSUPPORTED_MEDIA_TYPE');
const TOO_LARGE = E(413, 'GW_ERR_API_BODY_TOO_LARGE');
const SCHEMA = E(422, 'GW_ERR_PACKET_SCHEMA');
const ID_NUMBER = E(422, 'GW_ERR_PACKET_ID_NUMBER');
const REGION = E(422, 'GW_ERR_PACKET_REGION_CODE');
const ATTACHMENT = E(422, 'GW_ERR_PACKET_ATTACHMENT');
const NOT_FOUND = E(404, 'GW_ERR_API_NOT_FOUND');

const post = (
  name: string,
  body: Body,
  expect: CorpusCase['expect'],
  more: {
    contentType?: string | null;
    client?: ClientChoice;
    method?: CorpusRequest['method'];
    path?: string;
  } = {},
): CorpusCase => ({ name, request: { port: 'api', body, ...more }, expect });

const xml = (
  name: string,
  body: Body,
  expect: CorpusCase['expect'],
  contentType: string | null = 'application/xml',
): CorpusCase => post(name, body, expect, { contentType });

/** A valid packet changed by `m`, as JSON. */
const mutated = (m: (p: PacketLike) => void) => (c: CorpusContext) => c.json(c.variant(m));
/** A valid packet as UTF-8 JSON text, cut to `fraction` of its length on a character boundary. */
const truncated = (fraction: number) => (c: CorpusContext) => {
  const b = c.json(c.packet());
  let n = Math.max(1, Math.floor(b.length * fraction));
  while (n > 0 && (b[n]! & 0xc0) === 0x80) n -= 1; // never inside a UTF-8 sequence: that is another case
  return b.subarray(0, n);
};
/** A valid packet's JSON text with `edit` applied to the text. */
const text = (edit: (t: string) => string) => (c: CorpusContext) =>
  Buffer.from(edit(c.json(c.packet()).toString('utf8')), 'utf8');
/** A valid packet as XML in `charset`, text edited by `edit`. */
const xmlOf =
  (edit: (t: string) => string = (t) => t, encoding: string | null = 'UTF-8', charset = 'utf-8') =>
  (c: CorpusContext) =>
    c.encode(edit(c.xml(c.packet(), encoding)), charset);
const nested = (open: string, close: string, depth: number, inner = '1') =>
  open.repeat(depth) + inner + close.repeat(depth);
const remove = (path: string) => (p: PacketLike) => {
  const keys = path.split('.');
  let o: Record<string, unknown> = p;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  delete o[keys.at(-1)!];
};
const set = (path: string, value: unknown) => (p: PacketLike) => {
  const keys = path.split('.');
  let o: Record<string, unknown> = p;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[keys.at(-1)!] = value;
};

// ---------------------------------------------------------------- JSON syntax
const jsonSyntax: CorpusCase[] = [
  post('json: empty body', Buffer.alloc(0), MALFORMED_JSON),
  post('json: whitespace only', ' \r\n\t ', MALFORMED_JSON),
  post('json: lone {', '{', MALFORMED_JSON),
  post('json: lone }', '}', MALFORMED_JSON),
  post('json: key without value', '{"id":', MALFORMED_JSON),
  ...[0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99].map((f) =>
    post(`json: valid packet truncated at ${Math.round(f * 100)}%`, truncated(f), MALFORMED_JSON),
  ),
  post(
    'json: last byte missing',
    text((t) => t.slice(0, -1)),
    MALFORMED_JSON,
  ),
  post(
    'json: trailing comma in object',
    text((t) => t.replace(/}$/, ',}')),
    MALFORMED_JSON,
  ),
  post(
    'json: trailing comma in array',
    text((t) => t.replace(/}]/, '},]')),
    MALFORMED_JSON,
  ),
  post(
    'json: single-quoted strings',
    text((t) => t.replace(/"type":"([^"]+)"/, "'type':'$1'")),
    MALFORMED_JSON,
  ),
  post(
    'json: unquoted key',
    text((t) => t.replace('"caseId"', 'caseId')),
    MALFORMED_JSON,
  ),
  post(
    'json: line comment',
    text((t) => `// packet\n${t}`),
    MALFORMED_JSON,
  ),
  post(
    'json: block comment inside',
    text((t) => t.replace('{', '{/* c */')),
    MALFORMED_JSON,
  ),
  post(
    'json: NaN value',
    text((t) => t.replace('{', '{"n":NaN,')),
    MALFORMED_JSON,
  ),
  post(
    'json: Infinity value',
    text((t) => t.replace('{', '{"n":Infinity,')),
    MALFORMED_JSON,
  ),
  post(
    'json: hex number',
    text((t) => t.replace('{', '{"n":0x10,')),
    MALFORMED_JSON,
  ),
  post(
    'json: leading zero number',
    text((t) => t.replace('{', '{"n":012,')),
    MALFORMED_JSON,
  ),
  post(
    'json: undefined literal',
    text((t) => t.replace('{', '{"n":undefined,')),
    MALFORMED_JSON,
  ),
  post(
    'json: garbage after the object',
    text((t) => `${t}x`),
    MALFORMED_JSON,
  ),
  post(
    'json: two objects',
    text((t) => t + t),
    MALFORMED_JSON,
  ),
  post(
    'json: raw newline inside a string',
    text((t) => t.replace('"newborn.application"', '"newborn.\napplication"')),
    MALFORMED_JSON,
  ),
  post(
    'json: raw tab inside a string',
    text((t) => t.replace('"newborn.application"', '"newborn.\tapplication"')),
    MALFORMED_JSON,
  ),
  post(
    'json: invalid escape \\x41',
    text((t) => t.replace('"newborn.application"', '"newborn.\\x41"')),
    MALFORMED_JSON,
  ),
  post(
    'json: bad \\u escape',
    text((t) => t.replace('"newborn.application"', '"\\u12G4"')),
    MALFORMED_JSON,
  ),
  post(
    'json: unterminated string (last closing quote dropped)',
    text((t) => t.replace(/"}]}$/, '}]}')),
    MALFORMED_JSON,
  ),
  post(
    'json: NUL byte between tokens',
    text((t) => t.replace('{', '{\u0000')),
    MALFORMED_JSON,
  ),
  post(
    'json: two byte-order marks',
    (c) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), c.json(c.packet())]),
    MALFORMED_JSON,
  ),
  post('json: depth 65 arrays', nested('[', ']', 65), MALFORMED_JSON),
  post('json: depth 100000 arrays (unclosed)', '['.repeat(100_000), MALFORMED_JSON),
  post('json: depth 200000 objects', nested('{"a":', '}', 200_000), MALFORMED_JSON),
  post(
    'json: depth 70 inside a valid packet',
    text((t) => t.replace('{', `{"deep":${nested('{"a":', '}', 70)},`)),
    MALFORMED_JSON,
  ),
  post('json: depth 64 arrays (parses; not a packet)', nested('[', ']', 64), SCHEMA),
  post('json: null', 'null', SCHEMA),
  post('json: empty array', '[]', SCHEMA),
  post('json: string root', '"packet"', SCHEMA),
  post('json: number root', '42', SCHEMA),
  post('json: true', 'true', SCHEMA),
  post('json: empty object', '{}', SCHEMA),
  post('json: packet wrapped in an array', (c) => c.json([c.packet()]), SCHEMA),
];

// ---------------------------------------------------------------- huge values (valid JSON)
const huge: CorpusCase[] = [
  post(
    'huge: 100,000-character newborn name',
    mutated(set('payload.newborn.name', '徐'.repeat(100_000))),
    SCHEMA,
  ),
  post('huge: 1 MB office name', mutated(set('from.officeName', 'a'.repeat(1_000_000))), SCHEMA),
  post('huge: 10,000-character caseId', mutated(set('caseId', '1'.repeat(10_000))), SCHEMA),
  post('huge: 1 MB id', mutated(set('id', 'a'.repeat(1_000_000))), SCHEMA),
  post('huge: 5 MB unknown field', mutated(set('junk', 'x'.repeat(5_000_000))), SCHEMA),
  post(
    'huge: 100,000 escaped \\u characters in a name',
    text((t) => t.replace('"徐小雨"', `"${'\\u5f90'.repeat(100_000)}"`)),
    SCHEMA,
  ),
  post(
    'huge: 50,000 unknown keys in payload',
    mutated((p) =>
      Object.assign(p.payload, Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]))),
    ),
    SCHEMA,
  ),
  post(
    'huge: attachment size 1e400 (Infinity)',
    text((t) => t.replace('"kind":"birth-certificate"', '"kind":"birth-certificate","size":1e400')),
    SCHEMA,
  ),
  post(
    'huge: attachment size above 10 MiB',
    mutated((p) => (p.attachments[0]!.size = 10_485_761)),
    SCHEMA,
  ),
  post(
    'huge: 200,000-element attachments array',
    mutated(
      set(
        'attachments',
        Array.from({ length: 200_000 }, () => 1),
      ),
    ),
    E(413, 'GW_ERR_API_TOO_MANY_ATTACHMENTS'),
  ),
];

// ---------------------------------------------------------------- wrong types
const wrongTypes: CorpusCase[] = [
  ['id as a number', set('id', 12345)],
  ['id null', set('id', null)],
  ['id upper-case UUID', (p: PacketLike) => (p.id = p.id.toUpperCase())],
  ['id not a UUID', set('id', 'not-a-uuid')],
  ['type as a number', set('type', 1)],
  ['type unknown', set('type', 'newborn.adoption')],
  ['caseId as an array', set('caseId', ['310110'])],
  ['caseId with a slash', set('caseId', '310110/20261123/1')],
  ['from as a string', set('from', '310000')],
  ['from.member as a number', set('from.member', 310000)],
  ['to null', set('to', null)],
  ['agreement as an object', set('agreement', { id: 'yangtze-delta' })],
  ['createdAt as a number', set('createdAt', 1763860000000)],
  ['createdAt not a date-time', set('createdAt', 'yesterday')],
  ['payload as a string', set('payload', 'payload')],
  ['payload as an array', set('payload', [])],
  ['attachments as an object', set('attachments', {})],
  ['attachment item as a string', set('attachments', ['JVBERi0='])],
  ['commitmentSigned as a string', set('payload.acceptance.commitmentSigned', 'true')],
  ['birthDate month 13', set('payload.newborn.birthDate', '2026-13-01')],
  ['birthDate as a number', set('payload.newborn.birthDate', 20261102)],
  ['sex unknown', set('payload.newborn.sex', 'x')],
  ['applicant relation unknown', set('payload.applicant.relation', 'uncle')],
  ['attachment size as a string', (p: PacketLike) => (p.attachments[0]!.size = '12')],
  ['phone as a number', set('payload.applicant.phone', 13800000000)],
  ['birthCertificateNo lower case', set('payload.newborn.birthCertificateNo', 'q310123456')],
  ['name with a control character', set('payload.newborn.name', '徐\u0007雨')],
  ['name empty', set('payload.newborn.name', '')],
  ['attachment kind unknown', (p: PacketLike) => (p.attachments[0]!.kind = 'selfie')],
  [
    'attachment mediaType with parameters',
    (p: PacketLike) => (p.attachments[0]!.mediaType = 'application/pdf; q=1'),
  ],
  ['attachment name with a path', (p: PacketLike) => (p.attachments[0]!.name = '../../etc/passwd')],
  ['attachment sha256 upper-case', (p: PacketLike) => (p.attachments[0]!.sha256 = 'A'.repeat(64))],
].map(([name, m]) => post(`type: ${name as string}`, mutated(m as (p: PacketLike) => void), SCHEMA));

// ---------------------------------------------------------------- missing fields
const missing: CorpusCase[] = [
  'id',
  'type',
  'caseId',
  'from',
  'to',
  'agreement',
  'createdAt',
  'payload',
  'from.member',
  'from.office',
  'to.office',
  'payload.applicant',
  'payload.newborn',
  'payload.father',
  'payload.mother',
  'payload.household',
  'payload.acceptance',
  'payload.newborn.birthCertificateNo',
  'payload.newborn.birthDate',
  'payload.father.idNumber',
  'payload.applicant.name',
].map((path) => post(`missing: ${path}`, mutated(remove(path)), SCHEMA));
missing.push(
  post(
    'missing: attachment contentBase64',
    mutated((p) => delete p.attachments[0]!.contentBase64),
    SCHEMA,
  ),
  post(
    'missing: attachment kind',
    mutated((p) => delete p.attachments[1]!.kind),
    SCHEMA,
  ),
);

// ---------------------------------------------------------------- 公民身份号码 and region codes
const idNumbers: CorpusCase[] = [
  post(
    'id number: wrong check digit (father)',
    mutated(set('payload.father.idNumber', '330102199203150014')),
    ID_NUMBER,
  ),
  post(
    'id number: wrong check digit (mother)',
    mutated(set('payload.mother.idNumber', '330106199405201225')),
    ID_NUMBER,
  ),
  post(
    'id number: wrong check digit (applicant)',
    mutated(set('payload.applicant.idNumber', '330102199203150019')),
    ID_NUMBER,
  ),
  post(
    'id number: X where a digit belongs',
    mutated(set('payload.father.idNumber', '33010219920315001X')),
    ID_NUMBER,
  ),
  post(
    'id number: birth date in the future',
    mutated(set('payload.father.idNumber', '330102209203150017')),
    ID_NUMBER,
  ),
  post('id number: 30 February', mutated(set('payload.mother.idNumber', '330106199402301228')), ID_NUMBER),
  post(
    'id number: 29 February 1900',
    mutated(set('payload.mother.idNumber', '330106190002291225')),
    ID_NUMBER,
  ),
  post(
    'id number: unknown province 99',
    mutated(set('payload.father.idNumber', '990102199203150012')),
    ID_NUMBER,
  ),
  post('id number: lower-case x', mutated(set('payload.father.idNumber', '11010519491231002x')), SCHEMA),
  post('id number: 17 digits', mutated(set('payload.father.idNumber', '33010219920315001')), SCHEMA),
  post('id number: 19 digits', mutated(set('payload.father.idNumber', '3301021992031500130')), SCHEMA),
  post('id number: letters', mutated(set('payload.father.idNumber', '33010219920315ABCD')), SCHEMA),
  post(
    'id number: 15-digit first generation',
    mutated(set('payload.father.idNumber', '330102920315001')),
    SCHEMA,
  ),
  post(
    'id number: full-width digits',
    mutated(set('payload.father.idNumber', '３３０１０２１９９２０３１５００１３')),
    SCHEMA,
  ),
  post('id number: spaces', mutated(set('payload.father.idNumber', '330102 19920315 0013')), SCHEMA),
];
const regions: CorpusCase[] = [
  post(
    'region: from.member 台湾 710000 (no gateway)',
    mutated((p) => Object.assign(p.from, { member: '710000', office: '710100530000' })),
    REGION,
  ),
  post(
    'region: to.member unknown 990000',
    mutated((p) => Object.assign(p.to, { member: '990000', office: '990102530000' })),
    REGION,
  ),
  post('region: to.office in another province', mutated(set('to.office', '320102530000')), REGION),
  post('region: from.office unknown province', mutated(set('from.office', '990110530000')), REGION),
  post(
    'region: birthPlace.region unknown',
    mutated(set('payload.newborn.birthPlace.region', '990000')),
    REGION,
  ),
  post('region: father hukouRegion 000000', mutated(set('payload.father.hukouRegion', '000000')), REGION),
  post('region: mother hukouRegion 72xxxx', mutated(set('payload.mother.hukouRegion', '720101')), REGION),
  post('region: member code not NN0000', mutated(set('to.member', '330100')), SCHEMA),
  post('region: office code 11 digits', mutated(set('to.office', '33010253000')), SCHEMA),
];

// ---------------------------------------------------------------- attachments
const attachments: CorpusCase[] = [
  post(
    'attachment: base64 with a space',
    mutated((p) => (p.attachments[0]!.contentBase64 = 'JVBE Ri0x')),
    SCHEMA,
  ),
  post(
    'attachment: base64 bad padding',
    mutated((p) => (p.attachments[0]!.contentBase64 = 'JVBERi0=x')),
    SCHEMA,
  ),
  post(
    'attachment: base64 non-canonical tail bits',
    mutated((p) => (p.attachments[0]!.contentBase64 = 'JVBERi1=')),
    ATTACHMENT,
  ),
  post(
    'attachment: base64 length not a multiple of 4',
    mutated((p) => (p.attachments[0]!.contentBase64 = 'JVBERi0xL')),
    ATTACHMENT,
  ),
  post(
    'attachment: empty content',
    mutated((p) => (p.attachments[0]!.contentBase64 = '')),
    ATTACHMENT,
  ),
  post(
    'attachment: size does not match',
    mutated((p) => (p.attachments[0]!.size = 3)),
    ATTACHMENT,
  ),
  post(
    'attachment: sha256 does not match',
    mutated((p) => (p.attachments[0]!.sha256 = '0'.repeat(64))),
    ATTACHMENT,
  ),
  post(
    'attachment: 21 attachments (schema allows 20)',
    mutated((p) => (p.attachments = Array.from({ length: 21 }, () => structuredClone(p.attachments[0]!)))),
    E(413, 'GW_ERR_API_TOO_MANY_ATTACHMENTS'),
  ),
  post(
    'attachment: one 12 MB attachment (over the body limit)',
    mutated((p) => (p.attachments[0]!.contentBase64 = Buffer.alloc(9_000_000, 1).toString('base64'))),
    TOO_LARGE,
  ),
  post(
    'attachment: decoded content over 10 MiB in a body under the limit? (base64 maxLength)',
    mutated((p) => (p.attachments[0]!.contentBase64 = 'A'.repeat(13_981_020))),
    TOO_LARGE,
  ),
];

// ---------------------------------------------------------------- oversize bodies
const oversize: CorpusCase[] = [
  post('oversize: 10 MiB + 1 byte of spaces', Buffer.alloc(10 * 1024 * 1024 + 1, 0x20), TOO_LARGE),
  post(
    'oversize: 20 MiB JSON string',
    (c) =>
      Buffer.concat([
        c.json(c.packet()).subarray(0, -1),
        Buffer.from(`,"x":"${'a'.repeat(20 * 1024 * 1024)}"}`),
      ]),
    TOO_LARGE,
  ),
  post(
    'oversize: 12 MiB XML',
    () => Buffer.from(`<packet><id>${'1'.repeat(12 * 1024 * 1024)}</id></packet>`),
    TOO_LARGE,
    { contentType: 'application/xml' },
  ),
  post('oversize: 11 MiB of invalid UTF-8', Buffer.alloc(11 * 1024 * 1024, 0xff), TOO_LARGE),
];

// ---------------------------------------------------------------- content types
const contentTypes: CorpusCase[] = [
  post('content type: none', (c) => c.json(c.packet()), MEDIA_TYPE, { contentType: null }),
  post('content type: text/plain', (c) => c.json(c.packet()), MEDIA_TYPE, { contentType: 'text/plain' }),
  post('content type: form-urlencoded', 'id=1&type=x', MEDIA_TYPE, {
    contentType: 'application/x-www-form-urlencoded',
  }),
  post('content type: multipart/form-data', '--b\r\n\r\n--b--', MEDIA_TYPE, {
    contentType: 'multipart/form-data; boundary=b',
  }),
  post('content type: octet-stream', (c) => c.json(c.packet()), MEDIA_TYPE, {
    contentType: 'application/octet-stream',
  }),
  post('content type: text/json', (c) => c.json(c.packet()), MEDIA_TYPE, { contentType: 'text/json' }),
  post('content type: application/jsonx', (c) => c.json(c.packet()), MEDIA_TYPE, {
    contentType: 'application/jsonx',
  }),
  post('content type: application/json-patch+json', (c) => c.json(c.packet()), MEDIA_TYPE, {
    contentType: 'application/json-patch+json',
  }),
  post('content type: garbage', (c) => c.json(c.packet()), MEDIA_TYPE, { contentType: '}}}{{{' }),
  post('content type: JSON body declared XML', (c) => c.json(c.packet()), MALFORMED_XML, {
    contentType: 'application/xml',
  }),
  post('content type: XML body declared JSON', xmlOf(), MALFORMED_JSON, { contentType: 'application/json' }),
  post('content type: application/json; charset=gbk', (c) => c.json(c.packet()), UNSUPPORTED_CHARSET, {
    contentType: 'application/json; charset=gbk',
  }),
  post('content type: application/json; charset=latin1', (c) => c.json(c.packet()), UNSUPPORTED_CHARSET, {
    contentType: 'application/json; charset=latin1',
  }),
  post('content type: application/json; charset=utf-16', (c) => c.json(c.packet()), UNSUPPORTED_CHARSET, {
    contentType: 'application/json; charset=utf-16',
  }),
  post('content type: application/json; charset=""', (c) => c.json(c.packet()), UNSUPPORTED_CHARSET, {
    contentType: 'application/json; charset=""',
  }),
];

// ---------------------------------------------------------------- invalid UTF-8 and lying charsets
const utf8 =
  (bytes: number[], where: 'start' | 'name' | 'end' = 'name') =>
  (c: CorpusContext) => {
    const t = c.json(c.packet());
    const bad = Buffer.from(bytes);
    if (where === 'start') return Buffer.concat([bad, t]);
    if (where === 'end') return Buffer.concat([t, bad]);
    const i = t.indexOf(Buffer.from('徐小雨'));
    return Buffer.concat([t.subarray(0, i), bad, t.subarray(i)]);
  };
const encoding: CorpusCase[] = [
  post('utf-8: lone 0xFF', utf8([0xff]), BAD_ENCODING),
  post('utf-8: lone continuation byte 0x80', utf8([0x80]), BAD_ENCODING),
  post('utf-8: overlong "/" (C0 AF)', utf8([0xc0, 0xaf]), BAD_ENCODING),
  post('utf-8: overlong NUL (E0 80 80)', utf8([0xe0, 0x80, 0x80]), BAD_ENCODING),
  post('utf-8: encoded surrogate (ED A0 80)', utf8([0xed, 0xa0, 0x80]), BAD_ENCODING),
  post('utf-8: above U+10FFFF (F4 90 80 80)', utf8([0xf4, 0x90, 0x80, 0x80]), BAD_ENCODING),
  post('utf-8: F5 lead byte', utf8([0xf5, 0x80, 0x80, 0x80]), BAD_ENCODING),
  post('utf-8: truncated 3-byte sequence at the end', utf8([0xe5, 0xbe], 'end'), BAD_ENCODING),
  post(
    'utf-8: body cut inside a character',
    (c) => {
      const t = c.json(c.packet());
      return t.subarray(0, t.indexOf(Buffer.from('徐小雨')) + 1);
    },
    BAD_ENCODING,
  ),
  post('utf-8: Latin-1 é', utf8([0xe9]), BAD_ENCODING),
  post(
    'utf-8: JSON sent as UTF-16LE with BOM',
    (c) => Buffer.concat([Buffer.from([0xff, 0xfe]), c.encode(c.json(c.packet()).toString(), 'utf-16le')]),
    BAD_ENCODING,
  ),
  post(
    'utf-8: JSON sent as GBK, labelled UTF-8',
    (c) => c.encode(c.json(c.packet()).toString(), 'gbk'),
    BAD_ENCODING,
    { contentType: 'application/json; charset=utf-8' },
  ),
  post(
    'utf-8: JSON sent as GBK, unlabelled',
    (c) => c.encode(c.json(c.packet()).toString(), 'gbk'),
    BAD_ENCODING,
  ),
  xml(
    'xml: GBK bytes declared UTF-8',
    xmlOf((t) => t, 'UTF-8', 'gbk'),
    BAD_ENCODING,
  ),
  xml(
    'xml: GBK bytes, no declaration (UTF-8 by default)',
    xmlOf((t) => t, null, 'gbk'),
    BAD_ENCODING,
  ),
  xml(
    'xml: UTF-8 bytes declared GBK',
    xmlOf((t) => t, 'GBK', 'utf-8'),
    CHARSET_MISMATCH,
  ),
  xml(
    'xml: UTF-8 bytes declared GB18030',
    xmlOf((t) => t, 'GB18030', 'utf-8'),
    CHARSET_MISMATCH,
  ),
  xml(
    'xml: UTF-8 bytes, header says gbk, no declaration',
    xmlOf((t) => t, null, 'utf-8'),
    CHARSET_MISMATCH,
    'application/xml; charset=gbk',
  ),
  xml(
    'xml: UTF-8 bytes declared GBK, even-length Chinese (decodes as mojibake)',
    (c) =>
      c.encode(
        c.xml(
          c.variant((p) => {
            // Every Chinese run has an even number of characters, so the UTF-8 bytes pair up as valid GBK.
            p.from.officeName = '上海大桥派出所上海';
            p.to.officeName = '杭州湖滨派出所杭州';
            Object.assign(p.payload.applicant, { name: '徐明', mailingAddress: '上海长阳路号' });
            Object.assign(p.payload.newborn, { name: '徐雨', ethnicity: '汉族' });
            Object.assign(p.payload.newborn.birthPlace, { institution: '杨浦中心医院' });
            Object.assign(p.payload.father, { name: '徐明', ethnicity: '汉族' });
            Object.assign(p.payload.mother, { name: '王丽', ethnicity: '汉族' });
            Object.assign(p.payload.household, {
              headName: '徐明',
              relationToHead: '女儿',
              address: '杭州东坡路号',
            });
            Object.assign(p.payload.acceptance, { officer: '张警' });
            for (const a of p.attachments) a.name = `${String(a.kind)}.pdf`;
          }),
          'GBK',
        ),
        'utf-8',
      ),
    CHARSET_MISMATCH,
  ),
  xml('xml: header gbk, declaration UTF-8', xmlOf(), CHARSET_MISMATCH, 'application/xml; charset=gbk'),
  xml(
    'xml: header utf-8, declaration GBK',
    xmlOf((t) => t, 'GBK', 'gbk'),
    CHARSET_MISMATCH,
    'application/xml; charset=utf-8',
  ),
  xml(
    'xml: UTF-8 BOM, declaration GBK',
    (c) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), c.encode(c.xml(c.packet(), 'GBK'), 'gbk')]),
    CHARSET_MISMATCH,
  ),
  xml(
    'xml: UTF-16LE with BOM',
    (c) => Buffer.concat([Buffer.from([0xff, 0xfe]), c.encode(c.xml(c.packet(), 'UTF-16'), 'utf-16le')]),
    UNSUPPORTED_CHARSET,
  ),
  xml(
    'xml: UTF-16BE with BOM',
    (c) => Buffer.concat([Buffer.from([0xfe, 0xff]), c.encode(c.xml(c.packet(), 'UTF-16'), 'utf-16be')]),
    UNSUPPORTED_CHARSET,
  ),
  xml(
    'xml: declaration ISO-8859-1',
    xmlOf((t) => t, 'ISO-8859-1'),
    UNSUPPORTED_CHARSET,
  ),
  xml(
    'xml: declaration Big5',
    xmlOf((t) => t, 'Big5'),
    UNSUPPORTED_CHARSET,
  ),
  xml(
    'xml: declaration EBCDIC',
    xmlOf((t) => t, 'EBCDIC-CP-US'),
    UNSUPPORTED_CHARSET,
  ),
  xml(
    'xml: header charset shift_jis',
    xmlOf((t) => t, null),
    UNSUPPORTED_CHARSET,
    'application/xml; charset=shift_jis',
  ),
  xml(
    'xml: GB18030 declared, invalid GB18030 bytes',
    (c) =>
      Buffer.concat([
        c.encode(c.xml(c.packet(), 'GB18030'), 'gb18030').subarray(0, 200),
        Buffer.from([0x81, 0x30, 0xff]),
        Buffer.from('</packet>'),
      ]),
    BAD_ENCODING,
  ),
  xml(
    'xml: invalid UTF-8 inside a name',
    (c) => {
      const t = Buffer.from(c.xml(c.packet()), 'utf8');
      const i = t.indexOf(Buffer.from('徐小雨'));
      return Buffer.concat([t.subarray(0, i), Buffer.from([0xff]), t.subarray(i)]);
    },
    BAD_ENCODING,
  ),
];

// ---------------------------------------------------------------- XML structure
const BILLION_LAUGHS = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><packet><id>&lol3;</id></packet>`;
const xmlStructure: CorpusCase[] = [
  ...[0.1, 0.3, 0.5, 0.7, 0.9, 0.999].map((f) =>
    xml(
      `xml: valid packet truncated at ${Math.round(f * 1000) / 10}%`,
      (c) => {
        const t = c.xml(c.packet());
        return Buffer.from(t.slice(0, Math.floor(t.length * f)), 'utf8');
      },
      MALFORMED_XML,
    ),
  ),
  xml(
    'xml: mismatched end tag',
    xmlOf((t) => t.replace('</caseId>', '</caseid>')),
    MALFORMED_XML,
  ),
  xml(
    'xml: unclosed element',
    xmlOf((t) => t.replace('</agreement>', '')),
    MALFORMED_XML,
  ),
  xml(
    'xml: two root elements',
    xmlOf((t) => `${t}<packet></packet>`),
    MALFORMED_XML,
  ),
  xml('xml: text only', 'just text', MALFORMED_XML),
  xml('xml: empty body', '', MALFORMED_XML),
  xml('xml: declaration only', '<?xml version="1.0" encoding="UTF-8"?>', MALFORMED_XML),
  xml(
    'xml: version 2.0 declaration',
    xmlOf((t) => t.replace('version="1.0"', 'version="2.0"')),
    MALFORMED_XML,
  ),
  xml(
    'xml: malformed declaration',
    xmlOf((t) => t.replace('<?xml version="1.0"', '<?xml versio="1.0"')),
    MALFORMED_XML,
  ),
  xml(
    'xml: unquoted attribute',
    xmlOf((t) => t.replace('<packet>', '<packet a=1>')),
    MALFORMED_XML,
  ),
  xml(
    'xml: bare < in text',
    xmlOf((t) => t.replace('<agreement>yangtze-delta', '<agreement>yangtze<delta')),
    MALFORMED_XML,
  ),
  xml(
    'xml: bare & in text',
    xmlOf((t) => t.replace('<agreement>yangtze-delta', '<agreement>yangtze&delta')),
    MALFORMED_XML,
  ),
  xml(
    'xml: undefined entity &nbsp;',
    xmlOf((t) => t.replace('<agreement>yangtze-delta', '<agreement>&nbsp;')),
    MALFORMED_XML,
  ),
  xml(
    'xml: undefined entity &copy; in a free-text field',
    xmlOf((t) => t.replace('</officeName>', '&copy;</officeName>')),
    MALFORMED_XML,
  ),
  xml(
    'xml: unterminated CDATA',
    xmlOf((t) => t.replace('<agreement>', '<agreement><![CDATA[x')),
    MALFORMED_XML,
  ),
  xml(
    'xml: unterminated comment',
    xmlOf((t) => t.replace('<agreement>', '<agreement><!-- x')),
    MALFORMED_XML,
  ),
  xml(
    'xml: tag name starting with a digit',
    xmlOf((t) => t.replace('<packet>', '<packet><1a/>')),
    MALFORMED_XML,
  ),
  xml('xml: nesting depth 65', `<packet>${nested('<a>', '</a>', 64)}</packet>`, MALFORMED_XML),
  xml('xml: nesting depth 100000', nested('<a>', '</a>', 100_000), MALFORMED_XML),
  xml(
    'xml: <!ELEMENT> markup without DOCTYPE',
    xmlOf((t) => t.replace('<packet>', '<!ELEMENT packet ANY><packet>')),
    MALFORMED_XML,
  ),
  xml(
    'xml: root element <pkt>',
    xmlOf((t) => t.replace('<packet>', '<pkt>').replace('</packet>', '</pkt>')),
    SCHEMA,
  ),
  xml(
    'xml: attribute on an element',
    xmlOf((t) => t.replace('<agreement>', '<agreement lang="zh">')),
    SCHEMA,
  ),
  xml(
    'xml: mixed content',
    xmlOf((t) => t.replace('<from>', '<from>text<b/>')),
    SCHEMA,
  ),
  xml(
    'xml: repeated scalar element',
    xmlOf((t) => t.replace('</caseId>', '</caseId><caseId>x</caseId>')),
    SCHEMA,
  ),
  xml(
    'xml: unknown element',
    xmlOf((t) => t.replace('<agreement>', '<secret>1</secret><agreement>')),
    SCHEMA,
  ),
  xml(
    'xml: boolean "yes"',
    xmlOf((t) => t.replace('<commitmentSigned>true', '<commitmentSigned>yes')),
    SCHEMA,
  ),
  xml(
    'xml: size not an integer',
    xmlOf((t) =>
      t.replace('<kind>birth-certificate</kind>', '<kind>birth-certificate</kind><size>1.5</size>'),
    ),
    SCHEMA,
  ),
  xml(
    'xml: DOCTYPE without subset',
    xmlOf((t) => t.replace('<packet>', '<!DOCTYPE packet><packet>')),
    DOCTYPE,
  ),
  xml(
    'xml: internal entity',
    xmlOf((t) =>
      t.replace('<packet>', '<!DOCTYPE packet [<!ENTITY a "b">]><packet>').replace('yangtze-delta', '&a;'),
    ),
    DOCTYPE,
  ),
  xml('xml: billion laughs', BILLION_LAUGHS, DOCTYPE),
  xml(
    'xml: external entity file:///etc/passwd',
    '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><packet><id>&x;</id></packet>',
    DOCTYPE,
  ),
  xml(
    'xml: external DTD over http',
    '<?xml version="1.0"?><!DOCTYPE packet SYSTEM "http://127.0.0.1:1/evil.dtd"><packet/>',
    DOCTYPE,
  ),
  xml(
    'xml: parameter entity',
    '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY % pe SYSTEM "http://127.0.0.1:1/x">%pe;]><packet/>',
    DOCTYPE,
  ),
  xml('xml: lower-case doctype', '<?xml version="1.0"?><!doctype packet><packet/>', DOCTYPE),
  xml(
    'xml: DOCTYPE in GBK',
    (c) =>
      c.encode(
        '<?xml version="1.0" encoding="GBK"?><!DOCTYPE packet [<!ENTITY 名 "徐">]><packet><id>&名;</id></packet>',
        'gbk',
      ),
    DOCTYPE,
  ),
  xml(
    'xml: XML with text/xml and a DOCTYPE',
    xmlOf((t) => t.replace('<packet>', '<!DOCTYPE packet><packet>')),
    DOCTYPE,
    'text/xml',
  ),
  xml(
    'xml: valid XML, bad 公民身份号码',
    (c) => Buffer.from(c.xml(c.variant(set('payload.father.idNumber', '330102199203150014')))),
    ID_NUMBER,
  ),
  xml(
    'xml: valid XML, unknown region',
    (c) => Buffer.from(c.xml(c.variant(set('payload.newborn.birthPlace.region', '990000')))),
    REGION,
  ),
  xml('xml: valid XML, missing payload', (c) => Buffer.from(c.xml(c.variant(remove('payload')))), SCHEMA),
];

// ---------------------------------------------------------------- identity and permission
const packetAs = (client: ClientChoice, name: string, expect: CorpusCase['expect']): CorpusCase =>
  post(name, (c) => c.json(c.packet()), expect, { client });
const identity: CorpusCase[] = [
  packetAs('none', 'identity: no client certificate', E(401, 'GW_ERR_AUTH_NO_CLIENT_CERT')),
  packetAs('foreign-ca', 'identity: certificate from a foreign CA', E(401, 'GW_ERR_AUTH_UNTRUSTED_CERT')),
  packetAs('self-signed', 'identity: self-signed certificate', E(401, 'GW_ERR_AUTH_UNTRUSTED_CERT')),
  packetAs(
    'expired',
    'identity: expired certificate from the trusted CA',
    E(401, 'GW_ERR_AUTH_CERT_EXPIRED'),
  ),
  packetAs('not-yet-valid', 'identity: certificate not yet valid', E(401, 'GW_ERR_AUTH_CERT_EXPIRED')),
  packetAs(
    'server-only-eku',
    'identity: certificate for serverAuth only',
    E(401, 'GW_ERR_AUTH_UNTRUSTED_CERT'),
  ),
  packetAs(
    'sender-node',
    'identity: a gateway node certificate on the API port',
    E(403, 'GW_ERR_AUTH_UNKNOWN_SYSTEM'),
  ),
  packetAs(
    'other-member-system',
    "identity: another province's system certificate",
    E(403, 'GW_ERR_AUTH_UNKNOWN_SYSTEM'),
  ),
  post('identity: inbox without a certificate', undefined, E(401, 'GW_ERR_AUTH_NO_CLIENT_CERT'), {
    client: 'none',
    method: 'GET',
    path: '/v1/inbox',
  }),
  post('identity: expired certificate reads a packet', undefined, E(401, 'GW_ERR_AUTH_CERT_EXPIRED'), {
    client: 'expired',
    method: 'GET',
    path: '/v1/packets/7d0c6a52-1b7e-4f0b-9c55-2f6a8d1e0a11',
  }),
  post(
    'permission: window system sends a decision',
    (c) => {
      const decision = JSON.parse(readFileSync(DECISION, 'utf8')) as Record<string, unknown>;
      const p = c.packet();
      return c.json({ ...decision, id: p.id, from: p.from, to: p.to });
    },
    E(403, 'GW_ERR_AUTH_TYPE_NOT_ALLOWED'),
    { client: 'window' },
  ),
];

// ---------------------------------------------------------------- routing
const routing: CorpusCase[] = [
  post(
    'route: 长三角 packet to 贵州 (no agreement)',
    mutated((p) => Object.assign(p.to, { member: '520000', office: '520102530000' })),
    E(422, 'GW_ERR_ROUTE_NO_AGREEMENT'),
  ),
  post(
    'route: wrong agreement for the members',
    mutated(set('agreement', 'chuan-yu-qian')),
    E(422, 'GW_ERR_ROUTE_NO_AGREEMENT'),
  ),
  post(
    'route: unknown agreement',
    mutated(set('agreement', 'no-such-agreement')),
    E(422, 'GW_ERR_ROUTE_NO_AGREEMENT'),
  ),
  post(
    'route: 江苏 is in 长三角 but not a configured peer',
    mutated((p) => Object.assign(p.to, { member: '320000', office: '320102530000' })),
    E(422, 'GW_ERR_ROUTE_UNKNOWN_PEER'),
  ),
  post(
    'route: sender claims to be 江苏',
    mutated((p) => Object.assign(p.from, { member: '320000', office: '320102530000' })),
    E(403, 'GW_ERR_AUTH_OFFICE_NOT_ALLOWED'),
  ),
];

// ---------------------------------------------------------------- other routes and methods
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const routes: CorpusCase[] = [
  post('route table: status of a non-UUID id', undefined, NOT_FOUND, {
    method: 'GET',
    path: '/v1/packets/not-a-uuid',
  }),
  post('route table: status of an unknown packet', undefined, NOT_FOUND, {
    method: 'GET',
    path: `/v1/packets/${UNKNOWN}`,
  }),
  post('route table: ack of a packet not in the inbox', undefined, NOT_FOUND, {
    path: `/v1/inbox/${UNKNOWN}/ack`,
    contentType: null,
  }),
  post('route table: ack of a path-traversal id', undefined, NOT_FOUND, {
    path: '/v1/inbox/..%2F..%2Fetc%2Fpasswd/ack',
    contentType: null,
  }),
  post('route table: unknown path', undefined, NOT_FOUND, { method: 'GET', path: '/v1/secrets' }),
  post('route table: PUT /v1/packets', (c) => c.json(c.packet()), NOT_FOUND, { method: 'PUT' }),
  post('route table: DELETE /v1/packets', undefined, NOT_FOUND, { method: 'DELETE' }),
  post('route table: packet posted to the peer route on the API port', (c) => c.json(c.packet()), NOT_FOUND, {
    path: '/v1/peer/packets',
  }),
];

// ---------------------------------------------------------------- replays on the API
const replays: CorpusCase[] = [
  {
    name: 'replay (api): a packet accepted once',
    request: {
      port: 'api',
      body: (c) => {
        const p = c.packet();
        c.remember('api-original', p);
        return c.json(p);
      },
    },
    expect: E(202),
    check: (a, c) => c.remember('api-original-answer', a.json),
  },
  {
    name: 'replay (api): the same packet again gets the original receipt',
    request: { port: 'api', body: (c) => c.json(c.recall('api-original')) },
    expect: E(202),
    check: (a, c) => {
      const first = c.recall<Record<string, unknown>>('api-original-answer');
      if (JSON.stringify(a.json.receipt) !== JSON.stringify(first.receipt) || a.json.duplicate !== true)
        throw new Error('a resubmission must get the original receipt');
    },
  },
  post(
    'replay (api): same id, different content',
    (c) =>
      c.json({ ...c.recall<Record<string, unknown>>('api-original'), caseId: '310110-20261123-conflict' }),
    E(409, 'GW_ERR_PACKET_ID_CONFLICT'),
  ),
];

/** All API cases. */
export const API_CASES: readonly CorpusCase[] = [
  ...jsonSyntax,
  ...huge,
  ...wrongTypes,
  ...missing,
  ...idNumbers,
  ...regions,
  ...attachments,
  ...oversize,
  ...contentTypes,
  ...encoding,
  ...xmlStructure,
  ...identity,
  ...routing,
  ...routes,
  ...replays,
];
