import { Queue, UnrecoverableError, Worker, type Job, type JobType } from 'bullmq';
import type { Redis } from 'ioredis';
import { classifyDeliveryError, type DeliveryFailure } from './retry-policy.js';

/** Retry policy of the delivery queues. */
export interface RetryOptions {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** First backoff; doubles each attempt. */
  readonly backoffMs: number;
  /** Fraction of each delay drawn at random, so queued packets do not retry in lockstep. */
  readonly jitter: number;
  /**
   * Lock time of a job in progress (renewed while the instance lives) and the interval of the
   * stalled-job check. A job whose instance died is taken over after about 2–3× this. Default 30 s.
   */
  readonly takeoverMs?: number;
}

/** Instance crashes a delivery may go through before it is dead-lettered (see startWorker). */
const MAX_STALLS = 1000;

/** What the queues call back into. */
export interface QueueHandlers {
  deliverToPeer(packetId: string, attempt: number): Promise<void>;
  pushToSystem(packetId: string, attempt: number): Promise<void>;
  /** A failed attempt that will be retried. */
  onRetry(packetId: string, failure: DeliveryFailure, attempt: number, nextDelayMs: number | undefined, queueName?: string): Promise<void>;
  /** Given up: permanent failure, attempts exhausted or too old. The job stays in BullMQ's failed set (dead letters). */
  onDead(packetId: string, failure: DeliveryFailure, attempts: number, queueName?: string): Promise<void>;
}

/** Data of a delivery job: the packet id (the job id too). */
export interface JobData {
  readonly packetId: string;
}

/** What a queue tells its breaker (see `CircuitBreakers`). */
export interface BreakerHooks {
  success(queueName: string): Promise<void>;
  failure(queueName: string): Promise<void>;
}

/**
 * One BullMQ queue per peer and per push-mode system, so a slow or absent peer only delays its
 * own packets. Job id = packet id: adding the same packet twice is a no-op.
 */
export class DeliveryQueues {
  private readonly queues = new Map<string, Queue<JobData>>();
  private readonly workers = new Map<string, Worker<JobData>>();
  private breaker: BreakerHooks | undefined;
  private readonly retryOptions: () => RetryOptions;

