import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { PID_FILE, registerRunCommands } from '../../src/cli/run-commands.js';
import { startDevNetwork, type DevNode } from '../../src/demo/index.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { samplePacket } from '../helpers/sample-packet.js';
import { waitFor } from '../helpers/wait.js';

type Raw = Record<string, unknown> & {
  peers: Array<Record<string, unknown>>;
  agreements: Array<Record<string, unknown>>;
};

describe('config reload (SIGHUP, tongban reload)', () => {
  let dir: string;
  let prefix: string;
  let net: Awaited<ReturnType<typeof startDevNetwork>>;
  let sh: DevNode;
  let original: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-reload-'));
    prefix = testPrefix('reload');
    net = await startDevNetwork({ dir, members: ['310000', '330000'], redisUrl: REDIS_URL, prefix });
    sh = net.nodes.get('310000')!;
    original = readFileSync(sh.configPath, 'utf8');
  });
  afterAll(async () => {
    await net?.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  const post = async (n: number) => sh.client.call('POST', '/v1/packets', samplePacket('r', n));
  const delivered = (id: string) =>
    waitFor(async () =>
      (await sh.client.call('GET', `/v1/packets/${id}`)).json.status === 'delivered' ? true : undefined,
    );
  const adminEvents = () =>
    readdirSync(join(dir, 'data', '310000', 'audit'))
      .filter((f) => f.startsWith('exchange-310000-i1-'))
      .flatMap((f) =>
        readFileSync(join(dir, 'data', '310000', 'audit', f), 'utf8')
          .split('\n')
          .filter(Boolean),
      )
      .map(
        (l) =>
          JSON.parse(l) as {
            event: string;
            actor: string;
            outcome: string;
            code?: string;
            detail?: { action?: string };
          },
      )
      .filter((e) => e.event === 'admin' && e.detail?.action === 'reload');

  it('keeps serving with the old config when the new file is invalid, and says why', async () => {
    const bad = parse(original) as Raw;
    bad.retry = { attempts: 'many' };
    writeFileSync(sh.configPath, stringify(bad));
    const r = await sh.node.reload('admin:test');
    expect(r.ok).toBe(false);
    expect(r.problems?.map((p) => p.path)).toContain('/retry/attempts');
    expect(sh.node.config.retry.attempts).toBeGreaterThan(0);

    writeFileSync(sh.configPath, original + '\nunknownSection: 1\n');
    const r2 = await sh.node.reload('admin:test');
    expect(r2.ok).toBe(false);
    expect(r2.problems?.[0]?.message).toMatch(/unknown property "unknownSection"/);

    const p = await post(1);
    expect(p.status).toBe(202);
    await delivered(p.json.id as string);
    const events = adminEvents();
    expect(events.map((e) => [e.outcome, e.code])).toEqual([
      ['error', 'GW_ERR_CONFIG_INVALID'],
      ['error', 'GW_ERR_CONFIG_INVALID'],
    ]);
    expect(events[0]!.actor).toBe('admin:test');
    const ready = (await (await fetch(`${sh.urls.admin}/readyz`)).json()) as {
      status: string;
      details: { lastReload: { ok: boolean } };
    };
    expect(ready.status).toBe('ready');
    expect(ready.details.lastReload.ok).toBe(false);
  });

  it('refuses changes only a restart can apply', async () => {
    const raw = parse(original) as Raw & { listen: { api: { port: number } } };
    raw.listen.api.port += 1;
    writeFileSync(sh.configPath, stringify(raw));
    const r = await sh.node.reload('admin:test');
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/restart \(listen\)/);
    expect((await post(2)).status).toBe(202);
  });

  it('swaps peers and agreements on a running node over the same connections, and back', async () => {
    const raw = parse(original) as Raw;
    raw.peers = [];
    raw.agreements = raw.agreements.filter((a) => a.id !== 'yangtze-delta');
    writeFileSync(sh.configPath, stringify(raw));
    const r = await sh.node.reload('admin:test');
    expect(r.ok, r.message).toBe(true);
    // The same keep-alive client goes on; the new rules apply to its next request.
    const refused = await post(3);
    expect(refused.status).toBe(422);
    expect(refused.json.code).toMatch(/^GW_ERR_ROUTE_/);
    const ready = (await (await fetch(`${sh.urls.admin}/readyz`)).json()) as {
      details: { peers: Record<string, unknown> };
    };
    expect(ready.details.peers).toEqual({});

    writeFileSync(sh.configPath, original);
    expect((await sh.node.reload('admin:test')).ok).toBe(true);
    const again = await post(3);
    expect(again.status).toBe(202);
    await delivered(again.json.id as string); // the peer's worker runs again
    expect(
      adminEvents()
        .slice(-2)
        .map((e) => e.outcome),
    ).toEqual(['ok', 'ok']);
  });

  it('`tongban reload` checks the file, then signals the pid that `start` wrote', async () => {
    const cfgDir = join(dir, 'cli');
    mkdirSync(cfgDir, { recursive: true });
    const raw = parse(original) as Raw & { node: { dataDir: string } };
    const dataDir = join(cfgDir, 'data');
    mkdirSync(dataDir, { recursive: true });
    // Paths in the config are relative to its folder: keep them pointing where they did.
    const file = join(dir, 'config', 'cli-copy.yaml');
    raw.node.dataDir = dataDir;
    writeFileSync(file, stringify(raw));
    const child = spawn(
      process.execPath,
      [
        '-e',
        "process.on('SIGHUP', () => { process.stdout.write('hup'); process.exit(0); }); process.stdout.write('ready;'); setInterval(() => {}, 1000);",
      ],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    // The handler must be in place before the signal (the default action of SIGHUP ends a process).
    await waitFor(async () => (out.includes('ready;') ? true : undefined), 10_000, 20);
    writeFileSync(join(dataDir, PID_FILE), `${child.pid}\n`);
    const program = new Command().exitOverride();
    registerRunCommands(program);
    await program.parseAsync(['node', 'tongban', 'reload', '-c', file]);
    await new Promise<void>((r) => child.once('exit', () => r()));
    expect(out).toBe('ready;hup');

    // No node running: a coded error, not a crash.
    writeFileSync(join(dataDir, PID_FILE), '999999999\n');
    await expect(program.parseAsync(['node', 'tongban', 'reload', '-c', file])).rejects.toMatchObject({
      code: 'GW_ERR_CONFIG_NODE_NOT_RUNNING',
    });
    // An invalid file is refused before any signal.
    writeFileSync(file, stringify(raw) + '\nbogus: 1\n');
    await expect(program.parseAsync(['node', 'tongban', 'reload', '-c', file])).rejects.toMatchObject({
      code: 'GW_ERR_CONFIG_INVALID',
    });
  });
});
