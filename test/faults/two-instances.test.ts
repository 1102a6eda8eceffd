import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultNet } from './helpers/fault-net.js';
import { runScenario } from './helpers/stream.js';

/**
 * 上海 runs two instances of one node (same config but node.instanceId and ports, same Redis
 * prefix) behind a "load balancer": the client alternates between them and, when one does not
 * answer, resubmits the same packet to the other. One instance is killed under load and stays
 * down; the other takes over its queued and in-flight deliveries.
 */
describe('fault: kill one of two instances of the sending node under load', () => {
  let net: FaultNet;

  beforeAll(async () => {
    net = await FaultNet.create({ name: 'two-instances', senderInstances: 1 });
    await net.startAll();
  }, 240_000);
  afterAll(async () => {
    await net?.close();
  });

  it('acknowledged = delivered, duplicated = 0, and both instances delivered', async () => {
    const [a, b] = net.senders;
    const clients = [net.client(a!), net.client(b!)];
    const t = await runScenario(net, {
      scenario: 'kill -9 one of two sender instances',
      packets: 300,
      // Round robin, and the next submission of a packet goes to the other instance.
      pick: (index, attempt) => clients[(index + attempt) % 2]!,
      faultAfter: 100,
      fault: () => a!.kill('SIGKILL'),
    });
    expect(t.undelivered).toEqual([]);
    expect(t.duplicates).toEqual([]);
    expect(t.acknowledged).toBe(t.sent);
    expect(t.delivered).toBe(t.acknowledged);
    expect(t.duplicated).toBe(0);
    // Both instances worked the shared queue: each chain of the exchange log has 'sent' entries.
    const sentBy = net.logEventsByInstance('310000', 'sent');
    expect(sentBy.get('i1') ?? 0).toBeGreaterThan(0);
    expect(sentBy.get('i2') ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
