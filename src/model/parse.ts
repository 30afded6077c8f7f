// parseInvoiceInput: unknown JSON → validated InvoiceInput, or one FawtaraError listing every
// problem by JSON path with English/Arabic text and the ZATCA rule it comes from.
import { FawtaraError } from '../errors.js';
import { issuesToError, zodIssues } from './issues.js';
import { checkInvoiceRules } from './rules.js';
import { InvoiceInput } from './schema.js';

export function parseInvoiceInput(json: unknown): InvoiceInput {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new FawtaraError('INVALID_INPUT', 'the invoice input must be a JSON object (see docs/invoice-json.md)', {
      field: '(document)',
      messageAr: 'يجب أن تكون بيانات الفاتورة كائن JSON',
    });
  }
  const parsed = InvoiceInput.safeParse(json);
  if (!parsed.success) throw issuesToError(zodIssues(parsed.error, json));
  const findings = checkInvoiceRules(parsed.data);
  if (findings.length > 0) throw issuesToError(findings);
  return parsed.data;
}
