import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exportEntries,
  findPerson,
  openExchangeLog,
  parseTimeBoundary,
  readAuditSecret,
  verifyLogDir,
} from '../../src/audit/index.js';
import type { LogEntry } from '../../src/audit/index.js';
import { runAudit } from './cli.js';
import { baseOptions, fakeClock, PEOPLE, SECRET, sampleEvent, tempDir } from './helpers.js';

const cleanups: Array<() => void> = [];
let dir: string;
let keyFile: string;
let all: LogEntry[];

/** Two instances of one node, three days, 30 events each (PEOPLE[1..2] on even events only). */
beforeAll(async () => {
  const t = tempDir('audit-export-');
  cleanups.push(t.cleanup);
  dir = t.dir;
  for (const instanceId of ['gw-a', 'gw-b']) {
    const clock = fakeClock(
      instanceId === 'gw-a' ? '2025-03-01T09:00:00+08:00' : '2025-03-01T09:05:00+08:00',
    );
    const log = await openExchangeLog(baseOptions(dir, { instanceId, now: clock.now }));
    for (let i = 0; i < 30; i++) {
      await log.record(sampleEvent(i));
      clock.advance(i % 10 === 9 ? 24 * 3600_000 - 9 * 3600_000 : 3600_000);
    }
    await log.close();
  }
  all = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as LogEntry);
  keyFile = join(dir, '..', `${dir.split('/').pop()}-secret.key`);
  writeFileSync(keyFile, `${SECRET.toString('hex')}\n`, { mode: 0o600 });
});
afterAll(() => cleanups.forEach((c) => c()));

describe('parseTimeBoundary', () => {
  it('reads days as Asia/Shanghai days, --to inclusive of the whole day', () => {
    expect(parseTimeBoundary('2025-03-02', 'from')).toBe(Date.parse('2025-03-02T00:00:00+08:00'));
    expect(parseTimeBoundary('20250302', 'to')).toBe(Date.parse('2025-03-03T00:00:00+08:00'));
  });
  it('reads date-times with an offset as given, without one as Shanghai time; --to is inclusive', () => {
    expect(parseTimeBoundary('2025-03-02T01:00:00Z', 'from')).toBe(Date.parse('2025-03-02T09:00:00+08:00'));
    expect(parseTimeBoundary('2025-03-02T09:00', 'to')).toBe(Date.parse('2025-03-02T09:00:00+08:00') + 1);
  });
  it('refuses what is not a date, with a coded error', () => {
    for (const bad of ['2025-02-30', 'yesterday', '2025/03/01', '']) {
      expect(() => parseTimeBoundary(bad, 'from'), bad).toThrow(
        expect.objectContaining({ code: 'GW_ERR_AUDIT_QUERY_INVALID' }),
      );
    }
  });
});

