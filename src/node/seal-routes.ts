/**
 * `GET /v1/packets/:id/receipt-document` on the API port: the 受理回执单 of an accepted
 * application as a sealed document (PDF + this gateway's unit seal and 承办人 signature), for
 * the 受理地 window to print. Made on request from the stored packet and its signed acceptance
 * receipt: the PDF is the same each time, the signatures carry the time they were made.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SystemConfig } from '../config/index.js';
import { GatewayError } from '../errors.js';
import type { Packet } from '../packets/index.js';
import type { SignedReceipt } from '../receipts/index.js';
import { renderAcceptanceReceipt, type SealedDocument } from '../seal/index.js';
import type { NodeContext } from './context.js';
import { sealOwnDocument } from './seal-documents.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The answer of `GET /v1/packets/:id/receipt-document`. */
export interface ReceiptDocumentAnswer {
  readonly id: string;
  readonly caseId: string;
  readonly document: SealedDocument;
}

/**
 * The sealed 受理回执单 of application `id`, for the system that submitted it. Sealed in this
 * gateway's default suite. Throws GW_ERR_API_NOT_FOUND for anything else (another system's
 * packet, a received packet, not an application) and GW_ERR_SEAL_NOT_CONFIGURED without seals.
 */
export async function receiptDocument(
  ctx: NodeContext,
  system: SystemConfig,
  id: string,
): Promise<ReceiptDocumentAnswer> {
  const rec = await ctx.store.get(id);
  if (!rec || rec.direction !== 'out' || rec.systemId !== system.id || rec.type !== 'newborn.application') {
    throw new GatewayError('GW_ERR_API_NOT_FOUND', `no accepted application ${id} for this system`);
  }
  const packet = JSON.parse(rec.packet) as Packet;
  const receipt = JSON.parse(rec.receipt) as SignedReceipt;
  if (packet.type !== 'newborn.application') throw new GatewayError('GW_ERR_API_NOT_FOUND');
  const p = packet.payload;
  const pdf = renderAcceptanceReceipt({
    caseId: packet.caseId,
    packetId: packet.id,
    applicantName: p.applicant.name,
    newbornName: p.newborn.name,
    acceptingOffice: packet.from.officeName ?? packet.from.office,
    registeringOffice: packet.to.officeName ?? packet.to.office,
    agreement: packet.agreement,
    officer: p.acceptance.officer,
    at: p.acceptance.acceptedAt,
    receiptDigest: `${receipt.digest.alg}:${receipt.digest.value}`,
  });
  const document = sealOwnDocument(
    ctx,
    'acceptance-receipt',
    'application/pdf',
    pdf,
    ctx.config.crypto.defaultSuite,
  );
  return { id: rec.id, caseId: rec.caseId, document };
}

/** Mount the sealed-document routes on the API port (through `ApiService.extraRoutes`). */
export function registerSealRoutes(
  ctx: NodeContext,
  app: FastifyInstance,
  identify: (req: FastifyRequest) => SystemConfig,
): void {
  app.get<{ Params: { id: string } }>('/v1/packets/:id/receipt-document', async (req) => {
    const system = identify(req);
    if (!UUID.test(req.params.id)) throw new GatewayError('GW_ERR_API_NOT_FOUND');
    return receiptDocument(ctx, system, req.params.id);
  });
}
