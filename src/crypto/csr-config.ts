// CSR configuration: reading ZATCA's SDK `csr-config.properties` files and the equivalent JSON form,
// and validating every value before it can reach a CSR (docs/zatca-notes.md §8, docs/zatca-notes.md §A5).
import { FawtaraError } from '../errors.js';
import { EGS_SERIAL, isVatGroupNumber, TIN, VAT_NUMBER } from '../model/identifiers.js';

/**
 * What an EGS unit's CSR says about it. The JSON form uses exactly these camelCase names; the
 * properties form uses the SDK's dotted names (right-hand comments, and {@link CSR_PROPERTY_NAMES}).
 *
 * JSON example:
 * ```json
 * {
 *   "commonName": "TST-886431145-399999999900003",
 *   "serialNumber": "1-TST|2-TST|3-ed22f1d8-e6a2-1118-9b58-d9a8f11e445f",
 *   "organizationIdentifier": "399999999900003",
 *   "organizationUnitName": "Riyadh Branch",
 *   "organizationName": "Maximum Speed Tech Supply LTD",
 *   "countryName": "SA",
 *   "invoiceType": "1100",
 *   "locationAddress": "RRRD2929",
 *   "industryBusinessCategory": "Supply activities"
 * }
 * ```
 */
export interface CsrConfig {
  /** `csr.common.name` → subject CN: the EGS unit's name or asset number. */
  commonName: string;
  /** `csr.serial.number` → SAN SN: `1-<solution>|2-<model or version>|3-<serial>`. */
  serialNumber: string;
  /** `csr.organization.identifier` → SAN UID: the 15-digit VAT number (the group's, for a VAT group). */
  organizationIdentifier: string;
  /** `csr.organization.unit.name` → subject OU: branch name; for a VAT group the member's 10-digit TIN. */
  organizationUnitName: string;
  /** `csr.organization.name` → subject O: the taxpayer's legal name. */
  organizationName: string;
  /** `csr.country.name` → subject C: two-letter country code (`SA`). */
  countryName: string;
  /** `csr.invoice.type` → SAN title: four 0/1 flags, standard, simplified, then two reserved (TSCZ). */
  invoiceType: string;
  /** `csr.location.address` → SAN registeredAddress: the branch's address (e.g. national short address). */
  locationAddress: string;
  /** `csr.industry.business.category` → SAN businessCategory: the taxpayer's industry. */
  industryBusinessCategory: string;
}

export type CsrConfigField = keyof CsrConfig;

/** The SDK's property name for each field, in the order the SDK's files list them. */
export const CSR_PROPERTY_NAMES: Readonly<Record<CsrConfigField, string>> = Object.freeze({
  commonName: 'csr.common.name',
  serialNumber: 'csr.serial.number',
  organizationIdentifier: 'csr.organization.identifier',
  organizationUnitName: 'csr.organization.unit.name',
  organizationName: 'csr.organization.name',
  countryName: 'csr.country.name',
  invoiceType: 'csr.invoice.type',
  locationAddress: 'csr.location.address',
  industryBusinessCategory: 'csr.industry.business.category',
});

export const CSR_CONFIG_FIELDS = Object.keys(CSR_PROPERTY_NAMES) as CsrConfigField[];

/** How the input named its fields, so errors can quote the name the user actually wrote. */
export type CsrConfigNaming = 'json' | 'properties';

const ARABIC_LABELS: Readonly<Record<CsrConfigField, string>> = {
  commonName: 'الاسم الشائع (اسم وحدة الفوترة)',
  serialNumber: 'الرقم التسلسلي لوحدة الفوترة',
  organizationIdentifier: 'الرقم الضريبي',
  organizationUnitName: 'اسم الفرع',
  organizationName: 'اسم المنشأة',
  countryName: 'رمز الدولة',
  invoiceType: 'نوع الفواتير',
  locationAddress: 'العنوان',
  industryBusinessCategory: 'نشاط المنشأة',
};

interface Issue {
  field: string;
  message: string;
  messageAr: string;
  rule: string;
}

