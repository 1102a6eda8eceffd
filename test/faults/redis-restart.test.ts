import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultNet } from './helpers/fault-net.js';
import { runScenario } from './helpers/stream.js';

/**
 * Both gateways share one private redis-server (AOF on). An orderly restart writes the AOF out;
 * a crash (SIGKILL) loses nothing acknowledged only under `appendfsync always`, which is what
 * the second case runs with: with the default `everysec`, up to a second of acknowledged writes
 * can go with a crashed Redis (see README, Redis durability).
 */
describe('fault: restart Redis (AOF) during a stream of packets', () => {
  let net: FaultNet;

  beforeAll(async () => {
    net = await FaultNet.create({ name: 'redis-restart' });
    await net.startAll();
  }, 240_000);
  afterAll(async () => {
    await net?.close();
  });

  const check = (t: Awaited<ReturnType<typeof runScenario>>): void => {
    expect(t.undelivered).toEqual([]);
    expect(t.duplicates).toEqual([]);
    expect(t.acknowledged).toBe(t.sent);
    expect(t.delivered).toBe(t.acknowledged);
    expect(t.duplicated).toBe(0);
  };

  it('orderly restart (SIGTERM, down 1.5 s): acknowledged = delivered, duplicated = 0', async () => {
    check(
      await runScenario(net, {
        scenario: 'Redis SIGTERM restart (AOF everysec)',
        packets: 200,
        faultAfter: 60,
        fault: () => net.restartRedis('SIGTERM', 1500),
      }),
    );
  }, 120_000);

  it('crash (SIGKILL, down 1.5 s) with appendfsync always: acknowledged = delivered, duplicated = 0', async () => {
    await net.setAppendFsync('always');
    check(
      await runScenario(net, {
        scenario: 'Redis kill -9 (AOF always)',
        packets: 200,
        faultAfter: 60,
        fault: () => net.restartRedis('SIGKILL', 1500),
      }),
    );
  }, 120_000);
});
