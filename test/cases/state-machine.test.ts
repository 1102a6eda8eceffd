import { describe, expect, it } from 'vitest';
import {
  applyCaseEvent,
  createWorkingCalendar,
  overdue,
  type CaseContext,
  type CaseEvent,
  type CaseRecord,
} from '../../src/cases/index.js';
import { GatewayError, type ErrorCode } from '../../src/errors.js';

// Ids and members of the 长三角 sample case (/work/shared/samples): applied in Shanghai (受理地
// 310000), the household register is in Hangzhou (户籍地 330000).
const CASE = '310110-20261123-000001';
const APP = '7d0c6a52-1b7e-4f0b-9c55-2f6a8d1e0a11';
const DEC = '0b8f5a3e-8d7c-4b1e-a2f9-6c3d2e1f0a22';
const DONE = 'c4d3e2f1-0a9b-4c8d-9e7f-6a5b4c3d2e44';
const SH = '310000';
const ZJ = '330000';
const PARTIES = { acceptingMember: SH, registeringMember: ZJ, agreement: 'yangtze-delta' } as const;

const ctx: CaseContext = { calendar: createWorkingCalendar() };

const submitted = (at = '2025-09-29T09:12:00+08:00'): CaseEvent => ({
  kind: 'submitted',
  caseId: CASE,
  packetId: APP,
  at,
  by: 'system:310110-window',
  ...PARTIES,
});
const forwarded = (at = '2025-09-29T09:12:05+08:00'): CaseEvent => ({
  kind: 'forwarded',
  caseId: CASE,
  packetId: APP,
  at,
  by: 'gateway:310000',
});
const delivered = (at = '2025-09-30T10:00:00+08:00'): CaseEvent => ({
  kind: 'delivered',
  caseId: CASE,
  packetId: APP,
  at,
  by: 'gateway:330000',
});
const decision = (
  over: Partial<{
    decision: 'approved' | 'rejected';
    from: string;
    inReplyTo: string;
    packetId: string;
    at: string;
  }> = {},
): CaseEvent => ({
  kind: 'decision',
  caseId: CASE,
  packetId: over.packetId ?? DEC,
  decision: over.decision ?? 'approved',
  from: over.from ?? ZJ,
  inReplyTo: over.inReplyTo ?? APP,
  at: over.at ?? '2025-10-10T11:00:00+08:00',
  by: 'system:330102-review',
});
const completion = (
  over: Partial<{ from: string; inReplyTo: string; packetId: string }> = {},
): CaseEvent => ({
  kind: 'completion',
  caseId: CASE,
  packetId: over.packetId ?? DONE,
  from: over.from ?? SH,
  inReplyTo: over.inReplyTo ?? DEC,
  at: '2025-10-11T10:05:00+08:00',
  by: 'system:310110-window',
});

function run(events: CaseEvent[], start?: CaseRecord): CaseRecord {
  let rec = start;
  for (const ev of events) rec = applyCaseEvent(rec, ev, ctx);
  if (rec === undefined) throw new Error('no events');
  return rec;
}

/** Freezes a record deeply, so that any mutation by the state machine throws. */
function frozen(rec: CaseRecord): CaseRecord {
  rec.history.forEach((h) => Object.freeze(h));
  Object.freeze(rec.history);
  Object.freeze(rec.deadlines);
  return Object.freeze(rec);
}

