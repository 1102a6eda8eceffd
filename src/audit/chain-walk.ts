import { GENESIS_HASH } from './canonical.js';
import type { ParsedLine } from './canonical.js';
import type { LogEntry, VerifyProblemKind } from './types.js';

/** One physical line of an instance's daily files, in file order. */
export interface LineRec {
  /** Index over all lines of the instance; problems are sorted by it. */
  pos: number;
  file: string;
  fileDay: string;
  /** 1-based line number in `file`. */
  line: number;
  /** Last line of its file. */
  lastInFile: boolean;
  /** Trailing bytes without "\n". */
  torn: boolean;
  parsed: ParsedLine;
}

/** A line the walk placed in the chain. `bad` when its own content does not verify. */
export interface Placed {
  rec: LineRec;
  entry: LogEntry;
  bad: boolean;
}

/** Reports a problem at `rec` (or at the end of the chain when undefined). */
export type Report = (
  kind: VerifyProblemKind,
  rec: LineRec,
  seq: number | undefined,
  message: string,
) => void;

interface State {
  expSeq: number;
  prev: string;
  prevRec: LineRec | undefined;
  /** The previous line was unreadable: it may have held seq expSeq, whose hash we do not know. */
  lenientSlot: boolean;
  /** The previous entry was edited: its stored hash may not be what its successor links to. */
  lenientPrev: boolean;
  placed: Map<number, Placed>;
}

function entryOf(r: LineRec | undefined): LogEntry | undefined {
  return r && !r.torn && r.parsed.kind === 'entry' ? r.parsed.entry : undefined;
}

function intact(r: LineRec | undefined): LogEntry | undefined {
  return r && !r.torn && r.parsed.kind === 'entry' && r.parsed.selfOk ? r.parsed.entry : undefined;
}

function dayGap(a: string, b: string): number {
  const t = (d: string): number => Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8));
  return Math.round((t(b) - t(a)) / 86_400_000);
}

/**
 * Walks the lines of one instance in file order and places them in the chain (seq 1, 2, … each
 * linking by `prev` to the one before), classifying every departure:
 * - `malformed`: not a log entry at all; `truncated`: a last line without "\n";
 * - `edited`: content does not match its hash, or a self-consistent entry does not link (an entry
 *   rewritten with a recomputed hash: blamed on whichever side its neighbours do not vouch for);
 * - `inserted`: an extra line — its seq is already taken or goes backwards, or the next line
 *   continues the chain as if it were not there;
 * - `reordered`: a seq gap whose missing entry appears later; the rest is then checked in seq
 *   order so that one move is one problem;
 * - `deleted`: a seq gap that nothing fills; `missing-file` when the gap falls between two daily
 *   files at least two days apart (or before the first file): a whole day's file is gone.
 * After a problem the walk re-anchors on the next plausible line so that later, independent
 * problems are still found without a cascade of echoes. When two entries claim one seq from the
 * same predecessor, the one the chain continues from, or the one `vouched` (seq → hash, from
 * checkpoints and the anchor) names, is genuine and the other `inserted`.
 */
export function walkChain(
  recs: LineRec[],
  instance: string,
  member: string,
  report: Report,
  vouched: ReadonlyMap<number, string> = new Map(),
): Map<number, Placed> {
  const st: State = {
    expSeq: 1,
    prev: GENESIS_HASH,
    prevRec: undefined,
    lenientSlot: false,
    lenientPrev: false,
    placed: new Map(),
  };
  const seqCount = new Map<number, number>();
  for (const r of recs) {
    const s = entryOf(r)?.seq;
    if (s !== undefined) seqCount.set(s, (seqCount.get(s) ?? 0) + 1);
  }
  walk(recs, st, { instance, member, report, seqCount, vouched }, false);
  return st.placed;
}

function place(st: State, r: LineRec, e: LogEntry, slot: number, bad: boolean): void {
  st.placed.set(slot, { rec: r, entry: e, bad });
  st.expSeq = slot + 1;
  st.prev = e.hash;
  st.prevRec = r;
  st.lenientSlot = false;
  st.lenientPrev = bad;
}

interface Ctx {
  instance: string;
  member: string;
  report: Report;
  /** How many lines claim each seq: a line alone with its seq is displaced, not extra. */
  seqCount: Map<number, number>;
  /** Hashes that checkpoints or the anchor vouch for, by seq: they decide between two forks. */
  vouched: ReadonlyMap<number, string>;
}

