import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseLine } from './canonical.js';
import type { ParsedLine } from './canonical.js';
import { walkChain } from './chain-walk.js';
import type { LineRec, Placed } from './chain-walk.js';
import { checkCheckpointEntry } from './checkpoint.js';
import {
  anchorFileName,
  groupLogFiles,
  logFileName,
  parseAnchorFileName,
  shanghaiDay,
  splitLines,
} from './files.js';
import type { InstanceFiles } from './files.js';
import type { LogEntry, VerifyOptions, VerifyProblem, VerifyProblemKind, VerifyResult } from './types.js';

interface Ranked extends VerifyProblem {
  group: number;
  pos: number;
}

/**
 * Verifies every chain in an exchange-log directory, offline: the daily files of each instance
 * (`exchange-<member>-<instance>-YYYYMMDD.jsonl`, in day order), the checkpoint entries in them
 * (consistent with the chain, and signed when `verifySignature` is given), and the anchor file
 * `checkpoint-<instance>.json`, which catches a chain cut short before its latest checkpoint.
 *
 * Problems come first-problem-first (per instance, in chain order). Limits: entries appended
 * after the latest checkpoint can be removed, or forged ones appended, without detection — only
 * the next checkpoint (or an anchor copied elsewhere) covers them; an anchor replaced by an
 * older genuine one is not detected locally either.
 */
export async function verifyLogDir(dir: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return {
      ok: false,
      problems: [{ file: dir, kind: 'missing-file', message: 'log directory cannot be read' }],
    };
  }
  const groups = groupLogFiles(names);
  const anchors = new Map<string, string>();
  for (const n of names) {
    const id = parseAnchorFileName(n);
    if (id !== undefined) anchors.set(id, n);
  }
  const problems: Ranked[] = [];
  let entries = 0;
  let checkpoints = 0;
  let signaturesVerified = 0;
  for (let gi = 0; gi < groups.length; gi++) {
    const g = groups[gi]!;
    const add = (
      kind: VerifyProblemKind,
      file: string,
      pos: number,
      message: string,
      seq?: number,
      line?: number,
    ): void => {
      problems.push({ file, kind, message, instance: g.instance, group: gi, pos, seq, line });
    };
    const recs = await readInstance(dir, g);
    const reported = new Set<number>();
    const anchorName = anchors.get(g.instance);
    anchors.delete(g.instance);
    const anchor = anchorName === undefined ? undefined : await readAnchor(dir, anchorName);
    const placed = walkChain(
      recs,
      g.instance,
      g.member,
      (kind, rec, seq, message) => {
        reported.add(rec.pos);
        add(kind, rec.file, rec.pos, message, seq ?? entrySeq(rec), rec.line);
      },
      vouchedHashes(recs, anchor),
    );
    entries += placed.size;
    let vouched = 0; // highest seq a checkpoint has confirmed so far
    for (const [seq, p] of [...placed].sort((a, b) => a[0] - b[0])) {
      if (p.bad || p.entry.event !== 'checkpoint') continue;
      checkpoints++;
      const c = await checkCheckpointEntry(p.entry, opts.verifySignature, opts.requireSignatures === true);
      if (!c.ok) {
        add('bad-checkpoint-signature', p.rec.file, p.rec.pos, c.reason, seq, p.rec.line);
        continue;
      }
      if (c.verified) signaturesVerified++;
      const covered = placed.get(c.facts.seq);
      if (covered && !covered.bad && covered.entry.hash !== c.facts.hash && !reported.has(covered.rec.pos)) {
        // Everything between the last confirmed entry and this one was recomputed consistently:
        // the signature tells us that, not which entry was changed first.
        reported.add(covered.rec.pos);
        const msg = `entry differs from the hash that checkpoint seq ${seq} vouches for: the chain was rewritten with recomputed hashes somewhere in seq ${vouched + 1}..${c.facts.seq}`;
        add('edited', covered.rec.file, covered.rec.pos, msg, c.facts.seq, covered.rec.line);
      } else if (covered && covered.entry.hash === c.facts.hash) {
        vouched = Math.max(vouched, c.facts.seq);
      }
    }
    const end = recs.length;
    if (anchorName === undefined) {
      if (checkpoints > 0) {
        add(
          'missing-file',
          anchorFileName(g.instance),
          end,
          'the chain has checkpoints but its anchor file is missing',
        );
      }
      continue;
    }
    if (!anchor || anchor.instance !== g.instance || anchor.member !== g.member) {
      add('malformed', anchorName, end, 'anchor file does not hold a checkpoint entry of this instance');
      continue;
    }
    const c = await checkCheckpointEntry(anchor, opts.verifySignature, opts.requireSignatures === true);
    if (!c.ok) {
      add('bad-checkpoint-signature', anchorName, end, `anchor: ${c.reason}`, anchor.seq);
      continue;
    }
    const maxSeq = Math.max(0, ...placed.keys());
    const lastRec = recs[recs.length - 1];
    if (anchor.seq > maxSeq) {
      const anchorDay = shanghaiDay(new Date(anchor.time));
      const expected = logFileName(g.member, g.instance, anchorDay);
      if (anchorDay > (g.files[g.files.length - 1]?.day ?? '')) {
        add(
          'missing-file',
          expected,
          end,
          `anchor vouches for seq ${anchor.seq}, whose daily file is gone`,
          maxSeq + 1,
        );
      } else {
        const file = lastRec?.file ?? expected;
        const msg = `chain ends at seq ${maxSeq} but the anchor vouches for seq ${anchor.seq}: entries were cut off`;
        add('truncated', file, end, msg, maxSeq + 1, lastRec ? lastRec.line + 1 : undefined);
      }
      continue;
    }
    const at: Placed | undefined = placed.get(anchor.seq);
    if (at && !at.bad && at.entry.hash !== anchor.hash && !reported.has(at.rec.pos)) {
      add(
        'edited',
        at.rec.file,
        at.rec.pos,
        'entry differs from the anchor checkpoint',
        anchor.seq,
        at.rec.line,
      );
    }
  }
  for (const [instance, name] of anchors) {
    const anchor = await readAnchor(dir, name);
    const file = anchor ? logFileName(anchor.member, instance, shanghaiDay(new Date(anchor.time))) : name;
    const message = 'an anchor exists but none of the daily files of its instance';
    problems.push({ file, kind: 'missing-file', message, instance, group: groups.length, pos: 0 });
  }
  if (problems.length > 0) {
    problems.sort((a, b) => a.group - b.group || a.pos - b.pos);
    const max = opts.maxProblems ?? 100;
    return {
      ok: false,
      problems: problems.slice(0, max).map(({ group: _g, pos: _p, ...p }) => dropUndefined(p)),
    };
  }
  return {
    ok: true,
    entries,
    instances: [...new Set(groups.map((g) => g.instance))],
    checkpoints,
    signaturesVerified,
  };
}