/**
 * Validate a configuration keyed by {@link CsrConfig} field names and return it with values trimmed.
 * `naming` only decides how errors name a field: the camelCase name (JSON, callers in code) or the
 * SDK's property name. Every problem is collected; the error names the first and lists all in `issues`.
 */
export function validateCsrConfig(input: Partial<Record<CsrConfigField, unknown>>, options: { naming?: CsrConfigNaming; source?: string } = {}): CsrConfig {
  const naming = options.naming ?? 'json';
  const source = options.source ?? 'CSR configuration';
  const nameOf = (field: CsrConfigField): string => (naming === 'properties' ? CSR_PROPERTY_NAMES[field] : field);
  const issues: Issue[] = [];
  const values = readFields(input, nameOf, issues);

  const { serialNumber, organizationIdentifier, organizationUnitName, countryName, invoiceType } = values;

  if (serialNumber !== undefined && !EGS_SERIAL.test(serialNumber)) {
    issues.push({
      field: nameOf('serialNumber'),
      rule: 'docs/zatca-notes.md §A5.1',
      message: `${nameOf('serialNumber')} must have three parts separated by "|": 1-<solution name>|2-<model or version>|3-<device serial>, e.g. 1-TST|2-TST|3-ed22f1d8-e6a2-1118-9b58-d9a8f11e445f; got "${serialNumber}"`,
      messageAr: `الحقل ${nameOf('serialNumber')} يجب أن يتكون من ثلاثة أجزاء مفصولة بـ "|": ‎1-اسم الحل|2-الطراز أو الإصدار|3-الرقم التسلسلي`,
    });
  }

  let vatValid = false;
  if (organizationIdentifier !== undefined) {
    if (!VAT_NUMBER.test(organizationIdentifier)) {
      issues.push({
        field: nameOf('organizationIdentifier'),
        rule: 'docs/zatca-notes.md §A5',
        message: `${nameOf('organizationIdentifier')} must be the 15-digit VAT registration number, starting and ending with 3 (e.g. 399999999900003); got "${organizationIdentifier}"`,
        messageAr: `الحقل ${nameOf('organizationIdentifier')} يجب أن يكون رقم التسجيل الضريبي المكوّن من 15 رقماً يبدأ وينتهي بالرقم 3`,
      });
    } else {
      vatValid = true;
    }
  }

  if (vatValid && organizationUnitName !== undefined && isVatGroupNumber(organizationIdentifier!) && !TIN.test(organizationUnitName)) {
    issues.push({
      field: nameOf('organizationUnitName'),
      rule: 'docs/zatca-notes.md §A5.2',
      message: `${nameOf('organizationIdentifier')} ${organizationIdentifier} is a VAT group number (11th digit is 1), so ${nameOf('organizationUnitName')} must be the 10-digit TIN of the group member that runs this unit, not "${organizationUnitName}"`,
      messageAr: `الرقم ${organizationIdentifier} رقم مجموعة ضريبية (الخانة 11 هي 1)، لذا يجب أن يكون الحقل ${nameOf('organizationUnitName')} الرقم المميز (TIN) للعضو المكوّن من 10 أرقام`,
    });
  }

  if (invoiceType !== undefined) {
    if (!/^[01]{4}$/.test(invoiceType)) {
      issues.push({
        field: nameOf('invoiceType'),
        rule: 'docs/zatca-notes.md §A4.1',
        message: `${nameOf('invoiceType')} must be four digits 0 or 1 (standard, simplified, then two reserved flags), e.g. 1100 for both standard and simplified, 1000 standard only, 0100 simplified only; got "${invoiceType}"`,
        messageAr: `الحقل ${nameOf('invoiceType')} يجب أن يتكون من أربع خانات كل منها 0 أو 1 (قياسية، مبسطة، ثم خانتان محجوزتان)، مثل 1100`,
      });
    } else if (!invoiceType.startsWith('1') && invoiceType[1] !== '1') {
      // A unit that may issue neither kind could never pass the compliance checks.
      issues.push({
        field: nameOf('invoiceType'),
        rule: 'docs/zatca-notes.md §A4.1',
        message: `${nameOf('invoiceType')} must enable standard (1st digit) or simplified (2nd digit) invoices, or both; got "${invoiceType}"`,
        messageAr: `الحقل ${nameOf('invoiceType')} يجب أن يفعّل الفواتير القياسية (الخانة الأولى) أو المبسطة (الخانة الثانية) أو كلتيهما`,
      });
    }
  }

  if (countryName !== undefined && !/^[A-Z]{2}$/.test(countryName)) {
    issues.push({
      field: nameOf('countryName'),
      rule: 'docs/zatca-notes.md §A5',
      message: `${nameOf('countryName')} must be a two-letter ISO 3166 country code in capitals (SA for Saudi Arabia); got "${countryName}"`,
      messageAr: `الحقل ${nameOf('countryName')} يجب أن يكون رمز الدولة من حرفين كبيرين (SA للمملكة العربية السعودية)`,
    });
  }

  if (issues.length > 0) throw configError(source, issues);
  return values as CsrConfig;
}

