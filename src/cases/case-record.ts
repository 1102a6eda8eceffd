/**
 * Data shapes of the newborn case (DESIGN.md §3): the record both gateways keep per 业务流水号, and
 * the events that move it along `submitted → forwarded → delivered → approved | rejected → completed`.
 * Everything here is plain JSON (ISO strings, no Date objects) so records and events can be stored
 * in Redis and carried in queue jobs unchanged.
 */
import type { WorkingCalendar } from './working-days.js';

/** States of a case, in order. `rejected` is final; `completed` only follows `approved`. */
export type CaseState = 'submitted' | 'forwarded' | 'delivered' | 'approved' | 'rejected' | 'completed';

/** The two members of a case and the agreement it travels under. */
export interface CaseParties {
  /** 受理地: member (6-digit code) whose office accepted the application. */
  readonly acceptingMember: string;
  /** 户籍地: member (6-digit code) that keeps the household register and decides. */
  readonly registeringMember: string;
  /** Agreement id, e.g. `yangtze-delta`. */
  readonly agreement: string;
}

/** One step of a case's history. */
export interface CaseHistoryEntry {
  /** State reached by this step. */
  readonly state: CaseState;
  /** When the gateway recorded the step (ISO 8601, UTC). */
  readonly at: string;
  /** Who caused it, e.g. `system:310110-window` or `gateway:330000`. */
  readonly by: string;
  /** The packet this step is about. */
  readonly packetId: string;
}

/** Deadlines in Chinese working days (DESIGN.md §3). */
export interface CaseDeadlines {
  /** 户籍地 review due: end of the 2nd working day after delivery (ISO 8601, UTC). */
  readonly reviewDue?: string;
  /** 受理地 contacts the applicant: end of the 1st working day after the decision (ISO 8601, UTC). */
  readonly contactDue?: string;
  /**
   * Set when a deadline could not be computed because the working-day calendar of its year is
   * missing; the absent `…Due` field tells which. The case proceeds regardless.
   */
  readonly deadlineUnknown?: 'calendar-missing';
}

/** What a gateway knows about one case. */
export interface CaseRecord extends CaseParties {
  /** 业务流水号. */
  readonly caseId: string;
  readonly state: CaseState;
  /** Id of the `newborn.application` packet. */
  readonly applicationId: string;
  /** Id of the `newborn.decision` packet, once decided. */
  readonly decisionId?: string;
  /** Id of the `newborn.completion` packet, once completed. */
  readonly completionId?: string;
  /** Steps in the order they were recorded. */
  readonly history: readonly CaseHistoryEntry[];
  readonly deadlines: CaseDeadlines;
}

/** Fields every case event carries. */
export interface CaseEventBase {
  /** 业务流水号 the event belongs to. */
  readonly caseId: string;
  /** The packet the event is about (the application for `submitted`/`forwarded`/`delivered`). */
  readonly packetId: string;
  /** When the gateway observed the event (ISO 8601 with offset). Deadlines count from it. */
  readonly at: string;
  /** Who caused it (recorded in the history). */
  readonly by: string;
}

/** The application was accepted by the 受理地 gateway. Creates the case. */
export interface SubmittedEvent extends CaseEventBase, CaseParties {
  readonly kind: 'submitted';
}

/** The application was handed to the peer gateway of the 户籍地. */
export interface ForwardedEvent extends CaseEventBase {
  readonly kind: 'forwarded';
}

/**
 * The application reached the 户籍地. The 户籍地's gateway first learns of a case this way, so the
 * parties are required when there is no record yet.
 */
export interface DeliveredEvent extends CaseEventBase, Partial<CaseParties> {
  readonly kind: 'delivered';
}

/** A `newborn.decision` packet from the 户籍地. */
export interface DecisionEvent extends CaseEventBase {
  readonly kind: 'decision';
  readonly decision: 'approved' | 'rejected';
  /** Sending member of the packet (`from.member`). */
  readonly from: string;
  /** Must name the application packet. */
  readonly inReplyTo: string;
}

/** A `newborn.completion` packet from the 受理地. */
export interface CompletionEvent extends CaseEventBase {
  readonly kind: 'completion';
  /** Sending member of the packet (`from.member`). */
  readonly from: string;
  /** Must name the decision packet. */
  readonly inReplyTo: string;
}

/** Anything that moves a case. */
export type CaseEvent = SubmittedEvent | ForwardedEvent | DeliveredEvent | DecisionEvent | CompletionEvent;

/** Dependencies of the state machine. */
export interface CaseContext {
  /** Calendar used for deadlines. */
  readonly calendar: WorkingCalendar;
}

/** A deadline that has passed without the step it asks for. */
export interface OverdueItem {
  /** `review`: 户籍地 has not decided; `contact`: 受理地 has not sent the completion. */
  readonly kind: 'review' | 'contact';
  /** The deadline that passed (ISO 8601, UTC). */
  readonly dueAt: string;
}
