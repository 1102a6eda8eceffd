import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { groupLogFiles, listDir } from './files.js';
import type { LogEntry } from './types.js';

/** What {@link scanEntries} reads and keeps. */
export interface ScanQuery {
  /**
   * A cheap test on the raw line before it is parsed. Lines are canonical JSON, so a field value
   * has exactly one spelling (`"caseId":"…"`, see {@link fieldNeedle}): most lines are skipped
   * without parsing.
   */
  readonly lineFilter?: (line: string) => boolean;
  /** Keeps an entry; default all. */
  readonly match?: (e: LogEntry) => boolean;
  /** Only daily files of days in `[fromDay, toDay]` (`YYYYMMDD`, Asia/Shanghai) are read. */
  readonly fromDay?: string;
  readonly toDay?: string;
}

/** One entry found by {@link scanEntries}, with the exact line it came from. */
export interface ScannedEntry {
  readonly entry: LogEntry;
  /** The line as stored (without "\n"): what an export or an evidence bundle copies. */
  readonly line: string;
  /** Folder and daily file it was read from. */
  readonly dir: string;
  readonly file: string;
}

/**
 * The entries of every instance found in `dirs` (e.g. logs collected from every instance of a
 * node, or from both gateways of a case) that a query selects. Each instance's entries stay in
 * seq order; instances are merged by time. This is a query, not a verification: lines that are
 * not entries are skipped (run `verifyLogDir` to judge the log).
 */
export async function scanEntries(
  dirs: string | readonly string[],
  q: ScanQuery = {},
): Promise<ScannedEntry[]> {
  const list = typeof dirs === 'string' ? [dirs] : [...dirs];
  const streams: ScannedEntry[][] = [];
  for (const d of list) {
    for (const g of groupLogFiles(await listDir(d))) {
      const found: ScannedEntry[] = [];
      for (const f of g.files) {
        if ((q.fromDay !== undefined && f.day < q.fromDay) || (q.toDay !== undefined && f.day > q.toDay))
          continue;
        const lines = createInterface({ input: createReadStream(join(d, f.name)), crlfDelay: Infinity });
        for await (const line of lines) {
          if (q.lineFilter && !q.lineFilter(line)) continue;
          const entry = parseEntry(line);
          if (!entry || (q.match && !q.match(entry))) continue;
          found.push({ entry, line, dir: d, file: f.name });
        }
      }
      found.sort((a, b) => a.entry.seq - b.entry.seq);
      if (found.length > 0) streams.push(found);
    }
  }
  return mergeByTime(streams);
}

/** The canonical text of `"key":value` for a string field, as it appears in a log line. */
export function fieldNeedle(key: string, value: string): string {
  return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
}

function parseEntry(line: string): LogEntry | undefined {
  try {
    const v: unknown = JSON.parse(line);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const o = v as Record<string, unknown>;
    if (typeof o.seq !== 'number' || typeof o.time !== 'string' || typeof o.event !== 'string')
      return undefined;
    return v as LogEntry;
  } catch {
    return undefined;
  }
}

/** K-way merge by time: keeps each list's own order even if its clock stepped back. */
function mergeByTime(lists: ScannedEntry[][]): ScannedEntry[] {
  const idx = lists.map(() => 0);
  const out: ScannedEntry[] = [];
  for (;;) {
    let best = -1;
    for (let i = 0; i < lists.length; i++) {
      const e = lists[i]![idx[i]!];
      if (!e) continue;
      if (best === -1) {
        best = i;
        continue;
      }
      const b = lists[best]![idx[best]!]!;
      const d = Date.parse(e.entry.time) - Date.parse(b.entry.time);
      if (d < 0 || (d === 0 && e.entry.instance < b.entry.instance)) best = i;
    }
    if (best === -1) return out;
    out.push(lists[best]![idx[best]!]!);
    idx[best] = idx[best]! + 1;
  }
}
