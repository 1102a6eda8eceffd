import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../src/config/index.js';
import { startDevNetwork, type DevNode } from '../../src/demo/index.js';
import { createNode, type GatewayNode } from '../../src/node/index.js';
import { freePort, startPrivateRedis } from '../../src/queue/index.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { samplePacket } from '../helpers/sample-packet.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: Record<string, unknown>;
}

/** An mTLS call as a development system, keeping the response headers. */
function call(
  pkiDir: string,
  system: string,
  url: string,
  method: 'GET' | 'POST' = 'GET',
  body?: object,
): Promise<Answer> {
  const bytes = body ? Buffer.from(JSON.stringify(body)) : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: readFileSync(join(pkiDir, 'root-ca.crt')),
        cert: readFileSync(join(pkiDir, '310000', `system-${system}.crt`)),
        key: readFileSync(join(pkiDir, '310000', `system-${system}.key`)),
        headers: bytes ? { 'content-type': 'application/json', 'content-length': bytes.length } : {},
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          } catch {
            /* empty: assertions on json.code then fail */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
        });
      },
    );
    req.on('error', reject);
    req.end(bytes);
  });
}

/** Rewrite a node's YAML config. */
function edit(file: string, change: (raw: Record<string, Record<string, unknown>>) => void): void {
  const raw = parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
  change(raw);
  writeFileSync(file, stringify(raw));
}

describe('backpressure and limits', () => {
  let dir: string;
  let prefix: string;
  let net: Awaited<ReturnType<typeof startDevNetwork>>;
  let sh: DevNode;
  let second: GatewayNode | undefined;
  let secondApi = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-limits-'));
    prefix = testPrefix('limits');
    net = await startDevNetwork({ dir, members: ['310000', '330000'], redisUrl: REDIS_URL, prefix });
    sh = net.nodes.get('310000')!;
    edit(sh.configPath, (raw) => {
      raw.limits = {
        ...raw.limits,
        ratePerSecond: 0.25,
        rateBurst: 3,
        attachments: 2,
        systems: { window: { ratePerSecond: 0 } },
      };
    });
    expect((await sh.node.reload('admin:test')).ok).toBe(true);
    // A second instance of the same node (same Redis prefix, own ports and chain), as behind a load balancer.
    const file = join(dir, 'config', '310000-i2.yaml');
    writeFileSync(file, readFileSync(sh.configPath));
    const ports = { api: await freePort(), peer: await freePort() };
    edit(file, (raw) => {
      raw.node = { ...raw.node, instanceId: 'i2' };
      raw.listen = {
        api: { host: '127.0.0.1', port: ports.api },
        peer: { host: '127.0.0.1', port: ports.peer },
      };
    });
    second = await createNode(loadConfig(file));
    secondApi = (await second.listen()).api;
  });
  afterAll(async () => {
    await second?.close();
    await net?.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 429 with Retry-After once a system is over its rate, shared by the instances, per system', async () => {
    const pki = net.pkiDir;
    const answers: Answer[] = [];
    for (let i = 0; i < 3; i++) answers.push(await call(pki, 'population', `${sh.urls.api}/v1/inbox`));
    // The bucket (3) is empty now, on both instances.
    answers.push(await call(pki, 'population', `${secondApi}/v1/inbox`));
    answers.push(await call(pki, 'population', `${sh.urls.api}/v1/inbox`));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    const refused = answers[4]!;
    expect(refused.json.code).toBe('GW_ERR_API_RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another system has its own budget (here unlimited).
    for (let i = 0; i < 6; i++)
      expect((await call(pki, 'window', `${sh.urls.api}/v1/inbox`)).status).toBe(200);
    // A token comes back every 4 s (0.25 per second); Retry-After says when.
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(4);
    await new Promise((r) => setTimeout(r, Number(refused.headers['retry-after']) * 1000 + 200));
    expect((await call(pki, 'population', `${sh.urls.api}/v1/inbox`)).status).toBe(200);
  });

  it('refuses more attachments than limits.attachments with 413, before schema validation', async () => {
    const p = samplePacket('l', 1); // the sample carries three attachments
    // The window system (no rate limit) may send applications too.
    const r = await call(net.pkiDir, 'window', `${sh.urls.api}/v1/packets`, 'POST', p);
    expect(r.status).toBe(413);
    expect(r.json.code).toBe('GW_ERR_API_TOO_MANY_ATTACHMENTS');
  });
});

describe('Redis unreachable', () => {
  let dir: string;
  let redis: Awaited<ReturnType<typeof startPrivateRedis>> | undefined;
  let net: Awaited<ReturnType<typeof startDevNetwork>> | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-noredis-'));
    redis = await startPrivateRedis(join(dir, 'redis'));
    net = await startDevNetwork({ dir, members: ['310000', '330000'], redisUrl: redis.url, prefix: 'nr' });
  });
  afterAll(async () => {
    await net?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After and accepts nothing, /readyz says why, and serves again when Redis is back', async () => {
    const sh = net!.nodes.get('310000')!;
    const port = redis!.port;
    await redis!.stop();
    const p = samplePacket('r', 1);
    const r = await call(net!.pkiDir, 'population', `${sh.urls.api}/v1/packets`, 'POST', p);
    expect(r.status).toBe(503);
    expect(r.json.code).toBe('GW_ERR_STORE_UNAVAILABLE');
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const ready = await fetch(`${sh.urls.admin}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, boolean> }).checks.redis).toBe(false);

    redis = await startPrivateRedis(join(dir, 'redis'), port);
    let status = 0;
    for (let i = 0; i < 50 && status !== 202; i++) {
      await new Promise((res) => setTimeout(res, 200));
      status = (await call(net!.pkiDir, 'population', `${sh.urls.api}/v1/packets`, 'POST', p)).status;
    }
    expect(status).toBe(202);
  });
});
