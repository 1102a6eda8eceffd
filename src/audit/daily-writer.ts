import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, logFileName } from './files.js';
import { cutTail } from './tail.js';
import type { CutTail } from './tail.js';
import type { ChainHashName } from './types.js';

/**
 * Appends batches of lines to the daily file of one instance and remembers how many bytes of
 * the current file are durable, so that after a failure the file can be cut back to exactly what
 * was acknowledged.
 */
export class DailyFileWriter {
  private fh: FileHandle | null = null;
  /** Current daily file and its size up to the last successful fdatasync. */
  private cur: { day: string; name: string; size: number } | null = null;

  constructor(
    private readonly dir: string,
    private readonly member: string,
    private readonly instanceId: string,
  ) {}

  /** True once a file has been opened: the durable size of the current file is known. */
  get knowsDurableSize(): boolean {
    return this.cur !== null;
  }

  /** Writes `buf` at the end of the file of `day` (opening or rotating to it) and fdatasyncs. */
  async append(day: string, buf: Buffer): Promise<void> {
    if (!this.fh || !this.cur || this.cur.day !== day) await this.openDay(day);
    const fh = this.fh as FileHandle;
    for (let off = 0; off < buf.length;) {
      const { bytesWritten } = await fh.write(buf, off, buf.length - off);
      off += bytesWritten;
    }
    // fdatasync also persists the file size, which is all a reader needs of the metadata.
    await fh.datasync();
    (this.cur as { size: number }).size += buf.length;
  }

  /**
   * Forgets the file handle after a failed write or fsync. The bytes on disk are then unknown
   * (Linux may even drop the dirty pages and report the next fsync as clean), so nothing more is
   * written through it; {@link cutBack} restores a known state.
   */
  abandon(): void {
    const fh = this.fh;
    this.fh = null;
    void fh?.close().catch(() => {});
  }

  /** Cuts the current file back to its durable size, keeping the removed bytes aside. */
  async cutBack(alg: ChainHashName): Promise<CutTail | undefined> {
    if (!this.cur) return undefined;
    return cutTail(this.dir, this.cur.name, this.cur.size, alg);
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await fh?.close();
  }

  private async openDay(day: string): Promise<void> {
    const old = this.fh;
    this.fh = null;
    await old?.close();
    const name = logFileName(this.member, this.instanceId, day);
    const fh = await open(join(this.dir, name), 'a', 0o640);
    this.fh = fh;
    this.cur = { day, name, size: (await fh.stat()).size };
    // A new file's directory entry must be durable too, or a crash could lose the whole file.
    await fsyncDir(this.dir);
  }
}
