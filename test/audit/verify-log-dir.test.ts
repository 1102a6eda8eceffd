import { cpSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalJson,
  checkpointSignedData,
  entryHash,
  openExchangeLog,
  verifyLogDir,
} from '../../src/audit/index.js';
import type { LogEntry, VerifyProblem, VerifyResult } from '../../src/audit/index.js';
import { baseOptions, fakeClock, forgerSign, makeSigner, sampleEvent, tempDir } from './helpers.js';
import type { TestSigner } from './helpers.js';

let signer: TestSigner;
let fixture: string;
let files: string[]; // daily files, oldest first
const cleanups: Array<() => void> = [];

/** A real log over three days, two sessions, signed checkpoints every 8 entries. */
beforeAll(async () => {
  signer = await makeSigner();
  const t = tempDir('audit-fixture-');
  cleanups.push(t.cleanup);
  fixture = t.dir;
  const clock = fakeClock('2025-03-01T09:00:00+08:00');
  const opts = baseOptions(fixture, {
    now: clock.now,
    checkpoint: { signer: signer.signer, certDer: signer.certDer, suite: 'intl', everyEntries: 8 },
  });
  let n = 0;
  for (let day = 0; day < 3; day++) {
    const log = await openExchangeLog(opts);
    for (let i = 0; i < 20; i++) {
      await log.record(sampleEvent(n++));
      clock.advance(10 * 60_000);
    }
    await log.close();
    clock.advance(24 * 3600_000 - 200 * 60_000);
  }
  files = readdirSync(fixture)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
});
afterAll(() => cleanups.forEach((c) => c()));

function copy(): string {
  const t = tempDir('audit-tamper-');
  cleanups.push(t.cleanup);
  cpSync(fixture, t.dir, { recursive: true });
  return t.dir;
}
function lines(dir: string, file: string): string[] {
  return readFileSync(join(dir, file), 'utf8').split('\n').slice(0, -1);
}
function write(dir: string, file: string, ls: string[]): void {
  writeFileSync(join(dir, file), ls.map((l) => `${l}\n`).join(''));
}
/** What a forger who knows the format (but not the signing key) can produce. */
function forge(e: Omit<LogEntry, 'hash'> & { hash?: string }): string {
  const body = { ...e };
  delete body.hash;
  return canonicalJson({ ...body, hash: entryHash(body) });
}
async function verify(dir: string): Promise<VerifyResult> {
  return verifyLogDir(dir, { verifySignature: signer.verifySignature, requireSignatures: true });
}
async function firstProblem(dir: string): Promise<VerifyProblem> {
  const res = await verify(dir);
  expect(res.ok).toBe(false);
  if (res.ok) throw new Error('unreachable');
  return res.problems[0]!;
}

describe('verifyLogDir: intact log', () => {
  it('verifies, with every checkpoint signature checked', async () => {
    expect(files).toHaveLength(3);
    const res = await verify(fixture);
    expect(res).toMatchObject({ ok: true, entries: 3 * 20 + 9, instances: ['gw-a'], signaturesVerified: 9 });
  });
});

