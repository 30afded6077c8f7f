// CSR configuration: the SDK's properties files and the JSON form, and every validation rule naming
// the property at fault (docs/zatca-notes.md §8, docs/zatca-notes.md §A5).
import { describe, expect, it } from 'vitest';
import { isVatGroupNumber } from '../../src/model/identifiers.js';
import {
  CSR_CONFIG_FIELDS,
  CSR_PROPERTY_NAMES,
  formatCsrConfigProperties,
  parseCsrConfig,
  parseCsrConfigJson,
  parseCsrConfigProperties,
  parseJavaProperties,
  validateCsrConfig,
  type CsrConfig,
} from '../../src/crypto/csr-config.js';
import { FawtaraError } from '../../src/errors.js';
import { readSdk, sdkDir } from '../helpers/sdk.js';
import { EXAMPLE_EN } from '../helpers/csr-examples.js';

function propertiesOf(config: Partial<Record<keyof CsrConfig, string>>): string {
  return Object.entries(config)
    .map(([field, value]) => `${CSR_PROPERTY_NAMES[field as keyof CsrConfig]}=${value}\n`)
    .join('');
}

function errorOf(fn: () => unknown): FawtaraError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FawtaraError);
    return error as FawtaraError;
  }
  throw new Error('expected a FawtaraError');
}

describe.skipIf(!sdkDir)('SDK Data/Input csr-config examples (docs/zatca-notes.md §8, SDK csr-config examples)', () => {
  it('csr-config-example-EN.properties gives the values of docs/zatca-notes.md §8 table', () => {
    expect(parseCsrConfigProperties(readSdk('Data', 'Input', 'csr-config-example-EN.properties'))).toEqual(EXAMPLE_EN);
  });

  it('csr-config-example-EN-VAT-group.properties: group VAT (11th digit 1) with the member TIN as OU (docs/zatca-notes.md §A5.2)', () => {
    const config = parseCsrConfigProperties(readSdk('Data', 'Input', 'csr-config-example-EN-VAT-group.properties'));
    expect(config).toEqual({ ...EXAMPLE_EN, organizationIdentifier: '399999999910003', organizationUnitName: '3999999999' });
    expect(isVatGroupNumber(config.organizationIdentifier)).toBe(true);
  });

  it('csr-config-example-AR.properties: UTF-8 Arabic values (no final newline in the file)', () => {
    const config = parseCsrConfigProperties(readSdk('Data', 'Input', 'csr-config-example-AR.properties'));
    expect(config.organizationUnitName).toBe('فرع الرياض');
    expect(config.organizationName).toMatch(/^شركة /);
    expect(config.industryBusinessCategory).toMatch(/[\u0600-\u06FF]/);
    expect(config.industryBusinessCategory).not.toMatch(/\s$/);
    expect({ ...config, organizationUnitName: '', organizationName: '', industryBusinessCategory: '' }).toEqual({
      ...EXAMPLE_EN,
      organizationUnitName: '',
      organizationName: '',
      industryBusinessCategory: '',
    });
  });

  it('csr-config-example-AR-VAT-Group.properties: Arabic names, group VAT, member TIN as OU', () => {
    const config = parseCsrConfigProperties(readSdk('Data', 'Input', 'csr-config-example-AR-VAT-Group.properties'));
    expect(config.organizationIdentifier).toBe('399999999910003');
    expect(config.organizationUnitName).toBe('3999999999');
    expect(config.organizationName).toMatch(/^شركة /);
  });

  it('csr-config-template.properties (all values empty) fails naming every property as required', () => {
    const error = errorOf(() => parseCsrConfigProperties(readSdk('Data', 'Input', 'csr-config-template.properties')));
    expect(error.code).toBe('INVALID_CSR_CONFIG');
    expect(error.field).toBe('csr.common.name');
    expect(error.issues?.map((i) => i.field)).toEqual(Object.values(CSR_PROPERTY_NAMES));
    expect(error.messageAr).toBeTruthy();
  });
});

