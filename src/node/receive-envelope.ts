import { createHash } from 'node:crypto';
import { GatewayError } from '../errors.js';
import { packetDigestInput, type Packet } from '../packets/index.js';
import { openEnvelope, type WireEnvelope } from '../peer/index.js';
import type { PacketRecord } from '../queue/index.js';
import { packetReceiptData, signReceipt, type SignedReceipt } from '../receipts/index.js';
import { deliverLocally } from './accept-packet.js';
import { answerCertificateQuery } from './certificate-query.js';
import type { NodeContext } from './context.js';
import type { PeerMaterial } from './material.js';
import { peopleOf } from './people.js';
import { inboundSealReport, sealLogDetail } from './seal-inbound.js';

/**
 * Take an envelope from a peer whose TLS identity is `peer`: decrypt, verify against the peer's
 * pinned signing certificate, validate as if a local system had sent it, drop duplicates by id
 * (answering with the original receipt), store for local delivery, log, and answer with a signed
 * delivery receipt. Any refusal is logged with its code before it is thrown.
 */
export async function receiveEnvelope(ctx: NodeContext, peer: PeerMaterial, env: WireEnvelope): Promise<SignedReceipt> {
  const actor = `peer:${peer.config.member}`;
  try {
    return await receive(ctx, peer, env);
  } catch (err) {
    const code = err instanceof GatewayError ? err.code : 'GW_ERR_INTERNAL';
    await ctx.exchangeLog.record({
      event: 'refused',
      packetId: env.id,
      type: env.type,
      from: env.from,
      to: env.to,
      actor,
      outcome: 'error',
      code,
    });
    throw err;
  }
}

async function receive(ctx: NodeContext, peer: PeerMaterial, env: WireEnvelope): Promise<SignedReceipt> {
  const own = ctx.config.node.member;
  if (env.from !== peer.config.member) {
    throw new GatewayError('GW_ERR_PEER_SIGNER_MISMATCH', `envelope claims sender ${env.from} but the TLS peer is ${peer.config.member}`);
  }
  if (env.to !== own) throw new GatewayError('GW_ERR_PEER_WRONG_RECIPIENT', `envelope is for ${env.to}, this gateway is ${own}`);
  const peerCerts = peer.certs[env.suite];
  const mine = ctx.material.suites[env.suite];
  if (!peerCerts || !mine) {
    throw new GatewayError('GW_ERR_PEER_SUITE_UNSUPPORTED', `suite ${env.suite} is not configured for peer ${peer.config.member}`);
  }
  const envelopeHash = createHash('sha256').update(env.cms).digest('hex');
  const existing = await ctx.store.get(env.id);
  // Same bytes again (a retry after a lost answer): the original receipt, no second delivery.
  if (existing && existing.direction === 'in' && existing.envelopeHash === envelopeHash) return duplicate(ctx, existing);

  const suite = ctx.suite(env.suite);
  const bytes = await openEnvelope(env, suite, mine.encryption, peerCerts.signing);
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new GatewayError('GW_ERR_PEER_ENVELOPE_INVALID', 'signed content is not a JSON packet');
  }
  const packet: Packet = ctx.validator.validate(raw);
  if (packet.id !== env.id || packet.type !== env.type || packet.from.member !== env.from || packet.to.member !== env.to) {
    throw new GatewayError('GW_ERR_PEER_HEADER_MISMATCH', 'envelope header differs from the signed packet');
  }
  // A question, not a delivery: answered in the signed receipt, nothing stored or delivered.
  if (packet.type === 'birth-certificate.check') return answerCertificateQuery(ctx, peer, packet, suite, mine.signing);
  const { system, agreement } = ctx.router.routeInbound(packet, peer.config.member);
  const canonical = packetDigestInput(packet);
  const digest = suite.digest(canonical).toString('hex');
  if (existing) {
    // Re-encrypted retry of the same packet (fresh content key): same digest is a duplicate.
    if (existing.direction === 'in' && existing.digest === digest) return duplicate(ctx, existing);
    throw new GatewayError('GW_ERR_PACKET_ID_CONFLICT', `packet id ${env.id} was already used for different content`);
  }
  // The receipt's time is also the case's delivery time on both sides (the sender reads it back).
  const receivedAt = new Date().toISOString();
  // Case layer: eligibility, 出生医学证明 and out-of-order refusals before anything is stored.
  await ctx.cases?.receiving(packet, peer.config.member, system, receivedAt);
  // Every seal is verified before the packet is stored for delivery; a bad one is delivered
  // flagged invalid, never as valid (seal-inbound.ts). A rejection gets its 不予受理告知书.
  const seals = await inboundSealReport(ctx, packet);
  const receipt = await signReceipt(
    packetReceiptData('delivery', packet, suite, digest, own, receivedAt),
    suite,
    mine.signing,
  );
  const record: PacketRecord = {
    id: packet.id,
    direction: 'in',
    type: packet.type,
    caseId: packet.caseId,
    from: packet.from.member,
    fromOffice: packet.from.office,
    to: packet.to.member,
    toOffice: packet.to.office,
    systemId: system.id,
    recipientSystemId: system.id,
    peer: peer.config.member,
    digest,
    envelopeHash,
    ...(seals ? { seals: JSON.stringify(seals) } : {}),
    packet: canonical.toString('utf8'),
    receipt: JSON.stringify(receipt),
    status: 'delivered',
    createdAt: receipt.at,
  };
  const claim = await ctx.store.claim(record);
  if (!claim.created) {
    const stored = await ctx.store.get(packet.id);
    if (stored && stored.direction === 'in' && stored.digest === digest) return duplicate(ctx, stored);
    throw new GatewayError('GW_ERR_PACKET_ID_CONFLICT', `packet id ${env.id} was already used for different content`);
  }
  await deliverLocally(ctx, record, system.id);
  await ctx.exchangeLog.record({
    event: 'received',
    packetId: packet.id,
    caseId: packet.caseId,
    type: packet.type,
    from: packet.from.office,
    to: packet.to.office,
    actor: `peer:${peer.config.member}`,
    outcome: 'ok',
    detail: { suite: suite.name, agreement: agreement.id, digest, system: system.id, ...sealLogDetail(seals) },
    people: peopleOf(packet),
  });
  return receipt;
}

