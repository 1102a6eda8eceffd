/**
 * Sealed documents on the sending side (DESIGN §3, §5 电子印章).
 *
 * Where they live: a packet's optional top-level `sealedDocuments` (schemas/packet.schema.json),
 * not `attachments` — an attachment is a file a local system scanned, a sealed document is made
 * and sealed here and carries its seal signatures. Local systems never submit them; the 户籍地
 * gateway adds them to an approved `newborn.decision` before signing the envelope, so they are
 * part of the canonical packet: the envelope signature, the acceptance receipt and the 受理地's
 * delivery receipt all cover them.
 */
import type { CryptoSuite, SuiteName } from '../crypto/index.js';
import { GatewayError } from '../errors.js';
import { packetDigestInput, type Packet } from '../packets/index.js';
import type { PacketRecord } from '../queue/index.js';
import {
  renderResidentRegistration,
  sealDocument,
  type SealedDocument,
  type SealedDocumentKind,
  type SealedMediaType,
} from '../seal/index.js';
import type { NodeContext } from './context.js';
import { sealSigners } from './seal-material.js';

/** The two documents of an approval, as the family receives them at the 受理地 window. */
const APPROVAL_DOCUMENTS = ['resident-registration', 'household-page'] as const;

/**
 * Seal `content` as this gateway's unit (unit seal + 承办人 when configured) in `suite`.
 * Throws GW_ERR_SEAL_NOT_CONFIGURED when no seal can be applied in that suite.
 */
export function sealOwnDocument(
  ctx: NodeContext,
  kind: SealedDocumentKind,
  mediaType: SealedMediaType,
  content: Buffer,
  suite: SuiteName,
  time = new Date(),
): SealedDocument {
  const signers = sealSigners(ctx.material.seals, suite);
  return sealDocument({ kind, mediaType, content, suite, ...signers, time });
}

/**
 * The packet as it leaves this gateway. An approved `newborn.decision` gains its 常住人口登记表
 * and 户口簿个人信息页 (PDF, rendered from `payload.residentRegistration`), each sealed with the
 * 户籍地 unit seal and signed by the 承办人, in `suite` (the suite of the peer it goes to: sm →
 * SES_Signature, intl → CMS). Other packets are returned as they are. Without a `seals` config
 * section the decision goes without documents (the receiver then shows none).
 *
 * Throws GW_ERR_PACKET_SCHEMA when a local system submits `sealedDocuments` itself (the seals
 * are the gateway's to apply), and GW_ERR_SEAL_NOT_CONFIGURED when seals are configured but none
 * can be applied in `suite`.
 */
export function withSealedDocuments(ctx: NodeContext, packet: Packet, suite: SuiteName): Packet {
  if (packet.sealedDocuments !== undefined) {
    throw new GatewayError(
      'GW_ERR_PACKET_SCHEMA',
      'sealedDocuments are added by the gateway, not by local systems',
      [{ path: '/sealedDocuments', message: 'must not be present in a packet from a local system' }],
    );
  }
  if (packet.type !== 'newborn.decision' || packet.payload.decision !== 'approved' || !ctx.material.seals)
    return packet;
  const p = packet.payload;
  const data = {
    ...p.residentRegistration,
    householdNo: p.householdNo,
    authority: packet.from.officeName ?? packet.from.office,
    caseId: packet.caseId,
  };
  // One signing time for both documents: they are sealed together, as one approval.
  const time = new Date();
  const sealedDocuments = APPROVAL_DOCUMENTS.map((kind) =>
    sealOwnDocument(ctx, kind, 'application/pdf', renderResidentRegistration(data, { kind }), suite, time),
  );
  return { ...packet, sealedDocuments };
}

/**
 * Whether a stored outgoing record is the one a local system submitted with digest `digest`,
 * before the gateway added sealed documents. A resubmission of an approval must get its
 * original receipt although the stored packet (with fresh signatures) differs from it.
 */
export function sameSubmission(existing: PacketRecord, digest: string, suite: CryptoSuite): boolean {
  const stored = JSON.parse(existing.packet) as Packet;
  if (stored.sealedDocuments === undefined) return false;
  delete stored.sealedDocuments;
  return suite.digest(packetDigestInput(stored)).toString('hex') === digest;
}
