import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startDevNetwork, type DevNode } from '../../src/demo/index.js';
import { createNode, type GatewayNode } from '../../src/node/index.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { samplePacket } from '../helpers/sample-packet.js';
import { waitFor } from '../helpers/wait.js';

function alerts(auditDir: string): Array<{ alert: string; peer?: string }> {
  return readdirSync(auditDir)
    .filter((f) => f.startsWith('exchange-310000-i1-') && f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(auditDir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as { event: string; detail?: { alert: string; peer?: string } })
    .filter((e) => e.event === 'alert' && e.detail?.alert?.startsWith('peer-circuit'))
    .map((e) => e.detail!);
}

describe('circuit breaker per peer', () => {
  let dir: string;
  let prefix: string;
  let net: Awaited<ReturnType<typeof startDevNetwork>>;
  let sh: DevNode;
  let zj: GatewayNode | undefined;
  let queue: Queue;
  let conn: Redis;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-breaker-'));
    prefix = testPrefix('breaker');
    const retry = {
      attempts: 30,
      backoffMs: 100,
      jitter: 0,
      breaker: { failures: 3, coolDownMs: 700, maxCoolDownMs: 1500 },
    } as { attempts: number };
    net = await startDevNetwork({
      dir,
      members: ['310000', '320000', '330000'],
      redisUrl: REDIS_URL,
      prefix,
      retry,
    });
    sh = net.nodes.get('310000')!;
    conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue('out-330000', { connection: conn, prefix: `${prefix}:310000:bull` });
  });
  afterAll(async () => {
    await queue?.close();
    conn?.disconnect();
    await zj?.close();
    await net?.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  const status = async (id: string): Promise<string> =>
    (await sh.client.call('GET', `/v1/packets/${id}`)).json.status as string;
  const readyz = async (): Promise<{
    details: { peers: Record<string, { breaker: string; reachable: boolean }> };
  }> =>
    (await (await fetch(`${sh.urls.admin}/readyz`)).json()) as {
      details: { peers: Record<string, { breaker: string; reachable: boolean }> };
    };

  it("pauses a down peer's queue as a whole, leaves other peers alone, probes, and resumes when it is back", async () => {
    await net.nodes.get('330000')!.node.close();
    const toZj = [1, 2, 3, 4].map((n) => samplePacket('c', n));
    const toJs = [5, 6].map((n) => samplePacket('c', n, '320000'));
    for (const p of toZj) expect((await sh.client.call('POST', '/v1/packets', p)).status).toBe(202);

    await waitFor(
      async () => ((await readyz()).details.peers['330000']?.breaker === 'open' ? true : undefined),
      10_000,
    );
    expect(await queue.isPaused()).toBe(true);
    expect((await readyz()).details.peers['320000']).toEqual({ breaker: 'closed', reachable: true });

    // While open, packets for 江苏 still flow.
    for (const p of toJs) {
      const r = await sh.client.call('POST', '/v1/packets', p);
      expect(r.status, JSON.stringify(r.json)).toBe(202);
    }
    for (const p of toJs)
      await waitFor(async () => ((await status(p.id)) === 'delivered' ? true : undefined));

    // Nothing hammers 浙江 meanwhile: no attempts are spent while the queue is paused.
    const attempts = async (): Promise<number> => {
      let sum = 0;
      for (const p of toZj) sum += (await queue.getJob(p.id))?.attemptsMade ?? 0;
      return sum;
    };
    const before = await attempts();
    await new Promise((r) => setTimeout(r, 1500)); // two probes fail in this time
    expect(await attempts()).toBe(before);
    expect(await queue.isPaused()).toBe(true);
    for (const p of toZj) expect(await status(p.id)).not.toBe('delivered');

    zj = await createNode(loadConfig(net.nodes.get('330000')!.configPath));
    await zj.listen();
    for (const p of toZj)
      await waitFor(async () => ((await status(p.id)) === 'delivered' ? true : undefined), 15_000);
    await waitFor(async () =>
      (await readyz()).details.peers['330000']?.breaker === 'closed' ? true : undefined,
    );
    expect(await queue.isPaused()).toBe(false);

    const seen = alerts(join(dir, 'data', '310000', 'audit'));
    expect(seen).toEqual([
      expect.objectContaining({ alert: 'peer-circuit-open', peer: '330000' }),
      expect.objectContaining({ alert: 'peer-circuit-closed', peer: '330000' }),
    ]);
    const inbox = await zj.ctx.store.inbox('population', 100);
    expect(inbox.filter((id) => toZj.some((p) => p.id === id)).length).toBe(toZj.length);
  });
});
