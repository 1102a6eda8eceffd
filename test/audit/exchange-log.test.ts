import { appendFileSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import {
  GENESIS_HASH,
  entryHash,
  logFileName,
  openExchangeLog,
  personKey,
  readTrail,
  verifyLogDir,
} from '../../src/audit/index.js';
import type { LogEntry } from '../../src/audit/index.js';
import { baseOptions, fakeClock, makeSigner, PEOPLE, sampleEvent, SECRET, tempDir } from './helpers.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
function dirFor(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}
function linesOf(dir: string): LogEntry[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .sort()
    .flatMap((n) => readFileSync(join(dir, n), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as LogEntry);
}

describe('exchange log: chain', () => {
  it('writes canonical, hashed entries and continues the chain across reopen', async () => {
    const dir = dirFor();
    const clock = fakeClock();
    const log1 = await openExchangeLog(baseOptions(dir, { now: clock.now }));
    const a = await log1.record(sampleEvent(1));
    expect(a.seq).toBe(1);
    expect(a.prev).toBe(GENESIS_HASH);
    expect(a.time).toBe('2025-03-01T09:00:00.000+08:00');
    expect(a.hash).toBe(entryHash(a));
    const b = await log1.record(sampleEvent(2));
    expect(b.prev).toBe(a.hash);
    await log1.close();
    const closeCheckpoint = linesOf(dir).at(-1)!;
    expect(closeCheckpoint.event).toBe('checkpoint');
    expect(closeCheckpoint.seq).toBe(3);

    const log2 = await openExchangeLog(baseOptions(dir, { now: clock.now }));
    expect(log2.head).toEqual({ seq: 3, hash: closeCheckpoint.hash });
    const c = await log2.record(sampleEvent(3));
    expect(c.seq).toBe(4);
    expect(c.prev).toBe(closeCheckpoint.hash);
    await log2.close();

    const all = linesOf(dir);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    const raw = readFileSync(join(dir, logFileName('520000', 'gw-a', '20250301')), 'utf8').split('\n')[0]!;
    // keys sorted, no whitespace
    expect(raw.startsWith('{"actor":"system:520000-population","alg":"sm3","caseId":"CASE-1"')).toBe(true);
    expect(await verifyLogDir(dir)).toMatchObject({ ok: true, entries: 5, instances: ['gw-a'] });
  });

  it('rotates daily files by Asia/Shanghai day, seq continuous across files', async () => {
    const dir = dirFor();
    // 23:30 UTC on 1 March is already 2 March in Shanghai
    const clock = fakeClock('2025-03-01T22:00:00+08:00');
    const log = await openExchangeLog(baseOptions(dir, { now: clock.now, hash: 'sha256' }));
    for (let i = 0; i < 6; i++) {
      await log.record(sampleEvent(i));
      clock.advance(60 * 60_000);
    }
    await log.close();
    const files = readdirSync(dir)
      .filter((n) => n.endsWith('.jsonl'))
      .sort();
    expect(files).toEqual(['exchange-520000-gw-a-20250301.jsonl', 'exchange-520000-gw-a-20250302.jsonl']);
    const second = readFileSync(join(dir, files[1]!), 'utf8').split('\n')[0]!;
    expect(JSON.parse(second)).toMatchObject({
      seq: 3,
      time: '2025-03-02T00:00:00.000+08:00',
      alg: 'sha256',
    });
    expect(linesOf(dir).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect((await verifyLogDir(dir)).ok).toBe(true);
  });

  it('group commit: 500 concurrent records, continuous seq, chain verifies, few fsync batches', async () => {
    const dir = dirFor();
    const log = await openExchangeLog(baseOptions(dir));
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => log.record(sampleEvent(i))));
    expect(results.map((e) => e.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    await log.close();
    const onDisk = linesOf(dir).filter((e) => e.event !== 'checkpoint');
    expect(onDisk).toHaveLength(500);
    expect(onDisk.map((e) => e.packetId)).toEqual(results.map((e) => e.packetId));
    expect(await verifyLogDir(dir)).toMatchObject({ ok: true, entries: 501 });
    // group commit: far fewer write+fsync batches than records
    expect(log.stats.written).toBe(501);
    expect(log.stats.syncs).toBeLessThan(20);
  });

  it('resolves a record only after its line is on disk', async () => {
    const dir = dirFor();
    const log = await openExchangeLog(baseOptions(dir));
    const e = await log.record(sampleEvent(0));
    const file = readdirSync(dir).find((n) => n.endsWith('.jsonl'))!;
    expect(readFileSync(join(dir, file), 'utf8')).toContain(`"hash":"${e.hash}"`);
    await log.close();
  });
});

describe('exchange log: lifecycle', () => {
  it('close waits for records already made, then refuses new ones', async () => {
    const dir = dirFor();
    const log = await openExchangeLog(baseOptions(dir));
    const inFlight = Array.from({ length: 50 }, (_, i) => log.record(sampleEvent(i)));
    const closed = log.close();
    await expect(log.record(sampleEvent(99))).rejects.toMatchObject({ code: 'GW_ERR_AUDIT_UNAVAILABLE' });
    expect((await Promise.all(inFlight)).map((e) => e.seq)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    await closed;
    expect(log.healthy).toBe(false);
    const all = linesOf(dir);
    expect(all).toHaveLength(51);
    expect(all.at(-1)).toMatchObject({ event: 'checkpoint', detail: { seq: 50 } });
  });

  it('rejects bad options with GW_ERR_CONFIG_INVALID', async () => {
    const dir = dirFor();
    for (const bad of [{ member: '52-0000' }, { instanceId: '../x' }, { secret: Buffer.alloc(4) }]) {
      await expect(openExchangeLog(baseOptions(dir, bad))).rejects.toMatchObject({
        code: 'GW_ERR_CONFIG_INVALID',
      });
    }
  });
});

describe('exchange log: checkpoints', () => {
  it('signs checkpoints every N entries and at close, and keeps the latest as anchor', async () => {
    const dir = dirFor();
    const s = await makeSigner();
    const log = await openExchangeLog(
      baseOptions(dir, {
        checkpoint: { signer: s.signer, certDer: s.certDer, suite: 'intl', everyEntries: 10 },
      }),
    );
    for (let i = 0; i < 25; i++) await log.record(sampleEvent(i));
    await log.close();
    const cps = linesOf(dir).filter((e) => e.event === 'checkpoint');
    expect(cps.length).toBe(3); // after 10, after 20, at close
    const last = cps.at(-1)!;
    expect(last.detail).toMatchObject({ instance: 'gw-a', member: '520000', suite: 'intl', alg: 'sm3' });
    expect(last.detail!.cert).toBe(s.certDer.toString('base64'));
    const anchor = JSON.parse(readFileSync(join(dir, 'checkpoint-gw-a.json'), 'utf8')) as LogEntry;
    expect(anchor).toEqual(last);
    const res = await verifyLogDir(dir, { verifySignature: s.verifySignature, requireSignatures: true });
    expect(res).toMatchObject({ ok: true, checkpoints: 3, signaturesVerified: 3 });
  });

  it('writes a checkpoint after everyMs when entries are waiting', async () => {
    const dir = dirFor();
    const s = await makeSigner();
    const log = await openExchangeLog(
      baseOptions(dir, { checkpoint: { signer: s.signer, certDer: s.certDer, suite: 'intl', everyMs: 50 } }),
    );
    await log.record(sampleEvent(1));
    await new Promise((r) => setTimeout(r, 300));
    expect(linesOf(dir).filter((e) => e.event === 'checkpoint')).toHaveLength(1); // idle: no more
    await log.close();
  });
});

describe('exchange log: privacy', () => {
  it('never writes an ID number or a name in clear, in any file', async () => {
    const dir = dirFor();
    const log = await openExchangeLog(baseOptions(dir));
    for (let i = 0; i < 20; i++) await log.record(sampleEvent(i));
    // a careless caller also puts the data into free text
    const leaky = {
      ...sampleEvent(99),
      detail: { note: `申请人 徐明 ${PEOPLE[0].idNumber.toLowerCase()}`, [PEOPLE[1].idNumber]: 1 },
    };
    const e = await log.record(leaky);
    await log.close();
    expect(e.people![0]).toEqual({
      role: 'applicant',
      masked: '1101**********002X',
      maskedName: '徐*',
      hmac: personKey(SECRET, 'sm3', '11010519491231002x'),
    });
    const blobs = readdirSync(dir).map((n) => readFileSync(join(dir, n)));
    expect(blobs.length).toBeGreaterThan(1);
    for (const p of PEOPLE) {
      for (const secret of [p.idNumber, p.idNumber.toLowerCase(), p.name]) {
        for (const b of blobs) expect(b.includes(Buffer.from(secret, 'utf8'))).toBe(false);
      }
    }
    // …but an auditor with the secret finds the person
    const key = personKey(SECRET, 'sm3', PEOPLE[1].idNumber);
    expect(blobs.some((b) => b.includes(Buffer.from(key)))).toBe(true);
  });
});

describe('exchange log: failures', () => {
  it('unwritable dir: record rejects with GW_ERR_AUDIT_UNAVAILABLE and healthy is false', async () => {
    const base = dirFor();
    writeFileSync(join(base, 'not-a-dir'), 'x');
    // a path below a regular file cannot be created, even by root (ENOTDIR)
    const log = await openExchangeLog(baseOptions(join(base, 'not-a-dir', 'audit'), { retryAfterMs: 0 }));
    expect(log.healthy).toBe(false);
    const err = await log.record(sampleEvent(1)).catch((e: unknown) => e);
    expect(isGatewayError(err, 'GW_ERR_AUDIT_UNAVAILABLE')).toBe(true);
    expect((err as { status: number }).status).toBe(503);
    expect(log.healthy).toBe(false);
    await log.close();
  });

  it('disk full: refuses, then recovers with an alert in the chain', async () => {
    const dir = dirFor();
    const clock = fakeClock();
    const log = await openExchangeLog(baseOptions(dir, { now: clock.now, retryAfterMs: 0 }));
    await log.record(sampleEvent(1));
    // the next day's file is /dev/full: every write fails with ENOSPC
    const next = join(dir, logFileName('520000', 'gw-a', '20250302'));
    symlinkSync('/dev/full', next);
    clock.advance(24 * 3600_000);
    const results = await Promise.allSettled([log.record(sampleEvent(2)), log.record(sampleEvent(3))]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect(isGatewayError((r as PromiseRejectedResult).reason, 'GW_ERR_AUDIT_UNAVAILABLE')).toBe(true);
    }
    expect(log.healthy).toBe(false);
    expect(log.head.seq).toBe(1);
    await expect(log.record(sampleEvent(4))).rejects.toMatchObject({ code: 'GW_ERR_AUDIT_UNAVAILABLE' });
    rmSync(next); // space freed
    const e = await log.record(sampleEvent(5));
    expect(log.healthy).toBe(true);
    expect(e.seq).toBe(3); // seq 2 is the alert
    await log.close();
    const all = linesOf(dir);
    const alert = all.find((x) => x.event === 'alert')!;
    expect(alert).toMatchObject({ seq: 2, code: 'GW_ERR_AUDIT_UNAVAILABLE' });
    expect(alert.detail).toMatchObject({ reason: 'log-unwritable', error: 'ENOSPC', refusedRecords: 3 });
    expect(log.stats.refused).toBe(3);
    expect((await verifyLogDir(dir)).ok).toBe(true);
  });

  it('torn tail line: cut off, kept aside, and recorded as an alert', async () => {
    const dir = dirFor();
    const log1 = await openExchangeLog(baseOptions(dir));
    for (let i = 0; i < 3; i++) await log1.record(sampleEvent(i));
    await log1.close(); // seq 4 = checkpoint
    const file = join(
      dir,
      readdirSync(dir).find((n) => n.endsWith('.jsonl'))!,
    );
    const partial = '{"actor":"system:520000-population","alg":"sm3","caseId":"CASE-9","ev';
    appendFileSync(file, partial); // crash in the middle of a write
    const before = await verifyLogDir(dir);
    expect(before.ok).toBe(false);
    if (!before.ok) expect(before.problems[0]).toMatchObject({ kind: 'truncated', line: 5 });

    const log2 = await openExchangeLog(baseOptions(dir));
    const next = await log2.record(sampleEvent(5));
    await log2.close();
    const all = linesOf(dir);
    const alert = all.find((e) => e.event === 'alert')!;
    expect(alert.seq).toBe(5);
    expect(alert.detail).toMatchObject({ reason: 'torn-tail-cut', bytes: Buffer.byteLength(partial) });
    expect(next.seq).toBe(6);
    expect(readFileSync(join(dir, String(alert.detail!.savedAs)), 'utf8')).toBe(partial);
    expect((await verifyLogDir(dir)).ok).toBe(true);
  });

  it('refuses to continue a chain whose last complete entry does not verify', async () => {
    const dir = dirFor();
    const log1 = await openExchangeLog(baseOptions(dir));
    await log1.record(sampleEvent(1));
    await log1.close();
    const file = join(
      dir,
      readdirSync(dir).find((n) => n.endsWith('.jsonl'))!,
    );
    const text = readFileSync(file, 'utf8');
    const at = text.lastIndexOf('"outcome":"ok"');
    writeFileSync(file, `${text.slice(0, at)}"outcome":"error"${text.slice(at + 14)}`);
    await expect(openExchangeLog(baseOptions(dir))).rejects.toMatchObject({
      code: 'GW_ERR_AUDIT_UNAVAILABLE',
    });
  });
});

describe('readTrail', () => {
  it('returns one case across files and instances, in time order', async () => {
    const dir = dirFor();
    const clock = fakeClock('2025-03-01T23:00:00+08:00');
    const a = await openExchangeLog(baseOptions(dir, { now: clock.now }));
    const b = await openExchangeLog(baseOptions(dir, { now: clock.now, instanceId: 'gw-b' }));
    for (let i = 0; i < 14; i++) {
      await (i % 2 === 0 ? a : b).record(sampleEvent(i));
      clock.advance(20 * 60_000);
    }
    await a.close();
    await b.close();
    const trail = await readTrail(dir, { caseId: 'CASE-0' });
    expect(trail.map((e) => `${e.instance}:${e.packetId!.slice(-2)}`)).toEqual(['gw-a:00', 'gw-b:07']);
    const p = await readTrail([dir], { packetId: sampleEvent(7).packetId! });
    expect(p).toHaveLength(1);
    expect(p[0]!.instance).toBe('gw-b');
    const all = await readTrail(dir, {});
    expect(all.map((e) => Date.parse(e.time))).toEqual(
      [...all.map((e) => Date.parse(e.time))].sort((x, y) => x - y),
    );
    expect((await verifyLogDir(dir)).ok).toBe(true);
  });
});
