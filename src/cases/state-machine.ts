/**
 * The newborn case state machine (DESIGN.md §3), as pure functions: a record and an event in, a new
 * record out (the input is never mutated), or a GatewayError with a code per refusal. Storage and
 * locking belong to the caller.
 */
import { GatewayError, isGatewayError, type ErrorCode } from '../errors.js';
import type {
  CaseContext,
  CaseDeadlines,
  CaseEvent,
  CaseParties,
  CaseRecord,
  CaseState,
  CompletionEvent,
  DecisionEvent,
  DeliveredEvent,
  OverdueItem,
} from './case-record.js';
import type { WorkingCalendar } from './working-days.js';

/** Working days the 户籍地 has to review a delivered application. */
export const REVIEW_WORKING_DAYS = 2;
/** Working days the 受理地 has to contact the applicant after an approval. */
export const CONTACT_WORKING_DAYS = 1;

const ORDER: Readonly<Record<CaseState, number>> = {
  submitted: 0,
  forwarded: 1,
  delivered: 2,
  approved: 3,
  rejected: 3,
  completed: 4,
};

function refuse(code: ErrorCode, caseId: string, message: string, state?: CaseState): GatewayError {
  return new GatewayError(code, message, [{ message, caseId, ...(state === undefined ? {} : { state }) }]);
}

function isoInstant(at: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms))
    throw new GatewayError('GW_ERR_INTERNAL', `Case event time ${JSON.stringify(at)} is not ISO 8601`);
  return new Date(ms).toISOString();
}

/**
 * Deadline `days` working days after `at`, or undefined when the calendar of that year is
 * missing: a missing calendar must not block the case, only its deadline.
 */
function deadline(calendar: WorkingCalendar, at: string, days: number): string | undefined {
  try {
    return calendar.dueAt(new Date(at), days).dueAt.toISOString();
  } catch (err) {
    if (isGatewayError(err, 'GW_ERR_CASE_CALENDAR_MISSING')) return undefined;
    throw err;
  }
}

function withDeadline(
  deadlines: CaseDeadlines,
  key: 'reviewDue' | 'contactDue',
  due: string | undefined,
): CaseDeadlines {
  return due === undefined
    ? { ...deadlines, deadlineUnknown: 'calendar-missing' }
    : { ...deadlines, [key]: due };
}

function advance(
  record: CaseRecord,
  ev: CaseEvent,
  state: CaseState,
  patch: Partial<CaseRecord> = {},
): CaseRecord {
  const entry = { state, at: isoInstant(ev.at), by: ev.by, packetId: ev.packetId };
  return { ...record, ...patch, state, history: [...record.history, entry] };
}

/** A fresh record, before the history entry of the event that creates it. */
function newRecord(ev: CaseEvent, parties: CaseParties, state: CaseState): CaseRecord {
  const { acceptingMember, registeringMember, agreement } = parties;
  return {
    caseId: ev.caseId,
    state,
    applicationId: ev.packetId,
    acceptingMember,
    registeringMember,
    agreement,
    history: [],
    deadlines: {},
  };
}

function applyDelivered(record: CaseRecord | undefined, ev: DeliveredEvent, ctx: CaseContext): CaseRecord {
  let base = record;
  if (base === undefined) {
    const { acceptingMember, registeringMember, agreement } = ev;
    if (acceptingMember === undefined || registeringMember === undefined || agreement === undefined) {
      throw refuse(
        'GW_ERR_CASE_UNKNOWN',
        ev.caseId,
        `Case ${ev.caseId} is unknown and the delivery does not name its parties`,
      );
    }
    base = newRecord(ev, { acceptingMember, registeringMember, agreement }, 'delivered');
  }
  const reviewDue = deadline(ctx.calendar, ev.at, REVIEW_WORKING_DAYS);
  return advance(base, ev, 'delivered', { deadlines: withDeadline(base.deadlines, 'reviewDue', reviewDue) });
}