function refusal(state: CaseRecord | undefined, ev: CaseEvent): GatewayError {
  try {
    applyCaseEvent(state, ev, ctx);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error(`expected ${ev.kind} to be refused`);
}

function expectRefused(state: CaseRecord | undefined, ev: CaseEvent, code: ErrorCode, status: number): void {
  const err = refusal(state, ev);
  expect(err.code).toBe(code);
  expect(err.status).toBe(status);
  expect(err.permanent).toBe(true);
  expect(err.details[0]?.['caseId']).toBe(CASE);
}

describe('applyCaseEvent: happy paths', () => {
  it('takes a case from submitted to completed, with history and working-day deadlines', () => {
    const rec = run([submitted(), forwarded(), delivered(), decision(), completion()]);
    expect(rec).toMatchObject({
      caseId: CASE,
      state: 'completed',
      applicationId: APP,
      decisionId: DEC,
      completionId: DONE,
      ...PARTIES,
    });
    expect(rec.history).toEqual([
      { state: 'submitted', at: '2025-09-29T01:12:00.000Z', by: 'system:310110-window', packetId: APP },
      { state: 'forwarded', at: '2025-09-29T01:12:05.000Z', by: 'gateway:310000', packetId: APP },
      { state: 'delivered', at: '2025-09-30T02:00:00.000Z', by: 'gateway:330000', packetId: APP },
      { state: 'approved', at: '2025-10-10T03:00:00.000Z', by: 'system:330102-review', packetId: DEC },
      { state: 'completed', at: '2025-10-11T02:05:00.000Z', by: 'system:310110-window', packetId: DONE },
    ]);
    // Delivered 2025-09-30: 1–8 Oct are 国庆/中秋, so the 2nd working day after is 2025-10-10.
    // Decided 2025-10-10: the next working day is Saturday 2025-10-11, a 调休 make-up day.
    expect(rec.deadlines).toEqual({
      reviewDue: '2025-10-10T15:59:59.999Z',
      contactDue: '2025-10-11T15:59:59.999Z',
    });
  });

  it('ends a rejected case at rejected', () => {
    const rec = run([submitted(), forwarded(), delivered(), decision({ decision: 'rejected' })]);
    expect(rec.state).toBe('rejected');
    expect(rec.decisionId).toBe(DEC);
    expect(rec.history.map((h) => h.state)).toEqual(['submitted', 'forwarded', 'delivered', 'rejected']);
    expect(rec.deadlines.contactDue).toBe('2025-10-11T15:59:59.999Z');
  });

  it('opens the case at the 户籍地 gateway on delivery, and counts from the Shanghai day', () => {
    // Delivered Friday 2026-02-13: 02-14 is a make-up Saturday, then the Spring Festival break.
    const friday = applyCaseEvent(undefined, { ...delivered('2026-02-13T09:30:00+08:00'), ...PARTIES }, ctx);
    expect(friday.state).toBe('delivered');
    expect(friday.history).toHaveLength(1);
    expect(friday.deadlines.reviewDue).toBe('2026-02-24T15:59:59.999Z');
    // 2026-02-13T20:00Z is already 02-14 04:00 in Shanghai, so 02-14 is the (uncounted) start day.
    const late = applyCaseEvent(undefined, { ...delivered('2026-02-13T20:00:00Z'), ...PARTIES }, ctx);
    expect(late.deadlines.reviewDue).toBe('2026-02-25T15:59:59.999Z');
  });

  it('does not modify the record it is given', () => {
    const before = frozen(run([submitted(), forwarded()]));
    const after = applyCaseEvent(before, delivered(), ctx);
    expect(before.state).toBe('forwarded');
    expect(before.history).toHaveLength(2);
    expect(after.history).toHaveLength(3);
  });

  it('returns the record unchanged for a replayed event or a late lifecycle report', () => {
    const approved = frozen(run([submitted(), forwarded(), delivered(), decision()]));
    expect(applyCaseEvent(approved, decision(), ctx)).toBe(approved);
    expect(applyCaseEvent(approved, delivered('2025-10-12T00:00:00+08:00'), ctx)).toBe(approved);
    expect(applyCaseEvent(approved, forwarded(), ctx)).toBe(approved);
    expect(applyCaseEvent(approved, submitted(), ctx)).toBe(approved); // the same application again
    const done = frozen(run([completion()], approved));
    expect(applyCaseEvent(done, completion(), ctx)).toBe(done);
  });

  it('accepts a decision while the delivery receipt is still outstanding', () => {
    const rec = run([submitted(), forwarded(), decision()]);
    expect(rec.state).toBe('approved');
    expect(rec.deadlines.reviewDue).toBeUndefined();
  });

  it('handles 省内通办, where both parties are the same member', () => {
    const gz = { acceptingMember: '520000', registeringMember: '520000', agreement: 'intra-province' };
    const ev = (e: CaseEvent): CaseEvent => ({ ...e, ...(e.kind === 'submitted' ? gz : {}) });
    const rec = run([
      ev(submitted()),
      delivered(),
      decision({ from: '520000' }),
      completion({ from: '520000' }),
    ]);
    expect(rec.state).toBe('completed');
  });
});

describe('applyCaseEvent: refusals', () => {
  const sub = run([submitted()]);
  const del = run([submitted(), forwarded(), delivered()]);
  const appr = run([decision()], del);
  const rej = run([decision({ decision: 'rejected' })], del);
  const done = run([completion()], appr);

  it('refuses events for an unknown case', () => {
    expectRefused(undefined, decision(), 'GW_ERR_CASE_UNKNOWN', 404);
    expectRefused(undefined, completion(), 'GW_ERR_CASE_UNKNOWN', 404);
    expectRefused(undefined, forwarded(), 'GW_ERR_CASE_UNKNOWN', 404);
    expectRefused(undefined, delivered(), 'GW_ERR_CASE_UNKNOWN', 404); // no parties to open it with
  });

  it('refuses a second application for an existing case', () => {
    expectRefused(
      sub,
      { ...submitted(), packetId: '11111111-2222-4333-8444-555555555555' },
      'GW_ERR_CASE_EXISTS',
      409,
    );
    expectRefused(done, { ...submitted(), packetId: DEC }, 'GW_ERR_CASE_EXISTS', 409);
  });

  it('refuses a second decision', () => {
    const other = '22222222-3333-4444-8555-666666666666';
    expectRefused(appr, decision({ packetId: other }), 'GW_ERR_CASE_ALREADY_DECIDED', 409);
    expectRefused(
      rej,
      decision({ packetId: other, decision: 'approved' }),
      'GW_ERR_CASE_ALREADY_DECIDED',
      409,
    );
    expectRefused(done, decision({ packetId: other }), 'GW_ERR_CASE_ALREADY_DECIDED', 409);
    // Same packet, opposite answer: not a replay.
    expectRefused(appr, decision({ decision: 'rejected' }), 'GW_ERR_CASE_ALREADY_DECIDED', 409);
  });

  it('refuses a decision that does not come from the case’s 户籍地', () => {
    expectRefused(del, decision({ from: SH }), 'GW_ERR_CASE_WRONG_PARTY', 403);
    expectRefused(del, decision({ from: '520000' }), 'GW_ERR_CASE_WRONG_PARTY', 403);
  });

  it('refuses a completion that does not come from the case’s 受理地', () => {
    expectRefused(appr, completion({ from: ZJ }), 'GW_ERR_CASE_WRONG_PARTY', 403);
  });

  it('refuses a completion before approval', () => {
    expectRefused(del, completion(), 'GW_ERR_CASE_NOT_APPROVED', 409);
    expectRefused(sub, completion(), 'GW_ERR_CASE_NOT_APPROVED', 409);
  });

  it('refuses a completion of a rejected case', () => {
    expectRefused(rej, completion(), 'GW_ERR_CASE_REJECTED', 409);
  });

  it('refuses replies to the wrong packet', () => {
    expectRefused(del, decision({ inReplyTo: DONE }), 'GW_ERR_CASE_REPLY_MISMATCH', 409);
    expectRefused(appr, completion({ inReplyTo: APP }), 'GW_ERR_CASE_REPLY_MISMATCH', 409);
    expectRefused(sub, { ...forwarded(), packetId: DEC }, 'GW_ERR_CASE_REPLY_MISMATCH', 409);
  });

  it('refuses other steps out of order', () => {
    expectRefused(sub, decision(), 'GW_ERR_CASE_INVALID_TRANSITION', 409);
    expectRefused(
      done,
      completion({ packetId: '33333333-4444-4555-8666-777777777777' }),
      'GW_ERR_CASE_INVALID_TRANSITION',
      409,
    );
  });
});

describe('deadlines without a calendar, and overdue', () => {
  const cal2027 = createWorkingCalendar({
    extraYears: { 2027: { holidays: ['2027-01-01', '2027-02-05', '2027-02-08'], workdays: ['2027-01-30'] } },
  });

  it('records deadlineUnknown instead of failing when the year has no calendar', () => {
    const rec = run([
      submitted('2027-01-04T09:00:00+08:00'),
      forwarded('2027-01-04T09:00:01+08:00'),
      delivered('2027-01-04T10:00:00+08:00'),
    ]);
    expect(rec.state).toBe('delivered');
    expect(rec.deadlines).toEqual({ deadlineUnknown: 'calendar-missing' });
    const approved = run([decision({ at: '2027-01-05T10:00:00+08:00' })], rec);
    expect(approved.state).toBe('approved');
    expect(approved.deadlines.contactDue).toBeUndefined();
    // Not overdue as far as the package knows; once the year is configured the deadline counts.
    expect(overdue(rec, new Date('2027-03-01T00:00:00Z'), ctx.calendar)).toEqual([]);
    expect(overdue(rec, new Date('2027-01-06T16:00:00Z'), cal2027)).toEqual([
      { kind: 'review', dueAt: '2027-01-06T15:59:59.999Z' },
    ]);
    expect(overdue(approved, new Date('2027-01-06T16:00:00Z'), cal2027)).toEqual([
      { kind: 'contact', dueAt: '2027-01-06T15:59:59.999Z' },
    ]);
  });

  it('reports a review overdue only after the end of its last working day', () => {
    const del = run([submitted(), forwarded(), delivered()]);
    expect(overdue(del, new Date('2025-10-10T23:59:59.999+08:00'), ctx.calendar)).toEqual([]);
    expect(overdue(del, new Date('2025-10-11T00:00:00+08:00'), ctx.calendar)).toEqual([
      { kind: 'review', dueAt: '2025-10-10T15:59:59.999Z' },
    ]);
  });

  it('reports a missing completion after the contact deadline, and nothing once completed or rejected', () => {
    const appr = run([submitted(), forwarded(), delivered(), decision()]);
    const later = new Date('2025-10-13T09:00:00+08:00');
    expect(overdue(appr, new Date('2025-10-11T23:00:00+08:00'), ctx.calendar)).toEqual([]);
    expect(overdue(appr, later, ctx.calendar)).toEqual([
      { kind: 'contact', dueAt: '2025-10-11T15:59:59.999Z' },
    ]);
    expect(overdue(run([completion()], appr), later, ctx.calendar)).toEqual([]);
    const rej = run([submitted(), forwarded(), delivered(), decision({ decision: 'rejected' })]);
    expect(overdue(rej, later, ctx.calendar)).toEqual([]);
  });
});
