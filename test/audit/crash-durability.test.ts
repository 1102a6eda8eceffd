import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkpointVerifier, readTrail, scanEntries, verifyLogDir } from '../../src/audit/index.js';
import { createSuiteRegistry } from '../../src/crypto/index.js';
import { devApiClient, type ApiClient } from '../../src/demo/dev-network.js';
import { DEV_SYSTEMS, devNodeConfig } from '../../src/demo/dev-config.js';
import { initDevPki, loadCertDer } from '../../src/pki/index.js';
import { freePort } from '../../src/queue/index.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The durability promise, tested on real processes: the `accepted` entry is fsynced before the
 * 202 is sent, so after `kill -9` in the middle of a stream of packets the chain on disk verifies
 * and holds every acknowledged packet. The gateways run as `tongban start` child processes of a
 * build made for this test (type-check skipped: it runs in `npm run typecheck`), in a folder of
 * its own so that a concurrent `npm run build` cleaning dist/ cannot disturb it.
 */
const execFileP = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const MEMBERS = ['310000', '330000'] as const;
const application = JSON.parse(
  readFileSync(join(ROOT, 'samples/newborn-application.yangtze.json'), 'utf8'),
) as Record<string, unknown>;
const CLEAR = ['徐明', '王丽', '徐小雨', '330102199203150013', '330106199405201224', '13800000000'];

let build: string;
let main: string;
let dir: string;
let pkiDir: string;
const prefix = testPrefix('audit-crash');
const configs = new Map<string, string>();
const urls = new Map<string, { api: string }>();
const children = new Set<ChildProcess>();

async function startNode(member: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [main, 'start', '-c', configs.get(member)!], {
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${member} did not start:\n${out}`)), 60_000);
    const seen = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      if (out.includes(`tongban ${member}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('exit', (code) =>
      reject(new Error(`${member} exited (${String(code)}) before listening:\n${out}`)),
    );
  });
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null
      ? resolve(child.exitCode)
      : child.once('exit', (code) => resolve(code)),
  );
}

function cli(args: string[], cwd?: string): Promise<{ code: number; out: string }> {
  return execFileP(process.execPath, [main, ...args], { cwd, encoding: 'utf8' }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof e.code === 'number' ? e.code : 1,
      out: `${e.stdout ?? ''}${e.stderr ?? ''}`,
    }),
  );
}

const auditDir = (m: string): string => join(dir, 'data', m, 'audit');
const signingCert = (m: string): Buffer => loadCertDer(join(pkiDir, m, 'sm-signing.crt'));
const verifyDir = (m: string) =>
  verifyLogDir(auditDir(m), {
    verifySignature: checkpointVerifier(createSuiteRegistry(), [signingCert(m)]),
    requireSignatures: true,
  });

beforeAll(async () => {
  build = mkdtempSync(join(tmpdir(), 'tongban-audit-build-'));
  for (const f of ['package.json', 'schemas', 'node_modules']) symlinkSync(join(ROOT, f), join(build, f));
  dir = mkdtempSync(join(tmpdir(), 'tongban-audit-crash-'));
  pkiDir = join(dir, 'pki');
  const [, ports] = await Promise.all([
    execFileP(process.execPath, [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(ROOT, 'tsconfig.json'),
      '--noCheck',
      '--outDir',
      join(build, 'out'),
    ]).catch((e: { stdout?: string }) => {
      // tsc exits non-zero on type errors elsewhere in the tree but still emits; check the output below.
      return e;
    }),
    Promise.all(MEMBERS.map(async () => ({ api: await freePort(), peer: await freePort() }))),
    initDevPki({ outDir: pkiDir, members: [...MEMBERS], systems: [...DEV_SYSTEMS] }),
  ]);
  main = join(build, 'out/src/cli/main.js');
  statSync(main);
  const configDir = join(dir, 'config');
  mkdirSync(configDir, { recursive: true });
  MEMBERS.forEach((m, i) => {
    const other = MEMBERS[1 - i]!;
    const raw = devNodeConfig({
      pkiDir,
      configDir,
      member: m,
      ports: ports[i]!,
      dataDir: join(dir, 'data', m),
      peers: [{ member: other, peerUrl: `https://127.0.0.1:${ports[1 - i]!.peer}`, suite: 'sm' }],
      redis: { url: REDIS_URL, prefix: `${prefix}:${m}` },
      retry: { backoffMs: 200, attempts: 30 },
    });
    // Checkpoints during the load, so the kill also lands between a checkpoint and its anchor.
    raw.audit = { checkpointEvery: 20, checkpointMs: 2000 };
    configs.set(m, join(configDir, `${m}.yaml`));
    writeFileSync(configs.get(m)!, stringify(raw));
    urls.set(m, { api: `https://127.0.0.1:${ports[i]!.api}` });
  });
}, 240_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await dropPrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
  rmSync(build, { recursive: true, force: true });
});

