import type { SystemConfig } from '../config/index.js';
import { GatewayError } from '../errors.js';
import type { Packet } from '../packets/index.js';
import { packetDigestInput } from '../packets/index.js';
import { sealEnvelope } from '../peer/index.js';
import type { PacketRecord } from '../queue/index.js';
import { packetReceiptData, signReceipt, type SignedReceipt } from '../receipts/index.js';
import type { NodeContext } from './context.js';
import { peopleOf } from './people.js';
import { sameSubmission, withSealedDocuments } from './seal-documents.js';

/** What `POST /v1/packets` answers with (202). */
export interface AcceptanceAnswer {
  readonly id: string;
  readonly caseId: string;
  readonly status: string;
  readonly receipt: SignedReceipt;
  /** True when this id was accepted before and the original receipt is returned. */
  readonly duplicate: boolean;
}

/**
 * Accept a validated packet from a local system: route it (refusing what no agreement covers),
 * seal it for the peer, store and queue it, write the exchange log, and only then answer with a
 * signed acceptance receipt. A resubmission of the same id and content gets the original receipt.
 */
export async function acceptPacket(ctx: NodeContext, system: SystemConfig, packet: Packet): Promise<AcceptanceAnswer> {
  // No exchange without a record: while the log cannot be written, refuse before storing anything.
  if (!ctx.exchangeLog.healthy) throw new GatewayError('GW_ERR_AUDIT_UNAVAILABLE');
  const route = ctx.router.routeOutbound(packet, system);
  let canonical = packetDigestInput(packet);
  const own = ctx.material.suites[ctx.config.crypto.defaultSuite]!;
  const ownSuite = ctx.suite(ctx.config.crypto.defaultSuite);
  let digest = ownSuite.digest(canonical).toString('hex');

  const existing = await ctx.store.get(packet.id);
  if (existing) return answerExisting(ctx, existing, digest);
  // 户籍地: an approved decision leaves with its sealed 常住人口登记表 and 户口簿个人信息页, in the
  // peer's suite (seal-documents.ts). They are part of what is signed, stored and receipted;
  // a resubmission is still recognised by the digest of what the system sent.
  const submittedDigest = digest;
  packet = withSealedDocuments(ctx, packet, route.kind === 'peer' ? route.peer.suite : ctx.config.crypto.defaultSuite);
  if (packet.sealedDocuments) {
    canonical = packetDigestInput(packet);
    digest = ownSuite.digest(canonical).toString('hex');
  }
  // Case layer: eligibility, 出生医学证明 and state-machine refusals come before anything is
  // stored or queued; the case step is committed here (a resubmission replays it harmlessly).
  await ctx.cases?.accepting(packet, system, { kind: route.kind, recipientSystemId: route.kind === 'local' ? route.system.id : undefined });

  const receipt = await signReceipt(
    packetReceiptData('acceptance', packet, ownSuite, digest, ctx.config.node.member, new Date().toISOString()),
    ownSuite,
    own.signing,
  );

  let envelope: string | undefined;
  if (route.kind === 'peer') {
    const peer = ctx.material.peersByMember.get(route.peer.member)!;
    const suiteName = route.peer.suite;
    const peerCerts = peer.certs[suiteName]!;
    const mine = ctx.material.suites[suiteName]!;
    const sealed = await sealEnvelope(
      canonical,
      { id: packet.id, type: packet.type, from: packet.from.member, to: packet.to.member },
      ctx.suite(suiteName),
      mine.signing,
      peerCerts.encryption,
    );
    envelope = JSON.stringify(sealed);
  }

  const record: PacketRecord = {
    id: packet.id,
    direction: 'out',
    type: packet.type,
    caseId: packet.caseId,
    from: packet.from.member,
    fromOffice: packet.from.office,
    to: packet.to.member,
    toOffice: packet.to.office,
    systemId: system.id,
    recipientSystemId: route.kind === 'local' ? route.system.id : undefined,
    peer: route.kind === 'peer' ? route.peer.member : undefined,
    digest,
    packet: canonical.toString('utf8'),
    envelope,
    receipt: JSON.stringify(receipt),
    status: 'accepted',
    createdAt: receipt.at,
  };
  const claim = await ctx.store.claim(record);
  if (!claim.created) {
    // Lost a race with a concurrent submission of the same id.
    const stored = await ctx.store.get(packet.id);
    if (stored) return answerExisting(ctx, stored, submittedDigest);
  }
  // Logged once stored: a crash from here on leaves the record pending, and the start-up sweep
  // or a resubmission queues it; the 202 goes out only after the queue has it.
  await ctx.exchangeLog.record({
    event: 'accepted',
    packetId: packet.id,
    caseId: packet.caseId,
    type: packet.type,
    from: packet.from.office,
    to: packet.to.office,
    actor: `system:${system.id}`,
    outcome: 'ok',
    detail: {
      route: route.kind,
      agreement: route.agreement.id,
      digest,
      ...(route.kind === 'peer' ? { suite: route.peer.suite } : {}),
      // Binds the sealed envelope (as stored and sent) to this signed-checkpointed entry, so an
      // evidence bundle can prove which ciphertext went out; hashed like the chain (suite digest).
      ...(envelope ? { envelopeDigest: ownSuite.digest(Buffer.from(envelope, 'utf8')).toString('hex') } : {}),
    },
    people: peopleOf(packet),
  });
  await dispatch(ctx, record);
  return { id: packet.id, caseId: packet.caseId, status: 'queued', receipt, duplicate: false };
}