/** Each field present, text, and trimmed; an issue for each that is not. */
function readFields(input: Partial<Record<CsrConfigField, unknown>>, nameOf: (field: CsrConfigField) => string, issues: Issue[]): Partial<CsrConfig> {
  const values: Partial<CsrConfig> = {};

  for (const field of CSR_CONFIG_FIELDS) {
    const raw = input[field];
    const name = nameOf(field);
    if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
      issues.push({
        field: name,
        rule: 'docs/zatca-notes.md §A5',
        message: `${name} is required and must not be empty`,
        messageAr: `الحقل ${name} (${ARABIC_LABELS[field]}) مطلوب ولا يجوز أن يكون فارغاً`,
      });
      continue;
    }
    if (typeof raw !== 'string') {
      issues.push({
        field: name,
        rule: 'docs/zatca-notes.md §A5',
        message: `${name} must be text (a string), got ${typeof raw}${field === 'organizationIdentifier' ? '; write the VAT number in quotes so no digit is lost' : ''}`,
        messageAr: `الحقل ${name} (${ARABIC_LABELS[field]}) يجب أن يكون نصاً`,
      });
      continue;
    }
    // Leading/trailing blanks would land verbatim in the CSR, where nobody sees them but ZATCA does.
    values[field] = raw.trim();
  }
  return values;
}

/**
 * Parse Java properties text (as `java.util.Properties.load` does: `#`/`!` comments, `key=value`,
 * `key: value` or `key value`, backslash continuations and escapes including `\uXXXX`), read as
 * UTF-8 because that is how the SDK's Arabic examples are written. Later keys override earlier ones.
 */
export function parseJavaProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // A line ending in an odd number of backslashes continues on the next one, minus its indentation.
    while (endsWithOddBackslashes(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    }
    if (endsWithOddBackslashes(line)) line = line.slice(0, -1);

    let keyEnd = 0;
    while (keyEnd < line.length) {
      const c = line[keyEnd]!;
      if (c === '\\') {
        keyEnd += 2;
        continue;
      }
      if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
      keyEnd++;
    }
    const key = unescapeProperties(line.slice(0, Math.min(keyEnd, line.length)));
    let rest = line.slice(keyEnd).replace(/^[ \t\f]+/, '');
    if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]+/, '');
    result.set(key, unescapeProperties(rest));
  }
  return result;
}

function endsWithOddBackslashes(line: string): boolean {
  let n = 0;
  for (let j = line.length - 1; j >= 0 && line[j] === '\\'; j--) n++;
  return n % 2 === 1;
}

function unescapeProperties(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    switch (e) {
      case 't':
        return '\t';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 'f':
        return '\f';
      default:
        return e;
    }
  });
}

const FIELD_BY_PROPERTY = new Map(CSR_CONFIG_FIELDS.map((f) => [CSR_PROPERTY_NAMES[f], f] as const));

