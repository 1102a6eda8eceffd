import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrail } from '../../src/audit/index.js';
import type { SuiteName } from '../../src/crypto/index.js';
import { createSuiteRegistry } from '../../src/crypto/index.js';
import { startDevNetwork, type DevNode } from '../../src/demo/dev-network.js';
import { canonicalJson } from '../../src/packets/index.js';
import { loadCertDer } from '../../src/pki/index.js';
import { verifyReceipt, type SignedReceipt } from '../../src/receipts/index.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { postAsPeer } from '../helpers/post-as-peer.js';
import { waitFor } from '../helpers/wait.js';

const SAMPLES = join(import.meta.dirname, '../../samples');
const yangtze = (): Record<string, unknown> => JSON.parse(readFileSync(join(SAMPLES, 'newborn-application.yangtze.json'), 'utf8'));

/** The foundation's end-to-end checks, run for each suite pairing (issue 3: unchanged for sm). */
describe.each<[string, (from: string, to: string) => SuiteName]>([
  ['intl', () => 'intl'],
  ['sm', () => 'sm'],
  ['mixed: Shanghai sends sm, Zhejiang sends intl', (from) => (from === '310000' ? 'sm' : 'intl')],
])('two gateways on loopback (%s)', (_label, suiteFor) => {
  let dir: string;
  let prefix: string;
  let net: Awaited<ReturnType<typeof startDevNetwork>>;
  let sh: DevNode;
  let zj: DevNode;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-e2e-'));
    prefix = testPrefix('e2e');
    net = await startDevNetwork({ dir, members: ['310000', '330000'], redisUrl: REDIS_URL, prefix, suiteFor, retry: { backoffMs: 100, attempts: 5 } });
    sh = net.nodes.get('310000')!;
    zj = net.nodes.get('330000')!;
  });
  afterAll(async () => {
    await net?.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  const inboxItem = (node: DevNode, id: string) =>
    waitFor(async () => {
      const r = await node.client.call('GET', '/v1/inbox');
      return (r.json.items as Array<Record<string, unknown>>).find((i) => i.id === id);
    });

  it('carries an application to the other gateway: decrypted, verified, byte-identical, receipt recorded', async () => {
    const packet = yangtze();
    const res = await sh.client.call('POST', '/v1/packets', packet);
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ id: packet.id, caseId: packet.caseId, status: 'queued' });
    const item = await inboxItem(zj, packet.id as string);
    expect(canonicalJson(item.packet)).toBe(canonicalJson(packet));

    // The sender records the receiver's delivery receipt, and it verifies against Zhejiang's
    // pinned signing certificate for the suite that was used.
    const status = await waitFor(async () => {
      const r = await sh.client.call('GET', `/v1/packets/${String(packet.id)}`);
      return r.json.status === 'delivered' ? r.json : undefined;
    });
    const receipt = status.deliveryReceipt as SignedReceipt;
    const suite = suiteFor('310000', '330000');
    expect(receipt.suite).toBe(suite);
    const cert = loadCertDer(join(net.pkiDir, '330000', `${suite}-signing.crt`));
    const data = await verifyReceipt(receipt, createSuiteRegistry()(suite), cert);
    expect(data).toMatchObject({ kind: 'delivery', packetId: packet.id, issuer: '330000' });
    expect((status.history as Array<{ status: string }>).map((h) => h.status)).toEqual(
      expect.arrayContaining(['accepted', 'queued', 'delivered']),
    );
    // The acceptance receipt is signed by Shanghai's gateway in its default suite (sm).
    const acceptance = res.json.receipt as SignedReceipt;
    await expect(
      verifyReceipt(acceptance, createSuiteRegistry()('sm'), loadCertDer(join(net.pkiDir, '310000', 'sm-signing.crt'))),
    ).resolves.toMatchObject({ kind: 'acceptance', packetId: packet.id });

    const ack = await zj.client.call('POST', `/v1/inbox/${String(packet.id)}/ack`);
    expect(ack.status).toBe(200);
    const after = await zj.client.call('GET', '/v1/inbox');
    expect((after.json.items as Array<{ id: string }>).some((i) => i.id === packet.id)).toBe(false);
  });

  it('answers a resubmission with the original receipt and never delivers twice', async () => {
    const packet = { ...yangtze(), id: '11111111-2222-4333-8444-555555555555', caseId: '310110-20261123-000002' };
    const first = await sh.client.call('POST', '/v1/packets', packet);
    const second = await sh.client.call('POST', '/v1/packets', packet);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.json.receipt).toEqual(first.json.receipt);
    expect(second.json.duplicate).toBe(true);
    await inboxItem(zj, packet.id);
    // Same id, different content: refused.
    const conflict = await sh.client.call('POST', '/v1/packets', { ...packet, caseId: '310110-20261123-000003' });
    expect(conflict.status).toBe(409);
    expect(conflict.json.code).toBe('GW_ERR_PACKET_ID_CONFLICT');
    await new Promise((r) => setTimeout(r, 500));
    const inbox = await zj.client.call('GET', '/v1/inbox');
    expect((inbox.json.items as Array<{ id: string }>).filter((i) => i.id === packet.id)).toHaveLength(1);
  });

  it('refuses an envelope altered by one byte, logs it, and delivers nothing', async () => {
    const packet = { ...yangtze(), id: '21111111-2222-4333-8444-555555555555', caseId: '310110-20261123-000004' };
    // Seal it as Shanghai would, without sending: take the stored envelope of a real acceptance
    // whose peer is unreachable is complex; instead submit and read the sealed envelope back.
    const res = await sh.client.call('POST', '/v1/packets', packet);
    expect(res.status).toBe(202);
    await inboxItem(zj, packet.id);
    const rec = await sh.node.ctx.store.get(packet.id);
    const env = JSON.parse(rec!.envelope!) as Record<string, string>;
    const cms = Buffer.from(env.cms, 'base64');
    cms[Math.floor(cms.length / 2)] ^= 0x01;
    const tampered = { ...env, id: '31111111-2222-4333-8444-555555555555', cms: cms.toString('base64') };
    const answer = await postAsPeer(net.pkiDir, '310000', zj.urls.peer, tampered);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(String(answer.json.code)).toMatch(/^GW_ERR_(CRYPTO|PEER)_/);
    const inbox = await zj.client.call('GET', '/v1/inbox');
    expect((inbox.json.items as Array<{ id: string }>).some((i) => i.id === tampered.id)).toBe(false);
    const trail = await readTrail(zj.node.config.audit.dir, { packetId: tampered.id });
    expect(trail.some((e) => e.event === 'refused' && e.code === answer.json.code)).toBe(true);
  });
});
