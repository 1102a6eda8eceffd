import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, entryHash, readTrail, verifyLogDir } from '../../src/audit/index.js';
import type { EvidenceBundle, LogEntry } from '../../src/audit/index.js';
import { createSuiteRegistry } from '../../src/crypto/index.js';
import { startDevNetwork, type DevNode } from '../../src/demo/dev-network.js';
import { loadCertDer } from '../../src/pki/index.js';
import { checkpointVerifier } from '../../src/audit/index.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { runAudit } from './cli.js';

const SAMPLES = join(import.meta.dirname, '../../samples');
const sample = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(SAMPLES, name), 'utf8')) as Record<string, unknown>;
const application = sample('newborn-application.yangtze.json');
const decision = sample('newborn-decision.approved.json');
const completion = sample('newborn-completion.json');
const CASE = application.caseId as string;

/** Citizen data of the samples that must never appear in clear in a log directory. */
const CLEAR = [
  '徐明',
  '王丽',
  '徐小雨',
  '330102199203150013',
  '330106199405201224',
  '330102202611020028',
  '13800000000',
  '长阳路100号',
  '东坡路1号',
];

let dir: string;
let prefix: string;
let net: Awaited<ReturnType<typeof startDevNetwork>>;
let sh: DevNode;
let zj: DevNode;

/** Every file under a folder, recursively. */
function allFiles(d: string): string[] {
  return readdirSync(d).flatMap((n) =>
    statSync(join(d, n)).isDirectory() ? allFiles(join(d, n)) : [join(d, n)],
  );
}

async function deliver(from: DevNode, to: DevNode, packet: Record<string, unknown>): Promise<void> {
  const res = await from.client.call('POST', '/v1/packets', packet);
  expect(res.status, JSON.stringify(res.json)).toBe(202);
  const id = packet.id as string;
  await waitFor(async () => {
    const r = await to.client.call('GET', '/v1/inbox');
    return (r.json.items as Array<{ id: string }>).some((i) => i.id === id) ? true : undefined;
  });
  expect((await to.client.call('POST', `/v1/inbox/${id}/ack`)).status).toBe(200);
  await waitFor(async () =>
    (await from.client.call('GET', `/v1/packets/${id}`)).json.status === 'delivered' ? true : undefined,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-audit-case-'));
  prefix = testPrefix('audit-case');
  // 上海 seals for 浙江 with sm, 浙江 for 上海 with intl: both certificate families are exercised.
  net = await startDevNetwork({
    dir,
    members: ['310000', '330000'],
    redisUrl: REDIS_URL,
    prefix,
    suiteFor: (from) => (from === '310000' ? 'sm' : 'intl'),
    retry: { backoffMs: 100, attempts: 5 },
  });
  sh = net.nodes.get('310000')!;
  zj = net.nodes.get('330000')!;
  await deliver(sh, zj, application);
  await deliver(zj, sh, decision);
  await deliver(sh, zj, completion);
  // Evidence needs a signed checkpoint after the packets' last entries (normally within audit.checkpointMs).
  await sh.node.ctx.exchangeLog.checkpoint();
  await zj.node.ctx.exchangeLog.checkpoint();
}, 120_000);
afterAll(async () => {
  await net?.close();
  await dropPrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
});

