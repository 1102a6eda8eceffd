import type { ApiService } from '../api/index.js';
import type { SystemConfig } from '../config/index.js';
import { GatewayError } from '../errors.js';
import type { PacketRecord } from '../queue/index.js';
import { acceptPacket } from './accept-packet.js';
import type { NodeContext } from './context.js';
import { sealView } from './seal-inbound.js';
import { registerSealRoutes } from './seal-routes.js';

/** A record is visible to the system that sent it and to the one it is for; to others it does not exist. */
function visible(rec: PacketRecord | undefined, system: SystemConfig): rec is PacketRecord {
  return !!rec && (rec.systemId === system.id || rec.recipientSystemId === system.id);
}

/** The API port's operations on top of the node context. */
export function createApiService(ctx: NodeContext): ApiService {
  return {
    accept: (system, packet) => acceptPacket(ctx, system, packet),

    // GET /v1/cases/:caseId, POST /v1/birth-certificates/check (src/cases/case-routes.ts);
    // GET /v1/packets/:id/receipt-document (seal-routes.ts).
    extraRoutes: (app, identify) => {
      ctx.cases?.registerRoutes(app, identify);
      registerSealRoutes(ctx, app, identify);
    },

    async rejected({ system, code, route, packetId }) {
      await ctx.exchangeLog.record({
        event: 'rejected',
        packetId,
        actor: system ? `system:${system.id}` : 'unidentified',
        outcome: 'error',
        code,
        detail: { route },
      });
    },

    async packetStatus(system, id) {
      const rec = await ctx.store.get(id);
      if (!visible(rec, system)) throw new GatewayError('GW_ERR_API_NOT_FOUND', `no packet ${id} for this system`);
      return {
        id: rec.id,
        caseId: rec.caseId,
        type: rec.type,
        direction: rec.direction,
        from: { member: rec.from, office: rec.fromOffice },
        to: { member: rec.to, office: rec.toOffice },
        status: rec.status,
        createdAt: rec.createdAt,
        lastError: rec.lastError,
        history: await ctx.store.history(id),
        receipt: JSON.parse(rec.receipt) as unknown,
        deliveryReceipt: rec.deliveryReceipt ? (JSON.parse(rec.deliveryReceipt) as unknown) : undefined,
        // For the recipient: the verdict on each sealed document (and a refusal notice).
        ...(rec.recipientSystemId === system.id ? sealView(ctx, rec) : {}),
      };
    },

    async inbox(system, limit) {
      const ids = await ctx.store.inbox(system.id, limit);
      const items: Array<Record<string, unknown>> = [];
      for (const id of ids) {
        const rec = await ctx.store.get(id);
        if (!rec) continue;
        items.push({
          id: rec.id,
          type: rec.type,
          caseId: rec.caseId,
          from: { member: rec.from, office: rec.fromOffice },
          to: { member: rec.to, office: rec.toOffice },
          receivedAt: rec.createdAt,
          packet: JSON.parse(rec.packet) as unknown,
          // { documents: [{ kind, valid, reason?, sealName, signer, … }], refusalNotice? } (seal-inbound.ts)
          ...sealView(ctx, rec),
        });
      }
      return items;
    },

    async ack(system, id) {
      const removed = await ctx.store.ackInbox(system.id, id);
      if (!removed) throw new GatewayError('GW_ERR_API_NOT_FOUND', `packet ${id} is not in this system's inbox`);
      await ctx.store.setStatus(id, 'acked', { detail: `by ${system.id}` });
      const rec = await ctx.store.get(id);
      await ctx.exchangeLog.record({
        event: 'inbox-acked',
        packetId: id,
        caseId: rec?.caseId,
        type: rec?.type,
        actor: `system:${system.id}`,
        outcome: 'ok',
      });
      return { id, status: 'acked' };
    },
  };
}
