import { parseLine } from './canonical.js';
import { checkCheckpointEntry } from './checkpoint.js';
import type { EvidenceLogExcerpt } from './evidence-types.js';
import type { CheckpointSignatureVerifier, LogEntry } from './types.js';

/** Outcome of {@link verifyExcerpt}. */
export type ExcerptCheck =
  | {
      readonly ok: true;
      readonly message: string;
      readonly checkpoint: LogEntry;
      readonly packetEntries: LogEntry[];
    }
  | { readonly ok: false; readonly message: string };

/**
 * Checks a log excerpt on its own: every line is a canonical entry of the named chain whose hash
 * recomputes; seqs are consecutive and each `prev` is the previous line's `hash`; the last line
 * is a checkpoint whose signature verifies (`verifySignature` decides which signer is trusted)
 * and which vouches for the hash of a line of the excerpt at or after the packet's last entry.
 * Since each hash covers `prev`, that one signature covers every line from the first.
 */
export async function verifyExcerpt(
  x: EvidenceLogExcerpt,
  packetId: string,
  verifySignature: CheckpointSignatureVerifier,
): Promise<ExcerptCheck> {
  const fail = (message: string): ExcerptCheck => ({ ok: false, message });
  const entries: LogEntry[] = [];
  for (let i = 0; i < x.lines.length; i++) {
    const parsed = parseLine(Buffer.from(x.lines[i]!, 'utf8'));
    if (parsed.kind !== 'entry') return fail(`line ${i + 1}: not a log entry (${parsed.reason})`);
    const e = parsed.entry;
    if (!parsed.selfOk) return fail(`seq ${e.seq}: ${parsed.reason ?? 'damaged'} — the entry was edited`);
    if (e.member !== x.member || e.instance !== x.instance || e.alg !== x.alg) {
      return fail(`seq ${e.seq}: belongs to ${e.member}/${e.instance} (${e.alg}), not to this chain`);
    }
    const before = entries[entries.length - 1];
    if (before && e.seq !== before.seq + 1)
      return fail(`seq ${e.seq} follows seq ${before.seq}: entries were removed, inserted or reordered`);
    if (before && e.prev !== before.hash)
      return fail(`seq ${e.seq} does not link to seq ${before.seq}: an entry was replaced`);
    entries.push(e);
  }
  const last = entries[entries.length - 1];
  if (!last || last.event !== 'checkpoint') return fail('the excerpt does not end with a checkpoint');
  const c = await checkCheckpointEntry(last, verifySignature, true);
  if (!c.ok) return fail(`checkpoint seq ${last.seq}: ${c.reason}`);
  const vouched = entries.find((e) => e.seq === c.facts.seq);
  if (!vouched || vouched.hash !== c.facts.hash) {
    return fail(
      `checkpoint seq ${last.seq} vouches for seq ${c.facts.seq}, which differs from the excerpt's entry`,
    );
  }
  const packetEntries = entries.filter((e) => e.packetId === packetId);
  if (packetEntries.length === 0) return fail('no entry of the packet in the excerpt');
  const lastOfPacket = packetEntries[packetEntries.length - 1]!;
  if (lastOfPacket.seq > c.facts.seq)
    return fail(
      `the checkpoint covers seq ${c.facts.seq}, not the packet's entry at seq ${lastOfPacket.seq}`,
    );
  const events = packetEntries.map((e) => e.event).join(', ');
  return {
    ok: true,
    message: `seq ${entries[0]!.seq}..${last.seq} intact (${x.alg}); packet entries: ${events}; signed checkpoint vouches for seq ${c.facts.seq}`,
    checkpoint: last,
    packetEntries,
  };
}
