import type { Job, JobType } from 'bullmq';
import { GatewayError, isGatewayError } from '../errors.js';
import type { PacketRecord, PacketStore, StatusEntry } from './packet-store.js';
import { DeliveryQueues, type JobData } from './queues.js';

/** Job states an administrator can list by. */
export const LISTABLE_STATES = ['waiting', 'delayed', 'active', 'failed', 'completed'] as const;
/** One of {@link LISTABLE_STATES}. */
export type ListableState = (typeof LISTABLE_STATES)[number];

/** A packet as it sits in a delivery queue. */
export interface QueuedPacket {
  readonly queue: string;
  readonly packetId: string;
  readonly state: string;
  /** Attempts made so far. */
  readonly attempts: number;
  readonly maxAttempts: number;
  /** BullMQ's reason of the last failure (our code and message). */
  readonly lastError?: string;
  readonly queuedAt: string;
  readonly ageMs: number;
}

/** Everything an administrator wants to see about one packet. */
export interface PacketView {
  readonly packetId: string;
  readonly job?: QueuedPacket;
  readonly record?: Pick<
    PacketRecord,
    | 'id'
    | 'direction'
    | 'type'
    | 'caseId'
    | 'from'
    | 'to'
    | 'peer'
    | 'recipientSystemId'
    | 'status'
    | 'createdAt'
    | 'lastError'
    | 'retriedAt'
  >;
  readonly history: readonly StatusEntry[];
}

/** One audited administrator action, as handed to the audit callback. */
export interface AdminAction {
  readonly action: 'retry' | 'drop';
  readonly packetId: string;
  readonly queue?: string;
  readonly outcome: 'ok' | 'error';
  readonly code?: string;
  readonly reason?: string;
}

/** Options of {@link QueueAdmin}. */
export interface QueueAdminOptions {
  readonly queues: DeliveryQueues;
  readonly store: PacketStore;
  /** Every queue of the node: peers' `out-<member>` and push systems' `push-<id>`. */
  readonly queueNames: () => readonly string[];
  /** Writes one audit entry per action, successful or not (the exchange log, `event: 'admin'`). */
  readonly audit: (action: AdminAction) => Promise<void>;
  readonly now?: () => number;
}

function view(queue: string, job: Job<JobData>, state: string, now: number): QueuedPacket {
  return {
    queue,
    packetId: job.data.packetId,
    state,
    attempts: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    lastError: job.failedReason || undefined,
    queuedAt: new Date(job.timestamp).toISOString(),
    ageMs: Math.max(0, now - job.timestamp),
  };
}

/**
 * What `tongban queue ls|show|retry|drop` does, on the node's Redis: list packets by queue and
 * state, show one with its status history, put a dead letter back in its queue, or drop a packet
 * for good. Every retry and drop is audited through `audit`, failed attempts included.
 */
export class QueueAdmin {
  private readonly now: () => number;

  constructor(private readonly o: QueueAdminOptions) {
    this.now = o.now ?? Date.now;
  }

  /** The queue a stored packet travels in, if any. */
  static queueOf(rec: PacketRecord): string | undefined {
    if (rec.direction === 'out' && rec.peer) return DeliveryQueues.peerQueueName(rec.peer);
    if (rec.recipientSystemId) return DeliveryQueues.systemQueueName(rec.recipientSystemId);
    return undefined;
  }

  /** Packets in the node's queues, oldest first, optionally for one queue and some states. */
  async list(
    opts: { queue?: string; states?: readonly ListableState[]; limit?: number } = {},
  ): Promise<QueuedPacket[]> {
    const states = opts.states?.length ? opts.states : LISTABLE_STATES.filter((s) => s !== 'completed');
    const limit = opts.limit ?? 1000;
    const names = opts.queue ? [opts.queue] : this.o.queueNames();
    const out: QueuedPacket[] = [];
    for (const name of names) {
      const q = this.o.queues.queue(name);
      for (const state of states) {
        const jobs = (await q.getJobs([state as JobType], 0, limit - 1, true)) as Array<
          Job<JobData> | undefined
        >;
        for (const j of jobs) if (j) out.push(view(name, j, state, this.now()));
      }
    }
    return out.sort((a, b) => b.ageMs - a.ageMs).slice(0, limit);
  }

  /** Find a packet's job: in the queue its record names, else in any queue of the node. */
  private async find(
    packetId: string,
  ): Promise<
    | { queue: string; job: Job<JobData>; rec?: PacketRecord }
    | { queue?: string; job?: undefined; rec?: PacketRecord }
  > {
    const rec = await this.o.store.get(packetId);
    const first = rec ? QueueAdmin.queueOf(rec) : undefined;
    const names = [...new Set([...(first ? [first] : []), ...this.o.queueNames()])];
    for (const name of names) {
      const job = (await this.o.queues.queue(name).getJob(packetId)) as Job<JobData> | undefined;
      if (job) return { queue: name, job, rec };
    }
    return { queue: first, rec };
  }

