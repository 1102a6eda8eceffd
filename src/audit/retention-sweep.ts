import { groupLogFiles, listDir, shanghaiDay } from './files.js';
import type { ExchangeLog } from './types.js';

const DAY_MS = 24 * 3600_000;

/** The stored fields the sweep reads and logs (a `PacketRecord` of the queue store fits). */
export interface ExpiringRecord {
  readonly id: string;
  readonly direction: 'out' | 'in';
  readonly type: string;
  readonly caseId: string;
  readonly fromOffice: string;
  readonly toOffice: string;
  readonly status: string;
  readonly createdAt: string;
  readonly digest: string;
}

/** What the sweep needs from the packet store (the queue's `PacketStore` implements it). */
export interface RetentionStore {
  /** Ids of records created before `beforeMs`, oldest first, at most `limit`. */
  createdBefore(beforeMs: number, limit: number): Promise<string[]>;
  get(id: string): Promise<ExpiringRecord | undefined>;
  /** Deletes the record (packet, envelope, receipts) and its history; true when it existed. */
  expire(id: string): Promise<boolean>;
  /** Looks at a record again as if it had been created at `asOfMs`. */
  postpone(id: string, asOfMs: number): Promise<void>;
  /** One sweeper at a time across a node's instances: true while `owner` holds the lease. */
  lease(owner: string, ttlMs: number): Promise<boolean>;
}

/** Options of {@link startRetentionSweep}. */
export interface RetentionSweepOptions {
  readonly store: RetentionStore;
  readonly log: ExchangeLog;
  /** Days envelopes and receipts are kept after a packet was stored; 0 keeps them forever. */
  readonly retentionDays: number;
  /** Exchange-log folder, only to report daily files older than the retention. */
  readonly logDir?: string;
  /** Lease owner, e.g. the instance id. */
  readonly owner: string;
  /** Default one hour; the first run comes after `min(everyMs, 60 s)`. */
  readonly everyMs?: number;
  /** Records looked at per run, default 500: a sweep never holds up the node for long. */
  readonly batch?: number;
  /** Told the daily log files older than the retention, once per run (they are never deleted). */
  readonly onOldLogFiles?: (files: readonly string[]) => void;
  readonly now?: () => Date;
}

/** A running sweep. */
export interface RetentionSweep {
  /** One bounded run now; resolves with the number of records expired. */
  runOnce(): Promise<number>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * A record is only expired once nothing is left to do with it: delivered (out: the receiver's
 * receipt verified), pulled and acknowledged, pushed, dead or dropped by an administrator. A packet still waiting in an inbox
 * or a queue is looked at again a day later.
 */
function isFinal(r: ExpiringRecord): boolean {
  if (r.status === 'dead' || r.status === 'dropped' || r.status === 'acked' || r.status === 'pushed')
    return true;
  return r.direction === 'out' && r.status === 'delivered';
}

/**
 * Removes packet records (canonical packet, sealed envelope, receipts) from the store once they
 * are older than `retentionDays`, logging each expiry in the exchange log *before* deleting: a
 * crash in between leaves the record to be expired (and logged) again, never an unlogged gap.
 * Exchange-log files are not deleted: the verifier needs the whole chain, and whether to archive
 * them is the auditors' decision; the sweep only reports the ones past the retention.
 */
export function startRetentionSweep(opts: RetentionSweepOptions): RetentionSweep {
  const now = opts.now ?? (() => new Date());
  const everyMs = opts.everyMs ?? 3600_000;
  const batch = opts.batch ?? 500;
  let running: Promise<number> | undefined;
  let stopped = false;

  const sweep = async (): Promise<number> => {
    if (opts.retentionDays <= 0 || !opts.log.healthy) return 0;
    const cutoff = now().getTime() - opts.retentionDays * DAY_MS;
    if (opts.logDir && opts.onOldLogFiles) {
      const day = shanghaiDay(new Date(cutoff));
      const old = groupLogFiles(await listDir(opts.logDir)).flatMap((g) =>
        g.files.filter((f) => f.day < day).map((f) => f.name),
      );
      if (old.length > 0) opts.onOldLogFiles(old);
    }
    // The lease outlives a slow run rather than letting a second instance log the same expiries.
    if (!(await opts.store.lease(opts.owner, Math.max(everyMs, 60_000)))) return 0;
    let expired = 0;
    for (const id of await opts.store.createdBefore(cutoff, batch)) {
      if (stopped) break;
      const r = await opts.store.get(id);
      if (!r) {
        await opts.store.expire(id); // a stale index entry
        continue;
      }
      if (!isFinal(r)) {
        await opts.store.postpone(id, cutoff + DAY_MS);
        continue;
      }
      await opts.log.record({
        event: 'expired',
        packetId: r.id,
        caseId: r.caseId,
        type: r.type,
        from: r.fromOffice,
        to: r.toOffice,
        actor: 'retention',
        outcome: 'ok',
        detail: {
          direction: r.direction,
          status: r.status,
          createdAt: r.createdAt,
          digest: r.digest,
          retentionDays: opts.retentionDays,
          removed: 'packet, envelope, receipts, history',
        },
      });
      if (await opts.store.expire(id)) expired++;
    }
    return expired;
  };

  const runOnce = (): Promise<number> => {
    running ??= sweep().finally(() => {
      running = undefined;
    });
    return running;
  };
  const tick = (): void => {
    if (!stopped) void runOnce().catch(() => undefined); // retried at the next tick
  };
  const first = setTimeout(tick, Math.min(everyMs, 60_000));
  const timer = setInterval(tick, everyMs);
  first.unref();
  timer.unref();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
