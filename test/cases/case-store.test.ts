import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BirthCertificateRegistry,
  CaseStore,
  createWorkingCalendar,
  parseBlacklistCsv,
  applyCaseEvent,
  type CaseFile,
  type CaseRecord,
} from '../../src/cases/index.js';
import { GatewayError } from '../../src/errors.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { SAMPLES } from './helpers.js';

const ctx = { calendar: createWorkingCalendar() };

/** A case file delivered at the 户籍地, ready for a decision. */
function deliveredFile(caseId: string, certificateNo: string): CaseFile {
  const parties = { acceptingMember: '310000', registeringMember: '330000', agreement: 'yangtze-delta' };
  let r: CaseRecord | undefined;
  for (const ev of [
    {
      kind: 'submitted',
      ...parties,
      caseId,
      packetId: `app-${caseId}`,
      at: '2026-11-23T09:12:00+08:00',
      by: 'office:310110530000',
    },
    {
      kind: 'forwarded',
      caseId,
      packetId: `app-${caseId}`,
      at: '2026-11-23T09:12:01+08:00',
      by: 'gateway:310000',
    },
    {
      kind: 'delivered',
      ...parties,
      caseId,
      packetId: `app-${caseId}`,
      at: '2026-11-23T09:12:01+08:00',
      by: 'gateway:330000',
    },
  ] as const) {
    r = applyCaseEvent(r, ev, ctx);
  }
  return {
    record: r!,
    offices: { accepting: '310110530000', registering: '330102530000' },
    birthCertificateNo: certificateNo,
    systems: ['population'],
    alerted: [],
  };
}

describe('case store and 出生医学证明 registry (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let store: CaseStore;
  let registry: BirthCertificateRegistry;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    prefix = testPrefix('cases');
    store = new CaseStore(redis, prefix);
    registry = new BirthCertificateRegistry(redis, prefix);
  });
  afterAll(async () => {
    await dropPrefix(prefix);
    redis.disconnect();
  });

  it('imports the sample blacklist, is idempotent, and removes an entry', async () => {
    const entries = parseBlacklistCsv(readFileSync(join(SAMPLES, 'birth-certificate-blacklist.csv'), 'utf8'));
    expect(entries.map((e) => e.number)).toEqual(['Q310000001', 'R500000017', 'K520000123']);
    expect(await registry.check('Q310000001')).toEqual({ certificateNo: 'Q310000001', status: 'unused' });
    const first = await registry.importBlacklist(entries);
    expect(first.added).toHaveLength(3);
    const again = await registry.importBlacklist(entries);
    expect(again).toEqual({ added: [], updated: [], unchanged: ['Q310000001', 'R500000017', 'K520000123'] });
    const changed = await registry.importBlacklist([{ ...entries[0]!, reason: 'forgery-suspected' }]);
    expect(changed.updated).toEqual(['Q310000001']);
    expect(await registry.check('R500000017')).toMatchObject({
      status: 'blacklisted',
      reason: 'voided-misprint',
    });
    expect(await registry.removeFromBlacklist('R500000017')).toBe(true);
    expect(await registry.removeFromBlacklist('R500000017')).toBe(false);
    expect((await registry.check('R500000017')).status).toBe('unused');
  });

  it('refuses a bad CSV naming every bad line, importing nothing', () => {
    const bad =
      'number,reason,reportedBy,reportedOn\nQ31000000,lost,310000,2026-03-02\nQ310000002,Lost Reported,310000,2026-03-02\nQ310000003,lost,310000,2026-02-30\n';
    try {
      parseBlacklistCsv(bad);
      expect.unreachable();
    } catch (err) {
      expect((err as GatewayError).code).toBe('GW_ERR_BIRTHCERT_CSV');
      expect((err as GatewayError).details.map((d) => d.line)).toEqual([2, 3, 4]);
    }
    expect(() => parseBlacklistCsv('no,header\n')).toThrow(GatewayError);
    expect(
      parseBlacklistCsv(
        '\uFEFFnumber,reason,reportedBy,reportedOn\r\nA123456789,lost-reported,520000,2026-01-05\r\n',
      ),
    ).toHaveLength(1);
  });

  it('loses no update when 20 writers change one case at once', async () => {
    await store.update('one-case-000', () => ({ next: deliveredFile('one-case-000', 'Z000000001') }));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.update('one-case-000', (f) => ({ next: { ...f!, alerted: [...f!.alerted, `w${i}`] } })),
      ),
    );
    const f = await store.get('one-case-000');
    expect([...f!.alerted].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `w${i}`).sort());
  });

  it('of 50 concurrent approvals of different cases with one number, exactly one commits', async () => {
    const no = 'Q399999999';
    const ids = Array.from({ length: 50 }, (_, i) => `conc-case-${String(i).padStart(3, '0')}`);
    for (const id of ids) await store.update(id, () => ({ next: deliveredFile(id, no) }));
    const results = await Promise.allSettled(
      ids.map((id) =>
        store.update(id, (f) => {
          const record = applyCaseEvent(
            f!.record,
            {
              kind: 'decision',
              caseId: id,
              packetId: `dec-${id}`,
              at: new Date().toISOString(),
              by: 'office:330102530000',
              decision: 'approved',
              from: '330000',
              inReplyTo: `app-${id}`,
            },
            ctx,
          );
          return { next: { ...f!, record }, certificate: { key: registry.key(no), mode: 'claim' } };
        }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect((r.reason as GatewayError).code).toBe('GW_ERR_BIRTHCERT_USED');
    const states = await Promise.all(ids.map(async (id) => (await store.get(id))!.record.state));
    expect(states.filter((s) => s === 'approved')).toHaveLength(1);
    const winner = ids[states.indexOf('approved')];
    expect(await registry.check(no)).toEqual({ certificateNo: no, status: 'used', usedBy: winner });
    // A blacklisted number cannot be claimed at all.
    await registry.importBlacklist([
      { number: 'Q388888888', reason: 'lost-reported', reportedBy: '310000', reportedOn: '2026-01-01' },
    ]);
    await store.update('bl-case-0001', () => ({ next: deliveredFile('bl-case-0001', 'Q388888888') }));
    await expect(
      store.update('bl-case-0001', (f) => ({
        next: f!,
        certificate: { key: registry.key('Q388888888'), mode: 'claim' },
      })),
    ).rejects.toMatchObject({
      code: 'GW_ERR_BIRTHCERT_BLACKLISTED',
    });
  });

  it('keeps open cases in the due set by their awaited deadline, and drops closed ones', async () => {
    const f = deliveredFile('due-case-0001', 'Z000000002');
    await store.update('due-case-0001', () => ({ next: f }));
    const due = Date.parse(f.record.deadlines.reviewDue!);
    expect(await store.dueBy(new Date(due - 1), 100)).not.toContain('due-case-0001');
    expect(await store.dueBy(new Date(due), 100)).toContain('due-case-0001');
    const rejected = applyCaseEvent(
      f.record,
      {
        kind: 'decision',
        caseId: 'due-case-0001',
        packetId: 'd',
        at: '2026-11-24T10:00:00+08:00',
        by: 'office:330102530000',
        decision: 'rejected',
        from: '330000',
        inReplyTo: f.record.applicationId,
      },
      ctx,
    );
    await store.update('due-case-0001', (cur) => ({ next: { ...cur!, record: rejected } }));
    expect(await store.dueBy(new Date(due + 86_400_000 * 30), 1000)).not.toContain('due-case-0001');
  });
});