function walk(recs: LineRec[], st: State, ctx: Ctx, sorted: boolean): void {
  const { instance, member, report } = ctx;
  for (let i = 0; i < recs.length; i++) {
    const r = recs[i]!;
    if (r.torn) {
      report(
        'truncated',
        r,
        undefined,
        'last line has no end of line: the file was cut, or a write was torn',
      );
      st.lenientSlot = true;
      continue;
    }
    if (r.parsed.kind === 'malformed') {
      report('malformed', r, undefined, `line is not a log entry (${r.parsed.reason})`);
      st.lenientSlot = true;
      continue;
    }
    const e = r.parsed.entry;
    const selfOk = r.parsed.selfOk;
    const s = e.seq;
    if (selfOk && (e.instance !== instance || e.member !== member)) {
      report('inserted', r, s, `entry of ${e.member}/${e.instance} in a file of ${member}/${instance}`);
      continue;
    }
    const fits = s === st.expSeq;
    if (selfOk && fits && (e.prev === st.prev || st.lenientPrev)) {
      place(st, r, e, s, false);
      continue;
    }
    if (selfOk && st.lenientSlot && s === st.expSeq + 1) {
      place(st, r, e, s, false); // links to the unreadable line: nothing to compare with
      continue;
    }
    let j = i + 1;
    while (j < recs.length && !entryOf(recs[j])) j++;
    const next = intact(recs[j]);
    const displaced = s > st.expSeq && ctx.seqCount.get(s) === 1;
    if (next && next.seq === st.expSeq && next.prev === st.prev && !displaced) {
      report('inserted', r, s, `extra line: the next line continues the chain from seq ${st.expSeq - 1}`);
      continue;
    }
    if (!selfOk) {
      report(
        'edited',
        r,
        fits ? s : st.expSeq,
        `entry does not match its hash (${r.parsed.reason ?? 'damaged'})`,
      );
      place(st, r, e, st.expSeq, true);
      continue;
    }
    if (fits) {
      const vouched = next !== undefined && next.seq === s + 1 && next.prev === e.hash;
      if (vouched && st.prevRec) {
        report('edited', st.prevRec, s - 1, `entry was rewritten: seq ${s} links to a different hash for it`);
      } else {
        report('edited', r, s, 'entry does not link to the previous one: rewritten with a recomputed hash');
      }
      place(st, r, e, s, false);
      continue;
    }
    if (s < st.expSeq) {
      const before = entryOf(st.prevRec);
      // A fork at the very end has no successor to tell: a checkpoint's or the anchor's word does.
      const forkWins =
        s === st.expSeq - 1 &&
        before !== undefined &&
        before.prev === e.prev &&
        ((next?.seq === st.expSeq && next.prev === e.hash) ||
          (ctx.vouched.get(s) === e.hash && before.hash !== e.hash));
      if (forkWins && st.prevRec) {
        // Two entries claim seq s from the same predecessor; the chain continues from this one.
        report(
          'inserted',
          st.prevRec,
          s,
          'forged entry: the chain continues from the other entry with this seq',
        );
        place(st, r, e, s, false);
      } else {
        report('inserted', r, s, `seq ${s} after seq ${st.expSeq - 1}: extra entry`);
      }
      continue;
    }
    if (!sorted) {
      const k = recs.findIndex((x, n) => n > i && entryOf(x)?.seq === st.expSeq);
      if (k !== -1) {
        const at = recs[k]!;
        report(
          'reordered',
          r,
          s,
          `seq ${s} stands where seq ${st.expSeq} belongs (found at ${at.file}:${at.line})`,
        );
        const rest: LineRec[] = [];
        for (const x of recs.slice(i)) {
          if (entryOf(x)) rest.push(x);
          else if (x.torn) report('truncated', x, undefined, 'last line has no end of line');
          else report('malformed', x, undefined, 'line is not a log entry');
        }
        rest.sort((a, b) => entryOf(a)!.seq - entryOf(b)!.seq || a.pos - b.pos);
        walk(rest, st, ctx, true);
        return;
      }
    }
    const gap = s - 1 === st.expSeq ? `seq ${st.expSeq}` : `seq ${st.expSeq}..${s - 1}`;
    const prev = st.prevRec;
    const atBoundary =
      r.line === 1 &&
      (prev === undefined ||
        (prev.file !== r.file && prev.lastInFile && dayGap(prev.fileDay, r.fileDay) >= 2));
    if (atBoundary) {
      report('missing-file', r, st.expSeq, `${gap} missing before this file: a daily file was removed`);
    } else {
      report('deleted', r, st.expSeq, `${gap} missing before this entry`);
    }
    place(st, r, e, s, false);
  }
}
