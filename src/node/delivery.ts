import { GatewayError } from '../errors.js';
import { createMtlsClient, type MtlsClient, type WireEnvelope } from '../peer/index.js';
import { DeliveryFailure, DeliveryQueues, failureFromResponse, type PacketRecord, type QueueHandlers } from '../queue/index.js';
import { verifyReceipt, type SignedReceipt } from '../receipts/index.js';
import type { NodeContext } from './context.js';

/** Queue handlers plus the connections they keep open. */
export interface DeliveryHandlers extends QueueHandlers {
  /** Whether a peer answers at all (any HTTP status below 500): the circuit breaker's probe. */
  probePeer(member: string): Promise<boolean>;
  /** Drop the open clients (config reload: new TLS identity or pins); new ones are made on use. */
  reset(): void;
  close(): void;
}

/** Age limit of a packet: counted from acceptance, or from an administrator's retry. */
function tooOld(rec: PacketRecord, maxAgeHours: number, now = Date.now()): boolean {
  const from = Date.parse(rec.retriedAt ?? rec.createdAt);
  return Number.isFinite(from) && now - from > maxAgeHours * 3600_000;
}

/**
 * The outbound side of the packet path: send sealed envelopes to peers and verify their signed
 * delivery receipts; push received packets to push-mode local systems.
 */
export function createDeliveryHandlers(ctx: NodeContext): DeliveryHandlers {
  const clients = new Map<string, MtlsClient>();
  // Read on each new client, not captured: a config reload swaps material and config.
  const tlsNow = () => ({ tls: ctx.material.tls, timeoutMs: ctx.config.retry.requestTimeoutMs });

  const peerClient = (member: string): MtlsClient => {
    let c = clients.get(`peer:${member}`);
    if (!c) {
      const { tls, timeoutMs } = tlsNow();
      const peer = ctx.material.peersByMember.get(member);
      if (!peer) throw new DeliveryFailure(`peer ${member} is no longer configured`, { permanent: false, code: 'GW_ERR_ROUTE_UNKNOWN_PEER' });
      c = createMtlsClient({ ca: tls.ca, cert: tls.cert, key: tls.key, pinnedCertDer: peer.tlsCertDer, timeoutMs });
      clients.set(`peer:${member}`, c);
    }
    return c;
  };
  const systemClient = (systemId: string): MtlsClient => {
    let c = clients.get(`system:${systemId}`);
    if (!c) {
      const { tls, timeoutMs } = tlsNow();
      c = createMtlsClient({ ca: tls.ca, cert: tls.cert, key: tls.key, timeoutMs });
      clients.set(`system:${systemId}`, c);
    }
    return c;
  };
  const load = async (packetId: string) => {
    const rec = await ctx.store.get(packetId);
    if (!rec) throw new DeliveryFailure(`packet ${packetId} is not in the store`, { permanent: true, code: 'GW_ERR_INTERNAL' });
    const maxAgeHours = ctx.config.retry.maxAgeHours;
    if (rec.status !== 'delivered' && rec.status !== 'pushed' && tooOld(rec, maxAgeHours)) {
      throw new DeliveryFailure(`packet is older than retry.maxAgeHours (${maxAgeHours} h)`, { permanent: true, code: 'GW_ERR_DELIVERY_EXPIRED' });
    }
    return rec;
  };
  const delivered = (queue: string, rec: PacketRecord): void => {
    ctx.metrics.deliveries.inc({ queue });
    const since = Date.parse(rec.createdAt);
    if (Number.isFinite(since)) ctx.metrics.deliveryLatency.observe({ queue }, Math.max(0, Date.now() - since) / 1000);
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
      delivered(DeliveryQueues.peerQueueName(peer.config.member), rec);
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
      delivered(DeliveryQueues.systemQueueName(system.id), rec);
    },

    async onRetry(packetId, failure, attempt, _next, queue = 'unknown') {
      ctx.metrics.retries.inc({ queue, code: failure.code });
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

    async onDead(packetId, failure, attempts, queue = 'unknown') {
      ctx.metrics.deadLetters.inc({ queue, code: failure.code });
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
      if (failure.code === 'GW_ERR_DELIVERY_EXPIRED') {
        // Nobody is retrying it any more: an administrator must look (tongban queue show/retry/drop).
        await ctx.exchangeLog.record({
          event: 'alert',
          packetId,
          actor: 'worker',
          outcome: 'error',
          code: failure.code,
          detail: { alert: 'packet-too-old', queue, maxAgeHours: ctx.config.retry.maxAgeHours, attempts },
        });
      }
    },

    async probePeer(member) {
      const peer = ctx.material.peersByMember.get(member);
      if (!peer) return false;
      try {
        const answer = await peerClient(member).request('GET', `${peer.config.url.replace(/\/$/, '')}/v1/peer/packets`);
        return answer.status < 500;
      } catch {
        return false;
      }
    },

    reset() {
      for (const c of clients.values()) c.close();
      clients.clear();
    },

    close() {
      for (const c of clients.values()) c.close();
    },
  };
}
