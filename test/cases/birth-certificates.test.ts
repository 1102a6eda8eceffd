import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readTrail } from '../../src/audit/index.js';
import { registerBlacklistCommands } from '../../src/cli/blacklist-commands.js';
import { startDevNetwork, type DevNode } from '../../src/demo/index.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { application, approval, SAMPLES, waitCase } from './helpers.js';

/** Runs `tongban <args>` in this process with the given command group; returns what it printed. */
async function cli(register: (p: Command) => void, args: string[]): Promise<string> {
  const program = new Command('tongban').exitOverride();
  register(program);
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(['node', 'tongban', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out.join('');
}

describe('出生医学证明 registry: blacklist, used numbers, concurrent approvals', () => {
  let dir: string;
  let prefix: string;
  let net: Awaited<ReturnType<typeof startDevNetwork>>;
  let sh: DevNode;
  let zj: DevNode;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-birthcert-'));
    prefix = testPrefix('birthcert');
    net = await startDevNetwork({
      dir,
      members: ['310000', '330000'],
      redisUrl: REDIS_URL,
      prefix,
      suiteFor: () => 'intl',
      retry: { backoffMs: 100, attempts: 2 },
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
  const check = (node: DevNode, certificateNo: unknown) =>
    node.client.call('POST', '/v1/birth-certificates/check', { certificateNo });

  it('imports and removes blacklist entries with the CLI, audited', async () => {
    const out = await cli(registerBlacklistCommands, [
      'blacklist',
      'import',
      join(SAMPLES, 'birth-certificate-blacklist.csv'),
      '-c',
      sh.configPath,
    ]);
    expect(out).toContain('3 added');
    // Blacklisted here: answered from this registry without asking the peers.
    expect((await check(sh, 'Q310000001')).json).toEqual({
      certificateNo: 'Q310000001',
      status: 'blacklisted',
      reason: 'lost-reported',
      source: '310000',
      peers: [],
    });
    // Unused here: 浙江 is asked too (test/cases/birth-certificate-peers.test.ts covers the answers).
    expect((await check(sh, 'Q310123457')).json).toEqual({
      certificateNo: 'Q310123457',
      status: 'unused',
      source: '310000',
      peers: [{ member: '330000', certificateNo: 'Q310123457', status: 'unused' }],
    });
    const bad = await check(sh, 'q12');
    expect([bad.status, bad.json.code]).toEqual([422, 'GW_ERR_BIRTHCERT_NUMBER']);

    expect(
      await cli(registerBlacklistCommands, ['blacklist', 'remove', 'K520000123', '-c', sh.configPath]),
    ).toContain('removed');
    expect((await check(sh, 'K520000123')).json.status).toBe('unused');
    const trail = await readTrail(sh.node.config.audit.dir, {});
    const admin = trail.filter((e) => e.event === 'admin' && e.instance === 'admin');
    expect(admin.map((e) => e.detail?.action)).toEqual([
      'blacklist-add',
      'blacklist-add',
      'blacklist-add',
      'blacklist-remove',
    ]);
    expect(admin[0]!.detail?.certificate).toBe('Q*****0001');
    expect(admin.every((e) => e.actor.startsWith('admin:'))).toBe(true);
  });

  it('refuses a blacklisted number at acceptance, with an alert event', async () => {
    const app = application(201, 'Q310000001');
    const r = await post(sh, app);
    expect([r.status, r.json.code]).toEqual([422, 'GW_ERR_BIRTHCERT_BLACKLISTED']);
    expect((await sh.client.call('GET', `/v1/packets/${app.id}`)).status).toBe(404);
    const trail = await readTrail(sh.node.config.audit.dir, { packetId: app.id });
    expect(trail.find((e) => e.event === 'alert')).toMatchObject({
      code: 'GW_ERR_BIRTHCERT_BLACKLISTED',
      detail: { certificate: 'Q*****0001' },
    });
  });

  it('the 户籍地 refuses a number only it has blacklisted (checked again at the receiver)', async () => {
    await zj.node.ctx.cases!.registry.importBlacklist([
      { number: 'Q377777777', reason: 'forgery-suspected', reportedBy: '330000', reportedOn: '2026-11-01' },
    ]);
    const app = application(202, 'Q377777777');
    expect((await post(sh, app)).status).toBe(202);
    await waitFor(async () =>
      (await sh.client.call('GET', `/v1/packets/${app.id}`)).json.status === 'dead' ? true : undefined,
    );
    const trail = await readTrail(zj.node.config.audit.dir, { packetId: app.id });
    expect(trail.some((e) => e.event === 'refused' && e.code === 'GW_ERR_BIRTHCERT_BLACKLISTED')).toBe(true);
    expect(await zj.node.ctx.cases!.store.get(app.caseId)).toBeUndefined();
  });

  it('of 50 concurrent approvals with one number exactly one is accepted; later applications are refused as used', async () => {
    const apps = Array.from({ length: 50 }, (_, i) => application(300 + i, 'Q355555555'));
    const accepted = await Promise.all(apps.map((a) => post(sh, a)));
    expect(accepted.map((r) => r.status)).toEqual(apps.map(() => 202));
    const cases = zj.node.ctx.cases!;
    await waitFor(async () => {
      const files = await Promise.all(apps.map((a) => cases.store.get(a.caseId)));
      return files.every((f) => f?.record.state === 'delivered') ? true : undefined;
    }, 60_000);

    const answers = await Promise.all(apps.map((a) => post(zj, approval(a))));
    const ok = answers.filter((r) => r.status === 202);
    expect(ok).toHaveLength(1);
    expect(answers.filter((r) => r.json.code === 'GW_ERR_BIRTHCERT_USED')).toHaveLength(49);
    const winner = apps[answers.findIndex((r) => r.status === 202)]!;
    await waitCase(sh, winner.caseId, 'approved');
    const states = await Promise.all(apps.map(async (a) => (await cases.store.get(a.caseId))!.record.state));
    expect(states.filter((s) => s === 'approved')).toEqual(['approved']);
    // Each refused approval was alerted; the losers stay delivered and can still be rejected.
    const alerts = (await readTrail(zj.node.config.audit.dir, {})).filter(
      (e) => e.event === 'alert' && e.code === 'GW_ERR_BIRTHCERT_USED',
    );
    expect(alerts).toHaveLength(49);

    // Now the number is used here and at the 受理地 (which saw the approval): a new application is refused.
    const late = await post(sh, application(399, 'Q355555555'));
    expect([late.status, late.json.code]).toEqual([409, 'GW_ERR_BIRTHCERT_USED']);
    expect((await check(sh, 'Q355555555')).json.status).toBe('used');
  }, 120_000);
});
