// The states a stored document's submission moves through, the one home: every layer that reads or
// writes `submissions.state` (issuing, outbox, sync, audit, reports, server) names them from here.

export const SUBMISSION_STATES = [
  'to-submit', // queued: ZATCA does not have it yet (first try, or retrying after 429/5xx/timeout)
  'accepted', // ZATCA holds it (200, or 208/409: it had it from an earlier attempt)
  'accepted-with-warnings', // ZATCA holds it with warnings (202): fix the generator for future documents
  'rejected', // 400: ZATCA refused it; it stays in the unit's chain, issue a corrected new document
  'held', // needs attention before it can be sent again (401 unit revoked, 413, 406, unexpected status)
] as const;

export type SubmissionState = (typeof SUBMISSION_STATES)[number];

/** ZATCA holds the document (with or without warnings): it counts for the VAT return. */
export const ACCEPTED_SUBMISSION_STATES: readonly SubmissionState[] = ['accepted', 'accepted-with-warnings'];
/** ZATCA holds (or refused) the document: nothing more to send. */
export const FINAL_SUBMISSION_STATES: readonly SubmissionState[] = ['accepted', 'accepted-with-warnings', 'rejected'];
/** ZATCA does not hold the document: it counts as unsubmitted (retire, deadlines, status). */
export const PENDING_SUBMISSION_STATES: readonly SubmissionState[] = ['to-submit', 'held'];

const member = (list: readonly SubmissionState[]) => (state: string | null | undefined) => state != null && (list as readonly string[]).includes(state);
export const isAcceptedSubmission = member(ACCEPTED_SUBMISSION_STATES);
export const isFinalSubmission = member(FINAL_SUBMISSION_STATES);
export const isPendingSubmission = member(PENDING_SUBMISSION_STATES);
