// The issue date and time of a document in KSA local time: one helper shared by issuing and the
// compliance samples of onboarding (egs), kept here because issuing imports egs and not the reverse.

/** Saudi Arabia's UTC offset (no daylight saving): issue times are KSA local time. */
const KSA_OFFSET_MS = 3 * 3600_000;

/**
 * The issue date and time written for an instant, in KSA local time without a zone — how ZATCA's
 * rules read them (BR-KSA-04, BR-KSA-98; docs/invoice-json.md). The XAdES signing time stays UTC.
 */
export function issueDateTime(at: Date): { issueDate: string; issueTime: string } {
  const iso = new Date(at.getTime() + KSA_OFFSET_MS).toISOString();
  return { issueDate: iso.slice(0, 10), issueTime: iso.slice(11, 19) };
}

/** The instant of a KSA local issue date and time as documents write them; undefined when not a real date and time. */
export function ksaLocalToInstant(issueDate: string, issueTime: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(issueDate) || !/^\d{2}:\d{2}:\d{2}$/.test(issueTime)) return undefined;
  const at = new Date(`${issueDate}T${issueTime}Z`);
  if (Number.isNaN(at.getTime()) || at.toISOString().slice(0, 19) !== `${issueDate}T${issueTime}`) return undefined;
  return new Date(at.getTime() - KSA_OFFSET_MS);
}
