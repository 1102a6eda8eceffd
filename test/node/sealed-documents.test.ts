import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrail } from '../../src/audit/index.js';
import type { SuiteName } from '../../src/crypto/index.js';
import { DEV_SYSTEMS, startDevNetwork, type DevNode } from '../../src/demo/index.js';
import { packetDigestInput, type Packet } from '../../src/packets/index.js';
import { sealEnvelope } from '../../src/peer/index.js';
import { initDevPki, loadCertDer } from '../../src/pki/index.js';
import { verifySealedDocument, verifySealedDocuments, type SealedDocument } from '../../src/seal/index.js';
import { application, approval, rejectedDecision, waitCase, type Application } from '../cases/helpers.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { postAsPeer } from '../helpers/post-as-peer.js';
import { waitFor } from '../helpers/wait.js';

/** What the inbox item says about each sealed document. */
interface Verdict {
  kind: string;
  valid: boolean;
  reason?: string;
  code?: string;
  sealName?: string;
  signer?: string;
}

let pkiDir: string;
let pkiRoot: string;
beforeAll(async () => {
  // One PKI for both suites: key generation is the slow part.
  pkiRoot = mkdtempSync(join(tmpdir(), 'tongban-seal-pki-'));
  pkiDir = join(pkiRoot, 'pki');
  await initDevPki({ outDir: pkiDir, members: ['310000', '330000'], systems: [...DEV_SYSTEMS] });
});
afterAll(() => rmSync(pkiRoot, { recursive: true, force: true }));

