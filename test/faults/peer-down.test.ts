import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultNet } from './helpers/fault-net.js';
import { runScenario } from './helpers/stream.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('fault: the receiving gateway goes down during a stream and comes back', () => {
  let net: FaultNet;

  beforeAll(async () => {
    net = await FaultNet.create({ name: 'peer-down' });
    await net.startAll();
  }, 240_000);
  afterAll(async () => {
    await net?.close();
  });

  it('kill -9 the peer, 5 s down, restart: acknowledged = delivered, duplicated = 0', async () => {
    const t = await runScenario(net, {
      scenario: 'kill -9 receiver, back after 5 s',
      packets: 250,
      faultAfter: 60,
      fault: async () => {
        await net.receiver.kill('SIGKILL');
        await sleep(5000);
        await net.receiver.start();
      },
      notes: () => `receiver started ${net.receiver.starts}×`,
    });
    expect(t.undelivered).toEqual([]);
    expect(t.duplicates).toEqual([]);
    expect(t.acknowledged).toBe(t.sent);
    expect(t.delivered).toBe(t.acknowledged);
    expect(t.duplicated).toBe(0);
  }, 120_000);
});
