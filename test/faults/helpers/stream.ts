import { appendFileSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiClient } from '../../../src/demo/index.js';
import { RECEIVER, type FaultNet } from './fault-net.js';

const SAMPLE = join(import.meta.dirname, '../../../samples/newborn-application.yangtze.json');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `n` distinct applications (id, case id and 出生医学证明 number differ), same route 上海 → 浙江. */
export function faultPackets(n: number): Array<Record<string, unknown>> {
  const base = JSON.parse(readFileSync(SAMPLE, 'utf8')) as Record<string, unknown> & {
    payload: { newborn: Record<string, unknown> };
  };
  const tag = randomBytes(4).toString('hex');
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) {
    const p = structuredClone(base);
    p.id = `${tag}-0000-4000-8000-${String(i).padStart(12, '0')}`;
    p.caseId = `310110-20261123-f${tag}${String(i).padStart(5, '0')}`;
    p.payload.newborn.birthCertificateNo = `Q${String(i).padStart(9, '0')}`;
    out.push(p);
  }
  return out;
}

/** What a stream of submissions gave. */
export interface StreamResult {
  readonly sent: Set<string>;
  readonly acked: Set<string>;
  /** Submissions in all (first tries and resubmissions of the same id). */
  readonly attempts: number;
  /** Packets that needed more than one submission (no answer, 503, node down). */
  readonly resubmitted: number;
  /** Non-202 answers and network errors seen by the client, by status/code. */
  readonly refusals: Record<string, number>;
  readonly ms: number;
}

/** Options of {@link submitStream}. */
export interface StreamOptions {
  readonly packets: ReadonlyArray<Record<string, unknown>>;
  /** The client for a packet's n-th submission (several instances: a load balancer's choice). */
  readonly pick: (index: number, attempt: number) => ApiClient;
  readonly concurrency: number;
  /** The fault: run once (in the background) when this many packets are acknowledged. */
  readonly fault?: { readonly afterAcked: number; readonly run: () => Promise<void> };
  /** Resubmit a packet until a 202 or until this long has passed. */
  readonly perPacketMs?: number;
}

/**
 * Submit packets like a well-behaved local system: each packet is resubmitted with the same id
 * (the idempotency key) until it gets a 202, as after a lost answer, a 503 or a node restart,
 * so "sent" and "acknowledged" can only differ when the gateway refuses for good.
 */
export async function submitStream(opts: StreamOptions): Promise<StreamResult> {
  const started = Date.now();
  const sent = new Set<string>();
  const acked = new Set<string>();
  const refusals: Record<string, number> = {};
  let attempts = 0;
  let resubmitted = 0;
  let next = 0;
  let fault: Promise<void> | undefined;
  const perPacketMs = opts.perPacketMs ?? 60_000;

  const one = async (index: number): Promise<void> => {
    const p = opts.packets[index]!;
    const id = p.id as string;
    sent.add(id);
    const until = Date.now() + perPacketMs;
    for (let attempt = 0; Date.now() < until; attempt++) {
      attempts += 1;
      if (attempt === 1) resubmitted += 1;
      let key: string;
      try {
        const r = await opts.pick(index, attempt).call('POST', '/v1/packets', p);
        if (r.status === 202) {
          acked.add(id);
          if (opts.fault && !fault && acked.size >= opts.fault.afterAcked) fault = opts.fault.run();
          return;
        }
        key = `${r.status} ${String(r.json.code ?? '')}`;
        // A refusal that is not transient will not change on resubmission.
        if (r.status !== 503 && r.status !== 429 && r.status !== 408 && r.status < 500) {
          refusals[key] = (refusals[key] ?? 0) + 1;
          return;
        }
      } catch (err) {
        key = `network ${(err as NodeJS.ErrnoException).code ?? (err as Error).message.slice(0, 40)}`;
      }
      refusals[key] = (refusals[key] ?? 0) + 1;
      await sleep(150 + Math.random() * 150);
    }
  };

  const workers = Array.from({ length: opts.concurrency }, async () => {
    while (next < opts.packets.length) await one(next++);
  });
  await Promise.all(workers);
  await fault;
  return { sent, acked, attempts, resubmitted, refusals, ms: Date.now() - started };
}

