import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultNet, SENDER } from './helpers/fault-net.js';
import { faultPackets, submitStream, tally, waitDrained } from './helpers/stream.js';

/**
 * Packets queued while the peer is down, past an hour of backlog, then drained.
 *
 * "An hour" is simulated by the count, not the clock: what matters to the queue is how many
 * packets wait, not how long they waited. The default, 1,200, is an hour of a province pair at a
 * peak of one application every three seconds (real 跨省 newborn traffic between two provinces
 * is tens a day); FAULT_BACKLOG=2000 runs the brief's figure (≈1 min alone on two cores, so not
 * the default). The per-peer breaker must pause the queue instead of letting every packet
 * hammer the dead peer on its own backoff, and resume it when a probe gets an answer.
 */
const COUNT = Number(process.env.FAULT_BACKLOG ?? 1200);

describe(`fault: a peer down while ${COUNT} packets queue for it, then back`, () => {
  let net: FaultNet;

  beforeAll(async () => {
    net = await FaultNet.create({ name: 'backlog' });
    await net.senders[0]!.start(); // the receiver stays down while the backlog builds
  }, 240_000);
  afterAll(async () => {
    await net?.close();
  });

  it('drains every packet once: acknowledged = delivered, duplicated = 0', async () => {
    const client = net.client(net.senders[0]!);
    const result = await submitStream({ packets: faultPackets(COUNT), pick: () => client, concurrency: 8 });
    expect(result.acked.size).toBe(COUNT);
    const statuses = await net.senderStatuses([...result.acked]);
    expect(statuses.filter((s) => s === 'delivered')).toEqual([]);
    // The breaker opened after a handful of failures: the dead peer saw few attempts, not thousands.
    const failedAttempts = [...net.logEvents(SENDER, 'retried').values()].reduce((a, b) => a + b, 0);
    expect(failedAttempts).toBeLessThan(COUNT / 20);

    const started = Date.now();
    await net.receiver.start();
    const drain = await waitDrained(net, result.acked, 120_000);
    const rate = Math.round((COUNT * 1000) / Math.max(1, Date.now() - started));
    const t = await tally(
      net,
      `peer down for a ${COUNT}-packet backlog, then up`,
      result,
      drain,
      `backlog built in ${result.ms} ms with ${failedAttempts} failed attempts; drained ${drain.ms} ms after the peer came back (${rate}/s)`,
    );
    expect(t.undelivered).toEqual([]);
    expect(t.duplicates).toEqual([]);
    expect(t.acknowledged).toBe(t.sent);
    expect(t.delivered).toBe(t.acknowledged);
    expect(t.duplicated).toBe(0);
  }, 240_000);
});