describe('Java properties syntax (SDK csr-config.properties format)', () => {
  it('comments, "=", ":" and blank separators, surrounding blanks, CRLF, BOM', () => {
    const text = '\uFEFF# comment line\r\n! another comment\r\n\r\n  csr.common.name = EGS-1\r\ncsr.serial.number: 1-A|2-B|3-C\r\ncsr.country.name SA\r\n';
    expect(Object.fromEntries(parseJavaProperties(text))).toEqual({
      'csr.common.name': 'EGS-1',
      'csr.serial.number': '1-A|2-B|3-C',
      'csr.country.name': 'SA',
    });
  });

  it('backslash continuation lines and \\uXXXX escapes (Arabic written as escapes)', () => {
    const text =
      'csr.organization.name=Maximum Speed \\\n    Tech Supply LTD\ncsr.organization.unit.name=\\u0641\\u0631\\u0639 \\u0627\\u0644\\u0631\\u064a\\u0627\\u0636\nkey\\=with\\:escapes=a\\\\b\n';
    expect(Object.fromEntries(parseJavaProperties(text))).toEqual({
      'csr.organization.name': 'Maximum Speed Tech Supply LTD',
      'csr.organization.unit.name': 'فرع الرياض',
      'key=with:escapes': 'a\\b',
    });
  });

  it('a later key overrides an earlier one, as java.util.Properties does', () => {
    expect(parseJavaProperties('a=1\na=2\n').get('a')).toBe('2');
  });

  it('formatCsrConfigProperties writes what parseCsrConfigProperties reads back', () => {
    const arabic = { ...EXAMPLE_EN, organizationUnitName: 'فرع الرياض' };
    expect(parseCsrConfigProperties(formatCsrConfigProperties(arabic))).toEqual(arabic);
  });

  it('an unknown key (typo) is refused, naming it', () => {
    const error = errorOf(() => parseCsrConfigProperties(propertiesOf(EXAMPLE_EN) + 'csr.comon.name=x\n'));
    expect(error.field).toBe('csr.comon.name');
    expect(error.message).toContain('unknown key');
  });
});

describe('JSON form (camelCase names of CsrConfig)', () => {
  it('parses the same values as the properties form', () => {
    expect(parseCsrConfigJson(JSON.stringify(EXAMPLE_EN))).toEqual(EXAMPLE_EN);
    expect(parseCsrConfigJson(EXAMPLE_EN)).toEqual(EXAMPLE_EN);
    expect(parseCsrConfig(JSON.stringify(EXAMPLE_EN))).toEqual(EXAMPLE_EN);
    expect(parseCsrConfig(propertiesOf(EXAMPLE_EN))).toEqual(EXAMPLE_EN);
  });

  it('trims blanks around values', () => {
    expect(parseCsrConfigJson({ ...EXAMPLE_EN, commonName: '  TST-1 ' }).commonName).toBe('TST-1');
  });

  it('a VAT number given as a JSON number is refused (digits would be lost), naming the field', () => {
    const error = errorOf(() => parseCsrConfigJson({ ...EXAMPLE_EN, organizationIdentifier: 399999999900003 }));
    expect(error.field).toBe('organizationIdentifier');
    expect(error.message).toContain('string');
  });

  it('not JSON, not an object, unknown keys', () => {
    expect(errorOf(() => parseCsrConfigJson('{nope')).code).toBe('INVALID_CSR_CONFIG');
    expect(errorOf(() => parseCsrConfigJson('[1]')).code).toBe('INVALID_CSR_CONFIG');
    expect(errorOf(() => parseCsrConfigJson({ ...EXAMPLE_EN, vatNumber: '3' })).field).toBe('vatNumber');
  });
});