describe('the 长三角 sample case in the exchange logs of both gateways', () => {
  it('the trail shows every step on both nodes, in order', async () => {
    const trail = await readTrail([sh.node.config.audit.dir, zj.node.config.audit.dir], { caseId: CASE });
    const times = trail.map((e) => Date.parse(e.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const m of ['310000', '330000']) {
      const seqs = trail.filter((e) => e.member === m).map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    const at = (member: string, event: string, packetId: unknown): LogEntry => {
      const e = trail.find((x) => x.member === member && x.event === event && x.packetId === packetId);
      expect(e, `${member} ${event} ${String(packetId)}`).toBeDefined();
      return e!;
    };
    let last = 0;
    for (const [packet, from, to] of [
      [application, '310000', '330000'],
      [decision, '330000', '310000'],
      [completion, '310000', '330000'],
    ] as const) {
      const steps = [
        at(from, 'accepted', packet.id),
        at(from, 'queued', packet.id),
        at(from, 'sent', packet.id),
        at(to, 'received', packet.id),
        at(from, 'receipt', packet.id),
      ];
      // The local system may pull and acknowledge before the sender has logged the receipt.
      const acked = at(to, 'inbox-acked', packet.id);
      expect(trail.indexOf(acked)).toBeGreaterThan(trail.indexOf(steps[3]!));
      const idx = [...steps, acked].map((e) => trail.indexOf(e));
      // Causal order across both gateways (same clock in this test; ties only within a millisecond).
      for (let i = 1; i < steps.length; i++) {
        if (steps[i]!.member === steps[i - 1]!.member) expect(idx[i]).toBeGreaterThan(idx[i - 1]!);
        else expect(Date.parse(steps[i]!.time)).toBeGreaterThanOrEqual(Date.parse(steps[i - 1]!.time));
      }
      expect(Math.min(...idx)).toBeGreaterThan(last - 1); // each packet's steps follow the previous packet's
      last = Math.max(...idx);
      // The application and the decision name people (kept masked and keyed-hashed); the completion names none.
      if (packet === completion) expect(steps[0]!.people).toBeUndefined();
      else expect(steps[0]!.people!.length).toBeGreaterThan(0);
    }

    const cli = await runAudit(['trail', sh.node.config.audit.dir, zj.node.config.audit.dir, '--case', CASE]);
    expect(cli.code).toBe(0);
    const lines = cli.out.trim().split('\n');
    expect(lines).toHaveLength(trail.length);
    expect(lines[0]).toMatch(/310000\/i1 #\d+ accepted/);
    expect(cli.out).toContain('330000/i1');
    expect(cli.out).toContain('3301**********0013');
  });

  it('no name, ID number, phone or address of the case appears in clear anywhere in the log directories', () => {
    let masked = 0;
    for (const d of [sh.node.config.audit.dir, zj.node.config.audit.dir]) {
      const files = allFiles(d);
      expect(files.length).toBeGreaterThan(1);
      for (const f of files) {
        const text = readFileSync(f, 'utf8');
        for (const s of CLEAR) expect(text.includes(s), `${s} in ${f}`).toBe(false);
        masked += text.split('3301**********0013').length - 1;
      }
    }
    expect(masked).toBeGreaterThan(3); // the people are in the logs, masked
  });

  it("both logs verify, checkpoints signed by each gateway's signing certificate", async () => {
    for (const n of [sh, zj]) {
      const cert = loadCertDer(join(net.pkiDir, n.member, 'sm-signing.crt'));
      const r = await verifyLogDir(n.node.config.audit.dir, {
        verifySignature: checkpointVerifier(createSuiteRegistry(), [cert]),
        requireSignatures: true,
      });
      expect(r).toMatchObject({ ok: true });
    }
  });
});

describe('evidence bundles', () => {
  let bundles: Record<'application' | 'decision' | 'inbound', string>;
  let roots: string;

  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'tongban-evidence-made-'));
    bundles = {
      application: join(out, 'application.json'),
      decision: join(out, 'decision.json'),
      inbound: join(out, 'inbound.json'),
    };
    for (const [file, node, id] of [
      [bundles.application, sh, application.id],
      [bundles.decision, zj, decision.id],
      [bundles.inbound, zj, application.id],
    ] as const) {
      const r = await runAudit(['evidence', String(id), '-c', node.configPath, '--out', file]);
      expect(r, r.err).toMatchObject({ code: 0 });
    }
    // The third party's machine: the bundles and the two root certificates, nothing else.
    roots = mkdtempSync(join(tmpdir(), 'tongban-evidence-check-'));
    for (const f of ['root-ca.crt', 'sm-root-ca.crt']) copyFileSync(join(net.pkiDir, f), join(roots, f));
    for (const [k, f] of Object.entries(bundles)) copyFileSync(f, join(roots, `${k}.json`));
    rmSync(out, { recursive: true, force: true });
  });
  afterAll(() => rmSync(roots, { recursive: true, force: true }));

  const verify = (file: string, extra: string[] = []) =>
    runAudit([
      'evidence',
      'verify',
      file,
      '--root',
      join(roots, 'root-ca.crt'),
      '--sm-root',
      join(roots, 'sm-root-ca.crt'),
      ...extra,
    ]);
  const load = (k: keyof typeof bundles): EvidenceBundle =>
    JSON.parse(readFileSync(join(roots, `${k}.json`), 'utf8')) as EvidenceBundle;
  const tampered = (b: EvidenceBundle): string => {
    const f = join(roots, `t-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(f, JSON.stringify(b));
    return f;
  };

  it('verify on their own with only the root certificates: sm and intl receipts, out and in', async () => {
    for (const k of ['application', 'decision', 'inbound'] as const) {
      const r = await verify(join(roots, `${k}.json`));
      expect(r.code, `${k}\n${r.out}${r.err}`).toBe(0);
      expect(r.out).toMatch(/VERIFIED\n$/);
      expect(r.out).not.toContain('FAIL');
    }
    const app = await verify(join(roots, 'application.json'), [
      '--content',
      join(SAMPLES, 'newborn-application.yangtze.json'),
    ]);
    expect(app.out).toMatch(/ok {3}content \(acceptance\)/);
    expect(app.out).toMatch(/ok {3}content \(delivery\)/);
    const b = load('application');
    expect(b.receipts.delivery).toMatchObject({ kind: 'delivery', issuer: '330000', suite: 'sm' });
    expect(load('decision').receipts.delivery).toMatchObject({ issuer: '310000', suite: 'intl' });
    const text = readFileSync(join(roots, 'application.json'), 'utf8');
    for (const s of CLEAR) expect(text.includes(s), s).toBe(false);
  });

  it('fails without the SM root, or with another packet content', async () => {
    const noSm = await runAudit([
      'evidence',
      'verify',
      join(roots, 'application.json'),
      '--root',
      join(roots, 'root-ca.crt'),
    ]);
    expect(noSm.code).toBe(1);
    expect(noSm.out).toMatch(/FAIL certificate node-signing 310000 \(sm\)/);
    const other = join(roots, 'other.json');
    writeFileSync(other, JSON.stringify({ ...application, caseId: '310110-20261123-000099' }));
    expect((await verify(join(roots, 'application.json'), ['--content', other])).out).toMatch(
      /FAIL content \(acceptance\)/,
    );
  });

  it('a tampered bundle fails, naming what is wrong', async () => {
    const cases: Array<[string, (b: EvidenceBundle) => EvidenceBundle, RegExp]> = [
      [
        'one byte of the sealed envelope',
        (b) => {
          const env = JSON.parse(b.envelope!) as { cms: string };
          const cms = Buffer.from(env.cms, 'base64');
          cms[100] = cms[100]! ^ 1;
          return { ...b, envelope: JSON.stringify({ ...env, cms: cms.toString('base64') }) };
        },
        /FAIL envelope digest/,
      ],
      [
        'a log line edited',
        (b) => ({
          ...b,
          log: b.log.map((x) => ({
            ...x,
            lines: x.lines.map((l, i) => (i === 0 ? l.replace('"outcome":"ok"', '"outcome":"error"') : l)),
          })),
        }),
        /FAIL log 310000\/i1: seq \d+: hash mismatch/,
      ],
      [
        'a log line rewritten with recomputed hashes up to the checkpoint',
        (b) => ({
          ...b,
          log: b.log.map((x) => ({
            ...x,
            lines: rechain(x.lines, (e) =>
              e.event === 'accepted' ? { ...e, detail: { ...e.detail, digest: '00'.repeat(32) } } : e,
            ),
          })),
        }),
        /FAIL log 310000\/i1: checkpoint seq \d+ vouches for seq \d+, which differs/,
      ],
      [
        'the checkpoint removed',
        (b) => ({ ...b, log: b.log.map((x) => ({ ...x, lines: x.lines.slice(0, -1) })) }),
        /FAIL log 310000\/i1: the excerpt does not end with a checkpoint/,
      ],
      [
        'the delivery time changed',
        (b) => ({
          ...b,
          receipts: { ...b.receipts, delivery: { ...b.receipts.delivery!, at: '2030-01-01T00:00:00.000Z' } },
        }),
        /FAIL delivery receipt: receipt fields differ/,
      ],
      [
        "the receiver's certificate swapped for the sender's",
        (b) => ({
          ...b,
          certificates: b.certificates.map((c) =>
            c.role === 'peer-signing' && c.suite === 'sm'
              ? { ...c, der: b.certificates.find((x) => x.role === 'node-signing' && x.suite === 'sm')!.der }
              : c,
          ),
        }),
        /FAIL delivery receipt: receipt signature does not verify/,
      ],
      [
        "the receiver's certificate relabelled as the sender's",
        (b) => ({
          ...b,
          certificates: b.certificates.map((c) =>
            c.role === 'node-signing' && c.suite === 'sm'
              ? { ...c, der: b.certificates.find((x) => x.role === 'peer-signing' && x.suite === 'sm')!.der }
              : c,
          ),
        }),
        /FAIL certificate node-signing 310000 \(sm\): .*does not name member 310000/,
      ],
      [
        'the route in the summary',
        (b) => ({ ...b, packet: { ...b.packet, toOffice: '330106530000' } }),
        /FAIL acceptance receipt: signed, but for another packet/,
      ],
    ];
    for (const [label, change, expected] of cases) {
      const r = await verify(tampered(change(load('application'))));
      expect(r.code, label).toBe(1);
      expect(r.out, `${label}\n${r.out}`).toMatch(expected);
      expect(r.out).toMatch(/NOT VERIFIED/);
    }
    expect(
      await runAudit([
        'evidence',
        'verify',
        tampered({ format: 'x' } as unknown as EvidenceBundle),
        '--root',
        join(roots, 'root-ca.crt'),
      ]),
    ).toMatchObject({
      code: 1,
      err: expect.stringContaining('GW_ERR_AUDIT_EVIDENCE_MALFORMED'),
    });
  });

  it('refuses an unknown packet with a coded error', async () => {
    const r = await runAudit([
      'evidence',
      '99999999-2222-4333-8444-555555555555',
      '-c',
      sh.configPath,
      '--out',
      join(roots, 'x.json'),
    ]);
    expect(r).toMatchObject({ code: 1, err: expect.stringContaining('GW_ERR_AUDIT_EVIDENCE_NOT_FOUND') });
  });
});

/** Rewrites entries and recomputes every hash after them, as a forger without the signing key can. */
function rechain(lines: readonly string[], change: (e: LogEntry) => LogEntry): string[] {
  let prev: string | undefined;
  return lines.map((l) => {
    const e = JSON.parse(l) as LogEntry;
    const body: Omit<LogEntry, 'hash'> & { hash?: string } = { ...change(e), prev: prev ?? e.prev };
    delete body.hash;
    const hash = entryHash(body);
    prev = hash;
    return canonicalJson({ ...body, hash });
  });
}