  /** `retry` may be a getter, so that a config reload applies to packets queued afterwards. */
  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    retry: RetryOptions | (() => RetryOptions),
  ) {
    this.retryOptions = typeof retry === 'function' ? retry : () => retry;
  }

  /** Report delivery outcomes of peer queues to a circuit breaker. */
  setBreaker(breaker: BreakerHooks): void {
    this.breaker = breaker;
  }

  static peerQueueName(member: string): string {
    return `out-${member}`;
  }

  static systemQueueName(systemId: string): string {
    return `push-${systemId}`;
  }

  /** The BullMQ queue of that name (opened on first use). */
  queue(name: string): Queue<JobData> {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue<JobData>(name, { connection: this.connection, prefix: this.prefix });
      this.queues.set(name, q);
    }
    return q;
  }

  /** Add a packet to a queue. */
  async add(queueName: string, packetId: string): Promise<void> {
    const retry = this.retryOptions();
    await this.queue(queueName).add(
      'deliver',
      { packetId },
      {
        jobId: packetId,
        attempts: retry.attempts,
        backoff: { type: 'exponential', delay: retry.backoffMs, jitter: retry.jitter },
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: false,
      },
    );
  }

  /** Start a worker for a queue. */
  startWorker(queueName: string, kind: 'peer' | 'system', handlers: QueueHandlers, concurrency = 8): void {
    if (this.workers.has(queueName)) return;
    // Breaker reports are best effort: a delivery that succeeded must not fail because Redis
    // hiccuped while counting it.
    const report = (fn: ((q: string) => Promise<void>) | undefined): Promise<void> =>
      kind === 'peer' && fn ? fn(queueName).catch(() => undefined) : Promise.resolve();
    const worker = new Worker<JobData>(
      queueName,
      async (job: Job<JobData>) => {
        const attempt = job.attemptsMade + 1;
        try {
          if (kind === 'peer') await handlers.deliverToPeer(job.data.packetId, attempt);
          else await handlers.pushToSystem(job.data.packetId, attempt);
          await report(this.breaker?.success.bind(this.breaker));
        } catch (err) {
          const failure = classifyDeliveryError(err);
          // Only transient failures say the peer is away; a refusal (4xx) is an answer.
          if (!failure.permanent) await report(this.breaker?.failure.bind(this.breaker));
          else if (failure.status !== undefined) await report(this.breaker?.success.bind(this.breaker));
          const last = failure.permanent || attempt >= (job.opts.attempts ?? this.retryOptions().attempts);
          if (last) {
            await handlers.onDead(job.data.packetId, failure, attempt, queueName);
          } else {
            await handlers.onRetry(job.data.packetId, failure, attempt, undefined, queueName);
          }
          // UnrecoverableError tells BullMQ not to retry: a permanent failure never will succeed.
          if (failure.permanent) throw new UnrecoverableError(`${failure.code}: ${failure.message}`);
          throw failure;
        }
      },
      {
        connection: this.connection,
        prefix: this.prefix,
        concurrency,
        // A crashed instance holds its jobs until the lock lapses; then the stalled check hands them over.
        lockDuration: this.retryOptions().takeoverMs ?? 30_000,
        stalledInterval: this.retryOptions().takeoverMs ?? 30_000,
        // A stall means the instance running the job died, not that the packet is bad, and a
        // delivery is safe to repeat (the receiver dedupes by id). BullMQ's default of 1 failed
        // a job the second time an instance died under it, without running it: no onDead, the
        // record stuck in 'queued', an acknowledged packet never delivered. retry.maxAgeHours
        // bounds a packet that keeps crashing its node.
        maxStalledCount: MAX_STALLS,
      },
    );
    // Should the stall limit still be reached, the packet goes to dead letters like any other
    // failure, visible to `tongban queue ls` and alerted, instead of vanishing.
    worker.on('failed', (job, err) => {
      if (!job || !/stalled more than allowable limit/.test(err.message)) return;
      const failure = classifyDeliveryError(new Error(`delivery interrupted more than ${MAX_STALLS} times by instance crashes`));
      void handlers.onDead(job.data.packetId, failure, job.attemptsMade, queueName).catch(() => undefined);
    });
    worker.on('error', () => undefined); // connection errors surface through readiness, not crashes
    this.workers.set(queueName, worker);
  }

  /** Stop the worker of a queue (a peer or push system removed by a config reload); jobs stay. */
  async stopWorker(queueName: string): Promise<void> {
    const w = this.workers.get(queueName);
    this.workers.delete(queueName);
    await w?.close();
  }

  /** Names of the queues this instance runs workers for. */
  workerQueues(): string[] {
    return [...this.workers.keys()];
  }

  /** Depth (waiting, delayed, active, failed) and the age of the oldest packet not yet delivered. */
  async depth(queueName: string, now = Date.now()): Promise<{ counts: Record<string, number>; oldestAgeMs: number }> {
    const q = this.queue(queueName);
    const counts = await q.getJobCounts('waiting', 'delayed', 'active', 'failed', 'prioritized');
    // The waiting list is FIFO, so its head is its oldest; delayed jobs are ordered
    // by due time, and a job's backoff grows with its age, so the oldest is among the last due:
    // both ends of the delayed set are looked at, which bounds the cost of a scrape.
    const heads: JobType[] = ['waiting', 'active', 'prioritized'];
    const jobs = [
      ...(await q.getJobs(heads, 0, 0, true)),
      ...(await q.getJobs(['delayed'], 0, 9, true)),
      ...(await q.getJobs(['delayed'], 0, 9, false)),
    ];
    const oldest = jobs.reduce((m, j) => (j && j.timestamp < m ? j.timestamp : m), now);
    return { counts, oldestAgeMs: Math.max(0, now - oldest) };
  }

  /** Jobs waiting, delayed or active, and dead (failed), per queue. */
  async counts(): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [name, q] of this.queues) out[name] = await q.getJobCounts('waiting', 'delayed', 'active', 'failed', 'completed');
    return out;
  }

  /** Stop workers (finishing active jobs) and close queues. */
  async close(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.close()));
    this.workers.clear();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
