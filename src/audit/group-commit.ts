/** One queued item and the promise of its caller. */
interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** What the queue needs from its owner. */
export interface GroupCommitHooks<T> {
  /** Items that must go into the same write (e.g. the same daily file) share a key. */
  keyOf(item: T): string;
  /** Writes and syncs a run of items with the same key, in order. */
  write(items: T[]): Promise<void>;
  /** False while the owner refuses writes; queued items are then rejected with `rejection()`. */
  writable(): boolean;
  /** Called once when `write` throws; the failed run and everything queued after it are rejected. */
  failed(err: unknown): void;
  /** The error queued items are rejected with (and `refused(item)` is told about each). */
  rejection(): unknown;
  refused(item: T): void;
}

/**
 * Group commit: items pushed while a write+sync is in flight wait and go out together in the
 * next one, so N concurrent callers cost about one fsync instead of N, and each caller's promise
 * resolves only once the sync covering its item has completed. Order is push order.
 */
export class GroupCommit<T> {
  private queue: Array<Waiting<T>> = [];
  private running: Promise<void> | null = null;

  constructor(private readonly hooks: GroupCommitHooks<T>) {}

  push(item: T): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.queue.push({ item, resolve, reject }));
    this.kick();
    return done;
  }

  /** Resolves when nothing is queued or being written. */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.loop().finally(() => {
      this.running = null;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async loop(): Promise<void> {
    await null; // let pushes of the same tick join the first batch
    while (this.queue.length > 0) {
      if (!this.hooks.writable()) {
        this.rejectAll(this.queue.splice(0));
        return;
      }
      const batch = this.queue.splice(0);
      for (let i = 0; i < batch.length;) {
        const key = this.hooks.keyOf(batch[i]!.item);
        let j = i + 1;
        while (j < batch.length && this.hooks.keyOf(batch[j]!.item) === key) j++;
        const run = batch.slice(i, j);
        try {
          await this.hooks.write(run.map((w) => w.item));
        } catch (err) {
          this.hooks.failed(err);
          this.rejectAll([...batch.slice(i), ...this.queue.splice(0)]);
          return;
        }
        for (const w of run) w.resolve();
        i = j;
      }
    }
  }

  private rejectAll(list: Array<Waiting<T>>): void {
    const err = this.hooks.rejection();
    for (const w of list) {
      this.hooks.refused(w.item);
      w.reject(err);
    }
  }
}
