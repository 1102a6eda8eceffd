import { randomUUID } from 'node:crypto';
import type { KeyedIdentity, CryptoSuite } from '../crypto/index.js';
import { GatewayError } from '../errors.js';
import { packetDigestInput, type Packet } from '../packets/index.js';
import { createMtlsClient, sealEnvelope } from '../peer/index.js';
import type { PeerCertificateAnswer } from '../cases/index.js';
import { packetReceiptData, signReceipt, verifyReceipt, type SignedReceipt } from '../receipts/index.js';
import type { NodeContext } from './context.js';
import type { PeerMaterial } from './material.js';


/** How long a peer gets to answer a query; the caller is waiting at a window. */
const QUERY_TIMEOUT_MS = 5_000;

/** Office code standing for a member as a whole (its province code and zeros). */
const memberOffice = (member: string): string => `${member}000000`;

/**
 * Ask every peer that shares an agreement covering `birth-certificate.check` with this member
 * what its own 出生医学证明 registry says about `no` (公安部: a number must be unused and not
 * blacklisted anywhere before registration). The question travels as an ordinary sealed
 * `birth-certificate.check` packet on the peer port; the answer comes back inside the peer's
 * signed delivery receipt, verified against its pinned signing certificate.
 */
export async function queryPeersForCertificate(ctx: NodeContext, no: string): Promise<PeerCertificateAnswer[]> {
  const own = ctx.config.node.member;
  const targets = new Map<string, string>(); // member → agreement id
  for (const a of ctx.config.agreements) {
    if (a.intra || !a.types.includes('birth-certificate.check') || !a.members.includes(own)) continue;
    for (const m of a.members) if (m !== own && ctx.material.peersByMember.has(m) && !targets.has(m)) targets.set(m, a.id);
  }
  return Promise.all([...targets].map(([member, agreement]) => askPeer(ctx, ctx.material.peersByMember.get(member)!, agreement, no)));
}

async function askPeer(ctx: NodeContext, peer: PeerMaterial, agreement: string, no: string): Promise<PeerCertificateAnswer> {
  const own = ctx.config.node.member;
  const member = peer.config.member;
  const suiteName = peer.config.suite;
  const suite = ctx.suite(suiteName);
  const id = randomUUID();
  const packet = ctx.validator.validate({
    id,
    type: 'birth-certificate.check',
    caseId: `bc-${id}`,
    from: { member: own, office: memberOffice(own) },
    to: { member, office: memberOffice(member) },
    agreement,
    createdAt: new Date().toISOString(),
    payload: { certificateNo: no },
  });
  const canonical = packetDigestInput(packet);
  const env = await sealEnvelope(
    canonical,
    { id, type: packet.type, from: own, to: member },
    suite,
    ctx.material.suites[suiteName]!.signing,
    peer.certs[suiteName]!.encryption,
  );
  const { tls } = ctx.material;
  const client = createMtlsClient({ ca: tls.ca, cert: tls.cert, key: tls.key, pinnedCertDer: peer.tlsCertDer, timeoutMs: QUERY_TIMEOUT_MS });
  let answer: PeerCertificateAnswer;
  try {
    const res = await client.post(`${peer.config.url.replace(/\/$/, '')}/v1/peer/packets`, Buffer.from(JSON.stringify(env)), 'application/json');
    if (res.status !== 200) {
      const code = (JSON.parse(res.body.toString('utf8') || '{}') as { code?: string }).code;
      answer = { member, error: code ?? `HTTP ${res.status}` };
    } else {
      const receipt = (JSON.parse(res.body.toString('utf8')) as { receipt: SignedReceipt }).receipt;
      const data = await verifyReceipt(receipt, suite, peer.certs[suiteName]!.signing);
      const digest = suite.digest(canonical).toString('hex');
      if (data.packetId !== id || data.issuer !== member || data.digest.value !== digest || data.answer?.certificateNo !== no) {
        throw new GatewayError('GW_ERR_DELIVERY_RECEIPT_INVALID', 'the answer is not about this question');
      }
      answer = { member, ...data.answer };
    }
  } catch (err) {
    answer = { member, error: err instanceof GatewayError ? err.code : 'GW_ERR_DELIVERY_UNREACHABLE' };
  } finally {
    client.close();
  }
  await ctx.exchangeLog.record({
    event: 'sent',
    packetId: id,
    type: packet.type,
    from: packet.from.office,
    to: packet.to.office,
    actor: 'gateway',
    outcome: 'error' in answer ? 'error' : 'ok',
    ...('error' in answer ? { code: answer.error } : {}),
    detail: { query: 'birth-certificate', peer: member, ...('status' in answer ? { status: answer.status } : {}) },
  });
  return answer;
}

/**
 * Answer a `birth-certificate.check` packet from a peer: nothing is stored or delivered, the
 * status from this member's registry goes back inside the signed delivery receipt.
 */
export async function answerCertificateQuery(
  ctx: NodeContext,
  peer: PeerMaterial,
  packet: Packet,
  suite: CryptoSuite,
  signer: KeyedIdentity,
): Promise<SignedReceipt> {
  if (!ctx.cases) throw new GatewayError('GW_ERR_ROUTE_NO_LOCAL_SYSTEM', 'this gateway keeps no 出生医学证明 registry');
  // The agreement must cover the question like any packet (routeInbound refuses otherwise).
  ctx.router.routeInbound(packet, peer.config.member);
  const no = (packet.payload as { certificateNo: string }).certificateNo;
  const state = await ctx.cases.checkCertificate(no);
  const digest = suite.digest(packetDigestInput(packet)).toString('hex');
  const answer = { certificateNo: no, status: state.status, ...(state.reason ? { reason: state.reason } : {}) };
  const receipt = await signReceipt(
    packetReceiptData('delivery', packet, suite, digest, ctx.config.node.member, new Date().toISOString(), answer),
    suite,
    signer,
  );
  await ctx.exchangeLog.record({
    event: 'received',
    packetId: packet.id,
    type: packet.type,
    from: packet.from.office,
    to: packet.to.office,
    actor: `peer:${peer.config.member}`,
    outcome: 'ok',
    detail: { query: 'birth-certificate', status: state.status },
  });
  return receipt;
}