  /** A packet's job (attempts, last error, state) and its status history from the store. */
  async show(packetId: string): Promise<PacketView> {
    const found = await this.find(packetId);
    if (!found.job && !found.rec)
      throw new GatewayError('GW_ERR_QUEUE_NOT_FOUND', `no packet ${packetId} in the store or the queues`);
    const job = found.job ? view(found.queue!, found.job, await found.job.getState(), this.now()) : undefined;
    const r = found.rec;
    return {
      packetId,
      job,
      record: r && {
        id: r.id,
        direction: r.direction,
        type: r.type,
        caseId: r.caseId,
        from: r.from,
        to: r.to,
        peer: r.peer,
        recipientSystemId: r.recipientSystemId,
        status: r.status,
        createdAt: r.createdAt,
        lastError: r.lastError,
        retriedAt: r.retriedAt,
      },
      history: r ? await this.o.store.history(packetId) : [],
    };
  }

  /**
   * Put a dead letter back in its queue with a fresh set of attempts; its store status goes back
   * to `queued` and its maximum age counts from now. A dead packet whose job is gone is queued anew.
   */
  async retry(packetId: string): Promise<{ queue: string }> {
    return this.audited('retry', packetId, undefined, async () => {
      const found = await this.find(packetId);
      if (found.job) {
        const state = await found.job.getState();
        if (state !== 'failed')
          throw new GatewayError(
            'GW_ERR_QUEUE_NOT_FAILED',
            `packet ${packetId} is ${state}, not a dead letter`,
          );
        await this.markRequeued(packetId, found.queue);
        await found.job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        return { queue: found.queue };
      }
      if (found.rec?.status === 'dead' && found.queue) {
        await this.markRequeued(packetId, found.queue);
        await this.o.queues.add(found.queue, packetId);
        return { queue: found.queue };
      }
      if (found.rec)
        throw new GatewayError(
          'GW_ERR_QUEUE_NOT_FAILED',
          `packet ${packetId} is ${found.rec.status}, not a dead letter`,
        );
      throw new GatewayError('GW_ERR_QUEUE_NOT_FOUND', `no packet ${packetId} in the store or the queues`);
    });
  }

  /** Retry every dead letter of one queue; returns the ids put back. */
  async retryAll(queue: string): Promise<string[]> {
    const done: string[] = [];
    // Page from the start each time: retried jobs leave the failed set.
    for (;;) {
      const jobs = (await this.o.queues.queue(queue).getJobs(['failed'], 0, 99, true)) as Array<
        Job<JobData> | undefined
      >;
      const ids = jobs
        .filter((j): j is Job<JobData> => !!j)
        .map((j) => j.data.packetId)
        .filter((id) => !done.includes(id));
      if (ids.length === 0) return done;
      for (const id of ids) {
        await this.retry(id).catch((err: unknown) => {
          if (!isGatewayError(err)) throw err;
        });
        done.push(id);
      }
    }
  }

  /** Remove a packet from its queue for good (status `dropped`, the reason in its history). */
  async drop(packetId: string, reason: string): Promise<{ queue?: string }> {
    return this.audited('drop', packetId, reason, async () => {
      const found = await this.find(packetId);
      if (found.job) {
        const state = await found.job.getState();
        if (state === 'active')
          throw new GatewayError(
            'GW_ERR_QUEUE_JOB_ACTIVE',
            `packet ${packetId} is being delivered right now`,
          );
        await found.job.remove();
      } else if (!found.rec) {
        throw new GatewayError('GW_ERR_QUEUE_NOT_FOUND', `no packet ${packetId} in the store or the queues`);
      }
      if (found.rec) await this.o.store.setStatus(packetId, 'dropped', { detail: reason.slice(0, 500) });
      return { queue: found.queue };
    });
  }

  private async markRequeued(packetId: string, queue: string): Promise<void> {
    const at = new Date(this.now()).toISOString();
    await this.o.store.setStatus(packetId, 'queued', {
      detail: `retried by an administrator (${queue})`,
      fields: { retriedAt: at },
    });
  }

  private async audited<T extends { queue?: string }>(
    action: AdminAction['action'],
    packetId: string,
    reason: string | undefined,
    run: () => Promise<T>,
  ): Promise<T> {
    let result: T;
    try {
      result = await run();
    } catch (err) {
      const code = isGatewayError(err) ? err.code : 'GW_ERR_INTERNAL';
      await this.o.audit({ action, packetId, outcome: 'error', code, reason });
      throw err;
    }
    await this.o.audit({ action, packetId, queue: result.queue, outcome: 'ok', reason });
    return result;
  }
}
