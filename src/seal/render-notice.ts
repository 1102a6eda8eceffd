/**
 * The 受理地 gateway's own sealed documents as printable PDFs: the 受理回执单 (acceptance
 * receipt) the window hands the family when an application is accepted, and the 不予受理告知书
 * (refusal notice) it hands them when the 户籍地 rejects. Drawn by `renderFormPdf`; deterministic.
 */
import { renderFormPdf, type FormField } from './render-form.js';

/** What a notice shows. Optional fields are left out of the page when absent. */
export interface NoticeData {
  /** 业务流水号. */
  readonly caseId: string;
  /** The packet this notice is about (the application, or the rejecting decision). */
  readonly packetId: string;
  readonly applicantName?: string;
  readonly newbornName?: string;
  /** 受理单位 (the window's office): name or code. */
  readonly acceptingOffice: string;
  /** 户籍地 office: name or code. */
  readonly registeringOffice: string;
  /** 通办协议, e.g. `yangtze-delta`. */
  readonly agreement?: string;
  /** The officer named on the notice (受理人 / 审核人). */
  readonly officer?: string;
  /** ISO time of acceptance (receipt) or of the decision (notice). */
  readonly at: string;
}

/** A 受理回执单: what was accepted, by whom, when, and the digest of the signed acceptance receipt. */
export interface AcceptanceReceiptData extends NoticeData {
  /** `<alg>:<hex>` of the packet as the gateway's signed acceptance receipt names it. */
  readonly receiptDigest: string;
}

/** A 不予受理告知书: the 户籍地's reason. */
export interface RefusalNoticeData extends NoticeData {
  readonly reasonCode: string;
  readonly reasonText: string;
}

const MATTER = '新生儿出生登记（跨省通办）';
const FOOTER =
  'Electronically sealed (GB/T 38540). Check the seals offline: tongban seal verify <document> <signature>';

function optional(zh: string, en: string, value: string | undefined): FormField[] {
  return value ? [[zh, en, value]] : [];
}

/** Render a 受理回执单 as a one-page A4 PDF. */
export function renderAcceptanceReceipt(d: AcceptanceReceiptData): Buffer {
  return renderFormPdf({
    title: ['受理回执单', 'Acceptance Receipt'],
    fields: [
      ['业务流水号', 'Case', d.caseId],
      ['申请事项', 'Matter', MATTER],
      ...optional('申请人', 'Applicant', d.applicantName),
      ...optional('新生儿', 'Newborn', d.newbornName),
      ['受理单位', 'Accepted by', d.acceptingOffice],
      ...optional('受理人', 'Officer', d.officer),
      ['受理时间', 'Accepted at', d.at],
      ['户籍地', 'Registering office', d.registeringOffice],
      ...optional('通办协议', 'Agreement', d.agreement),
      ['申请编号', 'Packet', d.packetId],
      ['回执摘要', 'Receipt digest', d.receiptDigest],
      ['说明', 'Note', '申请材料已受理并转送户籍地审核，审核结果将通知申请人。'],
    ],
    footer: FOOTER,
    infoTitle: `受理回执单 ${d.caseId}`,
  });
}

/** Render a 不予受理告知书 as a one-page A4 PDF. */
export function renderRefusalNotice(d: RefusalNoticeData): Buffer {
  return renderFormPdf({
    title: ['不予受理告知书', 'Notice of Refusal'],
    fields: [
      ['业务流水号', 'Case', d.caseId],
      ['申请事项', 'Matter', MATTER],
      ...optional('申请人', 'Applicant', d.applicantName),
      ...optional('新生儿', 'Newborn', d.newbornName),
      ['审核单位', 'Reviewed by', d.registeringOffice],
      ...optional('审核人', 'Officer', d.officer),
      ['审核时间', 'Decided at', d.at],
      ['原因代码', 'Reason code', d.reasonCode],
      ['不予受理原因', 'Reason', d.reasonText],
      ['告知单位', 'Notified by', d.acceptingOffice],
      ['审核结果编号', 'Decision', d.packetId],
    ],
    footer: FOOTER,
    infoTitle: `不予受理告知书 ${d.caseId}`,
  });
}
