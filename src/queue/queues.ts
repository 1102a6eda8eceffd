import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
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
}

/** What the queues call back into. */
export interface QueueHandlers {
  deliverToPeer(packetId: string, attempt: number): Promise<void>;
  pushToSystem(packetId: string, attempt: number): Promise<void>;
  /** A failed attempt that will be retried. */
  onRetry(packetId: string, failure: DeliveryFailure, attempt: number, nextDelayMs: number | undefined): Promise<void>;
  /** Given up: permanent failure or attempts exhausted. The job stays in BullMQ's failed set (dead letters). */
  onDead(packetId: string, failure: DeliveryFailure, attempts: number): Promise<void>;
}

interface JobData {
  readonly packetId: string;
}

/**
 * One BullMQ queue per peer and per push-mode system, so a slow or absent peer only delays its
 * own packets. Job id = packet id: adding the same packet twice is a no-op.
 */
export class DeliveryQueues {
  private readonly queues = new Map<string, Queue<JobData>>();
  private readonly workers: Worker<JobData>[] = [];

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    private readonly retry: RetryOptions,
  ) {}

  static peerQueueName(member: string): string {
    return `out-${member}`;
  }

  static systemQueueName(systemId: string): string {
    return `push-${systemId}`;
  }

  private queue(name: string): Queue<JobData> {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue<JobData>(name, { connection: this.connection, prefix: this.prefix });
      this.queues.set(name, q);
    }
    return q;
  }

  /** Add a packet to a queue. */
  async add(queueName: string, packetId: string): Promise<void> {
    await this.queue(queueName).add(
      'deliver',
      { packetId },
      {
        jobId: packetId,
        attempts: this.retry.attempts,
        backoff: { type: 'exponential', delay: this.retry.backoffMs, jitter: this.retry.jitter },
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: false,
      },
    );
  }

  /** Start a worker for a queue. */
  startWorker(queueName: string, kind: 'peer' | 'system', handlers: QueueHandlers, concurrency = 8): void {
    const worker = new Worker<JobData>(
      queueName,
      async (job: Job<JobData>) => {
        const attempt = job.attemptsMade + 1;
        try {
          if (kind === 'peer') await handlers.deliverToPeer(job.data.packetId, attempt);
          else await handlers.pushToSystem(job.data.packetId, attempt);
        } catch (err) {
          const failure = classifyDeliveryError(err);
          const last = failure.permanent || attempt >= this.retry.attempts;
          if (last) {
            await handlers.onDead(job.data.packetId, failure, attempt);
          } else {
            await handlers.onRetry(job.data.packetId, failure, attempt, undefined);
          }
          // UnrecoverableError tells BullMQ not to retry: a permanent failure never will succeed.
          if (failure.permanent) throw new UnrecoverableError(`${failure.code}: ${failure.message}`);
          throw failure;
        }
      },
      { connection: this.connection, prefix: this.prefix, concurrency },
    );
    worker.on('error', () => undefined); // connection errors surface through readiness, not crashes
    this.workers.push(worker);
  }

  /** Jobs waiting, delayed or active, and dead (failed), per queue. */
  async counts(): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [name, q] of this.queues) out[name] = await q.getJobCounts('waiting', 'delayed', 'active', 'failed', 'completed');
    return out;
  }

  /** Stop workers (finishing active jobs) and close queues. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
