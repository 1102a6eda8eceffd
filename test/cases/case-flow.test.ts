import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrail } from '../../src/audit/index.js';
import { createWorkingCalendar, REVIEW_WORKING_DAYS } from '../../src/cases/index.js';
import { devApiClient, startDevNetwork, type DevNode } from '../../src/demo/index.js';
import { isGatewayError } from '../../src/errors.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import {
  application,
  approval,
  approvedDecision,
  completion,
  completionSample,
  getCase,
  steps,
  waitCase,
  yangtzeApplication,
  type Application,
} from './helpers.js';

describe('长三角 case across two gateways (上海 受理地 → 浙江 户籍地)', () => {
  let dir: string;
  let prefix: string;
  let net: Awaited<ReturnType<typeof startDevNetwork>>;
  let sh: DevNode;
  let zj: DevNode;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-cases-'));
    prefix = testPrefix('case-flow');
    net = await startDevNetwork({
      dir,
      members: ['310000', '330000'],
      redisUrl: REDIS_URL,
      prefix,
      retry: { backoffMs: 100, attempts: 3 },
    });
    sh = net.nodes.get('310000')!;
    zj = net.nodes.get('330000')!;
  });
  afterAll(async () => {
    await net?.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (node: DevNode, packet: object) => node.client.call('POST', '/v1/packets', packet);
  /** Submits an application at 上海 and waits until both sides have it delivered. */
  async function delivered(app: Application): Promise<void> {
    expect((await post(sh, app)).status).toBe(202);
    await waitCase(zj, app.caseId, 'delivered');
    await waitCase(sh, app.caseId, 'delivered');
  }

  it('happy path with the samples: completed on both sides with the same history', async () => {
    const app = yangtzeApplication();
    await delivered(app);
    // reviewDue: two working days after the delivery receipt's time, the same on both sides.
    const [s1, z1] = [
      await waitCase(sh, app.caseId, 'delivered'),
      await waitCase(zj, app.caseId, 'delivered'),
    ];
    const deliveredAt = (s1.history as Array<{ state: string; at: string }>).find(
      (h) => h.state === 'delivered',
    )!.at;
    let expected: string | undefined;
    try {
      expected = createWorkingCalendar()
        .dueAt(new Date(deliveredAt), REVIEW_WORKING_DAYS)
        .dueAt.toISOString();
    } catch (err) {
      if (!isGatewayError(err, 'GW_ERR_CASE_CALENDAR_MISSING')) throw err;
    }
    const deadlines =
      expected === undefined ? { deadlineUnknown: 'calendar-missing' } : { reviewDue: expected };
    expect(s1.deadlines).toEqual(deadlines);
    expect(z1.deadlines).toEqual(deadlines);
    expect(z1.role).toBe('registering');
    expect(s1).toMatchObject({ role: 'accepting', policyVersion: 'dev-yrd-1', agreement: 'yangtze-delta' });

    const decision = approvedDecision(); // replies to the application sample
    expect((await post(zj, decision)).status).toBe(202);
    await waitCase(sh, app.caseId, 'approved');
    expect((await post(sh, completionSample())).status).toBe(202);
    const z = await waitCase(zj, app.caseId, 'completed');
    const s = await waitCase(sh, app.caseId, 'completed');

    const expectedSteps = [
      ['submitted', app.id, 'office:310110530000'],
      ['forwarded', app.id, 'gateway:310000'],
      ['delivered', app.id, 'gateway:330000'],
      ['approved', decision.id, 'office:330102530000'],
      ['completed', completionSample().id, 'office:310110530000'],
    ];
    expect(steps(s)).toEqual(expectedSteps);
    expect(steps(z)).toEqual(expectedSteps);
    // Transport steps carry the 户籍地's signed receipt time on both sides.
    const at = (v: Record<string, unknown>, state: string) =>
      (v.history as Array<{ state: string; at: string }>).find((h) => h.state === state)!.at;
    expect(at(s, 'forwarded')).toBe(at(z, 'forwarded'));
    expect(at(s, 'delivered')).toBe(at(z, 'delivered'));
    expect(s.decisionId).toBe(decision.id);
    expect(z.completionId).toBe(completionSample().id);
    // The 户籍地 archives the 办结反馈 without names in clear.
    expect(z.completion).toMatchObject({
      birthCertificate: { mainPageReturned: true, counterfoilRetained: true },
      householdRegister: {
        method: 'mail-new-collect-old',
        mailing: { carrier: 'EMS', trackingNo: 'EA123456789CN', recipient: '徐*' },
      },
    });
    expect(JSON.stringify(z.completion)).not.toContain('徐明');
    // The approval marked the 出生医学证明 used on both sides.
    for (const node of [zj, sh]) {
      const r = await node.client.call('POST', '/v1/birth-certificates/check', {
        certificateNo: 'Q310123456',
      });
      expect(r.json).toEqual({ certificateNo: 'Q310123456', status: 'used', source: node.member, peers: [] });
    }
  });

  it('shows a case only to the local systems that own it', async () => {
    const caseId = yangtzeApplication().caseId;
    expect((await getCase(sh, caseId)).status).toBe(200);
    const window = devApiClient(net.pkiDir, '310000', sh.urls.api, 'window');
    try {
      const r = await window.call('GET', `/v1/cases/${caseId}`);
      expect(r.status).toBe(404);
      expect(r.json.code).toBe('GW_ERR_API_NOT_FOUND');
    } finally {
      window.close();
    }
    expect((await getCase(sh, '310110-20261123-999999')).status).toBe(404);
  });

  it('refuses each out-of-order packet with its own code, before anything is stored', async () => {
    const app = application(101);
    await delivered(app);
    const refusals: Array<[DevNode, object, number, string]> = [
      [zj, { ...approval(app), caseId: '310110-20261123-000777' }, 404, 'GW_ERR_CASE_UNKNOWN'],
      [zj, { ...approval(app), inReplyTo: completionSample().id }, 409, 'GW_ERR_CASE_REPLY_MISMATCH'],
      // 上海 is the 受理地: it may not decide (its own population system tries).
      [sh, { ...approval(app), from: app.from, to: app.to }, 403, 'GW_ERR_CASE_WRONG_PARTY'],
      [sh, completion(app, approval(app)), 409, 'GW_ERR_CASE_NOT_APPROVED'],
      [sh, { ...application(102), caseId: app.caseId }, 409, 'GW_ERR_CASE_EXISTS'],
    ];
    for (const [node, packet, status, code] of refusals) {
      const r = await post(node, packet);
      expect([r.status, r.json.code]).toEqual([status, code]);
      const id = (packet as { id: string }).id;
      expect((await node.client.call('GET', `/v1/packets/${id}`)).status).toBe(404);
      const trail = await readTrail(node.node.config.audit.dir, { packetId: id });
      expect(trail.some((e) => e.event === 'rejected' && e.code === code)).toBe(true);
    }
    const decision = approval(app);
    expect((await post(zj, decision)).status).toBe(202);
    const second = await post(zj, { ...approval(app), payload: { ...decision.payload } });
    expect([second.status, second.json.code]).toEqual([409, 'GW_ERR_CASE_ALREADY_DECIDED']);
    await waitCase(sh, app.caseId, 'approved');
    const wrongReply = await post(sh, { ...completion(app, decision), inReplyTo: app.id });
    expect([wrongReply.status, wrongReply.json.code]).toEqual([409, 'GW_ERR_CASE_REPLY_MISMATCH']);
    // The same decision again is a duplicate, not a second decision.
    const dup = await post(zj, decision);
    expect([dup.status, dup.json.duplicate]).toEqual([202, true]);
  });

  it('refuses an ineligible application at acceptance with the policy code and a message for the window', async () => {
    const app = application(103);
    app.attachments = app.attachments!.filter((a) => a.kind !== 'household-register');
    const r = await post(sh, app);
    expect([r.status, r.json.code]).toEqual([422, 'GW_ERR_POLICY_MATERIALS_MISSING']);
    expect(String(r.json.message)).toContain('户口簿');
    expect((await getCase(sh, app.caseId)).status).toBe(404);
  });

  it('alerts an overdue review once, and lists it', async () => {
    const app = application(104);
    await delivered(app);
    const later = new Date(Date.now() + 40 * 86_400_000);
    const found = await zj.node.ctx.cases!.checkOverdue(later);
    expect(found.filter((f) => f.caseId === app.caseId)).toEqual([
      expect.objectContaining({ kind: 'review', duty: '330000', state: 'delivered' }),
    ]);
    expect((await zj.node.ctx.cases!.checkOverdue(later)).some((f) => f.caseId === app.caseId)).toBe(false);
    expect((await zj.node.ctx.cases!.listOverdue(later)).some((f) => f.caseId === app.caseId)).toBe(true);
    const trail = await readTrail(zj.node.config.audit.dir, { caseId: app.caseId });
    expect(trail.filter((e) => e.event === 'alert' && e.detail?.alert === 'case-overdue')).toHaveLength(1);
    expect(((await getCase(zj, app.caseId)).json.overdue as unknown[]).length).toBe(0); // not yet, really
  });
});
