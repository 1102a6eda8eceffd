import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { checkpointVerifier, readTrail, verifyLogDir } from '../audit/index.js';
import { createSuiteRegistry } from '../crypto/index.js';
import { PROJECT_ROOT } from '../paths.js';
import { loadCertDer } from '../pki/index.js';
import { resolveRedis } from '../queue/index.js';
import { startDevNetwork, type DevNode } from './dev-network.js';

/** Options of the demo walkthrough. */
export interface DemoOptions {
  readonly dir: string;
  readonly out: (line: string) => void;
  /** Keep the nodes running after the walkthrough until SIGINT. */
  readonly keep?: boolean;
  /** Redis URL; default as DESIGN §7. */
  readonly redisUrl?: string;
}

const SAMPLES = join(PROJECT_ROOT, 'samples');

/**
 * The multi-province demo: four gateways (重庆, 贵州 under 川渝黔 with the 国密 suite; 上海, 浙江
 * under 长三角 with the international suite), the sample cases carried across and answered,
 * then the exchange logs' trails and their verification. Returns true when every step worked.
 */
export async function runDemo(opts: DemoOptions): Promise<boolean> {
  const { out } = opts;
  const redis = opts.redisUrl ? { url: opts.redisUrl, stop: async () => undefined, origin: 'config' } : await resolveRedis(undefined, join(opts.dir, 'data'));
  out(`Tongban Gateway demo — working folder ${opts.dir}, Redis ${redis.url} (${redis.origin})`);
  const prefix = `tongban-demo:${Date.now().toString(36)}`;
  const net = await startDevNetwork({
    dir: opts.dir,
    members: ['500000', '520000', '310000', '330000'],
    redisUrl: redis.url,
    prefix,
    suiteFor: (from) => (from.startsWith('5') ? 'sm' : 'intl'),
    retry: { backoffMs: 500, attempts: 8 },
    logger: pino({ level: process.env.LOG_LEVEL ?? 'warn' }),
  });
  const node = (m: string): DevNode => net.nodes.get(m)!;
  for (const n of net.nodes.values()) out(`  gateway ${n.member} ${n.node.config.node.name}: api ${n.urls.api}  peer ${n.urls.peer}`);
  let ok = true;
  try {
    out('\n— 长三角: a Zhejiang family living in Shanghai applies at 上海杨浦大桥派出所 (JSON, intl suite)');
    const app1 = JSON.parse(readFileSync(join(SAMPLES, 'newborn-application.yangtze.json'), 'utf8')) as Record<string, unknown>;
    ok = (await carry(out, node('310000'), node('330000'), Buffer.from(JSON.stringify(app1)), 'application/json', String(app1.id))) && ok;
    out('— 浙江 approves; the decision travels back');
    ok = (await carry(out, node('330000'), node('310000'), readFileSync(join(SAMPLES, 'newborn-decision.approved.json')), 'application/json', '0b8f5a3e-8d7c-4b1e-a2f9-6c3d2e1f0a22')) && ok;
    out('— 上海 reports completion (办结反馈, 缴旧寄新 by EMS)');
    ok = (await carry(out, node('310000'), node('330000'), readFileSync(join(SAMPLES, 'newborn-completion.json')), 'application/json', 'c4d3e2f1-0a9b-4c8d-9e7f-6a5b4c3d2e44')) && ok;

    out('\n— 川渝黔: a Guizhou mother applies in Chongqing; the old system sends GBK XML (国密 suite)');
    ok = (await carry(out, node('500000'), node('520000'), readFileSync(join(SAMPLES, 'newborn-application.chuan-yu-qian.gbk.xml')), 'application/xml', 'b3f1e0c2-5a4d-4e2b-8f3a-9d1c7e6b5a40')) && ok;
    out('— 贵州 refuses (户主不一致); the refusal travels back');
    ok = (await carry(out, node('520000'), node('500000'), readFileSync(join(SAMPLES, 'newborn-decision.rejected.json')), 'application/json', '5e2a9c71-4f3b-4d8e-b6a0-1c9e8d7f6b33')) && ok;

    out('\n— Case states as both gateways keep them (GET /v1/cases/:caseId):');
    for (const [m, caseId] of [['310000', '310110-20261123-000001'], ['330000', '310110-20261123-000001'], ['500000', '500103-20261123-000007'], ['520000', '500103-20261123-000007']] as const) {
      const c = await node(m).client.call('GET', `/v1/cases/${caseId}`);
      const states = ((c.json.history as Array<{ state: string }> | undefined) ?? []).map((h) => h.state).join(' → ');
      const due = (c.json.deadlines as { reviewDue?: string } | undefined)?.reviewDue;
      out(`  ${m} ${caseId}: ${String(c.json.state)} (${states})${due ? `, review was due ${due}` : ''}`);
      ok = ok && (c.json.state === 'completed' || c.json.state === 'rejected');
    }
    out('\n— Exchange-log trail of case 310110-20261123-000001 on both gateways (no names or ID numbers in clear):');
    for (const m of ['310000', '330000']) {
      const trail = await readTrail(node(m).node.config.audit.dir, { caseId: '310110-20261123-000001' });
      for (const e of trail) out(`  [${m} #${e.seq}] ${e.time} ${e.event.padEnd(11)} ${e.type ?? ''} ${e.actor} ${e.outcome}`);
    }
  } catch (err) {
    ok = false;
    out(`demo failed: ${(err as Error).message}`);
  }
  if (opts.keep) {
    out('\nnodes keep running; Ctrl-C to stop');
    await new Promise<void>((r) => process.once('SIGINT', () => r()));
  }
  await net.close();
  out('\n— Auditor check: tongban audit verify on each gateway’s log (after the shutdown checkpoint)');
  for (const n of net.nodes.values()) {
    const cfg = n.node.config;
    const trusted = [loadCertDer(cfg.crypto.suites[cfg.crypto.defaultSuite]!.signing.cert)];
    const verifySignature = checkpointVerifier(createSuiteRegistry(), trusted);
    const r = await verifyLogDir(cfg.audit.dir, { verifySignature, requireSignatures: true });
    out(`  ${n.member}: ${r.ok ? `intact, ${r.entries} entries, ${r.signaturesVerified} checkpoint signature(s) by the node's signing key` : `DAMAGED: ${JSON.stringify(r.problems[0])}`}`);
    ok = ok && r.ok;
  }
  await redis.stop();
  out(ok ? '\ndemo OK' : '\ndemo FAILED');
  return ok;
}

/** Submit at `from`, wait until it is in `to`'s inbox and the receipt came back, acknowledge it. */
async function carry(out: (s: string) => void, from: DevNode, to: DevNode, body: Buffer, type: string, id: string): Promise<boolean> {
  const res = await from.client.call('POST', '/v1/packets', body, type);
  if (res.status !== 202) {
    out(`  ✗ ${from.member} refused: ${res.status} ${JSON.stringify(res.json)}`);
    return false;
  }
  const receipt = res.json.receipt as { suite: string; digest: { alg: string; value: string } };
  out(`  ${from.member} accepted ${id} → 202, signed acceptance receipt (${receipt.suite}, ${receipt.digest.alg} ${receipt.digest.value.slice(0, 16)}…)`);
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const inbox = await to.client.call('GET', '/v1/inbox');
    const item = (inbox.json.items as Array<Record<string, unknown>> | undefined)?.find((i) => i.id === id);
    const status = await from.client.call('GET', `/v1/packets/${id}`);
    if (item && status.json.status === 'delivered') {
      const history = (status.json.history as Array<{ status: string }>).map((h) => h.status).join(' → ');
      out(`  ${to.member} inbox has it (decrypted, signature verified); ${from.member} status: ${history}, delivery receipt verified`);
      for (const d of (item.documents as Array<{ kind: string; valid: boolean; reason?: string; sealName?: string }> | undefined) ?? []) {
        out(`    sealed ${d.kind}: ${d.valid ? `seal valid (${d.sealName ?? ''} + 承办人签章)` : `INVALID (${d.reason ?? ''})`}`);
      }
      if (item.refusalNotice) out('    不予受理告知书 (refusal notice) attached, sealed by the 受理地');
      await to.client.call('POST', `/v1/inbox/${id}/ack`);
      return true;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  out(`  ✗ ${id} did not arrive within 20 s`);
  return false;
}