describe('exportEntries', () => {
  it('returns exactly the entries of the period, both instances, merged by time', async () => {
    const range = {
      from: parseTimeBoundary('2025-03-02', 'from'),
      to: parseTimeBoundary('2025-03-02', 'to'),
    };
    const got = await exportEntries(dir, range);
    const expected = all.filter((e) => Date.parse(e.time) >= range.from && Date.parse(e.time) < range.to);
    expect(expected.length).toBeGreaterThan(10);
    expect(got.map((s) => `${s.entry.instance}#${s.entry.seq}`).sort()).toEqual(
      expected.map((e) => `${e.instance}#${e.seq}`).sort(),
    );
    const times = got.map((s) => Date.parse(s.entry.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(got.map((s) => s.entry.instance))).toEqual(new Set(['gw-a', 'gw-b']));
  });

  it('CLI jsonl: the log lines themselves; csv: a header and one row per entry, nothing in clear', async () => {
    const jsonl = await runAudit([
      'export',
      dir,
      '--from',
      '2025-03-01',
      '--to',
      '2025-03-01',
      '--format',
      'jsonl',
    ]);
    expect(jsonl.code).toBe(0);
    const logLines = new Set(
      readdirSync(dir)
        .filter((f) => f.endsWith('.jsonl'))
        .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n')),
    );
    const lines = jsonl.out.split('\n').filter(Boolean);
    expect(lines.length).toBe(all.filter((e) => e.time.startsWith('2025-03-01')).length);
    for (const l of lines) expect(logLines.has(l)).toBe(true);

    const csv = await runAudit([
      'export',
      dir,
      '--from',
      '2025-03-01T00:00:00+08:00',
      '--to',
      '2025-03-03',
      '--format',
      'csv',
    ]);
    expect(csv.code).toBe(0);
    const rows = csv.out.split('\r\n').filter(Boolean);
    expect(rows[0]).toBe(
      'time,member,instance,seq,event,outcome,code,packetId,caseId,type,from,to,actor,people,detail,hash',
    );
    expect(rows.length - 1).toBe(all.filter((e) => e.time < '2025-03-04').length);
    expect(csv.out).toContain('3301**********0019');
    for (const p of PEOPLE) {
      expect(csv.out).not.toContain(p.idNumber);
      expect(csv.out).not.toContain(p.name);
    }
    expect(csv.out).not.toMatch(/"hmac"/); // the keyed hash stays out of the spreadsheet
  });

  it('CLI refuses a bad format or an empty range with a coded error', async () => {
    expect(await runAudit(['export', dir, '--from', '2025-03-02', '--to', '2025-03-01'])).toMatchObject({
      code: 1,
      err: expect.stringContaining('GW_ERR_AUDIT_QUERY_INVALID'),
    });
    expect(
      await runAudit(['export', dir, '--from', '2025-03-01', '--to', '2025-03-02', '--format', 'xml']),
    ).toMatchObject({ code: 1, err: expect.stringContaining('GW_ERR_AUDIT_QUERY_INVALID') });
  });
});

describe('findPerson', () => {
  it('finds every entry about one citizen with the node key, and only those', async () => {
    const mother = PEOPLE[1];
    const got = await findPerson(dir, SECRET, mother.idNumber);
    const expected = all.filter((e) => e.people?.some((p) => p.masked === '5201**********4429'));
    expect(expected.length).toBe(30); // even events of both instances
    expect(got.map((s) => `${s.entry.instance}#${s.entry.seq}`).sort()).toEqual(
      expected.map((e) => `${e.instance}#${e.seq}`).sort(),
    );
    // lower-case check character and spaces are the same number
    expect(await findPerson(dir, SECRET, ` ${PEOPLE[0].idNumber.toLowerCase()} `)).toHaveLength(60);
  });

  it('finds nothing with another key or for another person', async () => {
    expect(await findPerson(dir, Buffer.alloc(32, 7), PEOPLE[1].idNumber)).toHaveLength(0);
    expect(await findPerson(dir, SECRET, '110101199003070011')).toHaveLength(0);
  });

  it('CLI: reads the key file the node writes; exit 1 when nothing is found; coded error for a bad key file', async () => {
    const r = await runAudit(['find', dir, '--id-number', PEOPLE[2].idNumber, '--key', keyFile]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter(Boolean)).toHaveLength(30);
    expect(r.out).toContain('newborn:3301**********0019');
    expect(r.out).not.toContain(PEOPLE[2].idNumber);
    expect((await runAudit(['find', dir, '--id-number', '110101199003070011', '--key', keyFile])).code).toBe(
      1,
    );
    const bad = join(dir, 'not-a-key');
    writeFileSync(bad, 'secret\n');
    expect(() => readAuditSecret(bad)).toThrow(
      expect.objectContaining({ code: 'GW_ERR_AUDIT_SECRET_INVALID' }),
    );
    expect(
      await runAudit(['find', dir, '--id-number', PEOPLE[2].idNumber, '--key', join(dir, 'none')]),
    ).toMatchObject({ code: 1, err: expect.stringContaining('GW_ERR_AUDIT_SECRET_INVALID') });
  });

  it('the queries leave the log intact', async () => {
    expect(await verifyLogDir(dir)).toMatchObject({ ok: true, instances: ['gw-a', 'gw-b'] });
  });
});
