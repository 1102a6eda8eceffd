import { open, readdir } from 'node:fs/promises';

/**
 * Asia/Shanghai has been UTC+8 without daylight saving since 1991, so a fixed offset is exact
 * and avoids depending on the host's time-zone database.
 */
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** ISO 8601 time with the Asia/Shanghai offset: `2025-03-01T09:30:00.000+08:00`. */
export function shanghaiIso(d: Date): string {
  return new Date(d.getTime() + SHANGHAI_OFFSET_MS).toISOString().replace('Z', '+08:00');
}

/** The Asia/Shanghai calendar day of `d` as `YYYYMMDD`. */
export function shanghaiDay(d: Date): string {
  return new Date(d.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '');
}

/** Member codes: letters and digits (no `-`, which separates the parts of a file name). */
export const MEMBER_PATTERN = /^[A-Za-z0-9]+$/;
/** Instance ids: may contain `-`; the date suffix is found from the end of the name. */
export const INSTANCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const LOG_FILE = /^exchange-([A-Za-z0-9]+)-([A-Za-z0-9][A-Za-z0-9._-]*)-(\d{8})\.jsonl$/;
const ANCHOR_FILE = /^checkpoint-([A-Za-z0-9][A-Za-z0-9._-]*)\.json$/;

/** `exchange-<member>-<instanceId>-YYYYMMDD.jsonl` */
export function logFileName(member: string, instanceId: string, day: string): string {
  return `exchange-${member}-${instanceId}-${day}.jsonl`;
}

/** `checkpoint-<instanceId>.json`: the latest checkpoint, kept apart from the chain. */
export function anchorFileName(instanceId: string): string {
  return `checkpoint-${instanceId}.json`;
}

/** One daily file of one instance. */
export interface LogFileRef {
  name: string;
  member: string;
  instance: string;
  day: string;
}

/** The daily files of one instance, oldest first. */
export interface InstanceFiles {
  member: string;
  instance: string;
  files: LogFileRef[];
}

/** Parses a daily file name; undefined for any other file. */
export function parseLogFileName(name: string): LogFileRef | undefined {
  const m = LOG_FILE.exec(name);
  if (!m) return undefined;
  return { name, member: m[1] as string, instance: m[2] as string, day: m[3] as string };
}

/** Instance id of an anchor file name; undefined for any other file. */
export function parseAnchorFileName(name: string): string | undefined {
  return ANCHOR_FILE.exec(name)?.[1];
}

/** Groups the daily files of `names` by member and instance, each group sorted by day. */
export function groupLogFiles(names: readonly string[]): InstanceFiles[] {
  const groups = new Map<string, InstanceFiles>();
  for (const name of names) {
    const ref = parseLogFileName(name);
    if (!ref) continue;
    const key = `${ref.member}\u0000${ref.instance}`;
    let g = groups.get(key);
    if (!g) {
      g = { member: ref.member, instance: ref.instance, files: [] };
      groups.set(key, g);
    }
    g.files.push(ref);
  }
  const out = [...groups.values()];
  for (const g of out) g.files.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  return out.sort((a, b) => (a.instance + a.member < b.instance + b.member ? -1 : 1));
}

/** Directory listing; an absent directory lists as empty. */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * fsync of a directory: makes a newly created or renamed file's directory entry durable. Without
 * it a crash can lose a whole new daily file even though its contents were fsynced.
 */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Splits file bytes into lines; `torn` is the trailing bytes after the last "\n", if any. */
export function splitLines(buf: Buffer): { lines: Buffer[]; torn?: Buffer } {
  const lines: Buffer[] = [];
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(0x0a, start);
    if (nl === -1) break;
    lines.push(buf.subarray(start, nl));
    start = nl + 1;
  }
  return start < buf.length ? { lines, torn: buf.subarray(start) } : { lines };
}

/** Writes a whole file and fsyncs it (`flag` 'w' or 'wx'). The caller fsyncs the directory. */
export async function writeFileDurable(path: string, data: Buffer | string, flag: 'w' | 'wx'): Promise<void> {
  const fh = await open(path, flag, 0o640);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
