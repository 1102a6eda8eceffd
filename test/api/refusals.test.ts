import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrail } from '../../src/audit/index.js';
import { devApiClient, startDevNetwork, type DevNode } from '../../src/demo/index.js';
import { initDevPki } from '../../src/pki/index.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';

const SAMPLES = join(import.meta.dirname, '../../samples');
const sample = (): Record<string, unknown> => JSON.parse(readFileSync(join(SAMPLES, 'newborn-application.yangtze.json'), 'utf8'));

interface Answer {
  status: number;
  json: Record<string, unknown>;
  text: string;
}

/** A raw HTTPS call with chosen client credentials (or none). */
function raw(url: string, opts: { ca: Buffer; cert?: Buffer; key?: Buffer; body?: Buffer; contentType?: string; method?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (opts.body) headers['content-length'] = opts.body.length;
    if (opts.contentType) headers['content-type'] = opts.contentType;
    const req = request(url, { method: opts.method ?? 'POST', ca: opts.ca, cert: opts.cert, key: opts.key, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          /* left empty: the assertion on json.code then fails */
        }
        resolve({ status: res.statusCode ?? 0, json, text });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('API port refusals (each with its code; the node keeps serving)', () => {
  let dir: string;
  let prefix: string;
  let net: Awaited<ReturnType<typeof startDevNetwork>>;
  let sh: DevNode;
  let foreignPki: string;
  let ca: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-refusals-'));
    prefix = testPrefix('refusals');
    net = await startDevNetwork({ dir, members: ['310000', '330000'], redisUrl: REDIS_URL, prefix });
    sh = net.nodes.get('310000')!;
    ca = readFileSync(join(net.pkiDir, 'root-ca.crt'));
    foreignPki = join(dir, 'foreign-pki');
    await initDevPki({ outDir: foreignPki, members: ['310000'] });
  });
  afterAll(async () => {
    await net?.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: Buffer | object, contentType = 'application/json', client = sh.client) =>
    client.call('POST', '/v1/packets', Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body)), contentType);

  it('refuses a caller without a client certificate', async () => {
    const r = await raw(`${sh.urls.api}/v1/packets`, { ca, body: Buffer.from('{}'), contentType: 'application/json' });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('GW_ERR_AUTH_NO_CLIENT_CERT');
  });

  it('refuses a certificate from an unknown CA', async () => {
    const r = await raw(`${sh.urls.api}/v1/packets`, {
      ca,
      cert: readFileSync(join(foreignPki, '310000', 'system-population.crt')),
      key: readFileSync(join(foreignPki, '310000', 'system-population.key')),
      body: Buffer.from(JSON.stringify(sample())),
      contentType: 'application/json',
    });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('GW_ERR_AUTH_UNTRUSTED_CERT');
  });

  it('refuses a trusted certificate that is no registered system (a peer gateway on the API port)', async () => {
    const r = await raw(`${sh.urls.api}/v1/inbox`, {
      ca,
      method: 'GET',
      cert: readFileSync(join(net.pkiDir, '330000', 'node-tls.crt')),
      key: readFileSync(join(net.pkiDir, '330000', 'node-tls.key')),
    });
    expect(r.status).toBe(403);
    expect(r.json.code).toBe('GW_ERR_AUTH_UNKNOWN_SYSTEM');
  });

  it('refuses a packet type the system may not send', async () => {
    const window = devApiClient(net.pkiDir, '310000', sh.urls.api, 'window');
    try {
      const decision = JSON.parse(readFileSync(join(SAMPLES, 'newborn-decision.approved.json'), 'utf8')) as Record<string, unknown>;
      const r = await post({ ...decision, from: (sample() as { from: unknown }).from, to: (sample() as { to: unknown }).to }, 'application/json', window);
      expect(r.status).toBe(403);
      expect(r.json.code).toBe('GW_ERR_AUTH_TYPE_NOT_ALLOWED');
      // The same system may send an application.
      const ok = await post({ ...sample(), id: '41111111-2222-4333-8444-555555555555', caseId: '310110-20261123-000041' }, 'application/json', window);
      expect(ok.status).toBe(202);
    } finally {
      window.close();
    }
  });

  it('refuses a route that no agreement covers', async () => {
    const p = sample();
    const r = await post({ ...p, id: '51111111-2222-4333-8444-555555555555', to: { member: '520000', office: '520102530000' } });
    expect(r.status).toBe(422);
    expect(r.json.code).toBe('GW_ERR_ROUTE_NO_AGREEMENT');
    const wrongAgreement = await post({ ...p, id: '51111111-2222-4333-8444-555555555556', agreement: 'chuan-yu-qian' });
    expect(wrongAgreement.json.code).toBe('GW_ERR_ROUTE_NO_AGREEMENT');
  });

  it('refuses a schema violation, naming the failing paths', async () => {
    const p = sample() as { payload: { newborn: Record<string, unknown> } };
    p.payload.newborn.birthCertificateNo = 'q12';
    const r = await post(p);
    expect(r.status).toBe(422);
    expect(r.json.code).toBe('GW_ERR_PACKET_SCHEMA');
    expect((r.json.details as Array<{ path: string }>).map((d) => d.path)).toContain('/payload/newborn/birthCertificateNo');
    // The refusal is in the exchange log with its code and the calling system.
    const trail = await readTrail(sh.node.config.audit.dir, { packetId: (p as unknown as { id: string }).id });
    expect(trail.some((e) => e.event === 'rejected' && e.code === 'GW_ERR_PACKET_SCHEMA' && e.actor === 'system:population')).toBe(true);
  });

  it('refuses malformed JSON and XML without parser internals', async () => {
    const j = await post(Buffer.from('{"id": "7d0c6a52-'), 'application/json');
    expect(j.status).toBe(400);
    expect(j.json.code).toBe('GW_ERR_API_MALFORMED_JSON');
    const x = await post(Buffer.from('<?xml version="1.0" encoding="UTF-8"?><packet><id>1</packet>'), 'application/xml');
    expect(x.status).toBe(400);
    expect(x.json.code).toBe('GW_ERR_API_MALFORMED_XML');
    expect(JSON.stringify([j.json, x.json])).not.toMatch(/at .*\.js|stack|SyntaxError/);
  });

  it('refuses XML with a DOCTYPE or entity', async () => {
    const body = '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x "y">]><packet><id>&x;</id></packet>';
    const r = await post(Buffer.from(body), 'application/xml');
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('GW_ERR_API_XML_DOCTYPE');
  });

  it('refuses a body over the limit and an unsupported media type', async () => {
    const big = Buffer.alloc(sh.node.config.limits.bodyBytes + 1024, 0x20);
    const r = await post(big, 'application/json');
    expect(r.status).toBe(413);
    expect(r.json.code).toBe('GW_ERR_API_BODY_TOO_LARGE');
    const m = await post(Buffer.from('id=1'), 'application/x-www-form-urlencoded');
    expect(m.status).toBe(415);
    expect(m.json.code).toBe('GW_ERR_API_UNSUPPORTED_MEDIA_TYPE');
  });

  it('keeps serving after all of the above', async () => {
    const r = await post({ ...sample(), id: '61111111-2222-4333-8444-555555555555', caseId: '310110-20261123-000061' });
    expect(r.status).toBe(202);
    const s = await sh.client.call('GET', '/v1/packets/61111111-2222-4333-8444-555555555555');
    expect(s.status).toBe(200);
  });
});
