import { mkdir } from 'node:fs/promises';
import { GatewayError } from '../errors.js';
import { GENESIS_HASH, sealEntry } from './canonical.js';
import { buildCheckpointDetail, writeAnchor } from './checkpoint.js';
import { toEventFields } from './event-input.js';
import type { EventFields } from './event-input.js';
import { DailyFileWriter } from './daily-writer.js';
import { GroupCommit } from './group-commit.js';
import { INSTANCE_PATTERN, MEMBER_PATTERN, shanghaiDay, shanghaiIso } from './files.js';
import { findDiskHead } from './tail.js';
import type { CutTail } from './tail.js';
import type { ExchangeEvent, ExchangeLog, ExchangeLogOptions, LogEntry } from './types.js';

interface Pending {
  entry: LogEntry;
  line: Buffer;
  day: string;
  /** Written by the log itself (alerts, checkpoints), not refused to a caller. */
  internal: boolean;
}

function unavailable(cause: unknown, message?: string): GatewayError {
  if (cause instanceof GatewayError && cause.code === 'GW_ERR_AUDIT_UNAVAILABLE') return cause;
  const errno = (cause as NodeJS.ErrnoException | undefined)?.code;
  return new GatewayError(
    'GW_ERR_AUDIT_UNAVAILABLE',
    message ?? `The exchange log cannot be written${errno ? ` (${errno})` : ''}; nothing was accepted`,
    [],
    { cause },
  );
}

/**
 * The exchange log of one instance: one hash chain over daily JSON-lines files, with group
 * commit. `record` builds, numbers and hashes the entry synchronously (so the chain follows call
 * order), queues its line, and resolves once a write+fdatasync covering it has completed. While
 * one batch is being synced, new lines accumulate and go out together in the next one, so N
 * concurrent callers cost about one fsync rather than N.
 */
class FileExchangeLog implements ExchangeLog {
  private readonly now: () => Date;
  private readonly everyEntries: number;
  private readonly everyMs: number;
  private readonly retryAfterMs: number;

  private state: 'open' | 'failed' = 'failed';
  private closing: Promise<void> | null = null;
  /** Seq and hash given to the last built entry (may be ahead of what is on disk). */
  private nextSeq = 1;
  private headHash = GENESIS_HASH;
  private lastDay = '';
  /** Last entry known to be on disk. */
  private durable = { seq: 0, hash: GENESIS_HASH };
  private readonly writer: DailyFileWriter;
  private readonly commits: GroupCommit<Pending>;
  private readonly counters = { written: 0, syncs: 0 };
  private refusedTotal = 0;

  private failedAt = 0;
  private failedSince: string | undefined;
  private lastError: unknown;
  private refused = 0;
  private recovering: Promise<void> | null = null;
  /** Bumped on every failure: a checkpoint signed before a failure may cover entries never written. */
  private epoch = 0;

