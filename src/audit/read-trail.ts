import { fieldNeedle, scanEntries } from './scan-entries.js';
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
  const needles: string[] = [];
  if (filter.caseId !== undefined) needles.push(fieldNeedle('caseId', filter.caseId));
  if (filter.packetId !== undefined) needles.push(fieldNeedle('packetId', filter.packetId));
  const found = await scanEntries(dir, {
    lineFilter: (line) => needles.every((n) => line.includes(n)),
    match: (e) =>
      (filter.caseId === undefined || e.caseId === filter.caseId) &&
      (filter.packetId === undefined || e.packetId === filter.packetId),
  });
  return found.map((s) => s.entry);
}