function applyDecision(record: CaseRecord, ev: DecisionEvent, ctx: CaseContext): CaseRecord {
  const id = record.caseId;
  if (ev.from !== record.registeringMember) {
    throw refuse(
      'GW_ERR_CASE_WRONG_PARTY',
      id,
      `Only ${record.registeringMember} (户籍地) may decide case ${id}; got ${ev.from}`,
    );
  }
  if (ORDER[record.state] >= ORDER.approved) {
    throw refuse(
      'GW_ERR_CASE_ALREADY_DECIDED',
      id,
      `Case ${id} was already decided by packet ${record.decisionId ?? '?'}`,
      record.state,
    );
  }
  // A decision while `forwarded` is accepted: it proves the delivery, whose receipt may simply be late.
  if (record.state === 'submitted') {
    throw refuse(
      'GW_ERR_CASE_INVALID_TRANSITION',
      id,
      `Case ${id} has not been sent to the 户籍地 yet`,
      record.state,
    );
  }
  if (ev.inReplyTo !== record.applicationId) {
    throw refuse(
      'GW_ERR_CASE_REPLY_MISMATCH',
      id,
      `A decision must reply to application ${record.applicationId}; inReplyTo is ${ev.inReplyTo}`,
      record.state,
    );
  }
  // The duty to contact the applicant follows either decision, so the deadline is recorded for
  // both; only an approval has a completion packet that shows it was met (see `overdue`).
  const deadlines = withDeadline(
    record.deadlines,
    'contactDue',
    deadline(ctx.calendar, ev.at, CONTACT_WORKING_DAYS),
  );
  return advance(record, ev, ev.decision, { decisionId: ev.packetId, deadlines });
}

function applyCompletion(record: CaseRecord, ev: CompletionEvent): CaseRecord {
  const id = record.caseId;
  if (ev.from !== record.acceptingMember) {
    throw refuse(
      'GW_ERR_CASE_WRONG_PARTY',
      id,
      `Only ${record.acceptingMember} (受理地) may complete case ${id}; got ${ev.from}`,
    );
  }
  if (record.state === 'rejected') {
    throw refuse('GW_ERR_CASE_REJECTED', id, `Case ${id} was rejected and cannot be completed`, record.state);
  }
  if (record.state === 'completed') {
    throw refuse(
      'GW_ERR_CASE_INVALID_TRANSITION',
      id,
      `Case ${id} was already completed by packet ${record.completionId ?? '?'}`,
      record.state,
    );
  }
  if (record.state !== 'approved') {
    throw refuse(
      'GW_ERR_CASE_NOT_APPROVED',
      id,
      `Case ${id} is ${record.state}; a completion may only follow an approval`,
      record.state,
    );
  }
  if (ev.inReplyTo !== record.decisionId) {
    throw refuse(
      'GW_ERR_CASE_REPLY_MISMATCH',
      id,
      `A completion must reply to decision ${record.decisionId ?? '?'}; inReplyTo is ${ev.inReplyTo}`,
      record.state,
    );
  }
  return advance(record, ev, 'completed', { completionId: ev.packetId });
}

/** The state an event leads to, used to recognise a replay of an event already recorded. */
function targetState(ev: CaseEvent): CaseState {
  switch (ev.kind) {
    case 'submitted':
    case 'forwarded':
    case 'delivered':
      return ev.kind;
    case 'decision':
      return ev.decision;
    case 'completion':
      return 'completed';
  }
}