/** Hand a stored packet to its queue (or local inbox) and mark it queued. Safe to repeat. */
export async function dispatch(ctx: NodeContext, record: PacketRecord): Promise<void> {
  if (record.peer) {
    // Logged before the hand-off so the log reads queued → sent even when a worker picks the
    // job up at once; if the hand-off fails, the record stays pending and is queued later.
    await ctx.exchangeLog.record({
      event: 'queued',
      packetId: record.id,
      caseId: record.caseId,
      type: record.type,
      from: record.fromOffice,
      to: record.toOffice,
      actor: 'gateway',
      outcome: 'ok',
      detail: { peer: record.peer },
    });
    await ctx.dispatcher.toPeer(record.peer, record.id);
    await ctx.store.setStatus(record.id, 'queued', { detail: `peer ${record.peer}` });
    return;
  }
  await deliverLocally(ctx, record, record.recipientSystemId!);
}

/** Put a packet where its local system gets it: the inbox (pull) or the push queue. */
export async function deliverLocally(ctx: NodeContext, record: PacketRecord, systemId: string): Promise<void> {
  const system = ctx.config.systems.find((s) => s.id === systemId);
  if (!system) throw new GatewayError('GW_ERR_ROUTE_NO_LOCAL_SYSTEM', `local system ${systemId} is not configured`);
  if (system.delivery.mode === 'push') {
    await ctx.dispatcher.toSystem(system.id, record.id);
    await ctx.store.setStatus(record.id, 'queued', { detail: `push to ${system.id}` });
  } else {
    await ctx.store.addToInbox(system.id, record.id);
    await ctx.store.setStatus(record.id, 'inbox', { detail: `inbox of ${system.id}` });
  }
}

async function answerExisting(ctx: NodeContext, existing: PacketRecord, digest: string): Promise<AcceptanceAnswer> {
  const suite = ctx.suite(ctx.config.crypto.defaultSuite);
  if (existing.direction !== 'out' || (existing.digest !== digest && !sameSubmission(existing, digest, suite))) {
    throw new GatewayError('GW_ERR_PACKET_ID_CONFLICT', `packet id ${existing.id} was already used for different content`);
  }
  // A crash between storing and queueing leaves the record 'accepted': the resubmission repairs it.
  if (existing.status === 'accepted') await dispatch(ctx, existing);
  await ctx.exchangeLog.record({
    event: 'duplicate',
    packetId: existing.id,
    caseId: existing.caseId,
    type: existing.type,
    actor: `system:${existing.systemId}`,
    outcome: 'ok',
    detail: { status: existing.status },
  });
  return {
    id: existing.id,
    caseId: existing.caseId,
    status: existing.status === 'accepted' ? 'queued' : existing.status,
    receipt: JSON.parse(existing.receipt) as SignedReceipt,
    duplicate: true,
  };
}
