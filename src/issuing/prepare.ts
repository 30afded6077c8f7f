// Everything about one document that does not need the chain head: the input parsed and computed,
// and the checks that it may be issued on this unit at all — done before any lock is taken.
import { computeInvoice, parseInvoiceInput, type ComputedInvoice } from '../model/index.js';
import type { EgsUnit, IssuedDocument, Taxpayer } from '../store/index.js';
import { XML_DECLARATION } from '../ubl/document.js';
import { writeInvoice } from '../ubl/writer.js';
import { FawtaraError } from '../errors.js';
import { IssueError } from './errors.js';
import { issueDateTime } from '../model/ksa-time.js';

// The helper lives in the model so egs (which issuing imports) can use it too; kept exported here
// for issuing's own modules and its public index.
export { issueDateTime };

export interface PreparedDocument {
  /** Computed with placeholder issue date/time, ICV and PIH; the batch sets the real ones. */
  computed: ComputedInvoice;
  /** The input named its UUID; without one a random UUID was drawn, so a rerun is recognized by number and content. */
  uuidGiven: boolean;
}

/**
 * "Run the same command again": is `prior` (a stored document with this number) what this input
 * would have produced? Written again with the prior's UUID, ICV, PIH and issue time, every byte
 * outside the stamp must equal the stored text (the stamp elements sit between these pieces).
 */
export function isSameDocument(prior: Pick<IssuedDocument, 'xml' | 'uuid' | 'icv' | 'pih' | 'issue_date' | 'issue_time'>, prepared: PreparedDocument): boolean {
  if (prepared.uuidGiven && prepared.computed.uuid !== prior.uuid) return false;
  const again = writeInvoice({
    ...prepared.computed,
    uuid: prior.uuid,
    icv: prior.icv,
    pih: prior.pih,
    issueDate: prior.issue_date,
    issueTime: prior.issue_time,
  });
  return prior.xml.startsWith(XML_DECLARATION + again.rootStart) && prior.xml.includes(again.head) && prior.xml.endsWith(again.tail);
}

export function prepareDocument(taxpayer: Taxpayer, unit: EgsUnit, json: unknown, now: Date): PreparedDocument {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new FawtaraError('INVALID_INPUT', 'the invoice must be a JSON object (docs/invoice-json.md)', {
      field: '(root)',
      messageAr: 'يجب أن تكون الفاتورة كائن JSON',
    });
  }
  for (const field of ['icv', 'pih'] as const) {
    if (field in json) {
      throw new IssueError(
        'ASSIGNED_FIELD',
        `${field}: remove it from the input — issuing assigns the unit's next ${field === 'icv' ? 'invoice counter (ICV)' : 'previous invoice hash (PIH)'} itself, so the chain can never skip or fork`,
        {
          field,
          messageAr: `${field}: احذف هذا الحقل — تعيّن الوحدة ${field === 'icv' ? 'العداد' : 'تجزئة الفاتورة السابقة'} بنفسها عند الإصدار`,
          rule: 'docs/zatca-notes.md §A7',
        },
      );
    }
  }
  // The issue date and time are the clock's at issue; the batch writes the final ones.
  const input = parseInvoiceInput({ ...(json as Record<string, unknown>), ...issueDateTime(now) });
  if (input.seller.vatNumber !== taxpayer.vat_number) {
    throw new IssueError(
      'SELLER_MISMATCH',
      `seller.vatNumber ${input.seller.vatNumber} is not the VAT number of unit ${unit.name}'s taxpayer (${taxpayer.vat_number}); a unit issues only for its own taxpayer`,
      {
        field: 'seller.vatNumber',
        messageAr: `الرقم الضريبي للبائع ${input.seller.vatNumber} ليس رقم المكلف الذي تتبعه الوحدة ${unit.name} (${taxpayer.vat_number})`,
        rule: 'BR-KSA-39',
      },
    );
  }
  const allowed = input.kind === 'standard' ? unit.title[0] === '1' : unit.title[1] === '1';
  if (!allowed) {
    throw new IssueError(
      'KIND_NOT_ALLOWED',
      `unit ${unit.name} was onboarded for ${unit.title === '1000' ? 'standard' : 'simplified'} documents only (title ${unit.title}); it cannot issue a ${input.kind} document`,
      {
        field: 'kind',
        messageAr: `الوحدة ${unit.name} مسجلة لنوع واحد من المستندات (${unit.title})؛ لا يمكنها إصدار مستند ${input.kind === 'standard' ? 'قياسي' : 'مبسط'}`,
        rule: 'docs/zatca-notes.md §A4.1',
      },
    );
  }
  return { computed: computeInvoice(input), uuidGiven: typeof (json as { uuid?: unknown }).uuid === 'string' };
}