/**
 * Applies one event to a case and returns the new record (the input is not modified).
 *
 * Delivery is at least once, so an event already in the history (same packet, same resulting
 * state) returns the record unchanged, and so does a late `forwarded`/`delivered` report for a
 * case that has moved past that stage. Deadlines are computed with `ctx.calendar`; a year without
 * a calendar leaves the deadline out and sets `deadlines.deadlineUnknown` instead of failing.
 *
 * @param state the current record, or undefined when the case is not known here
 * @throws GatewayError `GW_ERR_CASE_UNKNOWN` (decision, completion or forwarding for no case),
 *   `GW_ERR_CASE_EXISTS` (second application), `GW_ERR_CASE_WRONG_PARTY` (decision not from the
 *   户籍地, completion not from the 受理地), `GW_ERR_CASE_ALREADY_DECIDED`, `GW_ERR_CASE_NOT_APPROVED`,
 *   `GW_ERR_CASE_REJECTED`, `GW_ERR_CASE_REPLY_MISMATCH` (wrong inReplyTo, or a lifecycle event
 *   about another packet than the application), `GW_ERR_CASE_INVALID_TRANSITION` (any other step
 *   out of order).
 */
export function applyCaseEvent(state: CaseRecord | undefined, ev: CaseEvent, ctx: CaseContext): CaseRecord {
  if (state === undefined) {
    if (ev.kind === 'submitted') return advance(newRecord(ev, ev, 'submitted'), ev, 'submitted');
    if (ev.kind === 'delivered') return applyDelivered(undefined, ev, ctx);
    throw refuse('GW_ERR_CASE_UNKNOWN', ev.caseId, `No case ${ev.caseId} is known here`);
  }

  if (ev.caseId !== state.caseId) {
    throw new GatewayError('GW_ERR_INTERNAL', `Event for case ${ev.caseId} applied to case ${state.caseId}`);
  }
  const target = targetState(ev);
  if (state.history.some((h) => h.packetId === ev.packetId && h.state === target)) return state;

  switch (ev.kind) {
    case 'submitted':
      throw refuse(
        'GW_ERR_CASE_EXISTS',
        state.caseId,
        `Case ${state.caseId} already exists (application ${state.applicationId})`,
        state.state,
      );
    case 'forwarded':
    case 'delivered': {
      if (ev.packetId !== state.applicationId) {
        throw refuse(
          'GW_ERR_CASE_REPLY_MISMATCH',
          state.caseId,
          `A ${ev.kind} report must be about application ${state.applicationId}; got packet ${ev.packetId}`,
          state.state,
        );
      }
      if (ORDER[state.state] >= ORDER[target]) return state; // stale report: the case is already past it
      if (ev.kind === 'forwarded') {
        // submitted is the only state before forwarded, so reaching here means it is the current one.
        return advance(state, ev, 'forwarded');
      }
      return applyDelivered(state, ev, ctx);
    }
    case 'decision':
      return applyDecision(state, ev, ctx);
    case 'completion':
      return applyCompletion(state, ev);
  }
}

/**
 * Deadlines of a case that have passed at `now` without the step they ask for: `review` while the
 * case is `delivered`, `contact` while it is `approved` (a rejection ends the exchange, so the
 * gateway cannot see when the applicant was told and does not report it). A deadline missing
 * from the record (its year's calendar was absent then) is computed again from the history with
 * `calendar`, so adding the year in config makes it count; if it is still missing it is skipped.
 */
export function overdue(record: CaseRecord, now: Date, calendar: WorkingCalendar): OverdueItem[] {
  const since = (state: CaseState): string | undefined => {
    for (let i = record.history.length - 1; i >= 0; i -= 1) {
      if (record.history[i]?.state === state) return record.history[i]?.at;
    }
    return undefined;
  };
  const due = (stored: string | undefined, from: CaseState, days: number): string | undefined => {
    if (stored !== undefined) return stored;
    const at = since(from);
    return at === undefined ? undefined : deadline(calendar, at, days);
  };
  const out: OverdueItem[] = [];
  const check = (kind: OverdueItem['kind'], dueAt: string | undefined): void => {
    if (dueAt !== undefined && now.getTime() > Date.parse(dueAt)) out.push({ kind, dueAt });
  };
  if (record.state === 'delivered')
    check('review', due(record.deadlines.reviewDue, 'delivered', REVIEW_WORKING_DAYS));
  if (record.state === 'approved')
    check('contact', due(record.deadlines.contactDue, 'approved', CONTACT_WORKING_DAYS));
  return out;
}