  private sinceCheckpoint = 0;
  private lastCheckpointSeq = 0;
  private checkpointing: Promise<LogEntry | null> | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ExchangeLogOptions) {
    this.now = opts.now ?? (() => new Date());
    this.everyEntries = opts.checkpoint?.everyEntries ?? 1000;
    this.everyMs = opts.checkpoint?.everyMs ?? 60_000;
    this.retryAfterMs = opts.retryAfterMs ?? 1000;
    this.writer = new DailyFileWriter(opts.dir, opts.member, opts.instanceId);
    this.commits = new GroupCommit<Pending>({
      keyOf: (p) => p.day,
      write: async (run) => {
        await this.writer.append(run[0]!.day, Buffer.concat(run.map((p) => p.line)));
        const last = run[run.length - 1]!.entry;
        this.durable = { seq: last.seq, hash: last.hash };
        this.counters.written += run.length;
        this.counters.syncs++;
      },
      writable: () => this.state === 'open',
      failed: (err) => this.markFailed(err),
      rejection: () => unavailable(this.lastError),
      refused: (p) => {
        if (p.internal) return;
        this.refused++;
        this.refusedTotal++;
      },
    });
  }

  get healthy(): boolean {
    return this.state === 'open' && this.closing === null;
  }

  get head(): { seq: number; hash: string } {
    return { ...this.durable };
  }

  get stats(): { written: number; syncs: number; refused: number } {
    return { ...this.counters, refused: this.refusedTotal };
  }

  /** First establishment; I/O problems leave the log unhealthy, a corrupt chain head throws. */
  async start(): Promise<void> {
    try {
      await Promise.allSettled(await this.establish());
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      this.markFailed(err);
    }
    if (this.everyMs > 0) {
      this.timer = setInterval(() => {
        if (this.sinceCheckpoint > 0 && !this.checkpointing && this.healthy)
          void this.checkpoint().catch(() => {});
      }, this.everyMs);
      this.timer.unref();
    }
  }

  async record(e: ExchangeEvent): Promise<LogEntry> {
    if (this.closing) throw unavailable(undefined, 'The exchange log is closed; nothing was accepted');
    if (this.state === 'failed') {
      if (!this.recovering && Date.now() - this.failedAt >= this.retryAfterMs)
        this.recovering = this.recover();
      if (this.recovering) await this.recovering;
      if (!this.healthy) {
        this.refused++;
        this.refusedTotal++;
        throw unavailable(this.lastError);
      }
    }
    return this.append(toEventFields(e, this.opts.secret, this.opts.hash), false);
  }

  checkpoint(): Promise<LogEntry | null> {
    const run = (this.checkpointing ?? Promise.resolve(null))
      .catch(() => null)
      .then(() => this.writeCheckpoint());
    this.checkpointing = run;
    void run
      .finally(() => {
        if (this.checkpointing === run) this.checkpointing = null;
      })
      .catch(() => {});
    return run;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      await this.recovering; // a retry in progress may still queue its alerts
      await this.checkpointing?.catch(() => null);
      let finalError: unknown;
      if (this.state === 'open') await this.checkpoint().catch((err: unknown) => (finalError = err));
      await this.commits.drain();
      await this.writer.close().catch(() => {});
      if (finalError !== undefined) {
        throw unavailable(finalError, 'The final checkpoint of the exchange log could not be written');
      }
    })();
    return this.closing;
  }

  /**
   * Makes the log writable: on first start, finds the head on disk (cutting a torn last line);
   * after a failure, cuts the current file back to what was acknowledged. Returns the alert
   * entries it queued so that an auditor sees every cut and every refusal period in the chain.
   */
  private async establish(): Promise<Array<Promise<LogEntry>>> {
    const { dir, member, instanceId, hash } = this.opts;
    await mkdir(dir, { recursive: true });
    const cuts: CutTail[] = [];
    // After a failure we know what was acknowledged; on first start only a partial line is cut.
    const cutReason = this.writer.knowsDurableSize ? 'unacknowledged-tail-cut' : 'torn-tail-cut';
    if (this.writer.knowsDurableSize) {
      const cut = await this.writer.cutBack(hash);
      if (cut) cuts.push(cut);
    } else {
      const head = await findDiskHead(dir, member, instanceId, hash);
      this.durable = { seq: head.seq, hash: head.hash };
      if (head.lastDay && head.lastDay > this.lastDay) this.lastDay = head.lastDay;
      cuts.push(...head.cuts);
    }
    this.nextSeq = this.durable.seq + 1;
    this.headHash = this.durable.hash;
    this.state = 'open';
    const alerts: Array<Promise<LogEntry>> = [];
    const actor = `audit:${instanceId}`;
    const since = this.failedSince;
    if (since !== undefined) {
      const errno = (this.lastError as NodeJS.ErrnoException | undefined)?.code;
      const refused = this.refused;
      const alert = this.append({
        event: 'alert',
        actor,
        outcome: 'error',
        code: 'GW_ERR_AUDIT_UNAVAILABLE',
        detail: {
          reason: 'log-unwritable',
          since,
          until: shanghaiIso(this.now()),
          refusedRecords: refused,
          ...(typeof errno === 'string' ? { error: errno } : {}),
        },
      });
      // The failure period is forgotten only once its alert is on disk; if the retry fails too,
      // the next alert still starts at the first refusal.
      alert.then(
        () => {
          if (this.failedSince === since) this.failedSince = undefined;
          this.refused -= refused;
        },
        () => {},
      );
      alerts.push(alert);
    }
    for (const cut of cuts) {
      alerts.push(
        this.append({ event: 'alert', actor, outcome: 'error', detail: { reason: cutReason, ...cut } }),
      );
    }
    for (const a of alerts) a.catch(() => {});
    return alerts;
  }

  private recover(): Promise<void> {
    return (async () => {
      try {
        await this.establish();
      } catch (err) {
        this.markFailed(err);
      }
    })().finally(() => {
      this.recovering = null;
    });
  }

  /** Builds, numbers and hashes an entry now; resolves when it is on disk. */
  private append(fields: EventFields, internal = true): Promise<LogEntry> {
    const t = this.now();
    const day = shanghaiDay(t) > this.lastDay ? shanghaiDay(t) : this.lastDay; // never rotate backwards
    this.lastDay = day;
    const body: Omit<LogEntry, 'hash'> = {
      v: 1,
      seq: this.nextSeq,
      time: shanghaiIso(t),
      instance: this.opts.instanceId,
      member: this.opts.member,
      alg: this.opts.hash,
      ...fields,
      prev: this.headHash,
    };
    const { entry, line } = sealEntry(body);
    this.nextSeq++;
    this.headHash = entry.hash;
    if (entry.event === 'checkpoint') this.lastCheckpointSeq = entry.seq;
    else this.sinceCheckpoint++;
    const done = this.commits.push({ entry, line, day, internal }).then(() => entry);
    if (this.everyEntries > 0 && this.sinceCheckpoint >= this.everyEntries && !this.checkpointing)
      void this.checkpoint().catch(() => {});
    return done;
  }

  /**
   * After a failed write or fsync the log refuses records until a retry cuts the file back to
   * its last acknowledged size (see `DailyFileWriter.abandon`); the chain in memory goes back to
   * the last durable entry, since everything after it was rejected.
   */
  private markFailed(err: unknown): void {
    this.state = 'failed';
    this.failedAt = Date.now();
    this.failedSince ??= shanghaiIso(this.now());
    this.lastError = err;
    this.epoch++;
    this.nextSeq = this.durable.seq + 1;
    this.headHash = this.durable.hash;
    if (this.lastCheckpointSeq > this.durable.seq) this.lastCheckpointSeq = 0;
    this.writer.abandon();
  }

  /** Signs (seq, hash) of the current head and appends the checkpoint entry, then the anchor. */
  private async writeCheckpoint(): Promise<LogEntry | null> {
    const seq = this.nextSeq - 1;
    if (this.state !== 'open' || seq === 0 || seq === this.lastCheckpointSeq) return null;
    const { instanceId: instance, member, hash: alg, checkpoint: signing } = this.opts;
    const epoch = this.epoch;
    const facts = { instance, member, seq, hash: this.headHash, time: shanghaiIso(this.now()), alg };
    this.sinceCheckpoint = 0;
    const detail = await buildCheckpointDetail(facts, signing).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      const detail = { reason: 'checkpoint-signer-failed', message: message.slice(0, 200) };
      void this.append({ event: 'alert', actor: `audit:${instance}`, outcome: 'error', detail }).catch(
        () => {},
      );
      throw err;
    });
    if (this.state !== 'open' || epoch !== this.epoch) return null;
    const entry = await this.append({
      event: 'checkpoint',
      actor: `audit:${instance}`,
      outcome: 'ok',
      detail,
    });
    try {
      await writeAnchor(this.opts.dir, instance, entry);
    } catch (err) {
      const errno = (err as NodeJS.ErrnoException).code ?? 'unknown';
      void this.append({
        event: 'alert',
        actor: `audit:${instance}`,
        outcome: 'error',
        detail: { reason: 'anchor-write-failed', error: errno },
      }).catch(() => {});
    }
    return entry;
  }
}

