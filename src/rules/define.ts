// Small constructors that keep each rule file a flat list of data: id, flag, messages, check.
import type { InvoiceContext } from './context.js';
import type { Flag, Rule } from './types.js';

export function en(id: string, flag: Flag, message: string, ar: string, check: (ctx: InvoiceContext) => boolean): Rule {
  return { id, flag, layer: 'EN', en: message, ar, check };
}

export function ksa(id: string, flag: Flag, message: string, ar: string, check: (ctx: InvoiceContext) => boolean): Rule {
  return { id, flag, layer: 'KSA', en: message, ar, check };
}