/** Read the SDK's `csr-config.properties` form (UTF-8). `source` names the file in errors. */
export function parseCsrConfigProperties(text: string | Buffer, source = 'csr-config.properties'): CsrConfig {
  const properties = parseJavaProperties(typeof text === 'string' ? text : text.toString('utf8'));
  const input: Partial<Record<CsrConfigField, unknown>> = {};
  const unknown: Issue[] = [];
  for (const [key, value] of properties) {
    const field = FIELD_BY_PROPERTY.get(key);
    if (field) input[field] = value;
    else unknown.push(unknownKeyIssue(key, [...FIELD_BY_PROPERTY.keys()]));
  }
  if (unknown.length > 0) throw configError(source, unknown);
  return validateCsrConfig(input, { naming: 'properties', source });
}

/** Read the JSON form (camelCase names as in {@link CsrConfig}), as text or as an already parsed value. */
export function parseCsrConfigJson(json: string | Buffer | unknown, source = 'CSR configuration (JSON)'): CsrConfig {
  let value: unknown = json;
  if (typeof json === 'string' || Buffer.isBuffer(json)) {
    try {
      value = JSON.parse((typeof json === 'string' ? json : json.toString('utf8')).replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new FawtaraError('INVALID_CSR_CONFIG', `${source}: not valid JSON (${(error as Error).message})`, {
        field: source,
        messageAr: `${source}: ليس نص JSON صالحاً`,
        cause: error,
      });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FawtaraError('INVALID_CSR_CONFIG', `${source}: expected a JSON object with the fields ${CSR_CONFIG_FIELDS.join(', ')}`, {
      field: source,
      messageAr: `${source}: يجب أن يكون كائن JSON يحتوي الحقول ${CSR_CONFIG_FIELDS.join('، ')}`,
    });
  }
  const known = new Set<string>(CSR_CONFIG_FIELDS);
  const unknown = Object.keys(value)
    .filter((k) => !known.has(k))
    .map((k) => unknownKeyIssue(k, CSR_CONFIG_FIELDS));
  if (unknown.length > 0) throw configError(source, unknown);
  return validateCsrConfig(value as Partial<Record<CsrConfigField, unknown>>, { naming: 'json', source });
}

/** Either form: text starting with `{` is JSON, anything else the properties form. */
export function parseCsrConfig(text: string | Buffer, source?: string): CsrConfig {
  const s = (typeof text === 'string' ? text : text.toString('utf8')).replace(/^\uFEFF/, '');
  return s.trimStart().startsWith('{') ? parseCsrConfigJson(s, source) : parseCsrConfigProperties(s, source);
}

/** The properties text the SDK would read for `config` (non-ASCII kept as UTF-8, as in its AR examples). */
export function formatCsrConfigProperties(config: CsrConfig): string {
  const escapeValue = (v: string): string =>
    v
      .replace(/\\/g, '\\\\')
      .replace(/\n/g, '\\n')
      .replace(/\r/g, '\\r')
      .replace(/^[ \t\f]/, (c) => '\\' + c);
  return CSR_CONFIG_FIELDS.map((f) => `${CSR_PROPERTY_NAMES[f]}=${escapeValue(config[f])}\n`).join('');
}

function unknownKeyIssue(key: string, valid: readonly string[]): Issue {
  return {
    field: key,
    rule: 'docs/zatca-notes.md §A5',
    message: `unknown key "${key}"; the valid keys are ${valid.join(', ')}`,
    messageAr: `المفتاح "${key}" غير معروف؛ المفاتيح المقبولة: ${valid.join('، ')}`,
  };
}

function configError(source: string, issues: Issue[]): FawtaraError {
  const first = issues[0]!;
  const more =
    issues.length > 1
      ? ` (and ${issues.length - 1} more: ${issues
          .slice(1)
          .map((i) => i.field)
          .join(', ')})`
      : '';
  const moreAr = issues.length > 1 ? ` (و${issues.length - 1} مشكلة أخرى)` : '';
  return new FawtaraError('INVALID_CSR_CONFIG', `${source}: ${first.message}${more}`, {
    field: first.field,
    rule: first.rule,
    messageAr: `${source}: ${first.messageAr}${moreAr}`,
    issues: issues.map(({ field, message, messageAr, rule }) => ({ field, message, messageAr, rule })),
  });
}