describe('verifyLogDir: each tamper kind', () => {
  it('edit a byte in a field -> edited, at that seq and line', async () => {
    const dir = copy();
    const ls = lines(dir, files[1]!);
    const target = JSON.parse(ls[4]!) as LogEntry;
    ls[4] = ls[4]!.replace('"outcome":"ok"', '"outcome":"ko"');
    write(dir, files[1]!, ls);
    expect(await firstProblem(dir)).toMatchObject({
      kind: 'edited',
      file: files[1],
      line: 5,
      seq: target.seq,
    });
  });

  it('swap two lines -> reordered', async () => {
    const dir = copy();
    const ls = lines(dir, files[0]!);
    [ls[6], ls[7]] = [ls[7]!, ls[6]!];
    write(dir, files[0]!, ls);
    const res = await verify(dir);
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.problems[0]).toMatchObject({ kind: 'reordered', file: files[0], line: 7, seq: 8 });
      expect(res.problems).toHaveLength(1); // one move, one problem
    }
  });

  it('delete a line -> deleted, naming the missing seq', async () => {
    const dir = copy();
    const ls = lines(dir, files[2]!);
    const gone = JSON.parse(ls[10]!) as LogEntry;
    ls.splice(10, 1);
    write(dir, files[2]!, ls);
    expect(await firstProblem(dir)).toMatchObject({
      kind: 'deleted',
      file: files[2],
      line: 11,
      seq: gone.seq,
    });
  });

  it('insert a forged line with a recomputed hash -> inserted, at the forged line', async () => {
    const dir = copy();
    const ls = lines(dir, files[1]!);
    const k = JSON.parse(ls[3]!) as LogEntry;
    // correctly chained to seq k, numbered k+1: it is the genuine k+1 that looks extra at first
    const forged = forge({
      ...k,
      seq: k.seq + 1,
      prev: k.hash,
      outcome: 'error',
      code: 'GW_ERR_PACKET_SCHEMA',
    });
    ls.splice(4, 0, forged);
    write(dir, files[1]!, ls);
    const p = await firstProblem(dir);
    expect(p).toMatchObject({ kind: 'inserted', file: files[1], line: 5, seq: k.seq + 1 });
  });

  it('insert a forged line reusing the previous seq -> inserted', async () => {
    const dir = copy();
    const ls = lines(dir, files[0]!);
    const k = JSON.parse(ls[2]!) as LogEntry;
    ls.splice(3, 0, forge({ ...k, actor: 'admin:mallory' }));
    write(dir, files[0]!, ls);
    expect(await firstProblem(dir)).toMatchObject({ kind: 'inserted', line: 4, seq: k.seq });
  });

  it('truncate the tail after a checkpoint -> truncated (anchor)', async () => {
    const dir = copy();
    const ls = lines(dir, files[2]!);
    const lastKept = JSON.parse(ls[ls.length - 4]!) as LogEntry;
    write(dir, files[2]!, ls.slice(0, -3)); // drops the final checkpoint and two entries
    expect(await firstProblem(dir)).toMatchObject({
      kind: 'truncated',
      file: files[2],
      seq: lastKept.seq + 1,
    });
  });

  it('truncate in the middle of a line -> truncated', async () => {
    const dir = copy();
    const path = join(dir, files[2]!);
    truncateSync(path, readFileSync(path).length - 40);
    expect(await firstProblem(dir)).toMatchObject({ kind: 'truncated', file: files[2] });
  });

  it('remove a whole daily file -> missing-file (middle, first and last day)', async () => {
    for (const [i, expected] of [
      [1, files[2]],
      [0, files[1]],
      [2, files[2]],
    ] as const) {
      const dir = copy();
      rmSync(join(dir, files[i]!));
      expect(await firstProblem(dir)).toMatchObject({ kind: 'missing-file', file: expected });
    }
  });

  it('remove the anchor file -> missing-file', async () => {
    const dir = copy();
    rmSync(join(dir, 'checkpoint-gw-a.json'));
    expect(await firstProblem(dir)).toMatchObject({ kind: 'missing-file', file: 'checkpoint-gw-a.json' });
  });

  it('checkpoint re-signed by another key -> bad-checkpoint-signature', async () => {
    const dir = copy();
    const ls = lines(dir, files[2]!);
    const cp = JSON.parse(ls[ls.length - 1]!) as LogEntry;
    const detail = {
      ...cp.detail!,
      signature: forgerSign(checkpointSignedData(cp.detail!)).toString('base64'),
    };
    const forged = forge({ ...cp, detail });
    ls[ls.length - 1] = forged;
    write(dir, files[2]!, ls);
    writeFileSync(join(dir, 'checkpoint-gw-a.json'), `${forged}\n`);
    expect(await firstProblem(dir)).toMatchObject({ kind: 'bad-checkpoint-signature', seq: cp.seq });
  });

  it('whole tail rewritten with recomputed hashes -> edited, caught by a signed checkpoint', async () => {
    const dir = copy();
    let prev: string | undefined;
    let target: LogEntry | undefined;
    for (const f of files.slice(1)) {
      const ls = lines(dir, f).map((l, i) => {
        const e = JSON.parse(l) as LogEntry;
        if (f === files[1] && i === 2) {
          target = e;
          e.detail = { ...e.detail!, note: 'rewritten' };
        }
        if (target === undefined) return l;
        const out = forge({ ...e, prev: prev ?? e.prev });
        prev = (JSON.parse(out) as LogEntry).hash;
        return out;
      });
      write(dir, f, ls);
    }
    // The first signed checkpoint after the change pins the entry it vouches for; the
    // rewrite itself lies between the previous confirmed checkpoint and that entry.
    const cp = lines(dir, files[1]!)
      .map((l) => JSON.parse(l) as LogEntry)
      .find((e) => e.event === 'checkpoint' && (e.detail!.seq as number) >= target!.seq)!;
    const p = await firstProblem(dir);
    expect(p).toMatchObject({ kind: 'edited', file: files[1], seq: cp.detail!.seq });
    expect(p.message).toMatch(/rewritten/);
  });
});

