/**
 * TypeScript shapes of a validated packet. They mirror `schemas/*.schema.json` by hand; the
 * schemas are the authority (a test validates the samples through both).
 */
import type { SealedDocument } from '../seal/index.js';

/** The four packet types of DESIGN.md §3. */
export type PacketType =
  'newborn.application' | 'newborn.decision' | 'newborn.completion' | 'birth-certificate.check';

/** All packet types, in schema order. */
export const PACKET_TYPES: readonly PacketType[] = Object.freeze([
  'newborn.application',
  'newborn.decision',
  'newborn.completion',
  'birth-certificate.check',
]);

/** Sender or recipient of a packet. */
export interface Party {
  /** Member code: province's GB/T 2260 code, `NN0000`. */
  member: string;
  /** Office code: 6-digit region code + 6-digit station/unit code. */
  office: string;
  officeName?: string;
}

/** Kinds of attached material. */
export type AttachmentKind =
  | 'birth-certificate'
  | 'household-register'
  | 'marriage-certificate'
  | 'application-form'
  | 'commitment-letter'
  | 'resident-registration'
  | 'household-page'
  | 'other';

/** One attached file, carried inline as base64. */
export interface Attachment {
  kind: AttachmentKind;
  mediaType: string;
  name: string;
  contentBase64: string;
  /** Decoded size in bytes; checked when present. */
  size?: number;
  /** Lower-case hex SHA-256 of the decoded bytes; checked when present. */
  sha256?: string;
}

/** Sex as carried in packets. */
export type Sex = 'male' | 'female';

/** A parent in an application. */
export interface Parent {
  name: string;
  idNumber: string;
  ethnicity: string;
  hukouRegion: string;
}

/** `newborn.application` payload (出生登记申请). */
export interface NewbornApplicationPayload {
  applicant: {
    name: string;
    idNumber: string;
    relation: 'father' | 'mother' | 'guardian';
    phone: string;
    mailingAddress?: string;
  };
  newborn: {
    name: string;
    sex: Sex;
    birthDate: string;
    ethnicity: string;
    birthPlace: { region: string; institution: string };
    birthCertificateNo: string;
  };
  father: Parent;
  mother: Parent;
  marriage?: { certificateNo: string; registeredOn: string };
  household: {
    follows: 'father' | 'mother';
    householdNo: string;
    headName: string;
    relationToHead: string;
    address: string;
  };
  acceptance: { officer: string; officerId: string; acceptedAt: string; commitmentSigned: boolean };
}

/** Reviewing officer of a decision. */
export interface Reviewer {
  officer: string;
  officerId: string;
}

/** 常住人口登记表 data in an approval. */
export interface ResidentRegistration {
  name: string;
  relationToHead: string;
  sex: Sex;
  ethnicity: string;
  birthDate: string;
  birthPlace: string;
  nativePlace: string;
  idNumber: string;
  address: string;
  guardians: { name: string; relation: 'father' | 'mother' | 'guardian' }[];
  registeredOn: string;
  registrationReason: string;
  officer: string;
}

/** `newborn.decision` payload, approved. */
export interface NewbornApprovalPayload {
  decision: 'approved';
  reviewedBy: Reviewer;
  reviewedAt: string;
  newbornIdNumber: string;
  householdNo: string;
  residentRegistration: ResidentRegistration;
}

/** `newborn.decision` payload, rejected. */
export interface NewbornRejectionPayload {
  decision: 'rejected';
  reviewedBy: Reviewer;
  reviewedAt: string;
  reason: { code: string; text: string };
}

/** `newborn.decision` payload (审核结果). */
export type NewbornDecisionPayload = NewbornApprovalPayload | NewbornRejectionPayload;

/** `newborn.completion` payload (办结反馈). */
export interface NewbornCompletionPayload {
  applicantNotifiedAt: string;
  confirmedAt: string;
  applicantSignature: { mediaType: 'image/png' | 'image/jpeg'; contentBase64: string };
  birthCertificate: { mainPageReturned: boolean; counterfoilRetained: boolean };
  householdRegister: {
    method: 'mail-new-collect-old' | 'collect-at-window';
    oldRegisterCollected: boolean;
    mailing?: { address: string; recipient: string; carrier: string; trackingNo: string };
  };
}

/** Status of a 出生医学证明 number. */
export type BirthCertificateStatus = 'unused' | 'used' | 'blacklisted';

/** `birth-certificate.check` payload: a question (number only) or an answer (with status). */
export interface BirthCertificateCheckPayload {
  certificateNo: string;
  status?: BirthCertificateStatus;
  reason?: string;
  checkedAt?: string;
}

/** Payload type for each packet type. */
export interface PayloadByType {
  'newborn.application': NewbornApplicationPayload;
  'newborn.decision': NewbornDecisionPayload;
  'newborn.completion': NewbornCompletionPayload;
  'birth-certificate.check': BirthCertificateCheckPayload;
}

/** Transport header plus the payload of one type. */
export interface PacketOf<T extends PacketType> {
  id: string;
  type: T;
  caseId: string;
  inReplyTo?: string;
  from: Party;
  to: Party;
  agreement: string;
  createdAt: string;
  payload: PayloadByType[T];
  attachments?: Attachment[];
  /** Sealed documents the 户籍地 gateway adds to an approved decision (never from local systems). */
  sealedDocuments?: SealedDocument[];
}

/** A schema-valid packet; narrow on `type` to reach the typed payload. */
export type Packet = { [T in PacketType]: PacketOf<T> }[PacketType];
