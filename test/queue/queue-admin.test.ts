import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { verifyLogDir } from '../../src/audit/index.js';
import { openQueueSession, registerQueueCommands, type QueueSession } from '../../src/cli/queue-commands.js';
import { loadConfig } from '../../src/config/index.js';
import { startDevNetwork, type DevNode } from '../../src/demo/index.js';
import { createNode, type GatewayNode } from '../../src/node/index.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const SAMPLES = join(import.meta.dirname, '../../samples');
const packet = (n: number): Record<string, unknown> => ({
  ...(JSON.parse(readFileSync(join(SAMPLES, 'newborn-application.yangtze.json'), 'utf8')) as Record<
    string,
    unknown
  >),
  id: `b${String(n).padStart(7, '0')}-2222-4333-8444-555555555555`,
  caseId: `310110-20261123-2${String(n).padStart(5, '0')}`,
});

/** Entries of one instance's chain in an audit folder. */
function chain(auditDir: string, instance: string): Array<Record<string, unknown>> {
  return readdirSync(auditDir)
    .filter((f) => f.startsWith(`exchange-310000-${instance}-`) && f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => readFileSync(join(auditDir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('dead letters for administrators (tongban queue …)', () => {
  let dir: string;
  let prefix: string;
  let net: Awaited<ReturnType<typeof startDevNetwork>>;
  let sh: DevNode;
  let zjConfigPath: string;
  let zj: GatewayNode | undefined;
  let session: QueueSession;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-qadmin-'));
    prefix = testPrefix('qadmin');
    // Two attempts, no breaker: packets reach dead letters quickly and one by one.
    const retry = { attempts: 2, backoffMs: 50, jitter: 0, breaker: { failures: 0 } } as { attempts: number };
    net = await startDevNetwork({ dir, members: ['310000', '330000'], redisUrl: REDIS_URL, prefix, retry });
    sh = net.nodes.get('310000')!;
    zjConfigPath = net.nodes.get('330000')!.configPath;
    await net.nodes.get('330000')!.node.close();
    session = await openQueueSession(sh.configPath, 'admin:tester');
  });
  afterAll(async () => {
    await session?.close();
    await zj?.close();
    await net?.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  const status = async (id: string): Promise<string> =>
    (await sh.client.call('GET', `/v1/packets/${id}`)).json.status as string;
  const ids = [1, 2, 3].map((n) => packet(n).id as string);

  it('lists and shows packets that ran out of attempts while the peer was down', async () => {
    for (let n = 1; n <= 3; n++)
      expect((await sh.client.call('POST', '/v1/packets', packet(n))).status).toBe(202);
    for (const id of ids) await waitFor(async () => ((await status(id)) === 'dead' ? true : undefined));

    const failed = await session.admin.list({ states: ['failed'] });
    expect(failed.map((r) => r.packetId).sort()).toEqual([...ids].sort());
    for (const r of failed) {
      expect(r.queue).toBe('out-330000');
      expect(r.attempts).toBe(2);
      expect(r.lastError).toMatch(/GW_ERR_DELIVERY_UNREACHABLE|ECONNREFUSED/);
    }
    expect(await session.admin.list({ queue: 'out-330000', states: ['waiting'] })).toEqual([]);

    const v = await session.admin.show(ids[0]!);
    expect(v.job?.state).toBe('failed');
    expect(v.record?.status).toBe('dead');
    expect(v.record?.lastError).toBe('GW_ERR_DELIVERY_UNREACHABLE');
    expect(v.history.map((h) => h.status)).toEqual(
      expect.arrayContaining(['accepted', 'queued', 'retrying', 'dead']),
    );
  });

  it('refuses what it cannot do, with codes, and audits the attempt', async () => {
    await expect(session.admin.retry('b9999999-2222-4333-8444-555555555555')).rejects.toMatchObject({
      code: 'GW_ERR_QUEUE_NOT_FOUND',
    });
    await expect(session.admin.show('b9999999-2222-4333-8444-555555555555')).rejects.toMatchObject({
      code: 'GW_ERR_QUEUE_NOT_FOUND',
    });
  });

  it('drops a packet for good, with the reason in its history', async () => {
    await session.admin.drop(ids[2]!, 'withdrawn by the applicant');
    expect(await status(ids[2]!)).toBe('dropped');
    const v = await session.admin.show(ids[2]!);
    expect(v.job).toBeUndefined();
    expect(v.history.at(-1)).toMatchObject({ status: 'dropped', detail: 'withdrawn by the applicant' });
    expect((await session.admin.list({ states: ['failed'] })).map((r) => r.packetId)).not.toContain(ids[2]);
  });

  it('retries one dead letter, then all of a peer, once the peer is back; each packet is delivered once', async () => {
    zj = await createNode(loadConfig(zjConfigPath));
    await zj.listen();
    await session.admin.retry(ids[0]!);
    await waitFor(async () => ((await status(ids[0]!)) === 'delivered' ? true : undefined));
    const history = (await session.admin.show(ids[0]!)).history.map((h) => h.status);
    expect(history.slice(history.lastIndexOf('dead'))).toEqual(['dead', 'queued', 'delivered']);

    expect(await session.admin.retryAll('out-330000')).toEqual([ids[1]]);
    await waitFor(async () => ((await status(ids[1]!)) === 'delivered' ? true : undefined));
    await expect(session.admin.retry(ids[0]!)).rejects.toMatchObject({ code: 'GW_ERR_QUEUE_NOT_FAILED' });

    const inbox = await zj.ctx.store.inbox('population', 100);
    expect(inbox.filter((x) => ids.includes(x)).sort()).toEqual([ids[0], ids[1]].sort());
    expect(await status(ids[2]!)).toBe('dropped'); // a dropped packet stays dropped
  });

  it("writes every action to the administrators' own chain, which verifies beside the node's", async () => {
    await session.close();
    const auditDir = join(dir, 'data', '310000', 'audit');
    const admin = chain(auditDir, 'admin').filter((e) => e.event === 'admin');
    const summary = admin.map((e) => [
      (e.detail as { action: string }).action,
      e.outcome,
      e.code ?? '',
      e.packetId,
    ]);
    expect(summary).toEqual([
      ['retry', 'error', 'GW_ERR_QUEUE_NOT_FOUND', 'b9999999-2222-4333-8444-555555555555'],
      ['drop', 'ok', '', ids[2]],
      ['retry', 'ok', '', ids[0]],
      ['retry', 'ok', '', ids[1]],
      ['retry', 'error', 'GW_ERR_QUEUE_NOT_FAILED', ids[0]],
    ]);
    for (const e of admin) expect(e.actor).toBe('admin:tester');
    expect((admin[1]!.detail as { reason: string }).reason).toBe('withdrawn by the applicant');
    expect(chain(auditDir, 'admin').at(-1)!.event).toBe('checkpoint');
    session = await openQueueSession(sh.configPath, 'admin:tester'); // for the next test and afterAll
    // The node's own chain is still being written; the administrators' chain is closed and complete.
    const verified = await verifyLogDir(auditDir);
    const problems = verified.ok ? [] : verified.problems;
    expect(problems.filter((p) => p.instance === 'admin' || String(p.file).includes('-admin-'))).toEqual([]);
    expect(chain(auditDir, 'admin').length).toBeGreaterThan(5);
  });

  it('stops retrying a packet older than retry.maxAgeHours, raises an alert, and an admin retry restarts its clock', async () => {
    await zj!.close();
    zj = undefined;
    // Reload with a long retry schedule but a maximum age of about 1.5 s.
    const raw = parse(readFileSync(sh.configPath, 'utf8')) as { retry: Record<string, unknown> };
    raw.retry = { ...raw.retry, attempts: 50, backoffMs: 200, maxAgeHours: 1.5 / 3600 };
    writeFileSync(sh.configPath, stringify(raw));
    expect((await sh.node.reload('admin:tester')).ok).toBe(true);

    const p = packet(4);
    expect((await sh.client.call('POST', '/v1/packets', p)).status).toBe(202);
    const t0 = Date.now();
    await waitFor(async () => ((await status(p.id as string)) === 'dead' ? true : undefined), 10_000);
    expect(Date.now() - t0).toBeGreaterThan(1000);
    const v = await session.admin.show(p.id as string);
    expect(v.record?.lastError).toBe('GW_ERR_DELIVERY_EXPIRED');
    expect(v.job?.attempts).toBeLessThan(50);

    const node = chain(join(dir, 'data', '310000', 'audit'), 'i1');
    const alert = node.find((e) => e.event === 'alert' && e.packetId === p.id);
    expect(alert).toMatchObject({
      code: 'GW_ERR_DELIVERY_EXPIRED',
      detail: { alert: 'packet-too-old', queue: 'out-330000' },
    });

    zj = await createNode(loadConfig(zjConfigPath));
    await zj.listen();
    await session.admin.retry(p.id as string);
    await waitFor(async () => ((await status(p.id as string)) === 'delivered' ? true : undefined));
  });

  it('wires the same operations as `tongban queue …` commands', async () => {
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      const program = new Command().exitOverride();
      registerQueueCommands(program);
      const run = (...args: string[]) =>
        program.parseAsync(['node', 'tongban', 'queue', ...args, '-c', sh.configPath]);
      await run('ls', '--peer', '330000', '--state', 'completed', '--json');
      const rows = JSON.parse(printed.join('')) as Array<{ packetId: string; state: string }>;
      expect(rows.map((r) => r.packetId)).toEqual(expect.arrayContaining([ids[0], ids[1]]));
      printed.length = 0;
      await run('show', ids[2]!);
      expect(JSON.parse(printed.join(''))).toMatchObject({ packetId: ids[2], record: { status: 'dropped' } });
      printed.length = 0;
      await run('ls', '--state', 'failed');
      expect(printed.join('')).toBe('(no packets)\n');
      await expect(run('ls', '--state', 'stuck')).rejects.toMatchObject({ code: 'GW_ERR_CONFIG_INVALID' });
      await expect(run('retry', '--all')).rejects.toMatchObject({ code: 'GW_ERR_CONFIG_INVALID' });
      await expect(run('drop', ids[0]!)).rejects.toThrow(/--reason/);
    } finally {
      write.mockRestore();
    }
  });
});
