/**
 * What a gateway stores per case (案卷): the pure core's {@link CaseRecord} plus what the node
 * needs around it — offices, the 出生医学证明 number, the policy version applied, which local
 * systems may see the case, the rejection notice (受理地) and the archived completion (户籍地).
 * Plain JSON, stored as one Redis string per case.
 */
import type { CaseRecord, CaseState } from './case-record.js';

/** 不予受理告知书 data, produced by the 受理地 when the 户籍地 rejects. */
export interface RejectionNotice {
  /** Reason code and text from the 户籍地's decision. */
  readonly reasonCode: string;
  readonly reasonText: string;
  /** When the 户籍地 reviewed (its `reviewedAt`). */
  readonly decidedAt: string;
  /** Date of the notice (Asia/Shanghai day the 受理地 received the decision), YYYY-MM-DD. */
  readonly noticeDate: string;
  /** The accepting office that issues the notice. */
  readonly office: string;
  readonly officeName?: string;
  /** The office that decided. */
  readonly decidingOffice: string;
  readonly decidingOfficeName?: string;
  /** The family got the original 出生医学证明 back (confirmed by the accepting system). */
  readonly birthCertificateReturned: boolean;
  /** When the return was confirmed (ISO 8601). */
  readonly returnedAt?: string;
  /** Day the notice was handed over, as the accepting system reported it. */
  readonly issuedOn?: string;
}

/** 办结反馈 as archived: no names in clear, the signature image only as a digest. */
export interface CompletionSummary {
  readonly packetId: string;
  readonly applicantNotifiedAt: string;
  readonly confirmedAt: string;
  /** The applicant's signature on the 常住人口登记表: media type and SHA-256 of the image. */
  readonly applicantSignature: { readonly mediaType: string; readonly sha256: string };
  /** 出生医学证明: main page returned to the family, 副页 kept. */
  readonly birthCertificate: { readonly mainPageReturned: boolean; readonly counterfoilRetained: boolean };
  readonly householdRegister: {
    readonly method: string;
    readonly oldRegisterCollected: boolean;
    /** 缴旧寄新 mailing; the recipient's name is masked. */
    readonly mailing?: {
      readonly address: string;
      readonly recipient: string;
      readonly carrier: string;
      readonly trackingNo: string;
    };
  };
  /** When this gateway archived it. */
  readonly archivedAt: string;
}

/** The decision as both sides keep it. */
export interface DecisionSummary {
  readonly decision: 'approved' | 'rejected';
  readonly reviewedAt: string;
  readonly reasonCode?: string;
}

/** One case as stored by a node. */
export interface CaseFile {
  readonly record: CaseRecord;
  readonly offices: {
    readonly accepting: string;
    readonly acceptingName?: string;
    readonly registering: string;
    readonly registeringName?: string;
  };
  /** 出生医学证明编号 of the newborn (marked used on approval). */
  readonly birthCertificateNo: string;
  /** Version of the agreement policy the application was checked against here, if any. */
  readonly policyVersion?: string;
  /** Local systems of this node that sent or received a packet of the case: they may see it. */
  readonly systems: readonly string[];
  readonly decision?: DecisionSummary;
  readonly notice?: RejectionNotice;
  readonly completion?: CompletionSummary;
  /** Deadlines already alerted, as `<kind>@<dueAt>`, so each is alerted once. */
  readonly alerted: readonly string[];
}

/** The deadline a case is waiting for in its state, if any. */
export function pendingDeadline(file: CaseFile): { kind: 'review' | 'contact'; dueAt?: string } | undefined {
  const state: CaseState = file.record.state;
  if (state === 'delivered') return { kind: 'review', dueAt: file.record.deadlines.reviewDue };
  if (state === 'approved') return { kind: 'contact', dueAt: file.record.deadlines.contactDue };
  return undefined;
}

/** Adds system ids to a file's list (no duplicates, order kept). */
export function withSystems(file: CaseFile, ...ids: Array<string | undefined>): CaseFile {
  const systems = [...file.systems];
  for (const id of ids) if (id !== undefined && !systems.includes(id)) systems.push(id);
  return systems.length === file.systems.length ? file : { ...file, systems };
}
