/**
 * How packets move a case file, on either side (pure: a file and a packet in, the next file out,
 * or `undefined` when the packet was already recorded). The state machine does the ordering and
 * refusals; this file decides the events, their `at`, their `by`, and the data kept around them.
 *
 * Timestamps (what both gateways record):
 * - `forwarded` and `delivered`: the 户籍地 gateway's delivery-receipt time of the application —
 *   the 户籍地 stamps its receipt with it, the 受理地 reads it from the verified receipt. Identical
 *   on both sides, so `reviewDue` is identical too.
 * - `submitted`: the 受理地's acceptance time; the 户籍地 only has the application's signed
 *   `createdAt` (the sending system's clock) and records that.
 * - decision and completion: the sending side records its acceptance time, the receiving side its
 *   reception time (they differ by the transit time; `contactDue` is computed by each side from
 *   its own time, so it differs only if a packet spent a Shanghai midnight in transit).
 * `by` is the same on both sides: `office:<code>` for packets, `gateway:<member>` for transport.
 */
import { createHash } from 'node:crypto';
import { maskName } from '../audit/index.js';
import type { PacketOf } from '../packets/index.js';
import type { CaseContext, CaseEvent, CaseRecord } from './case-record.js';
import { withSystems, type CaseFile, type CompletionSummary, type RejectionNotice } from './case-file.js';
import type { ApplicationPacket } from './eligibility.js';
import { applyCaseEvent } from './state-machine.js';
import { shanghaiDateOf } from './working-days.js';

type DecisionPacket = PacketOf<'newborn.decision'>;
type CompletionPacket = PacketOf<'newborn.completion'>;

const office = (code: string): string => `office:${code}`;
const gateway = (member: string): string => `gateway:${member}`;
const iso = (at: string): string => new Date(at).toISOString();

function applyAll(
  record: CaseRecord | undefined,
  events: readonly CaseEvent[],
  ctx: CaseContext,
): CaseRecord {
  let r = record;
  for (const ev of events) r = applyCaseEvent(r, ev, ctx);
  return r!;
}

/** The next file, or undefined when nothing changed (a replay). */
function settle(before: CaseFile | undefined, after: CaseFile): CaseFile | undefined {
  return before === after ? undefined : after;
}

function withRecord(file: CaseFile, record: CaseRecord): CaseFile {
  return file.record === record ? file : { ...file, record };
}

function newFile(p: ApplicationPacket, record: CaseRecord, policyVersion: string | undefined): CaseFile {
  return {
    record,
    offices: {
      accepting: p.from.office,
      acceptingName: p.from.officeName,
      registering: p.to.office,
      registeringName: p.to.officeName,
    },
    birthCertificateNo: p.payload.newborn.birthCertificateNo,
    ...(policyVersion === undefined ? {} : { policyVersion }),
    systems: [],
    alerted: [],
  };
}

/** submitted, forwarded, delivered of an application. */
function lifecycle(p: ApplicationPacket, at: { submitted: string; transport: string }): CaseEvent[] {
  const parties = { acceptingMember: p.from.member, registeringMember: p.to.member, agreement: p.agreement };
  const base = { caseId: p.caseId, packetId: p.id };
  return [
    { kind: 'submitted', ...base, ...parties, at: at.submitted, by: office(p.from.office) },
    { kind: 'forwarded', ...base, at: at.transport, by: gateway(p.from.member) },
    { kind: 'delivered', ...base, ...parties, at: at.transport, by: gateway(p.to.member) },
  ];
}

/**
 * 受理地: an application accepted from a local system. A local route (省内通办) hands it over at
 * once, so it is forwarded and delivered at the acceptance time.
 */
export function onApplicationAccepted(
  file: CaseFile | undefined,
  p: ApplicationPacket,
  o: { at: string; local: boolean; systems: readonly string[]; policyVersion?: string },
  ctx: CaseContext,
): CaseFile | undefined {
  const events = lifecycle(p, { submitted: o.at, transport: o.at }).slice(0, o.local ? 3 : 1);
  const record = applyAll(file?.record, events, ctx);
  const base = file ?? newFile(p, record, o.policyVersion);
  return settle(file, withSystems(withRecord(base, record), ...o.systems));
}

/** 户籍地: an application received from the 受理地's gateway at `receivedAt` (its receipt time). */
export function onApplicationReceived(
  file: CaseFile | undefined,
  p: ApplicationPacket,
  o: { receivedAt: string; systems: readonly string[]; policyVersion?: string },
  ctx: CaseContext,
): CaseFile | undefined {
  const record = applyAll(
    file?.record,
    lifecycle(p, { submitted: iso(p.createdAt), transport: o.receivedAt }),
    ctx,
  );
  const base = file ?? newFile(p, record, o.policyVersion);
  return settle(file, withSystems(withRecord(base, record), ...o.systems));
}

