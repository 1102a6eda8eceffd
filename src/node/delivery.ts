import { GatewayError } from '../errors.js';
import { createMtlsClient, type MtlsClient, type WireEnvelope } from '../peer/index.js';
import { DeliveryFailure, failureFromResponse, type QueueHandlers } from '../queue/index.js';
import { verifyReceipt, type SignedReceipt } from '../receipts/index.js';
import type { NodeContext } from './context.js';

/** Queue handlers plus the connections they keep open. */
export interface DeliveryHandlers extends QueueHandlers {
  close(): void;
}

/**
 * The outbound side of the packet path: send sealed envelopes to peers and verify their signed
 * delivery receipts; push received packets to push-mode local systems.
 */
export function createDeliveryHandlers(ctx: NodeContext): DeliveryHandlers {
  const clients = new Map<string, MtlsClient>();
  const { tls } = ctx.material;
  const timeoutMs = ctx.config.retry.requestTimeoutMs;

  const peerClient = (member: string): MtlsClient => {
    let c = clients.get(`peer:${member}`);
    if (!c) {
      const peer = ctx.material.peersByMember.get(member)!;
      c = createMtlsClient({ ca: tls.ca, cert: tls.cert, key: tls.key, pinnedCertDer: peer.tlsCertDer, timeoutMs });
      clients.set(`peer:${member}`, c);
    }
    return c;
  };
  const systemClient = (systemId: string): MtlsClient => {
    let c = clients.get(`system:${systemId}`);
    if (!c) {
      c = createMtlsClient({ ca: tls.ca, cert: tls.cert, key: tls.key, timeoutMs });
      clients.set(`system:${systemId}`, c);
    }
    return c;
  };
  const load = async (packetId: string) => {
    const rec = await ctx.store.get(packetId);
    if (!rec) throw new DeliveryFailure(`packet ${packetId} is not in the store`, { permanent: true, code: 'GW_ERR_INTERNAL' });
    return rec;
  };

  return {
    async deliverToPeer(packetId, attempt) {
      const rec = await load(packetId);
      if (rec.status === 'delivered') return; // a receipt already arrived (e.g. another instance)
      const peer = ctx.material.peersByMember.get(rec.peer!)!;
      const env = JSON.parse(rec.envelope!) as WireEnvelope;
      await ctx.exchangeLog.record({
        event: 'sent',
        packetId,
        caseId: rec.caseId,
        type: rec.type,
        from: rec.fromOffice,
        to: rec.toOffice,
        actor: 'worker:outbound',
        outcome: 'ok',
        detail: { peer: peer.config.member, attempt },
      });
      const answer = await peerClient(peer.config.member).post(
        `${peer.config.url.replace(/\/$/, '')}/v1/peer/packets`,
        Buffer.from(rec.envelope!, 'utf8'),
        'application/json',
      );
      if (answer.status < 200 || answer.status >= 300) throw failureFromResponse(answer.status, answer.body);
      let receipt: SignedReceipt;
      try {
        receipt = JSON.parse(answer.body.toString('utf8')).receipt as SignedReceipt;
      } catch {
        throw new GatewayError('GW_ERR_DELIVERY_RECEIPT_INVALID', 'peer answered without a JSON receipt');
      }
      const suite = ctx.suite(env.suite);
      const signing = peer.certs[env.suite]!.signing;
      const data = await verifyReceipt(receipt, suite, signing);
      const expected = suite.digest(Buffer.from(rec.packet, 'utf8')).toString('hex');
      if (data.kind !== 'delivery' || data.packetId !== packetId || data.digest.value !== expected || data.issuer !== peer.config.member) {
        throw new GatewayError('GW_ERR_DELIVERY_RECEIPT_INVALID', 'delivery receipt is for other content');
      }
      // Before the status: if this fails the job retries, the peer answers with the same receipt.
      await ctx.cases?.peerReceipt({ packetId, type: rec.type, caseId: rec.caseId }, data.at);
      await ctx.store.setStatus(packetId, 'delivered', { fields: { deliveryReceipt: JSON.stringify(receipt) } });
      await ctx.exchangeLog.record({
        event: 'receipt',
        packetId,
        caseId: rec.caseId,
        type: rec.type,
        from: rec.fromOffice,
        to: rec.toOffice,
        actor: `peer:${peer.config.member}`,
        outcome: 'ok',
        detail: { kind: 'delivery', verified: true, at: data.at, attempt },
      });
    },

    async pushToSystem(packetId, attempt) {
      const rec = await load(packetId);
      if (rec.status === 'pushed') return;
      const system = ctx.config.systems.find((s) => s.id === rec.recipientSystemId);
      if (!system?.delivery.url) {
        throw new DeliveryFailure(`system ${rec.recipientSystemId} has no push URL`, { permanent: true, code: 'GW_ERR_ROUTE_NO_LOCAL_SYSTEM' });
      }
      const answer = await systemClient(system.id).post(system.delivery.url, Buffer.from(rec.packet, 'utf8'), 'application/json');
      if (answer.status < 200 || answer.status >= 300) throw failureFromResponse(answer.status, answer.body);
      await ctx.store.setStatus(packetId, 'pushed', { detail: `attempt ${attempt}` });
      await ctx.exchangeLog.record({
        event: 'pushed',
        packetId,
        caseId: rec.caseId,
        type: rec.type,
        actor: 'worker:push',
        outcome: 'ok',
        detail: { system: system.id, attempt },
      });
    },

    async onRetry(packetId, failure, attempt) {
      await ctx.store.setStatus(packetId, 'retrying', { code: failure.code, detail: failure.message });
      await ctx.exchangeLog.record({
        event: 'retried',
        packetId,
        actor: 'worker',
        outcome: 'error',
        code: failure.code,
        detail: { attempt, reason: failure.message.slice(0, 200) },
      });
    },

    async onDead(packetId, failure, attempts) {
      await ctx.store.setStatus(packetId, 'dead', { code: failure.code, detail: failure.message });
      await ctx.exchangeLog.record({
        event: 'dead',
        packetId,
        actor: 'worker',
        outcome: 'error',
        code: failure.code,
        detail: { attempts, permanent: failure.permanent, reason: failure.message.slice(0, 200) },
      });
      ctx.logger.warn({ packetId, code: failure.code, attempts }, 'packet moved to dead letters');
    },

    close() {
      for (const c of clients.values()) c.close();
    },
  };
}