/** Alias under the name used in the audit design notes. */
export const verifyChain = verifyLogDir;

/**
 * What the checkpoints and the anchor say entries' hashes are (seq → hash), unverified: the walk
 * only uses it to tell a genuine entry from a fork with the same seq; signatures are checked later.
 */
function vouchedHashes(recs: readonly LineRec[], anchor: LogEntry | undefined): Map<number, string> {
  const out = new Map<number, string>();
  for (const r of recs) {
    if (r.parsed.kind !== 'entry' || !r.parsed.selfOk || r.parsed.entry.event !== 'checkpoint') continue;
    const d = r.parsed.entry.detail;
    if (typeof d?.seq === 'number' && typeof d.hash === 'string') out.set(d.seq, d.hash);
  }
  if (anchor) out.set(anchor.seq, anchor.hash);
  return out;
}

function entrySeq(rec: LineRec): number | undefined {
  return rec.parsed.kind === 'entry' && !rec.torn ? rec.parsed.entry.seq : undefined;
}

function dropUndefined(p: VerifyProblem): VerifyProblem {
  const out = { ...p } as Record<string, unknown>;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as unknown as VerifyProblem;
}

async function readInstance(dir: string, g: InstanceFiles): Promise<LineRec[]> {
  const recs: LineRec[] = [];
  for (const f of g.files) {
    const { lines, torn } = splitLines(await readFile(join(dir, f.name)));
    const all = torn ? [...lines, torn] : lines;
    all.forEach((raw, n) => {
      const isTorn = torn !== undefined && n === all.length - 1;
      recs.push({
        pos: recs.length,
        file: f.name,
        fileDay: f.day,
        line: n + 1,
        lastInFile: n === all.length - 1,
        torn: isTorn,
        parsed: isTorn ? { kind: 'malformed', reason: 'torn' } : slim(parseLine(raw)),
      });
    });
  }
  return recs;
}

/**
 * Keeps only what the walk and the checkpoint checks read, so that a year of entries fits in
 * memory (the full entries, with people and details, are several times larger).
 */
function slim(p: ParsedLine): ParsedLine {
  if (p.kind !== 'entry') return p;
  const { v, seq, time, instance, member, alg, event, actor, outcome, prev, hash } = p.entry;
  const entry: LogEntry = { v, seq, time, instance, member, alg, event, actor, outcome, prev, hash };
  if (event === 'checkpoint' && p.entry.detail) entry.detail = p.entry.detail;
  return { ...p, entry };
}

async function readAnchor(dir: string, name: string): Promise<LogEntry | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(join(dir, name));
  } catch {
    return undefined;
  }
  const { lines, torn } = splitLines(buf);
  if (lines.length !== 1 || torn) return undefined;
  const parsed = parseLine(lines[0]!);
  if (parsed.kind !== 'entry' || !parsed.selfOk || parsed.entry.event !== 'checkpoint') return undefined;
  return parsed.entry;
}
