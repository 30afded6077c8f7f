// The simple types of ZATCA's UBL schemas (xs:decimal, dates and times, base64, NCName, language,
// enumerations): whether an attribute value or an element's text is valid for its declared type.
import modelJson from './ubl-invoice-model.json' with { type: 'json' };
import type { SchemaModel, SimpleTypeModel, TypeModel } from './model.js';

const model = modelJson as unknown as SchemaModel;

const collapse = (v: string): string => v.replace(/[\t\n\r ]+/g, ' ').trim();

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
// xs:integer has no size limit: the 45-digit ds:X509SerialNumber of every signed invoice is valid.
const INTEGER = /^[+-]?\d+$/;
const TZ = '(Z|[+-](0\\d|1[0-3]):[0-5]\\d|[+-]14:00)?';
const DATE = new RegExp(`^-?(\\d{4,})-(\\d\\d)-(\\d\\d)${TZ}$`);
const TIME = new RegExp(`^(\\d\\d):(\\d\\d):(\\d\\d)(\\.\\d+)?${TZ}$`);
const DATETIME = new RegExp(`^-?(\\d{4,})-(\\d\\d)-(\\d\\d)T(\\d\\d):(\\d\\d):(\\d\\d)(\\.\\d+)?${TZ}$`);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})?$/;
// biome-ignore lint/suspicious/noMisleadingCharacterClass: XML's NameChar production lists the combining marks U+0300–U+036F as a range of their own
const NCNAME = /^[\p{L}_][\p{L}\p{N}_.\-\u00B7\u0300-\u036F\u203F-\u2040]*$/u;
const LANGUAGE = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/;

function validDate(y: string, m: string, d: string): boolean {
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const year = Number(y);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days && !/^-?0000$/.test(y);
}

function validTime(h: string, mi: string, s: string, frac: string | undefined): boolean {
  const hour = Number(h);
  if (hour === 24) return mi === '00' && s === '00' && (!frac || /^\.0+$/.test(frac));
  return hour < 24 && Number(mi) < 60 && Number(s) < 60;
}

const CHECKED_BASES = new Set(['decimal', 'integer', 'boolean', 'date', 'time', 'dateTime', 'base64Binary', 'ID', 'NCName', 'language']);

/** Returns a problem description, or undefined when the value is valid for the simple type. */
export function checkSimple(typeId: number, raw: string): string | undefined {
  const t = model.types[typeId] as SimpleTypeModel | TypeModel;
  if (t.kind !== 'simple') return undefined;
  const base = t.base;
  // Other bases accept any text; without an enumeration there is nothing to check.
  if (!t.enumeration && !CHECKED_BASES.has(base)) return undefined;
  let value = raw;
  switch (base) {
    case 'string':
    case 'anyType':
    case 'anySimpleType':
      break;
    case 'normalizedString':
      value = raw.replace(/[\t\n\r]/g, ' ');
      break;
    default:
      value = /[\t\n\r ]/.test(raw) ? collapse(raw) : raw;
  }
  let ok = true;
  switch (base) {
    case 'decimal':
      ok = DECIMAL.test(value);
      break;
    case 'integer':
      ok = INTEGER.test(value);
      break;
    case 'boolean':
      ok = value === 'true' || value === 'false' || value === '1' || value === '0';
      break;
    case 'date': {
      const m = DATE.exec(value);
      ok = !!m && validDate(m[1]!, m[2]!, m[3]!);
      break;
    }
    case 'time': {
      const m = TIME.exec(value);
      ok = !!m && validTime(m[1]!, m[2]!, m[3]!, m[4]);
      break;
    }
    case 'dateTime': {
      const m = DATETIME.exec(value);
      ok = !!m && validDate(m[1]!, m[2]!, m[3]!) && validTime(m[4]!, m[5]!, m[6]!, m[7]);
      break;
    }
    case 'base64Binary':
      ok = BASE64.test(value.replace(/ /g, ''));
      break;
    case 'ID':
    case 'NCName':
      ok = NCNAME.test(value);
      break;
    case 'language':
      ok = LANGUAGE.test(value);
      break;
    default:
      ok = true;
  }
  if (!ok) return `'${shorten(raw)}' is not a valid ${base}`;
  if (t.enumeration && !t.enumeration.includes(value)) return `'${shorten(raw)}' is not one of ${t.enumeration.join(', ')}`;
  return undefined;
}

function shorten(v: string): string {
  return v.length > 40 ? `${v.slice(0, 37)}...` : v;
}
