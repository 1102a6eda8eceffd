import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { FAULT_RETRY, FaultNet, RECEIVER } from './helpers/fault-net.js';
import { faultPackets, submitStream, tally, waitDrained } from './helpers/stream.js';

/**
 * The peer hangs (takes the request, never answers), so deliveries stay in progress; the
 * sending node is killed twice while they are. Each crash leaves the jobs stalled, and BullMQ
 * by default fails a job the second time it stalls ("job stalled more than allowable limit")
 * without running it: the packet was acknowledged and then silently never delivered.
 */
describe('fault: the sending node crashes twice while a hung peer holds its deliveries', () => {
  let net: FaultNet;
  let blackHole: Server | undefined;
  const hung: ServerResponse[] = [];
  let requests = 0;

  beforeAll(async () => {
    // Requests wait a minute for an answer (they must still be in progress when the node dies);
    // no breaker, since hung requests never fail.
    net = await FaultNet.create({
      name: 'repeated-crash',
      retry: { ...FAULT_RETRY, requestTimeoutMs: 60_000, breaker: { failures: 0 } },
    });
    const pki = (f: string): Buffer => readFileSync(join(net.pkiDir, RECEIVER, f));
    blackHole = createServer(
      {
        cert: pki('node-tls.crt'),
        key: pki('node-tls.key'),
        ca: readFileSync(join(net.pkiDir, 'root-ca.crt')),
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        requests += 1;
        req.resume();
        hung.push(res);
      },
    );
    await new Promise<void>((r) => blackHole!.listen(net.receiver.ports.peer, '127.0.0.1', () => r()));
    await net.senders[0]!.start();
  }, 240_000);
  afterAll(async () => {
    blackHole?.closeAllConnections();
    blackHole?.close();
    await net?.close();
  });

  it('every packet is still delivered once the peer answers: acknowledged = delivered, duplicated = 0', async () => {
    const sender = net.senders[0]!;
    const client = net.client(sender);
    const n = 6; // fewer than the worker's concurrency, so all are in progress at once
    const result = await submitStream({ packets: faultPackets(n), pick: () => client, concurrency: n });
    expect(result.acked.size).toBe(n);
    await waitFor(async () => (requests >= n ? true : undefined), 20_000);

    for (let crash = 1; crash <= 2; crash++) {
      const before = requests;
      await sender.kill('SIGKILL');
      await sender.start();
      // The restarted node takes the stalled deliveries over (takeoverMs 2 s: within ~6 s) and
      // sends them again, into the same hole. After the second crash, the default BullMQ
      // policy would fail them instead.
      const retaken = await waitFor(async () => (requests >= before + n ? true : undefined), 20_000).catch(
        () => false,
      );
      if (crash === 2) expect(retaken, 'deliveries taken over after the second crash').toBe(true);
    }

    // The peer comes back for real.
    for (const res of hung) res.destroy();
    blackHole!.closeAllConnections();
    await new Promise<void>((r) => blackHole!.close(() => r()));
    blackHole = undefined;
    await net.receiver.start();
    const drain = await waitDrained(net, result.acked, 45_000);
    const t = await tally(
      net,
      'sender killed twice while the peer hangs',
      result,
      drain,
      `peer saw ${requests} requests`,
    );
    expect(t.undelivered).toEqual([]);
    expect(t.duplicates).toEqual([]);
    expect(t.delivered).toBe(t.acknowledged);
    expect(t.duplicated).toBe(0);
  }, 150_000);
});
