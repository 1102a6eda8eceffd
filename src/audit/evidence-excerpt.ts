import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GatewayError } from '../errors.js';
import type { EvidenceLogExcerpt } from './evidence-types.js';
import { groupLogFiles, listDir } from './files.js';
import { fieldNeedle, scanEntries, type ScannedEntry } from './scan-entries.js';
import type { LogEntry } from './types.js';

/**
 * For every instance whose log mentions `packetId`: its lines from the packet's first entry to
 * the first checkpoint that vouches for (`detail.seq` ≥) the packet's last entry. Throws
 * `GW_ERR_AUDIT_EVIDENCE_NOT_ANCHORED` when the chain has no such checkpoint yet (it is written
 * every `audit.checkpointEvery` entries / `audit.checkpointMs` and at shutdown), and
 * `GW_ERR_AUDIT_EVIDENCE_NOT_FOUND` when no log mentions the packet.
 */
export async function packetLogExcerpts(
  dirs: readonly string[],
  packetId: string,
): Promise<EvidenceLogExcerpt[]> {
  const needle = fieldNeedle('packetId', packetId);
  const found = await scanEntries(dirs, {
    lineFilter: (l) => l.includes(needle),
    match: (e) => e.packetId === packetId,
  });
  if (found.length === 0) {
    throw new GatewayError(
      'GW_ERR_AUDIT_EVIDENCE_NOT_FOUND',
      `no exchange-log entry mentions packet ${packetId}`,
    );
  }
  // One excerpt per chain; a chain found in several folders (copies) is taken from the first.
  const byChain = new Map<string, ScannedEntry[]>();
  for (const s of found) {
    const key = `${s.entry.member}\u0000${s.entry.instance}`;
    const list = byChain.get(key) ?? [];
    if (list.length === 0 || list[0]!.dir === s.dir) list.push(s);
    byChain.set(key, list);
  }
  const out: EvidenceLogExcerpt[] = [];
  for (const list of byChain.values()) {
    list.sort((a, b) => a.entry.seq - b.entry.seq);
    out.push(await excerpt(list[0]!, list[list.length - 1]!.entry.seq));
  }
  return out;
}

/** Lines of `first`'s chain from `first` to the first checkpoint covering `lastSeq`. */
async function excerpt(first: ScannedEntry, lastSeq: number): Promise<EvidenceLogExcerpt> {
  const { member, instance, alg } = first.entry;
  const group = groupLogFiles(await listDir(first.dir)).find(
    (g) => g.member === member && g.instance === instance,
  );
  const startDay = group?.files.find((f) => f.name === first.file)?.day ?? '';
  const lines: string[] = [];
  for (const f of group?.files ?? []) {
    if (f.day < startDay) continue;
    const input = createReadStream(join(first.dir, f.name));
    try {
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        const e = parse(line);
        if (!e || e.seq < first.entry.seq) continue;
        lines.push(line);
        if (e.event === 'checkpoint' && typeof e.detail?.seq === 'number' && e.detail.seq >= lastSeq) {
          return { member, instance, alg, lines };
        }
      }
    } finally {
      input.destroy();
    }
  }
  throw new GatewayError(
    'GW_ERR_AUDIT_EVIDENCE_NOT_ANCHORED',
    `no checkpoint of ${member}/${instance} covers seq ${lastSeq} yet (checkpoints are written every audit.checkpointEvery entries, every audit.checkpointMs and at shutdown)`,
  );
}

function parse(line: string): LogEntry | undefined {
  try {
    const v = JSON.parse(line) as unknown;
    return typeof v === 'object' && v !== null && typeof (v as LogEntry).seq === 'number'
      ? (v as LogEntry)
      : undefined;
  } catch {
    return undefined;
  }
}
