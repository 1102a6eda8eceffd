/**
 * The overdue watch: periodically takes the open cases whose awaited deadline has passed (from the
 * `cases:due` zset, a bounded batch per pass), marks each deadline alerted in the case file with
 * compare-and-set — so with several instances exactly one of them alerts — and writes an `alert`
 * event to the exchange log. Alerted cases move to `cases:overdue` until they move on.
 */
import type { Logger } from 'pino';
import type { ExchangeLog } from '../audit/index.js';
import type { CaseFile } from './case-file.js';
import type { CaseState, OverdueItem } from './case-record.js';
import type { CaseStore } from './case-store.js';
import { overdue } from './state-machine.js';
import type { WorkingCalendar } from './working-days.js';

/** One passed deadline of an open case. */
export interface OverdueFinding extends OverdueItem {
  readonly caseId: string;
  readonly state: CaseState;
  readonly agreement: string;
  readonly acceptingMember: string;
  readonly registeringMember: string;
  /** The member whose duty the deadline is (review: 户籍地; contact: 受理地). */
  readonly duty: string;
}

/** Options of {@link OverdueWatch}. */
export interface OverdueWatchOptions {
  readonly store: CaseStore;
  readonly calendar: WorkingCalendar;
  readonly exchangeLog: ExchangeLog;
  readonly logger: Logger;
  readonly member: string;
  readonly everyMs: number;
  /** Cases looked at per pass; default 200 (the rest wait for the next pass). */
  readonly batch?: number;
  /** Told after each periodic pass how many open cases are past each deadline (e.g. a gauge). */
  readonly onCounts?: (counts: Readonly<Record<OverdueItem['kind'], number>>) => void;
}

const tag = (i: OverdueItem): string => `${i.kind}@${i.dueAt}`;

function finding(file: CaseFile, item: OverdueItem): OverdueFinding {
  const r = file.record;
  return {
    caseId: r.caseId,
    state: r.state,
    agreement: r.agreement,
    acceptingMember: r.acceptingMember,
    registeringMember: r.registeringMember,
    duty: item.kind === 'review' ? r.registeringMember : r.acceptingMember,
    ...item,
  };
}

/**
 * Every open case past a deadline at `now`, alerted or not, up to `limit` cases, earliest
 * deadline first (read only: used by `tongban cases overdue`).
 */
export async function listOverdue(
  store: CaseStore,
  calendar: WorkingCalendar,
  now: Date,
  limit = 1000,
): Promise<OverdueFinding[]> {
  const ids = new Set([...(await store.alerted(limit)), ...(await store.dueBy(now, limit))]);
  const out: OverdueFinding[] = [];
  for (const caseId of [...ids].slice(0, limit)) {
    const file = await store.get(caseId);
    if (file) for (const item of overdue(file.record, now, calendar)) out.push(finding(file, item));
  }
  return out.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
}

/** Periodic, bounded overdue check of one node. */
export class OverdueWatch {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly o: OverdueWatchOptions) {}

  /** One pass at `now`: alerts deadlines passed and not alerted yet; returns what it alerted. */
  async runOnce(now: Date): Promise<OverdueFinding[]> {
    const out: OverdueFinding[] = [];
    for (const caseId of await this.o.store.dueBy(now, this.o.batch ?? 200)) {
      let fresh: OverdueItem[] = [];
      const u = await this.o.store.update(caseId, (f) => {
        if (f === undefined) return undefined;
        fresh = overdue(f.record, now, this.o.calendar).filter((i) => !f.alerted.includes(tag(i)));
        // Even with nothing new, writing the file back re-scores it (e.g. a missing calendar year).
        return { next: fresh.length === 0 ? f : { ...f, alerted: [...f.alerted, ...fresh.map(tag)] } };
      });
      if (u.file === undefined) {
        await this.o.store.forget(caseId);
        continue;
      }
      for (const item of fresh) {
        const f = finding(u.file, item);
        out.push(f);
        await this.o.exchangeLog.record({
          event: 'alert',
          caseId,
          actor: 'gateway',
          outcome: 'error',
          detail: { alert: 'case-overdue', kind: item.kind, dueAt: item.dueAt, duty: f.duty, state: f.state },
        });
        this.o.logger.warn({ caseId, kind: item.kind, dueAt: item.dueAt, duty: f.duty }, 'case overdue');
      }
    }
    return out;
  }

  /** Every open case past a deadline at `now`, alerted or not, up to `limit` cases. */
  list(now: Date, limit = 1000): Promise<OverdueFinding[]> {
    return listOverdue(this.o.store, this.o.calendar, now, limit);
  }

  /** Runs a pass every `everyMs` (never two at once); the timer does not keep the process alive. */
  start(now: () => Date): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick(now())
        .catch((err: unknown) => this.o.logger.warn({ err: String(err) }, 'overdue check failed'))
        .finally(() => {
          this.running = undefined;
        });
    }, this.o.everyMs);
    this.timer.unref();
  }

  private async tick(at: Date): Promise<void> {
    await this.runOnce(at);
    if (!this.o.onCounts) return;
    const counts = { review: 0, contact: 0 };
    for (const f of await this.list(at, 10_000)) counts[f.kind] += 1;
    this.o.onCounts(counts);
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