/**
 * Finish a stored inbound packet that never reached its local system. `claim` stores the record
 * as 'delivered' and only then is it put in the inbox (or push queue); a crash in between left a
 * record that answered every resend with a receipt while nothing was ever delivered, and the
 * start-up sweep looked only at outbound packets. Called on a resend and by the sweep; the inbox
 * add and the push job are idempotent, and 'received' is logged here because the crash came
 * before the original entry.
 */
export async function completeInbound(ctx: NodeContext, rec: PacketRecord): Promise<void> {
  if (rec.direction !== 'in' || rec.status !== 'delivered' || !rec.recipientSystemId) return;
  await deliverLocally(ctx, rec, rec.recipientSystemId);
  const packet = JSON.parse(rec.packet) as Packet;
  await ctx.exchangeLog.record({
    event: 'received',
    packetId: rec.id,
    caseId: rec.caseId,
    type: rec.type,
    from: rec.fromOffice,
    to: rec.toOffice,
    actor: `peer:${rec.peer ?? ''}`,
    outcome: 'ok',
    detail: { agreement: packet.agreement, digest: rec.digest, system: rec.recipientSystemId, completed: 'after an interrupted delivery' },
    people: peopleOf(packet),
  });
}

async function duplicate(ctx: NodeContext, existing: PacketRecord): Promise<SignedReceipt> {
  await completeInbound(ctx, existing);
  await ctx.exchangeLog.record({
    event: 'duplicate',
    packetId: existing.id,
    caseId: existing.caseId,
    type: existing.type,
    actor: `peer:${existing.peer ?? ''}`,
    outcome: 'ok',
    detail: { status: existing.status },
  });
  return JSON.parse(existing.receipt) as SignedReceipt;
}
