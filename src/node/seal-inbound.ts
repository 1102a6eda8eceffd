/**
 * Sealed documents on the receiving side: every seal of a received packet is verified before
 * the packet is stored for delivery, and the verdict travels with the record to the inbox.
 *
 * Choice: a document whose seal does not verify is still delivered, flagged `valid: false` with
 * the coded reason — the 受理地 window must learn that the 户籍地 answered and that the paper
 * cannot be printed as is — but it never reaches the local system marked valid. The packet
 * itself (envelope signature, schema) was already verified; a broken seal is a problem of the
 * document, not of the transport.
 */
import type { SuiteName } from '../crypto/index.js';
import { isGatewayError } from '../errors.js';
import type { Packet } from '../packets/index.js';
import type { PacketRecord } from '../queue/index.js';
import {
  renderRefusalNotice,
  SEAL_ERROR_CODES,
  verifySealedDocuments,
  type SealedDocument,
  type SealFailureReason,
  type SealVerified,
} from '../seal/index.js';
import type { NodeContext } from './context.js';
import { sealOwnDocument } from './seal-documents.js';
import type { SealMaterial } from './seal-material.js';

/** The verdict on one sealed document, as the inbox item shows it. */
export interface DocumentVerdict {
  readonly index: number;
  readonly kind: string;
  readonly mediaType: string;
  readonly valid: boolean;
  /** When invalid: why, its stable code and our words. */
  readonly reason?: SealFailureReason;
  readonly code?: string;
  readonly message?: string;
  /** The unit seal's name and esID (when its signature verified). */
  readonly sealName?: string;
  readonly esID?: string;
  /** The 承办人 (officer signature's certificate subject), else the unit signer. */
  readonly signer?: string;
  readonly unitSigner?: string;
  readonly signedAt?: string;
  /** True when the seal maker was checked against `seals.trustedMakers`. */
  readonly makerTrusted?: boolean;
}

/** What a received packet's record keeps about seals (PacketRecord.seals, JSON). */
export interface SealReport {
  readonly documents?: readonly DocumentVerdict[];
  /** 不予受理告知书 made and sealed by this (受理地) gateway for a rejected decision. */
  readonly refusalNotice?: SealedDocument;
}

/** Verify each document on its own, so that one bad document does not hide the others' state. */
export function verifyDocuments(
  docs: readonly SealedDocument[],
  material: SealMaterial | undefined,
): DocumentVerdict[] {
  const trusted = material && material.trustedMakers.length > 0 ? material.trustedMakers : undefined;
  return docs.map((doc, index): DocumentVerdict => {
    const v = verifySealedDocuments([doc], trusted ? { trustedMakerCerts: trusted } : {});
    const ok = (role: 'unit' | 'officer'): SealVerified | undefined => {
      const r = v.checks.find((c) => c.role === role)?.result;
      return r?.valid ? r : undefined;
    };
    const unit = ok('unit');
    const officer = ok('officer');
    const base = {
      index,
      kind: typeof doc?.kind === 'string' ? doc.kind : 'unknown',
      mediaType: typeof doc?.mediaType === 'string' ? doc.mediaType : 'unknown',
      ...(unit ? { sealName: unit.sealName, esID: unit.esID, unitSigner: unit.signerSubject } : {}),
      ...(officer || unit ? { signer: (officer ?? unit)!.signerSubject } : {}),
      ...(unit ? { signedAt: unit.signedAt.toISOString() } : {}),
    };
    if (!v.valid) {
      const { reason, message } = v.failure;
      return { ...base, valid: false, reason, code: SEAL_ERROR_CODES[reason], message };
    }
    const makerTrusted = v.checks.every((c) => c.result.valid && c.result.makerTrusted);
    return { ...base, valid: true, makerTrusted };
  });
}

async function applicationOf(ctx: NodeContext, packet: Packet): Promise<Packet | undefined> {
  if (!packet.inReplyTo) return undefined;
  const rec = await ctx.store.get(packet.inReplyTo);
  const original = rec ? (JSON.parse(rec.packet) as Packet) : undefined;
  return original?.type === 'newborn.application' ? original : undefined;
}

/** The 不予受理告知书 for a rejected decision, sealed by this gateway; undefined when it has no seal. */
async function refusalNotice(
  ctx: NodeContext,
  packet: Packet,
  suite: SuiteName,
): Promise<SealedDocument | undefined> {
  if (packet.type !== 'newborn.decision' || packet.payload.decision !== 'rejected' || !ctx.material.seals)
    return undefined;
  const p = packet.payload;
  const app = await applicationOf(ctx, packet);
  const pdf = renderRefusalNotice({
    caseId: packet.caseId,
    packetId: packet.id,
    ...(app?.type === 'newborn.application'
      ? { applicantName: app.payload.applicant.name, newbornName: app.payload.newborn.name }
      : {}),
    acceptingOffice: packet.to.officeName ?? packet.to.office,
    registeringOffice: packet.from.officeName ?? packet.from.office,
    agreement: packet.agreement,
    officer: p.reviewedBy.officer,
    at: p.reviewedAt,
    reasonCode: p.reason.code,
    reasonText: p.reason.text,
  });
  try {
    return sealOwnDocument(ctx, 'refusal-notice', 'application/pdf', pdf, suite);
  } catch (err) {
    // The decision itself must still reach the window; only the printable notice is missing.
    if (!isGatewayError(err, 'GW_ERR_SEAL_NOT_CONFIGURED')) throw err;
    ctx.logger.warn({ packetId: packet.id, code: err.code }, 'no seal for the refusal notice');
    return undefined;
  }
}

/**
 * What to keep with a received packet: the verdict on each of its sealed documents, and for a
 * rejected decision the 不予受理告知书 this gateway seals for the window. Undefined when there
 * is nothing to keep. Never refuses the packet.
 */
export async function inboundSealReport(ctx: NodeContext, packet: Packet): Promise<SealReport | undefined> {
  const documents = packet.sealedDocuments
    ? verifyDocuments(packet.sealedDocuments, ctx.material.seals)
    : undefined;
  const notice = await refusalNotice(ctx, packet, ctx.config.crypto.defaultSuite);
  if (!documents && !notice) return undefined;
  return { ...(documents ? { documents } : {}), ...(notice ? { refusalNotice: notice } : {}) };
}

/** The exchange-log detail of a report: whether every document's seals verified. */
export function sealLogDetail(report: SealReport | undefined): { seals?: 'valid' | 'invalid' } {
  if (!report?.documents) return {};
  return { seals: report.documents.every((d) => d.valid) ? 'valid' : 'invalid' };
}

/**
 * The seal fields of an inbox item or packet status: `documents` (one verdict per sealed
 * document) and `refusalNotice`. Records stored without a report (a 省内 local route, where the
 * packet never crossed a peer port) are verified now, so no sealed document is ever shown
 * without a verdict.
 */
export function sealView(ctx: NodeContext, rec: PacketRecord): SealReport {
  if (rec.seals) return JSON.parse(rec.seals) as SealReport;
  const packet = JSON.parse(rec.packet) as Packet;
  return packet.sealedDocuments
    ? { documents: verifyDocuments(packet.sealedDocuments, ctx.material.seals) }
    : {};
}
