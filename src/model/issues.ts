// Turns schema and rule findings into one FawtaraError: every finding named by its JSON path
// (`lines[2].quantity`), with English and Arabic text saying what to fix, and the ZATCA rule if any.
import type { z } from 'zod';
import { FawtaraError, type ErrorCode } from '../errors.js';
import { MESSAGE_SEPARATOR } from './schema.js';

export interface InputIssue {
  field: string;
  message: string;
  messageAr: string;
  rule?: string;
  code: Extract<ErrorCode, 'INVALID_INPUT' | 'INVALID_COMBINATION'>;
}

/** `['lines', 2, 'quantity']` → `lines[2].quantity`. */
export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else out += out === '' ? String(step) : `.${String(step)}`;
  }
  return out === '' ? '(document)' : out;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = root;
  for (const step of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[step];
  }
  return cur;
}

/** Strip the field-name prefix our schema messages start with, to put the full path in front. */
function withoutLead(text: string): string {
  const colon = text.indexOf(': ');
  return colon > 0 && colon < 40 && !text.slice(0, colon).includes(' ') ? text.slice(colon + 2) : text;
}

function fromZodIssue(issue: z.core.$ZodIssue, input: unknown): InputIssue[] {
  const field = jsonPath(issue.path);
  const base = { field, code: 'INVALID_INPUT' as const };
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const f = jsonPath([...issue.path, key]);
      return {
        ...base,
        field: f,
        message: `${f}: unknown field; remove it or check its spelling (see docs/invoice-json.md)`,
        messageAr: `${f}: حقل غير معروف؛ احذفه أو صحّح كتابته`,
      };
    });
  }
  if (valueAt(input, issue.path) === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
    return [{ ...base, message: `${field}: required field is missing`, messageAr: `${field}: حقل مطلوب غير موجود` }];
  }
  const sep = issue.message.indexOf(MESSAGE_SEPARATOR);
  if (sep >= 0) {
    return [
      {
        ...base,
        message: `${field}: ${withoutLead(issue.message.slice(0, sep))}`,
        messageAr: `${field}: ${withoutLead(issue.message.slice(sep + 1))}`,
      },
    ];
  }
  switch (issue.code) {
    case 'invalid_type':
      return [{ ...base, message: `${field}: expected ${issue.expected}`, messageAr: `${field}: نوع القيمة غير صحيح (المتوقع ${issue.expected})` }];
    case 'invalid_value': {
      const allowed = issue.values.map((v) => JSON.stringify(v)).join(', ');
      return [{ ...base, message: `${field}: use one of ${allowed}`, messageAr: `${field}: استخدم إحدى القيم ${allowed}` }];
    }
    case 'too_small':
      return [
        {
          ...base,
          message: `${field}: too small (minimum ${String(issue.minimum)})`,
          messageAr: `${field}: القيمة أصغر من الحد الأدنى ${String(issue.minimum)}`,
        },
      ];
    case 'too_big':
      return [
        {
          ...base,
          message: `${field}: too large (maximum ${String(issue.maximum)})`,
          messageAr: `${field}: القيمة أكبر من الحد الأقصى ${String(issue.maximum)}`,
        },
      ];
    case 'invalid_format':
      return [{ ...base, message: `${field}: wrong format (${issue.format})`, messageAr: `${field}: صيغة غير صحيحة` }];
    default:
      return [{ ...base, message: `${field}: ${issue.message}`, messageAr: `${field}: قيمة غير صالحة` }];
  }
}

export function zodIssues(error: z.ZodError, input: unknown): InputIssue[] {
  return error.issues.flatMap((i) => fromZodIssue(i, input));
}

/** One error for all findings; its own message, field and rule are the first finding's. */
export function issuesToError(issues: InputIssue[]): FawtaraError {
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  const moreAr = issues.length > 1 ? ` (ومشكلات أخرى: ${issues.length - 1})` : '';
  return new FawtaraError(first.code, first.message + more, {
    field: first.field,
    ...(first.rule !== undefined && { rule: first.rule }),
    messageAr: first.messageAr + moreAr,
    issues: issues.map((i) => ({ field: i.field, message: i.message, messageAr: i.messageAr, ...(i.rule !== undefined && { rule: i.rule }) })),
  });
}
