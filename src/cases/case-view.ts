/** The case as `GET /v1/cases/:caseId` shows it to a local system that owns it. */
import type { CaseFile } from './case-file.js';
import type { CaseDeadlines, CaseHistoryEntry, OverdueItem } from './case-record.js';
import { overdue } from './state-machine.js';
import type { WorkingCalendar } from './working-days.js';

/** What `GET /v1/cases/:caseId` shows. */
export interface CaseView {
  readonly caseId: string;
  readonly state: string;
  readonly role: 'accepting' | 'registering' | 'both';
  readonly agreement: string;
  readonly policyVersion?: string;
  readonly acceptingMember: string;
  readonly registeringMember: string;
  readonly offices: CaseFile['offices'];
  readonly applicationId: string;
  readonly decisionId?: string;
  readonly completionId?: string;
  readonly history: readonly CaseHistoryEntry[];
  readonly deadlines: CaseDeadlines;
  readonly overdue: readonly OverdueItem[];
  readonly decision?: CaseFile['decision'];
  readonly rejectionNotice?: CaseFile['notice'];
  readonly completion?: CaseFile['completion'];
}

/** The view of a file on the node of `member` at `now` (overdue computed with `calendar`). */
export function toCaseView(file: CaseFile, member: string, now: Date, calendar: WorkingCalendar): CaseView {
  const r = file.record;
  const role =
    r.acceptingMember === r.registeringMember
      ? 'both'
      : r.acceptingMember === member
        ? 'accepting'
        : 'registering';
  return {
    caseId: r.caseId,
    state: r.state,
    role,
    agreement: r.agreement,
    ...(file.policyVersion === undefined ? {} : { policyVersion: file.policyVersion }),
    acceptingMember: r.acceptingMember,
    registeringMember: r.registeringMember,
    offices: file.offices,
    applicationId: r.applicationId,
    ...(r.decisionId === undefined ? {} : { decisionId: r.decisionId }),
    ...(r.completionId === undefined ? {} : { completionId: r.completionId }),
    history: r.history,
    deadlines: r.deadlines,
    overdue: overdue(r, now, calendar),
    ...(file.decision ? { decision: file.decision } : {}),
    ...(file.notice ? { rejectionNotice: file.notice } : {}),
    ...(file.completion ? { completion: file.completion } : {}),
  };
}
