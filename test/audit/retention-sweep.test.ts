import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openExchangeLog, readTrail, startRetentionSweep, verifyLogDir } from '../../src/audit/index.js';
import type { ExchangeLog } from '../../src/audit/index.js';
import { PacketStore, type PacketRecord, type PacketStatus } from '../../src/queue/index.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { baseOptions, tempDir } from './helpers.js';

const DAY = 24 * 3600_000;
const NOW = Date.parse('2026-06-01T12:00:00+08:00');
const prefix = testPrefix('retention');
let redis: Redis;
let store: PacketStore;
let log: ExchangeLog;
let logDir: string;
const cleanups: Array<() => void> = [];

function record(
  n: number,
  ageDays: number,
  status: PacketStatus,
  direction: 'out' | 'in' = 'out',
): PacketRecord {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    direction,
    type: 'newborn.application',
    caseId: `310110-20260101-${String(n).padStart(6, '0')}`,
    from: '310000',
    fromOffice: '310110530000',
    to: '330000',
    toOffice: '330102530000',
    systemId: 'population',
    peer: '330000',
    digest: 'ab'.repeat(32),
    packet: '{"payload":"citizen data"}',
    envelope: '{"cms":"…"}',
    receipt: '{"kind":"acceptance"}',
    status,
    createdAt: new Date(NOW - ageDays * DAY).toISOString(),
  };
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  store = new PacketStore(redis, prefix);
  const t = tempDir('audit-retention-');
  cleanups.push(t.cleanup);
  logDir = t.dir;
  log = await openExchangeLog(baseOptions(logDir, { hash: 'sha256' }));
});
afterAll(async () => {
  await log.close();
  await dropPrefix(prefix);
  redis.disconnect();
  cleanups.forEach((c) => c());
});

describe('retention sweep (real Redis)', () => {
  it('expires final records past the retention, logging each expiry first; keeps the rest', async () => {
    const recs = [
      record(1, 200, 'delivered'), // expired
      record(2, 181, 'dead'), // expired
      record(3, 190, 'acked', 'in'), // expired
      record(4, 200, 'queued'), // not final: postponed
      record(5, 200, 'inbox', 'in'), // not final: postponed
      record(6, 10, 'delivered'), // young
      record(7, 179, 'delivered'), // young
    ];
    for (const r of recs) expect((await store.claim(r)).created).toBe(true);
    await store.setStatus(recs[0]!.id, 'delivered'); // a status change keeps the creation index
    const sweep = startRetentionSweep({
      store,
      log,
      retentionDays: 180,
      owner: 'i1',
      now: () => new Date(NOW),
      everyMs: 3600_000,
    });
    try {
      expect(await sweep.runOnce()).toBe(3);
      for (const r of recs) {
        const kept = (await store.get(r.id)) !== undefined;
        expect(kept, r.id).toBe(![1, 2, 3].includes(Number(r.id.slice(-1))));
      }
      expect(await redis.exists(`${prefix}:pkt:${recs[0]!.id}:h`)).toBe(0); // history gone too
      for (const r of recs.slice(0, 3)) {
        const trail = await readTrail(logDir, { packetId: r.id });
        expect(trail.map((e) => e.event)).toEqual(['expired']);
        expect(trail[0]).toMatchObject({
          caseId: r.caseId,
          actor: 'retention',
          outcome: 'ok',
          detail: {
            direction: r.direction,
            status: r.status,
            createdAt: r.createdAt,
            digest: r.digest,
            retentionDays: 180,
          },
        });
      }
      // Postponed records are looked at a day later, not at every run.
      expect(await store.createdBefore(NOW - 180 * DAY, 100)).toEqual([]);
      expect(await sweep.runOnce()).toBe(0);
      expect((await readTrail(logDir, {})).filter((e) => e.event === 'expired')).toHaveLength(3);
    } finally {
      await sweep.stop();
    }
  });

  it('one sweeper per node: a second instance does not log the same expiries', async () => {
    const r = record(20, 400, 'delivered');
    await store.claim(r);
    const a = startRetentionSweep({ store, log, retentionDays: 300, owner: 'i1', now: () => new Date(NOW) });
    const b = startRetentionSweep({ store, log, retentionDays: 300, owner: 'i2', now: () => new Date(NOW) });
    try {
      expect(await b.runOnce()).toBe(0); // i1 still holds the lease from the first test
      expect(await a.runOnce()).toBe(1);
      expect((await readTrail(logDir, { packetId: r.id })).map((e) => e.event)).toEqual(['expired']);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('retentionDays 0 keeps everything; an unwritable log expires nothing', async () => {
    const r = record(30, 4000, 'delivered');
    await store.claim(r);
    const keep = startRetentionSweep({ store, log, retentionDays: 0, owner: 'i1', now: () => new Date(NOW) });
    expect(await keep.runOnce()).toBe(0);
    await keep.stop();
    const unhealthy = { ...log, healthy: false } as unknown as ExchangeLog;
    const sick = startRetentionSweep({
      store,
      log: unhealthy,
      retentionDays: 1,
      owner: 'i1',
      now: () => new Date(NOW),
    });
    expect(await sick.runOnce()).toBe(0);
    await sick.stop();
    expect(await store.get(r.id)).toBeDefined();
  });

  it('leaves a chain that verifies', async () => {
    await log.checkpoint();
    expect(await verifyLogDir(logDir)).toMatchObject({ ok: true });
  });
});
