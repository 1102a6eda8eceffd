import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startDevNetwork, type DevNode } from '../../src/demo/index.js';
import { createNode, type GatewayNode } from '../../src/node/index.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const SAMPLES = join(import.meta.dirname, '../../samples');
const packet = (n: number): Record<string, unknown> => ({
  ...(JSON.parse(readFileSync(join(SAMPLES, 'newborn-application.yangtze.json'), 'utf8')) as Record<string, unknown>),
  id: `a${String(n).padStart(7, '0')}-2222-4333-8444-555555555555`,
  caseId: `310110-20261123-1${String(n).padStart(5, '0')}`,
});

describe('peer outages', () => {
  let dir: string;
  let prefix: string;
  let net: Awaited<ReturnType<typeof startDevNetwork>>;
  let sh: DevNode;
  let zjConfigPath: string;
  let restarted: GatewayNode | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-outage-'));
    prefix = testPrefix('outage');
    net = await startDevNetwork({ dir, members: ['310000', '330000'], redisUrl: REDIS_URL, prefix, retry: { backoffMs: 200, attempts: 7, jitter: 0.2 } });
    sh = net.nodes.get('310000')!;
    zjConfigPath = net.nodes.get('330000')!.configPath;
  });
  afterAll(async () => {
    await restarted?.close();
    await net?.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  const status = async (id: string) => (await sh.client.call('GET', `/v1/packets/${id}`)).json;

  it('keeps accepting while the peer is down, backs off, and delivers when it returns', async () => {
    await net.nodes.get('330000')!.node.close();
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const p = packet(i);
      const r = await sh.client.call('POST', '/v1/packets', p);
      expect(r.status).toBe(202);
      ids.push(p.id as string);
    }
    await new Promise((r) => setTimeout(r, 1500));
    const during = await status(ids[0]);
    const retries = (during.history as Array<{ status: string }>).filter((h) => h.status === 'retrying').length;
    // Exponential backoff from 200 ms: about 3 attempts fit in 1.5 s; without backoff there would be dozens.
    expect(retries).toBeGreaterThanOrEqual(1);
    expect(retries).toBeLessThanOrEqual(4);
    expect(during.status).not.toBe('delivered');

    restarted = await createNode(loadConfig(zjConfigPath));
    await restarted.listen();
    for (const id of ids) {
      const s = await waitFor(async () => ((await status(id)).status === 'delivered' ? true : undefined), 20_000);
      expect(s).toBe(true);
    }
    const inboxIds = await restarted.ctx.store.inbox('population', 100);
    expect(inboxIds.filter((x) => ids.includes(x)).sort()).toEqual([...ids].sort());
    await restarted.close();
    restarted = undefined;
  });

  it('moves a packet the peer refuses with 4xx to dead letters after one attempt', async () => {
    const cfg = loadConfig(zjConfigPath);
    let hits = 0;
    const fake = createServer(
      { cert: readFileSync(cfg.tls.cert), key: readFileSync(cfg.tls.key), ca: readFileSync(cfg.tls.ca[0]), requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        hits++;
        req.resume();
        res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'GW_ERR_PEER_UNKNOWN', message: 'no', details: [] }));
      },
    );
    await new Promise<void>((r) => fake.listen(cfg.listen.peer.port, '127.0.0.1', () => r()));
    try {
      const p = packet(9);
      expect((await sh.client.call('POST', '/v1/packets', p)).status).toBe(202);
      const dead = await waitFor(async () => {
        const s = await status(p.id as string);
        return s.status === 'dead' ? s : undefined;
      });
      expect(dead.lastError).toBe('GW_ERR_DELIVERY_REMOTE_REJECTED');
      await new Promise((r) => setTimeout(r, 1000));
      expect(hits).toBe(1);
    } finally {
      await new Promise<void>((r) => fake.close(() => r()));
    }
  });
});
