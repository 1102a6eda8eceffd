import type { SignedReceipt } from '../receipts/index.js';
import { packetLogExcerpts } from './evidence-excerpt.js';
import { EVIDENCE_FORMAT } from './evidence-types.js';
import type { EvidenceBundle, EvidenceCertificate, EvidencePacketSummary } from './evidence-types.js';
import { shanghaiIso } from './files.js';

/** The stored packet fields a bundle is made from (a `PacketRecord` of the queue store fits). */
export interface EvidenceRecord {
  readonly id: string;
  readonly direction: 'out' | 'in';
  readonly type: string;
  readonly caseId: string;
  readonly from: string;
  readonly fromOffice: string;
  readonly to: string;
  readonly toOffice: string;
  readonly peer?: string;
  readonly digest: string;
  /** JSON of the wire envelope (out). */
  readonly envelope?: string;
  /** JSON of the acceptance receipt (out) or of the delivery receipt this node issued (in). */
  readonly receipt: string;
  /** JSON of the peer's delivery receipt (out), once received. */
  readonly deliveryReceipt?: string;
  readonly status: string;
  readonly createdAt: string;
}

/** Inputs of {@link buildEvidenceBundle}. */
export interface EvidenceInput {
  readonly record: EvidenceRecord;
  /** The gateway making the bundle. */
  readonly issuer: { readonly member: string; readonly instance: string };
  /** The certificates involved (signing, encryption and TLS of both gateways, CAs). */
  readonly certificates: readonly EvidenceCertificate[];
  /** Exchange-log folders of the node (all its instances). */
  readonly logDirs: readonly string[];
  readonly now?: () => Date;
}

/**
 * Assembles the evidence bundle of one stored packet: summary, sealed envelope, receipts,
 * certificates and the log excerpts that chain into a signed checkpoint. Reads the log folders;
 * throws `GW_ERR_AUDIT_EVIDENCE_NOT_ANCHORED` while no checkpoint covers the packet's entries.
 */
export async function buildEvidenceBundle(input: EvidenceInput): Promise<EvidenceBundle> {
  const r = input.record;
  const packet: EvidencePacketSummary = {
    id: r.id,
    caseId: r.caseId,
    type: r.type,
    direction: r.direction,
    from: r.from,
    fromOffice: r.fromOffice,
    to: r.to,
    toOffice: r.toOffice,
    ...(r.peer ? { peer: r.peer } : {}),
    status: r.status,
    createdAt: r.createdAt,
    digest: r.digest,
  };
  const own = JSON.parse(r.receipt) as SignedReceipt;
  const receipts =
    r.direction === 'out'
      ? {
          acceptance: own,
          ...(r.deliveryReceipt ? { delivery: JSON.parse(r.deliveryReceipt) as SignedReceipt } : {}),
        }
      : { delivery: own };
  return {
    format: EVIDENCE_FORMAT,
    createdAt: shanghaiIso((input.now ?? (() => new Date()))()),
    issuer: { member: input.issuer.member, instance: input.issuer.instance },
    packet,
    ...(r.direction === 'out' && r.envelope ? { envelope: r.envelope } : {}),
    receipts,
    certificates: [...input.certificates],
    log: await packetLogExcerpts(input.logDirs, r.id),
  };
}
