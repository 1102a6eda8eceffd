import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { groupLogFiles, listDir } from './files.js';
import type { LogEntry } from './types.js';

/** Which entries {@link readTrail} returns; both given means both must match, none means all. */
export interface TrailFilter {
  caseId?: string;
  packetId?: string;
}

/**
 * The entries about one case or one packet, across all daily files and all instances found in
 * `dir` (or several directories, e.g. logs collected from every instance of a node). Each
 * instance's entries stay in seq order; instances are merged by time. This is a query, not a
 * verification: damaged lines are skipped (run `verifyLogDir` to judge the log).
 */
export async function readTrail(dir: string | readonly string[], filter: TrailFilter): Promise<LogEntry[]> {
  const dirs = typeof dir === 'string' ? [dir] : [...dir];
  // Lines are canonical JSON, so a matching entry contains exactly this text: most lines are
  // skipped without parsing.
  const needles = [
    filter.caseId === undefined ? undefined : `"caseId":${JSON.stringify(filter.caseId)}`,
    filter.packetId === undefined ? undefined : `"packetId":${JSON.stringify(filter.packetId)}`,
  ].filter((n): n is string => n !== undefined);
  const streams: LogEntry[][] = [];
  for (const d of dirs) {
    for (const g of groupLogFiles(await listDir(d))) {
      const list: LogEntry[] = [];
      for (const f of g.files) {
        const lines = createInterface({ input: createReadStream(join(d, f.name)), crlfDelay: Infinity });
        for await (const line of lines) {
          if (!needles.every((n) => line.includes(n))) continue;
          const e = parseEntry(line);
          if (!e) continue;
          if (filter.caseId !== undefined && e.caseId !== filter.caseId) continue;
          if (filter.packetId !== undefined && e.packetId !== filter.packetId) continue;
          list.push(e);
        }
      }
      list.sort((a, b) => a.seq - b.seq);
      if (list.length > 0) streams.push(list);
    }
  }
  return mergeByTime(streams);
}

function parseEntry(line: string): LogEntry | undefined {
  try {
    const v: unknown = JSON.parse(line);
    if (typeof v !== 'object' || v === null || typeof (v as { seq?: unknown }).seq !== 'number')
      return undefined;
    return v as LogEntry;
  } catch {
    return undefined;
  }
}

/** K-way merge: keeps each list's own order even if its clock stepped back. */
function mergeByTime(lists: LogEntry[][]): LogEntry[] {
  const idx = lists.map(() => 0);
  const out: LogEntry[] = [];
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
      const d = Date.parse(e.time) - Date.parse(b.time);
      if (d < 0 || (d === 0 && e.instance < b.instance)) best = i;
    }
    if (best === -1) return out;
    out.push(lists[best]![idx[best]!]!);
    idx[best] = idx[best]! + 1;
  }
}