describe.each<SuiteName>(['sm', 'intl'])('sealed documents between two gateways (%s)', (suite) => {
  let dir: string;
  let prefix: string;
  let net: Awaited<ReturnType<typeof startDevNetwork>>;
  let sh: DevNode; // 上海: 受理地
  let zj: DevNode; // 浙江: 户籍地
  let trusted: Buffer[];
  let n = suite === 'sm' ? 100 : 200;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-seal-e2e-'));
    prefix = testPrefix('seal');
    net = await startDevNetwork({
      dir,
      pkiDir,
      members: ['310000', '330000'],
      redisUrl: REDIS_URL,
      prefix,
      suiteFor: () => suite,
      retry: { backoffMs: 100, attempts: 3 },
    });
    sh = net.nodes.get('310000')!;
    zj = net.nodes.get('330000')!;
    trusted = [loadCertDer(join(pkiDir, 'sm-root-ca.crt'))];
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

  /** An application submitted at 上海 and delivered to 浙江. */
  async function delivered(): Promise<Application> {
    const app = application(n++);
    expect((await sh.client.call('POST', '/v1/packets', app)).status).toBe(202);
    await waitCase(zj, app.caseId, 'delivered');
    await waitCase(sh, app.caseId, 'delivered');
    return app;
  }

  it("an approval's 常住人口登记表 and 户口簿个人信息页 arrive at the 受理地 with valid seals", async () => {
    const app = await delivered();
    const decision = approval(app);
    const started = performance.now();
    const res = await zj.client.call('POST', '/v1/packets', decision);
    const acceptMs = performance.now() - started;
    expect(res.status).toBe(202);
    // A resubmission of what the system sent is the same packet, although the gateway added
    // freshly signed documents to it.
    const again = await zj.client.call('POST', '/v1/packets', decision);
    expect(again.json).toMatchObject({ duplicate: true, receipt: res.json.receipt });

    const item = await inboxItem(sh, decision.id);
    const packet = item.packet as Packet;
    const docs = packet.sealedDocuments as SealedDocument[];
    expect(docs.map((d) => [d.kind, d.mediaType, d.suite, d.seals.map((s) => s.role).join('+')])).toEqual([
      ['resident-registration', 'application/pdf', suite, 'unit+officer'],
      ['household-page', 'application/pdf', suite, 'unit+officer'],
    ]);
    const verdicts = item.documents as Verdict[];
    expect(verdicts).toHaveLength(2);
    for (const v of verdicts) {
      expect(v).toMatchObject({
        valid: true,
        sealName: '浙江省公安厅户籍专用章（开发用）',
        makerTrusted: true,
      });
      expect(v.signer).toContain(suite === 'sm' ? '330000 承办人' : '330000 承办人 (intl)');
      expect(v.reason).toBeUndefined();
    }
    // Checked again here, independently of the gateway's verdict, against the SM2 root as the
    // trusted maker CA.
    const again2 = verifySealedDocuments(docs, { trustedMakerCerts: trusted });
    expect(again2.valid).toBe(true);
    for (const doc of docs) {
      const content = Buffer.from(doc.contentBase64, 'base64');
      expect(content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(content.toString('latin1')).toContain('(330102202611020028) Tj');
      for (const s of doc.seals) {
        const v = verifySealedDocument(content, Buffer.from(s.signatureBase64, 'base64'), {
          trustedMakerCerts: trusted,
        });
        expect(v).toMatchObject({ valid: true, suite, esID: '33000001000001', makerTrusted: true });
      }
    }
    if (suite === 'intl') {
      // The intl seal is a CMS signature `openssl cms -verify` accepts (signer under the intl root).
      const doc = docs[0]!;
      const work = mkdtempSync(join(tmpdir(), 'seal-cms-'));
      writeFileSync(join(work, 'doc.pdf'), Buffer.from(doc.contentBase64, 'base64'));
      writeFileSync(join(work, 'sig.p7s'), Buffer.from(doc.seals[1]!.signatureBase64, 'base64'));
      const out = execFileSync(
        'openssl',
        [
          'cms',
          '-verify',
          '-binary',
          '-inform',
          'DER',
          '-in',
          join(work, 'sig.p7s'),
          '-content',
          join(work, 'doc.pdf'),
          '-CAfile',
          join(pkiDir, 'root-ca.crt'),
          '-out',
          '/dev/null',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      expect(out).toBeDefined();
      rmSync(work, { recursive: true, force: true });
    }
    const trail = await readTrail(sh.node.config.audit.dir, { packetId: decision.id });
    expect(trail.find((e) => e.event === 'received')?.detail).toMatchObject({ seals: 'valid' });
    await waitCase(sh, app.caseId, 'approved');
    console.log(`[${suite}] accepting an approval with 2 sealed documents took ${acceptMs.toFixed(0)} ms`);
  });

  it('a document tampered before the envelope is sealed arrives flagged invalid, never as valid', async () => {
    const app = await delivered();
    const decision = approval(app);
    // What the 户籍地 gateway would send, with the 常住人口登记表 altered by one byte after it
    // was sealed, then signed and encrypted with 浙江's own keys (a faulty or dishonest sender).
    const honest = JSON.parse(
      (await zj.node.ctx.store.get(await sentApproval(zj, sh, n++)))!.packet,
    ) as Packet;
    const docs = structuredClone(honest.sealedDocuments!) as SealedDocument[];
    const content = Buffer.from(docs[0]!.contentBase64, 'base64');
    const at = content.indexOf('(330102202611020028) Tj');
    content[at + 1] = '4'.charCodeAt(0); // the ID number on the printed form
    docs[0] = { ...docs[0]!, contentBase64: content.toString('base64') };
    const tampered = { ...decision, sealedDocuments: docs } as Packet;
    const ctx = zj.node.ctx;
    const env = await sealEnvelope(
      packetDigestInput(tampered),
      { id: tampered.id, type: tampered.type, from: '330000', to: '310000' },
      ctx.suite(suite),
      ctx.material.suites[suite]!.signing,
      ctx.material.peersByMember.get('310000')!.certs[suite]!.encryption,
    );
    const answer = await postAsPeer(pkiDir, '330000', sh.urls.peer, env);
    expect(answer.status).toBe(200);

    const item = await inboxItem(sh, decision.id);
    const verdicts = item.documents as Verdict[];
    expect(verdicts[0]).toMatchObject({
      kind: 'resident-registration',
      valid: false,
      reason: 'document-digest',
      code: 'GW_ERR_SEAL_DOCUMENT_DIGEST',
    });
    expect(verdicts[1]).toMatchObject({ kind: 'household-page', valid: true });
    expect(
      verifySealedDocuments((item.packet as Packet).sealedDocuments!, { trustedMakerCerts: trusted }).valid,
    ).toBe(false);
    const trail = await readTrail(sh.node.config.audit.dir, { packetId: decision.id });
    expect(trail.find((e) => e.event === 'received')?.detail).toMatchObject({ seals: 'invalid' });
  });

  it('a rejection reaches the 受理地 window with a sealed 不予受理告知书', async () => {
    const app = await delivered();
    const sample = rejectedDecision();
    const decision = {
      ...sample,
      id: randomUUID(),
      caseId: app.caseId,
      inReplyTo: app.id,
      from: app.to,
      to: app.from,
      agreement: app.agreement,
    };
    expect((await zj.client.call('POST', '/v1/packets', decision)).status).toBe(202);
    const item = await inboxItem(sh, decision.id);
    expect(item.documents).toBeUndefined();
    const notice = item.refusalNotice as SealedDocument;
    expect(notice).toMatchObject({ kind: 'refusal-notice', mediaType: 'application/pdf', suite: 'sm' });
    const v = verifySealedDocuments([notice], { trustedMakerCerts: trusted });
    expect(v.valid).toBe(true);
    if (v.valid)
      expect(v.checks.map((c) => c.result.valid && c.result.esID)).toEqual([
        '31000001000001',
        '31000001000001',
      ]);
    const pdf = Buffer.from(notice.contentBase64, 'base64').toString('latin1');
    expect(pdf).toContain(utf16('不予受理告知书'));
    expect(pdf).toContain(
      utf16(sample.payload.decision === 'rejected' ? sample.payload.reason.text.slice(0, 8) : ''),
    );
  });

  it('serves the sealed 受理回执单 of an accepted application to the system that sent it', async () => {
    const app = await delivered();
    const r = await sh.client.call('GET', `/v1/packets/${app.id}/receipt-document`);
    expect(r.status).toBe(200);
    const doc = r.json.document as SealedDocument;
    expect(doc).toMatchObject({ kind: 'acceptance-receipt', mediaType: 'application/pdf' });
    expect(verifySealedDocuments([doc], { trustedMakerCerts: trusted }).valid).toBe(true);
    const pdf = Buffer.from(doc.contentBase64, 'base64').toString('latin1');
    expect(pdf).toContain(utf16('受理回执单'));
    expect(pdf).toContain(`(${app.caseId}) Tj`);
    // Not for the 户籍地, and not for a packet that is not an application.
    expect((await zj.client.call('GET', `/v1/packets/${app.id}/receipt-document`)).json.code).toBe(
      'GW_ERR_API_NOT_FOUND',
    );
  });

  it('refuses sealed documents submitted by a local system', async () => {
    const app = await delivered();
    const decision = { ...approval(app), sealedDocuments: [] };
    const r = await zj.client.call('POST', '/v1/packets', decision);
    expect(r.status).toBe(422);
    expect(r.json.code).toBe('GW_ERR_PACKET_SCHEMA');
  });
});

const utf16 = (s: string): string => Buffer.from(s, 'utf16le').swap16().toString('hex').toUpperCase();

/** Runs a whole approval through the network and returns the decision id (its stored packet has documents). */
async function sentApproval(zj: DevNode, sh: DevNode, n: number): Promise<string> {
  const app = application(n);
  expect((await sh.client.call('POST', '/v1/packets', app)).status).toBe(202);
  await waitCase(zj, app.caseId, 'delivered');
  const decision = approval(app);
  expect((await zj.client.call('POST', '/v1/packets', decision)).status).toBe(202);
  return decision.id;
}
