/** The newborn case: state machine and deadlines (pure core), eligibility, 出生医学证明 registry, case store and service. */
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
export { checkEligibility, addMonths, applicationDay, MATERIAL_NAMES } from './eligibility.js';
export type { ApplicationPacket } from './eligibility.js';
export {
  BirthCertificateRegistry,
  BIRTH_CERTIFICATE_NO,
  maskCertificateNo,
  requireCertificateNo,
} from './birth-certificate-registry.js';
export type { BlacklistEntry, CertificateState, ImportResult } from './birth-certificate-registry.js';
export { parseBlacklistCsv } from './blacklist-csv.js';
export type { CaseFile, CompletionSummary, DecisionSummary, RejectionNotice } from './case-file.js';
export { CaseStore } from './case-store.js';
export type { CaseChange, CaseUpdate } from './case-store.js';
export { createCaseService } from './case-service.js';
export type { AcceptRoute, CaseService, CaseServiceDeps, CertificateCheckResult, PeerCertificateAnswer } from './case-service.js';
export { toCaseView } from './case-view.js';
export type { CaseView } from './case-view.js';
export { listOverdue, OverdueWatch } from './overdue-watch.js';
export type { OverdueFinding, OverdueWatchOptions } from './overdue-watch.js';
