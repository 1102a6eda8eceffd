/** The newborn case: state machine and deadlines in Chinese working days (pure, no I/O). */
export { createWorkingCalendar, shanghaiDateOf, yearsCoveredBy } from './working-days.js';
export type { DueDate, ExtraCalendarYear, WorkingCalendar, WorkingCalendarOptions } from './working-days.js';
export { applyCaseEvent, overdue, REVIEW_WORKING_DAYS, CONTACT_WORKING_DAYS } from './state-machine.js';
export type {
  CaseContext,
  CaseDeadlines,
  CaseEvent,
  CaseEventBase,
  CaseHistoryEntry,
  CaseParties,
  CaseRecord,
  CaseState,
  CompletionEvent,
  DecisionEvent,
  DeliveredEvent,
  ForwardedEvent,
  OverdueItem,
  SubmittedEvent,
} from './case-record.js';
