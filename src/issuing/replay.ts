// A request whose UUID or number is taken: the same request again (a retry after a lost answer) is
// the stored document; anything else is refused as a duplicate, saying no more than the caller may see.
import type { Kysely } from 'kysely';
import { submissions, type Database, type DocumentsTable, type EgsUnit, type IssuedDocument } from '../store/index.js';
import type { Issued } from './batch.js';
import { IssueError } from './errors.js';
import { isSameDocument, type PreparedDocument } from './prepare.js';

/** What the batch knows of taken UUIDs and numbers: stored (`taxpayer|uuid`, `taxpayer|number`) and written in it. */
export interface BatchLookups {
  trx: Kysely<Database>;
  known: Map<string, IssuedDocument>;
  taken: Map<string, IssuedDocument>;
  written: DocumentsTable[];
}

/** The same request again (a retry after a lost answer) is the stored document; another with a taken UUID or number is refused. */
export async function replayOf(
  b: BatchLookups,
  p: { taxpayer: { id: string }; prepared: PreparedDocument },
  unit: EgsUnit,
  inv: { uuid: string; id: string },
  visible?: (unitId: string) => boolean,
): Promise<Issued | undefined> {
  const prior =
    b.known.get(`${p.taxpayer.id}|${inv.uuid}`) ??
    (b.written.find((d) => d.taxpayer_id === p.taxpayer.id && d.uuid === inv.uuid) as IssuedDocument | undefined);
  if (prior) {
    if (prior.unit_id === unit.id && prior.number === inv.id) {
      return { document: prior, submission: (await submissions.findSubmission(b.trx, prior.id))!, replayed: true };
    }
    throw duplicate('uuid', inv.uuid, prior, visible);
  }
  const inBatch = b.written.find((d) => d.taxpayer_id === p.taxpayer.id && d.number === inv.id);
  const stored = b.taken.get(`${p.taxpayer.id}|${inv.id}`);
  // The same command run again (a standard invoice left waiting for clearance): the same number
  // and content on the same unit is the stored document, not a second one.
  if (!inBatch && stored && stored.unit_id === unit.id && isSameDocument(stored, p.prepared)) {
    return { document: stored, submission: (await submissions.findSubmission(b.trx, stored.id))!, replayed: true };
  }
  const sameNumber = inBatch ?? stored;
  if (sameNumber) throw duplicate('id', inv.id, sameNumber, visible);
  return undefined;
}

function duplicate(
  field: 'uuid' | 'id',
  value: string,
  prior: Pick<IssuedDocument, 'number' | 'icv' | 'unit_id'>,
  visible?: (unitId: string) => boolean,
): IssueError {
  if (visible && !visible(prior.unit_id)) {
    // Another unit's document: the value is taken, and nothing more is said about that document.
    return new IssueError(
      'DUPLICATE',
      `${field}: ${value} is already used by another document of this taxpayer; every document has its own ${field === 'uuid' ? 'UUID' : 'invoice number'}`,
      {
        field,
        messageAr: `${field}: القيمة ${value} مستخدمة في مستند آخر لهذا المكلف؛ لكل مستند ${field === 'uuid' ? 'معرف' : 'رقم'} خاص به`,
        rule: field === 'uuid' ? 'BR-KSA-03' : 'BR-02',
      },
    );
  }
  return new IssueError(
    'DUPLICATE',
    `${field}: ${value} is already used by document ${prior.number} (ICV ${prior.icv})${field === 'id' ? ' with different content (the same input again returns the stored document)' : ''}; every document of a taxpayer has its own ${field === 'uuid' ? 'UUID' : 'invoice number'}`,
    {
      field,
      messageAr: `${field}: القيمة ${value} مستخدمة في المستند ${prior.number}${field === 'id' ? ' بمحتوى مختلف (إعادة المدخلات نفسها تُرجع المستند المحفوظ)' : ''}؛ لكل مستند ${field === 'uuid' ? 'معرف' : 'رقم'} خاص به`,
      rule: field === 'uuid' ? 'BR-KSA-03' : 'BR-02',
    },
  );
}