/**
 * Wait (bounded) until every acknowledged packet is in the receiver's inbox and the sender holds
 * the receiver's verified delivery receipt for it. Returns how long that took.
 */
export async function waitDrained(
  net: FaultNet,
  acked: ReadonlySet<string>,
  timeoutMs: number,
): Promise<{ ms: number; drained: boolean }> {
  const started = Date.now();
  const ids = [...acked];
  while (Date.now() - started < timeoutMs) {
    try {
      const inbox = new Set(await net.receiverInbox());
      if (ids.every((id) => inbox.has(id))) {
        const statuses = await net.senderStatuses(ids);
        if (statuses.every((s) => s === 'delivered')) return { ms: Date.now() - started, drained: true };
      }
    } catch {
      // Redis restarting: ask again.
    }
    await sleep(500);
  }
  return { ms: Date.now() - started, drained: false };
}

/** One row of a fault test's report. */
export interface FaultFigures {
  readonly scenario: string;
  readonly sent: number;
  readonly acknowledged: number;
  readonly delivered: number;
  readonly duplicated: number;
  readonly resubmitted: number;
  readonly streamMs: number;
  readonly drainMs: number;
  readonly notes: string;
}

/**
 * Count what the receiver has: delivered = sent packets in its inbox; duplicated = packets its
 * exchange log shows as received more than once (a second delivery to the local system), plus
 * anything in the inbox that was never sent. Prints the row and appends it, as JSON, to
 * `$TMPDIR/tongban-fault-results.jsonl` (the README's figures come from there).
 */
export async function tally(
  net: FaultNet,
  scenario: string,
  s: StreamResult,
  drain: { ms: number },
  notes = '',
): Promise<FaultFigures & { undelivered: string[]; duplicates: string[] }> {
  const inbox = new Set(await net.receiverInbox());
  const received = net.logEvents(RECEIVER, 'received');
  const delivered = [...s.sent].filter((id) => inbox.has(id));
  const duplicates = [...received].filter(([, n]) => n > 1).map(([id]) => id);
  for (const id of s.sent) net.everSent.add(id);
  for (const id of inbox) if (!net.everSent.has(id)) duplicates.push(id);
  const row: FaultFigures = {
    scenario,
    sent: s.sent.size,
    acknowledged: s.acked.size,
    delivered: delivered.length,
    duplicated: duplicates.length,
    resubmitted: s.resubmitted,
    streamMs: s.ms,
    drainMs: drain.ms,
    notes: [
      notes,
      Object.entries(s.refusals)
        .map(([k, v]) => `${k}×${v}`)
        .join(' '),
    ]
      .filter(Boolean)
      .join('; '),
  };
  console.table([row]);
  appendFileSync(
    join(tmpdir(), 'tongban-fault-results.jsonl'),
    JSON.stringify({ at: new Date().toISOString(), ...row }) + '\n',
  );
  return { ...row, undelivered: [...s.acked].filter((id) => !inbox.has(id)), duplicates };
}

/** A scenario: a stream of packets with one fault injected, then drain and count. */
export interface ScenarioOptions {
  readonly scenario: string;
  readonly packets: number;
  readonly concurrency?: number;
  /** Client per packet and submission (default: the first sender instance). */
  readonly pick?: StreamOptions['pick'];
  /** Run the fault once this many packets are acknowledged. */
  readonly faultAfter: number;
  readonly fault: () => Promise<void>;
  /** Bound of the wait for every acknowledged packet to be delivered. */
  readonly drainMs?: number;
  readonly notes?: () => string;
}

/** Stream, inject the fault, wait for the drain (bounded) and tally. */
export async function runScenario(
  net: FaultNet,
  o: ScenarioOptions,
): Promise<Awaited<ReturnType<typeof tally>>> {
  const client = net.client(net.senders[0]!);
  const result = await submitStream({
    packets: faultPackets(o.packets),
    pick: o.pick ?? (() => client),
    concurrency: o.concurrency ?? 6,
    fault: { afterAcked: o.faultAfter, run: o.fault },
  });
  const drain = await waitDrained(net, result.acked, o.drainMs ?? 45_000);
  return tally(net, o.scenario, result, drain, o.notes?.() ?? '');
}