/** 受理地: the 户籍地's verified delivery receipt for the application, stamped `receiptAt`. */
export function onApplicationReceipt(
  file: CaseFile | undefined,
  packetId: string,
  caseId: string,
  receiptAt: string,
  ctx: CaseContext,
): CaseFile | undefined {
  if (file === undefined) return undefined; // a case from before case tracking: nothing to advance
  const { acceptingMember, registeringMember } = file.record;
  const base = { caseId, packetId, at: receiptAt };
  const record = applyAll(
    file.record,
    [
      { kind: 'forwarded', ...base, by: gateway(acceptingMember) },
      { kind: 'delivered', ...base, by: gateway(registeringMember) },
    ],
    ctx,
  );
  return settle(file, withRecord(file, record));
}

function notice(file: CaseFile, p: DecisionPacket, at: string): RejectionNotice | undefined {
  if (p.payload.decision !== 'rejected') return undefined;
  return {
    reasonCode: p.payload.reason.code,
    reasonText: p.payload.reason.text,
    decidedAt: p.payload.reviewedAt,
    noticeDate: shanghaiDateOf(new Date(at)),
    office: file.offices.accepting,
    ...(file.offices.acceptingName === undefined ? {} : { officeName: file.offices.acceptingName }),
    decidingOffice: p.from.office,
    ...(p.from.officeName === undefined ? {} : { decidingOfficeName: p.from.officeName }),
    birthCertificateReturned: false,
  };
}

/**
 * Either side: a decision accepted here (the 户籍地's system) or received from the 户籍地. A
 * decision received while the case still waits for the application's delivery receipt proves the
 * delivery, so forwarded/delivered are recorded first, at the reception time.
 */
export function onDecision(
  file: CaseFile | undefined,
  p: DecisionPacket,
  o: { at: string; member: string; systems: readonly string[] },
  ctx: CaseContext,
): CaseFile | undefined {
  const base = { caseId: p.caseId, at: o.at };
  const events: CaseEvent[] = [];
  if (
    file?.record.state === 'submitted' &&
    p.from.member === file.record.registeringMember &&
    p.from.member !== o.member
  ) {
    const app = { ...base, packetId: file.record.applicationId };
    events.push({ kind: 'forwarded', ...app, by: gateway(file.record.acceptingMember) });
    events.push({ kind: 'delivered', ...app, by: gateway(file.record.registeringMember) });
  }
  events.push({
    kind: 'decision',
    ...base,
    packetId: p.id,
    by: office(p.from.office),
    decision: p.payload.decision,
    from: p.from.member,
    inReplyTo: p.inReplyTo ?? '',
  });
  const record = applyAll(file?.record, events, ctx);
  let next = withSystems(withRecord(file!, record), ...o.systems);
  if (next.record !== file!.record) {
    const payload = p.payload;
    next = {
      ...next,
      decision: {
        decision: payload.decision,
        reviewedAt: payload.reviewedAt,
        ...(payload.decision === 'rejected' ? { reasonCode: payload.reason.code } : {}),
      },
    };
    const n = o.member === record.acceptingMember ? notice(next, p, o.at) : undefined;
    if (n !== undefined) next = { ...next, notice: n };
  }
  return settle(file, next);
}

function summary(p: CompletionPacket, archivedAt: string): CompletionSummary {
  const c = p.payload;
  const mailing = c.householdRegister.mailing;
  return {
    packetId: p.id,
    applicantNotifiedAt: c.applicantNotifiedAt,
    confirmedAt: c.confirmedAt,
    applicantSignature: {
      mediaType: c.applicantSignature.mediaType,
      sha256: createHash('sha256')
        .update(Buffer.from(c.applicantSignature.contentBase64, 'base64'))
        .digest('hex'),
    },
    birthCertificate: { ...c.birthCertificate },
    householdRegister: {
      method: c.householdRegister.method,
      oldRegisterCollected: c.householdRegister.oldRegisterCollected,
      ...(mailing === undefined
        ? {}
        : {
            mailing: {
              address: mailing.address,
              recipient: maskName(mailing.recipient),
              carrier: mailing.carrier,
              trackingNo: mailing.trackingNo,
            },
          }),
    },
    archivedAt,
  };
}

/** Either side: a completion (办结反馈) accepted from the 受理地's system or received by the 户籍地. */
export function onCompletion(
  file: CaseFile | undefined,
  p: CompletionPacket,
  o: { at: string; systems: readonly string[] },
  ctx: CaseContext,
): CaseFile | undefined {
  const record = applyCaseEvent(
    file?.record,
    {
      kind: 'completion',
      caseId: p.caseId,
      packetId: p.id,
      at: o.at,
      by: office(p.from.office),
      from: p.from.member,
      inReplyTo: p.inReplyTo ?? '',
    },
    ctx,
  );
  let next = withSystems(withRecord(file!, record), ...o.systems);
  if (next.record !== file!.record) next = { ...next, completion: summary(p, o.at) };
  return settle(file, next);
}