/**
 * Opens (or creates) the exchange log of one instance and continues its chain from the last
 * entry on disk. Throws `GW_ERR_CONFIG_INVALID` for bad options and `GW_ERR_AUDIT_UNAVAILABLE`
 * when the last entry on disk does not verify. An unwritable directory does not throw: the log
 * opens unhealthy and `record` rejects with `GW_ERR_AUDIT_UNAVAILABLE` (and retries later).
 */
export async function openExchangeLog(opts: ExchangeLogOptions): Promise<ExchangeLog> {
  if (!MEMBER_PATTERN.test(opts.member))
    throw new GatewayError('GW_ERR_CONFIG_INVALID', 'audit: bad member code');
  if (!INSTANCE_PATTERN.test(opts.instanceId)) {
    throw new GatewayError(
      'GW_ERR_CONFIG_INVALID',
      'audit: instance id may only hold letters, digits, ., _ and -',
    );
  }
  if (opts.hash !== 'sm3' && opts.hash !== 'sha256')
    throw new GatewayError('GW_ERR_CONFIG_INVALID', 'audit: bad hash');
  if (!Buffer.isBuffer(opts.secret) || opts.secret.length < 16) {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', 'audit: the node secret must be at least 16 bytes');
  }
  const log = new FileExchangeLog(opts);
  await log.start();
  return log;
}
