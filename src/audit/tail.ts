import { open, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayError } from '../errors.js';
import { chainDigest, GENESIS_HASH, parseLine } from './canonical.js';
import { fsyncDir, groupLogFiles, listDir, writeFileDurable } from './files.js';
import type { ChainHashName } from './types.js';

/** Bytes cut from the end of a daily file because they were never acknowledged. */
export interface CutTail {
  /** Daily file name. */
  file: string;
  /** Size the file was cut back to. */
  offset: number;
  /** Number of bytes removed. */
  bytes: number;
  /** Chain-hash hex digest of the removed bytes. */
  digest: string;
  /** Side file (same directory) that keeps the removed bytes for the auditor. */
  savedAs: string;
}

/** Where a chain stands on disk. */
export interface DiskHead {
  seq: number;
  hash: string;
  /** Day of the newest daily file of the instance (even an empty one). */
  lastDay?: string;
  /** Torn tails repaired while looking. */
  cuts: CutTail[];
}

/**
 * Cuts `fileName` back to `keepSize` bytes. The removed bytes are first copied to a side file
 * `<fileName>.torn-<offset>` and fsynced, then the log is truncated and fsynced: an auditor can
 * still see exactly what was dropped, and the alert entry that follows names the side file and
 * the digest of its content.
 */
export async function cutTail(
  dir: string,
  fileName: string,
  keepSize: number,
  alg: ChainHashName,
): Promise<CutTail | undefined> {
  const path = join(dir, fileName);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (size <= keepSize) return undefined;
  const removed = Buffer.alloc(size - keepSize);
  const fh = await open(path, 'r');
  try {
    await fh.read(removed, 0, removed.length, keepSize);
  } finally {
    await fh.close();
  }
  let savedAs = `${fileName}.torn-${keepSize}`;
  for (let n = 2; ; n++) {
    try {
      await writeFileDurable(join(dir, savedAs), removed, 'wx');
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n > 100) throw err;
      savedAs = `${fileName}.torn-${keepSize}-${n}`;
    }
  }
  await truncate(path, keepSize);
  const fh2 = await open(path, 'r+');
  try {
    await fh2.sync();
  } finally {
    await fh2.close();
  }
  await fsyncDir(dir);
  return {
    file: fileName,
    offset: keepSize,
    bytes: removed.length,
    digest: chainDigest(alg, removed),
    savedAs,
  };
}

/** The last complete line of a file and the offset just after its "\n" (0 when none). */
async function lastCompleteLine(path: string, size: number): Promise<{ line?: Buffer; end: number }> {
  const fh = await open(path, 'r');
  try {
    for (let window = 64 * 1024; ; window *= 2) {
      const start = Math.max(0, size - window);
      const buf = Buffer.alloc(size - start);
      await fh.read(buf, 0, buf.length, start);
      const last = buf.lastIndexOf(0x0a);
      if (last === -1) {
        if (start === 0) return { end: 0 };
        continue;
      }
      const before = last === 0 ? -1 : buf.lastIndexOf(0x0a, last - 1);
      if (before === -1 && start > 0) continue;
      return { line: buf.subarray(before + 1, last), end: start + last + 1 };
    }
  } finally {
    await fh.close();
  }
}

/**
 * Finds the head of an instance's chain on disk, newest daily file first. A partial last line
 * (crash in the middle of a write: its record was never acknowledged, because acknowledgement
 * waits for fsync) is cut off with {@link cutTail}. A complete last line that does not verify is
 * not repaired: continuing a chain from an entry we cannot trust would hide the damage, so
 * opening fails and an operator runs `tongban audit verify`.
 */
export async function findDiskHead(
  dir: string,
  member: string,
  instanceId: string,
  alg: ChainHashName,
): Promise<DiskHead> {
  const group = groupLogFiles(await listDir(dir)).find(
    (g) => g.member === member && g.instance === instanceId,
  );
  const files = group?.files ?? [];
  const cuts: CutTail[] = [];
  const lastDay = files.at(-1)?.day;
  for (let i = files.length - 1; i >= 0; i--) {
    const file = files[i]!;
    const path = join(dir, file.name);
    const size = (await stat(path)).size;
    if (size === 0) continue;
    const { line, end } = await lastCompleteLine(path, size);
    if (end < size) {
      const cut = await cutTail(dir, file.name, end, alg);
      if (cut) cuts.push(cut);
    }
    if (!line) continue;
    const parsed = parseLine(line);
    const ok =
      parsed.kind === 'entry' &&
      parsed.selfOk &&
      parsed.entry.instance === instanceId &&
      parsed.entry.member === member;
    if (!ok) {
      throw new GatewayError(
        'GW_ERR_AUDIT_UNAVAILABLE',
        `Last entry of ${file.name} does not verify (${parsed.kind === 'entry' ? (parsed.reason ?? 'wrong instance') : parsed.reason}); refusing to continue the chain — run "tongban audit verify"`,
      );
    }
    return { seq: parsed.entry.seq, hash: parsed.entry.hash, lastDay, cuts };
  }
  return { seq: 0, hash: GENESIS_HASH, lastDay, cuts };
}