describe('kill -9 of a gateway during a stream of packets', () => {
  const acked: string[] = [];
  let client: ApiClient;

  it('leaves a chain that verifies and holds every acknowledged packet', async () => {
    const zj = await startNode('330000');
    let sh = await startNode('310000');
    client = devApiClient(pkiDir, '310000', urls.get('310000')!.api);
    let stop = false;
    let n = 0;
    const worker = async (): Promise<void> => {
      while (!stop) {
        const k = n++;
        const packet = { ...application, id: randomUUID(), caseId: `310110-20261123-${String(100000 + k)}` };
        try {
          const r = await client.call('POST', '/v1/packets', packet);
          if (r.status === 202) acked.push(packet.id);
          else if (!stop) throw new Error(`${r.status} ${JSON.stringify(r.json)}`);
        } catch (err) {
          if (!stop) throw err;
        }
      }
    };
    const workers = Array.from({ length: 6 }, () => worker());
    await waitFor(async () => (acked.length >= 40 ? true : undefined), 90_000, 20);
    sh.kill('SIGKILL'); // mid-stream: requests are in flight
    stop = true;
    await Promise.allSettled(workers);
    await exited(sh);
    client.close();

    const res = await verifyDir('310000');
    expect(res, JSON.stringify(res)).toMatchObject({ ok: true });
    const accepted = new Set(
      (await scanEntries(auditDir('310000'), { match: (e) => e.event === 'accepted' })).map(
        (s) => s.entry.packetId,
      ),
    );
    expect(acked.length).toBeGreaterThanOrEqual(40);
    expect(acked.filter((id) => !accepted.has(id))).toEqual([]);

    // The chain continues after the restart, and every acknowledged packet is delivered.
    const before = res.ok ? res.entries : 0;
    sh = await startNode('310000');
    client = devApiClient(pkiDir, '310000', urls.get('310000')!.api);
    // Jobs that were active at the kill come back once BullMQ finds them stalled (~30 s).
    let waiting = [...acked];
    await waitFor(
      async () => {
        const still: string[] = [];
        for (const id of waiting) {
          if ((await client.call('GET', `/v1/packets/${id}`)).json.status !== 'delivered') still.push(id);
        }
        waiting = still;
        return waiting.length === 0 ? true : undefined;
      },
      150_000,
      500,
    );
    client.close();
    sh.kill('SIGTERM');
    zj.kill('SIGTERM');
    expect(await exited(sh)).toBe(0);
    expect(await exited(zj)).toBe(0);
    for (const m of MEMBERS) {
      const r = await verifyDir(m);
      expect(r, `${m}: ${JSON.stringify(r)}`).toMatchObject({ ok: true });
      if (m === '310000' && r.ok) expect(r.entries).toBeGreaterThan(before);
    }
    const starts = (await readTrail(auditDir('310000'), {})).filter((e) => e.event === 'start');
    expect(starts).toHaveLength(2);
  }, 360_000);

  it('no test packet names or ID numbers in clear anywhere in the log directories', () => {
    const files = MEMBERS.flatMap((m) => readdirSync(auditDir(m)).map((f) => join(auditDir(m), f)));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const s of CLEAR) expect(text.includes(s), `${s} in ${f}`).toBe(false);
    }
  });

  it('the built CLI verifies the logs and an evidence bundle on a machine with only the bundle and the roots', async () => {
    const trust = join(pkiDir, '310000', 'sm-signing.crt');
    expect(await cli(['audit', 'verify', auditDir('310000'), '--trust', trust])).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^OK: \d+ entries/),
    });

    const made = join(dir, 'bundle.json');
    const r = await cli([
      'audit',
      'evidence',
      acked[acked.length - 1]!,
      '-c',
      configs.get('310000')!,
      '--out',
      made,
    ]);
    expect(r.code, r.out).toBe(0);
    const elsewhere = mkdtempSync(join(tmpdir(), 'tongban-third-party-'));
    try {
      copyFileSync(made, join(elsewhere, 'bundle.json'));
      for (const f of ['root-ca.crt', 'sm-root-ca.crt']) copyFileSync(join(pkiDir, f), join(elsewhere, f));
      const ok = await cli(
        [
          'audit',
          'evidence',
          'verify',
          'bundle.json',
          '--root',
          'root-ca.crt',
          '--sm-root',
          'sm-root-ca.crt',
        ],
        elsewhere,
      );
      expect(ok.code, ok.out).toBe(0);
      expect(ok.out).toMatch(/VERIFIED\n$/);
      const b = JSON.parse(readFileSync(join(elsewhere, 'bundle.json'), 'utf8')) as {
        receipts: { delivery: { at: string } };
      };
      b.receipts.delivery.at = new Date(0).toISOString();
      writeFileSync(join(elsewhere, 'bundle.json'), JSON.stringify(b));
      const bad = await cli(
        [
          'audit',
          'evidence',
          'verify',
          'bundle.json',
          '--root',
          'root-ca.crt',
          '--sm-root',
          'sm-root-ca.crt',
        ],
        elsewhere,
      );
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(/FAIL delivery receipt/);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  }, 60_000);
});
