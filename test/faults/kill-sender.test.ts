import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultNet } from './helpers/fault-net.js';
import { runScenario } from './helpers/stream.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('fault: kill -9 the sending gateway during a stream of packets, then restart it', () => {
  let net: FaultNet;

  beforeAll(async () => {
    net = await FaultNet.create({ name: 'kill-sender' });
    await net.startAll();
  }, 240_000);
  afterAll(async () => {
    await net?.close();
  });

  it('acknowledged = delivered, duplicated = 0', async () => {
    const sender = net.senders[0]!;
    const t = await runScenario(net, {
      scenario: 'kill -9 sender, restart after 1 s',
      packets: 300,
      faultAfter: 100,
      fault: async () => {
        await sender.kill('SIGKILL');
        await sleep(1000);
        await sender.start();
      },
      notes: () => `sender started ${sender.starts}×`,
    });
    expect(t.undelivered).toEqual([]);
    expect(t.duplicates).toEqual([]);
    expect(t.acknowledged).toBe(t.sent);
    expect(t.delivered).toBe(t.acknowledged);
    expect(t.duplicated).toBe(0);
  }, 120_000);
});