describe('verifyLogDir: randomized tampering', () => {
  /** Deterministic PRNG so that a failure can be replayed. */
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /**
   * The kinds of damage the issue names (edit a byte, swap two lines, delete a line, insert a
   * forged line with a recomputed hash, truncate, remove a file), plus a duplicated line, an
   * entry rewritten with a recomputed hash and a damaged anchor, each with the kinds the
   * verifier may rightly name for it. An edited byte that breaks the JSON leaves a line that is
   * no entry at all: `malformed`. Deleting the chain's very last line (the final checkpoint) is
   * `truncated`, as the anchor shows entries cut off at the end.
   */
  const KINDS = [
    'edit',
    'swap',
    'delete',
    'forge',
    'truncate',
    'rmfile',
    'duplicate',
    'recompute',
    'anchor',
  ] as const;
  type Tamper = (typeof KINDS)[number];
  const EXPECTED: Record<Tamper, readonly string[]> = {
    edit: ['edited', 'malformed'],
    swap: ['reordered'],
    delete: ['deleted'],
    forge: ['inserted'],
    truncate: ['truncated'],
    rmfile: ['missing-file'],
    duplicate: ['inserted'],
    recompute: ['edited'],
    anchor: ['malformed', 'bad-checkpoint-signature'],
  };
  const ROUNDS = 1000;

  it(`classifies ${ROUNDS} random tamperings of a real log, each with the right kind`, async () => {
    const rand = rng(20250301);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
    // Checkpoint signatures are really verified, once per distinct (data, signature, cert):
    // a tampering that touches a checkpoint produces new bytes and is checked afresh.
    const memo = new Map<string, boolean>();
    const verifySignature: typeof signer.verifySignature = async (data, sig, cert, suite) => {
      const key = `${data.toString('base64')}|${sig.toString('base64')}|${cert.toString('base64')}`;
      let ok = memo.get(key);
      if (ok === undefined) memo.set(key, (ok = await signer.verifySignature(data, sig, cert, suite)));
      return ok;
    };
    const check = (dir: string): Promise<VerifyResult> =>
      verifyLogDir(dir, { verifySignature, requireSignatures: true });
    const seen = new Map<Tamper, Map<string, number>>();
    // One working copy, restored from memory after each round (copying a directory per round
    // would cost more than verifying it).
    const dir = copy();
    const original = new Map(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n))] as const));
    const restore = (touched: string): void => {
      for (const n of readdirSync(dir)) if (!original.has(n)) rmSync(join(dir, n));
      for (const n of [touched, 'checkpoint-gw-a.json']) writeFileSync(join(dir, n), original.get(n)!);
    };
    const lastFile = files[files.length - 1]!;
    for (let round = 0; round < ROUNDS; round++) {
      const kind = KINDS[round % KINDS.length]!;
      const f = pick(files);
      const ls = lines(dir, f);
      const i = Math.floor(rand() * ls.length);
      let j = Math.floor(rand() * ls.length);
      if (j === i) j = (i + 1) % ls.length;
      let expected = EXPECTED[kind];
      switch (kind) {
        case 'edit': {
          // one byte of a line changed to another byte (line ends stay: that would be a cut)
          const buf = readFileSync(join(dir, f));
          let at: number;
          do at = Math.floor(rand() * buf.length);
          while (buf[at] === 0x0a);
          let b: number;
          do b = Math.floor(rand() * 256);
          while (b === buf[at] || b === 0x0a);
          buf[at] = b;
          writeFileSync(join(dir, f), buf);
          break;
        }
        case 'swap':
          [ls[i], ls[j]] = [ls[j]!, ls[i]!];
          write(dir, f, ls);
          break;
        case 'delete':
          if (f === lastFile && i === ls.length - 1) expected = ['truncated'];
          // Seq 1 gone from the first file: nothing tells a lost first line from a lost earlier file.
          if (f === files[0] && i === 0) expected = ['deleted', 'missing-file'];
          ls.splice(i, 1);
          write(dir, f, ls);
          break;
        case 'forge': {
          // What a forger who knows the format writes: correctly chained to the line before it,
          // numbered as the next entry, hash recomputed — or reusing that entry's seq.
          const at = Math.max(1, i);
          const before = JSON.parse(ls[at - 1]!) as LogEntry;
          const seq = rand() < 0.5 ? before.seq + 1 : before.seq;
          const base = rand() < 0.5 ? before : (JSON.parse(ls[at] ?? ls[at - 1]!) as LogEntry);
          ls.splice(
            at,
            0,
            forge({
              ...base,
              seq,
              prev: seq === before.seq ? before.prev : before.hash,
              actor: 'admin:mallory',
              outcome: 'error',
            }),
          );
          write(dir, f, ls);
          break;
        }
        case 'truncate': {
          const path = join(dir, f);
          truncateSync(path, Math.floor(rand() * readFileSync(path).length));
          break;
        }
        case 'rmfile':
          rmSync(join(dir, f));
          break;
        case 'duplicate':
          ls.splice(j, 0, ls[i]!);
          write(dir, f, ls);
          break;
        case 'recompute': {
          const e = JSON.parse(ls[i]!) as LogEntry;
          ls[i] = forge({ ...e, outcome: e.outcome === 'ok' ? 'error' : 'ok' });
          write(dir, f, ls);
          break;
        }
        case 'anchor': {
          const path = join(dir, 'checkpoint-gw-a.json');
          const buf = readFileSync(path);
          const at = Math.floor(rand() * (buf.length - 1)); // not the final "\n"
          buf[at] = buf[at]! ^ (1 + Math.floor(rand() * 255));
          writeFileSync(path, buf);
          break;
        }
      }
      const res = await check(dir);
      if (res.ok) throw new Error(`round ${round}: ${kind} on ${f} (i=${i}, j=${j}) went undetected`);
      const got = res.problems[0]!;
      if (!expected.includes(got.kind)) {
        throw new Error(
          `round ${round}: ${kind} on ${f} (i=${i}, j=${j}) reported as ${got.kind} (${got.message}), expected ${expected.join(' or ')}`,
        );
      }
      const m = seen.get(kind) ?? new Map<string, number>();
      m.set(got.kind, (m.get(got.kind) ?? 0) + 1);
      seen.set(kind, m);
      restore(f);
    }
    expect((await check(dir)).ok).toBe(true); // the restore is faithful, so each round started clean
    for (const k of KINDS)
      expect(
        [...(seen.get(k)?.values() ?? [])].reduce((a, b) => a + b, 0),
        k,
      ).toBeGreaterThanOrEqual(Math.floor(ROUNDS / KINDS.length));
    // the main classification of each kind is exercised, not only its alternatives
    for (const [k, main] of [
      ['edit', 'edited'],
      ['delete', 'deleted'],
      ['anchor', 'malformed'],
    ] as const) {
      expect(seen.get(k)?.get(main) ?? 0, `${k} → ${main}`).toBeGreaterThan(0);
    }
  });
});