describe('validation: each error names the property (docs/zatca-notes.md §A5)', () => {
  const propertiesCase = (patch: Partial<Record<keyof CsrConfig, string>>, drop?: keyof CsrConfig): FawtaraError => {
    const config: Partial<Record<keyof CsrConfig, string>> = { ...EXAMPLE_EN, ...patch };
    if (drop) delete config[drop];
    return errorOf(() => parseCsrConfigProperties(propertiesOf(config), 'egs.properties'));
  };

  it('every field is required: a missing one is named by its property name, with an Arabic message', () => {
    for (const field of CSR_CONFIG_FIELDS) {
      const error = propertiesCase({}, field);
      expect(error.code).toBe('INVALID_CSR_CONFIG');
      expect(error.field).toBe(CSR_PROPERTY_NAMES[field]);
      expect(error.message).toContain(`egs.properties: ${CSR_PROPERTY_NAMES[field]} is required`);
      expect(error.messageAr).toContain(CSR_PROPERTY_NAMES[field]);
    }
  });

  it('the JSON form names the camelCase field', () => {
    const { locationAddress: _, ...rest } = EXAMPLE_EN;
    expect(errorOf(() => parseCsrConfigJson(rest)).field).toBe('locationAddress');
  });

  it.each([
    ['1-TST|2-TST', 'two parts'],
    ['TST|TST|123', 'no 1-/2-/3- prefixes'],
    ['1-TST|2-TST|3-', 'empty third part'],
    ['1-A|2-B|3-C|4-D', 'four parts'],
  ])('csr.serial.number %s (%s) is refused: 1-…|2-…|3-… (docs/zatca-notes.md §A5.1)', (serialNumber) => {
    const error = propertiesCase({ serialNumber });
    expect(error.field).toBe('csr.serial.number');
    expect(error.message).toContain('1-<solution name>|2-<model or version>|3-<device serial>');
    expect(error.rule).toBe('docs/zatca-notes.md §A5.1');
  });

  it.each([
    ['30000000000000', '14 digits'],
    ['300000000000000x', 'not digits'],
    ['200000000000003', 'does not start with 3'],
    ['300000000000002', 'does not end with 3'],
    ['3000000000000003', '16 digits'],
  ])('csr.organization.identifier %s (%s) is refused: 15 digits, starts and ends with 3', (organizationIdentifier) => {
    const error = propertiesCase({ organizationIdentifier });
    expect(error.field).toBe('csr.organization.identifier');
    expect(error.message).toContain('15-digit VAT registration number');
  });

  it('a VAT group number (11th digit 1) needs the 10-digit member TIN as OU (docs/zatca-notes.md §A5.2, SDK EN-VAT-group example)', () => {
    const error = propertiesCase({ organizationIdentifier: '399999999910003', organizationUnitName: 'Riyadh Branch' });
    expect(error.field).toBe('csr.organization.unit.name');
    expect(error.message).toContain('VAT group');
    expect(error.message).toContain('10-digit TIN');
    expect(error.rule).toBe('docs/zatca-notes.md §A5.2');
    // A branch name is fine for an ordinary VAT number, and a TIN is fine for a group.
    expect(() => parseCsrConfigJson({ ...EXAMPLE_EN, organizationIdentifier: '399999999910003', organizationUnitName: '3999999999' })).not.toThrow();
    expect(isVatGroupNumber('399999999900003')).toBe(false);
  });

  it.each([['11000'], ['110'], ['1200'], ['TSCZ'], ['0000'], ['0011']])(
    'csr.invoice.type %s is refused: four 0/1 flags enabling standard or simplified (docs/zatca-notes.md §A4.1)',
    (invoiceType) => {
      const error = propertiesCase({ invoiceType });
      expect(error.field).toBe('csr.invoice.type');
      expect(error.message).toContain('csr.invoice.type');
    },
  );

  it.each([['1000'], ['0100'], ['1100'], ['1111']])('csr.invoice.type %s is accepted', (invoiceType) => {
    expect(parseCsrConfigProperties(propertiesOf({ ...EXAMPLE_EN, invoiceType })).invoiceType).toBe(invoiceType);
  });

  it.each([['Saudi Arabia'], ['sa'], ['S'], ['SAU']])('csr.country.name %s is refused: two capital letters (SA)', (countryName) => {
    const error = propertiesCase({ countryName });
    expect(error.field).toBe('csr.country.name');
    expect(error.message).toContain('SA');
  });

  it('all problems are reported together in issues, the first one in message and field', () => {
    const error = propertiesCase({ serialNumber: 'x', invoiceType: '9', countryName: 'sa' });
    expect(error.field).toBe('csr.serial.number');
    expect(error.issues?.map((i) => i.field)).toEqual(['csr.serial.number', 'csr.invoice.type', 'csr.country.name']);
    expect(error.message).toContain('and 2 more');
  });

  it('validateCsrConfig takes objects from code', () => {
    expect(validateCsrConfig(EXAMPLE_EN)).toEqual(EXAMPLE_EN);
    expect(errorOf(() => validateCsrConfig({ ...EXAMPLE_EN, countryName: undefined })).field).toBe('countryName');
  });
});
