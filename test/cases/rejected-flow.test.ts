import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import {
  applyCaseEvent,
  createWorkingCalendar,
  shanghaiDateOf,
  type CaseRecord,
} from '../../src/cases/index.js';
import { registerCasesCommands } from '../../src/cli/cases-commands.js';
import { loadConfig } from '../../src/config/index.js';
import { startDevNetwork, type DevNode } from '../../src/demo/index.js';
import { parse, stringify } from 'yaml';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import {
  approval,
  completion,
  completionSample,
  cyqApplication,
  cyqXml,
  getCase,
  rejectedDecision,
  steps,
  waitCase,
  type Decision,
} from './helpers.js';

describe('川渝黔 case rejected (重庆 受理地 → 贵州 户籍地), and 贵州省内通办', () => {
  let dir: string;
  let prefix: string;
  let net: Awaited<ReturnType<typeof startDevNetwork>>;
  let cq: DevNode;
  let gz: DevNode;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-rejected-'));
    prefix = testPrefix('rejected');
    net = await startDevNetwork({
      dir,
      members: ['500000', '520000'],
      redisUrl: REDIS_URL,
      prefix,
      retry: { backoffMs: 100, attempts: 3 },
    });
    cq = net.nodes.get('500000')!;
    gz = net.nodes.get('520000')!;
  });
  afterAll(async () => {
    await net?.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (node: DevNode, packet: object) => node.client.call('POST', '/v1/packets', packet);

  it('the GBK XML application, rejected: both sides rejected, the 受理地 holds the 不予受理告知书 data', async () => {
    const res = await cq.client.call('POST', '/v1/packets', cyqXml(), 'application/xml');
    expect(res.status).toBe(202);
    const caseId = String(res.json.caseId);
    await waitCase(gz, caseId, 'delivered');
    await waitCase(cq, caseId, 'delivered');
    const decision = rejectedDecision(); // replies to the XML sample's id
    expect((await post(gz, decision)).status).toBe(202);
    const c = await waitCase(cq, caseId, 'rejected');
    const g = await waitCase(gz, caseId, 'rejected');
    expect(steps(c)).toEqual(steps(g));
    expect(steps(c).map((s) => s[0])).toEqual(['submitted', 'forwarded', 'delivered', 'rejected']);
    const receivedAt = (c.history as Array<{ state: string; at: string }>).find(
      (h) => h.state === 'rejected',
    )!.at;
    expect(c.rejectionNotice).toEqual({
      reasonCode: 'HOUSEHOLD_MISMATCH',
      reasonText: decision.payload.decision === 'rejected' ? decision.payload.reason.text : '',
      decidedAt: '2026-11-24T10:45:00+08:00',
      noticeDate: shanghaiDateOf(new Date(receivedAt)),
      office: '500103530000',
      officeName: '重庆市公安局渝中区分局解放碑派出所',
      decidingOffice: '520102530000',
      decidingOfficeName: '贵阳市公安局南明分局花果园派出所',
      birthCertificateReturned: false,
    });
    expect(g.rejectionNotice).toBeUndefined();
    expect(c.decision).toEqual({
      decision: 'rejected',
      reviewedAt: '2026-11-24T10:45:00+08:00',
      reasonCode: 'HOUSEHOLD_MISMATCH',
    });

    // A completion for a rejected case is refused; the 出生医学证明 was never used.
    const done = await post(cq, {
      ...completionSample(),
      id: randomUUID(),
      caseId,
      inReplyTo: decision.id,
      from: { member: '500000', office: '500103530000' },
      to: { member: '520000', office: '520102530000' },
      agreement: 'chuan-yu-qian',
    });
    expect([done.status, done.json.code]).toEqual([409, 'GW_ERR_CASE_REJECTED']);
    expect(
      (await cq.client.call('POST', '/v1/birth-certificates/check', { certificateNo: 'R500987654' })).json
        .status,
    ).toBe('unused');

    // The window hands over the notice and returns the certificate; only the 受理地 can record that.
    const confirmed = await cq.client.call('POST', `/v1/cases/${caseId}/rejection-notice`, {
      birthCertificateReturned: true,
      issuedOn: '2026-11-24',
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.rejectionNotice).toMatchObject({
      birthCertificateReturned: true,
      issuedOn: '2026-11-24',
      returnedAt: expect.any(String),
    });
    const there = await gz.client.call('POST', `/v1/cases/${caseId}/rejection-notice`, {
      birthCertificateReturned: true,
    });
    expect([there.status, there.json.code]).toEqual([409, 'GW_ERR_CASE_INVALID_TRANSITION']);
  });

  it('refuses a newborn over one year at acceptance (川渝黔 policy)', async () => {
    const app = { ...cyqApplication(), id: randomUUID(), caseId: '500103-20261123-000100' };
    app.payload.newborn.birthDate = '2025-11-20';
    app.payload.newborn.birthCertificateNo = 'R500000100';
    const r = await post(cq, app);
    expect([r.status, r.json.code]).toEqual([422, 'GW_ERR_POLICY_NEWBORN_AGE']);
    expect(String(r.json.message)).toContain('1周岁');
    app.payload.newborn.birthDate = '2025-11-23';
    expect((await post(cq, app)).status).toBe(202);
  });

  it('贵州省内通办: one gateway is both sides; the case goes all the way to completed', async () => {
    const base = cyqApplication();
    const app = {
      ...base,
      id: randomUUID(),
      caseId: '520102-20261123-000001',
      agreement: 'intra-province',
      from: { member: '520000', office: '520102530000' },
      to: { member: '520000', office: '520103530000' },
    };
    app.payload.newborn.birthCertificateNo = 'R520000001';
    expect((await post(gz, app)).status).toBe(202);
    const d = await waitCase(gz, app.caseId, 'delivered');
    expect(d.role).toBe('both');
    const decision: Decision = { ...approval(app), from: app.to, to: app.from, agreement: 'intra-province' };
    expect((await post(gz, decision)).status).toBe(202);
    const done = { ...completion(app, decision), from: app.from, to: app.to, agreement: 'intra-province' };
    expect((await post(gz, done)).status).toBe(202);
    const v = await waitCase(gz, app.caseId, 'completed');
    expect(steps(v).map((s) => s[0])).toEqual([
      'submitted',
      'forwarded',
      'delivered',
      'approved',
      'completed',
    ]);
    expect(
      (await gz.client.call('POST', '/v1/birth-certificates/check', { certificateNo: 'R520000001' })).json
        .status,
    ).toBe('used');
    expect((await getCase(cq, app.caseId)).status).toBe(404);
  });

  it('tongban cases overdue lists a delivered case whose review deadline has passed', async () => {
    const parties = {
      acceptingMember: '520000',
      registeringMember: '500000',
      agreement: 'chuan-yu-qian',
    } as const;
    const caseId = '520102-20260105-000009';
    const at = '2026-01-05T10:00:00+08:00'; // Monday: review due by the end of Wednesday 2026-01-07
    let record: CaseRecord | undefined;
    for (const ev of [
      { kind: 'submitted', ...parties, caseId, packetId: 'a', at, by: 'office:520102530000' },
      { kind: 'delivered', ...parties, caseId, packetId: 'a', at, by: 'gateway:500000' },
    ] as const) {
      record = applyCaseEvent(record, ev, { calendar: createWorkingCalendar() });
    }
    await cq.node.ctx.cases!.store.update(caseId, () => ({
      next: {
        record: record!,
        offices: { accepting: '520102530000', registering: '500103530000' },
        birthCertificateNo: 'K520000009',
        systems: [],
        alerted: [],
      },
    }));
    const program = new Command('tongban').exitOverride();
    registerCasesCommands(program);
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      await program.parseAsync(['node', 'tongban', 'cases', 'overdue', '--json', '-c', cq.configPath]);
    } finally {
      spy.mockRestore();
    }
    const rows = out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toContainEqual(
      expect.objectContaining({
        caseId,
        kind: 'review',
        dueAt: '2026-01-07T15:59:59.999Z',
        duty: '500000',
        state: 'delivered',
      }),
    );
  });

  it('config: agreement policies load, and calendar.extraYears adds a year the package lacks', () => {
    const raw = parse(readFileSync(cq.configPath, 'utf8')) as Record<string, unknown>;
    raw.calendar = {
      extraYears: { '2027': { holidays: ['2027-01-01', '2027-10-01'], workdays: ['2027-09-26'] } },
    };
    const file = join(dir, 'config', 'with-2027.yaml');
    writeFileSync(file, stringify(raw));
    const config = loadConfig(file);
    expect(config.agreements.find((a) => a.id === 'chuan-yu-qian')?.policy).toMatchObject({
      version: 'dev-cyq-1',
      newbornMaxAgeMonths: 12,
    });
    expect(config.cases.overdueCheckMs).toBe(60_000);
    const years = Object.fromEntries(
      Object.entries(config.calendar.extraYears).map(([y, c]) => [Number(y), c]),
    );
    const calendar = createWorkingCalendar({ extraYears: years });
    expect(calendar.addWorkingDays('2026-12-31', 1)).toBe('2027-01-04'); // 01-01 holiday, then the weekend
    expect(() => createWorkingCalendar().addWorkingDays('2026-12-31', 1)).toThrow(/2027/);
    raw.calendar = { extraYears: { '2027': { holidays: ['1 Jan'], workdays: [] } } };
    writeFileSync(file, stringify(raw));
    expect(() => loadConfig(file)).toThrow(/configuration is invalid/);
  });
});
