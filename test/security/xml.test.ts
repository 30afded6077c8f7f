// XML we did not write, at every entry point (validate, verify, generate-hash, sign, the parser the
// sync and server paths use): DTD/XXE, billion laughs, deep nesting, many attributes and namespace
// declarations, too many nodes, bytes that are not UTF-8 and a declared encoding that lies.
import { writeFileSync } from 'node:fs';
import { DOMImplementation } from '@xmldom/xmldom';
import { afterAll, describe, expect, it } from 'vitest';
import { invoiceHashOf } from '../../src/crypto/hash.js';
import { isFawtaraError } from '../../src/errors.js';
import { validateInvoice } from '../../src/rules/index.js';
import { verifyInvoice } from '../../src/stamp/index.js';
import { canonicalize } from '../../src/xml/c14n.js';
import { XML_LIMITS } from '../../src/xml/limits.js';
import { parseInvoiceXml } from '../../src/xml/parse.js';
import { cli, scratch } from '../cli/helpers.js';
import { sdkDir, sdkPath } from '../helpers/sdk.js';

const tmp = scratch();
afterAll(() => tmp.cleanup());

const INVOICE_OPEN =
  '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">';

/** The error every library entry point throws (or reports) for `input`: code and English message. */
function refusals(input: string | Buffer): Array<{ entry: string; code: string; message: string }> {
  const out: Array<{ entry: string; code: string; message: string }> = [];
  const thrown = (entry: string, f: () => unknown): void => {
    try {
      f();
      out.push({ entry, code: 'ACCEPTED', message: '' });
    } catch (error) {
      // A crash (RangeError, TypeError) fails here: every refusal is our typed error.
      expect(isFawtaraError(error), `${entry}: ${String(error)}`).toBe(true);
      out.push({ entry, code: (error as { code: string }).code, message: (error as Error).message });
    }
  };
  thrown('parse', () => parseInvoiceXml(input));
  thrown('verify', () => verifyInvoice(input));
  thrown('generate-hash', () => invoiceHashOf(input));
  const report = validateInvoice(input);
  out.push({ entry: 'validate', code: report.inputError?.code ?? 'ACCEPTED', message: report.inputError?.message ?? '' });
  return out;
}

function expectRefusedEverywhere(input: string | Buffer, code: string, message: RegExp): void {
  const all = refusals(input);
  for (const r of all) {
    expect(r.code, r.entry).toBe(code);
    expect(r.message, r.entry).toMatch(message);
  }
}

describe('XML limits and hostile markup (issue 10 "XML limits")', () => {
  it('DOCTYPE with an external entity (XXE) is refused before parsing: nothing is read or fetched', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>${INVOICE_OPEN}<cbc:ID>&x;</cbc:ID></Invoice>`;
    expectRefusedEverywhere(xxe, 'INVALID_XML', /DOCTYPE or ENTITY declaration is not allowed/);
  });

  it('billion laughs (nested entity expansion) is refused as a DTD, never expanded', () => {
    const lol = [
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`),
      `]>${INVOICE_OPEN}<cbc:ID>&lol9;</cbc:ID></Invoice>`,
    ].join('');
    expectRefusedEverywhere(lol, 'INVALID_XML', /DOCTYPE or ENTITY/);
  });

  it('30,000 nested elements are refused by the depth limit at every entry point (no stack overflow)', () => {
    const deep = `${INVOICE_OPEN}${'<cbc:Note>'.repeat(30_000)}${'</cbc:Note>'.repeat(30_000)}</Invoice>`;
    expectRefusedEverywhere(deep, 'TOO_LARGE', new RegExp(`nested more than ${XML_LIMITS.maxDepth} deep`));
  });

  it('C14N has no recursion: a DOM 30,000 elements deep (built without the parser) canonicalizes', () => {
    const doc = new DOMImplementation().createDocument(null, 'a', null);
    let parent = doc.documentElement!;
    for (let i = 0; i < 30_000; i++) parent = parent.appendChild(doc.createElement('b')) as typeof parent;
    parent.appendChild(doc.createTextNode('x'));
    const text = canonicalize(doc);
    expect(text.length).toBe('<a></a>'.length + 30_000 * '<b></b>'.length + 1);
    expect(text.startsWith('<a><b><b>')).toBe(true);
    expect(text.endsWith(`x${'</b>'.repeat(30_000)}</a>`)).toBe(true);
  });

  it('45,000 attributes on one element are refused by the attribute limit before any parser sees them', () => {
    const attrs = Array.from({ length: 45_000 }, (_, i) => `a${i}="${i}"`).join(' ');
    expectRefusedEverywhere(`${INVOICE_OPEN}<cbc:ID ${attrs}>1</cbc:ID></Invoice>`, 'TOO_LARGE', /an element with 45000 attributes/);
  });

  it('namespace declarations spread over many elements are bounded for the whole document', () => {
    const many = Array.from({ length: XML_LIMITS.maxNamespaceDeclarations + 1 }, (_, i) => `<cbc:Note xmlns:p${i}="urn:x:${i}">n</cbc:Note>`).join('');
    expectRefusedEverywhere(`${INVOICE_OPEN}${many}</Invoice>`, 'TOO_LARGE', /namespace declarations/);
    // An attribute value that merely contains "xmlns" or ">" is not counted or cut.
    expect(() => parseInvoiceXml(`${INVOICE_OPEN}<cbc:Note a="xmlns:x=1 > 2">n</cbc:Note></Invoice>`)).not.toThrow();
  });

  it('too many nodes in total are refused, though each element is small and shallow', () => {
    const wide = `${INVOICE_OPEN}${'<a/>'.repeat(XML_LIMITS.maxNodes + 1)}</Invoice>`;
    expect(Buffer.byteLength(wide)).toBeLessThan(XML_LIMITS.maxBytes);
    expectRefusedEverywhere(wide, 'TOO_LARGE', new RegExp(`more than ${XML_LIMITS.maxNodes} nodes`));
  });

  it('over 10 MB is refused (docs/zatca-notes.md §A10.1: 413 over 10 MB)', () => {
    const big = `${INVOICE_OPEN}<cbc:Note>${'x'.repeat(XML_LIMITS.maxBytes)}</cbc:Note></Invoice>`;
    expectRefusedEverywhere(big, 'TOO_LARGE', /ZATCA accepts at most 10485760 bytes/);
  });

  it('bytes that are not UTF-8 are refused, naming the byte and line, never hashed as U+FFFD', () => {
    const bytes = (mid: number[]) => Buffer.concat([Buffer.from(`${INVOICE_OPEN}\n<cbc:Note>a`), Buffer.from(mid), Buffer.from('b</cbc:Note></Invoice>')]);
    for (const bad of [[0xc3, 0x28], [0x80], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe9]]) {
      expectRefusedEverywhere(bytes(bad), 'INVALID_XML', new RegExp(`not valid UTF-8 \\(byte 0x${bad[0]!.toString(16)} at offset \\d+, line 2\\)`));
    }
    // Valid multi-byte UTF-8 (Arabic, an emoji) is accepted.
    expect(refusals(bytes([...Buffer.from('ضريبة 😀')])).filter((r) => r.entry !== 'validate' && r.code !== 'ACCEPTED')).toEqual([]);
    // Text given as a string with half a surrogate pair has no UTF-8 form: refused, not hashed as U+FFFD.
    expectRefusedEverywhere(`${INVOICE_OPEN}\n<cbc:Note>a\ud800b</cbc:Note></Invoice>`, 'INVALID_XML', /half of a UTF-16 surrogate pair \(line 2\)/);
    // A UTF-16 document (byte order mark) is named as such.
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${INVOICE_OPEN}</Invoice>`, 'utf16le')]);
    expectRefusedEverywhere(utf16, 'INVALID_XML', /UTF-16 byte order mark/);
  });

  it('a document declared UTF-16 whose bytes are UTF-8 is not well-formed (XML 1.0 §4.3.3); UTF-8 in any case passes', () => {
    const declared = (enc: string) => `<?xml version="1.0" encoding="${enc}"?>\n${INVOICE_OPEN}<cbc:ID>1</cbc:ID></Invoice>`;
    expectRefusedEverywhere(declared('UTF-16'), 'INVALID_XML', /encoding="UTF-16" but the bytes are UTF-8.*XML 1\.0 §4\.3\.3/);
    expectRefusedEverywhere(Buffer.from(declared('ISO-8859-1')), 'INVALID_XML', /encoding="ISO-8859-1"/);
    for (const ok of ['UTF-8', 'utf-8']) expect(() => parseInvoiceXml(declared(ok))).not.toThrow();
  });

  it('an undeclared prefix names the prefix and the line, in English and Arabic (never the raw NamespaceError)', () => {
    const xml = `${INVOICE_OPEN}\n<cbc:ID>1</cbc:ID>\n<xades:SigningTime>x</xades:SigningTime></Invoice>`;
    for (const r of refusals(xml)) {
      expect(r.code, r.entry).toBe('INVALID_XML');
      expect(r.message, r.entry).toMatch(/prefix xades is not declared, line 3/);
      expect(r.message, r.entry).not.toMatch(/NamespaceError|non-null/);
    }
    try {
      parseInvoiceXml(xml);
    } catch (error) {
      expect((error as { messageAr: string }).messageAr).toMatch(/البادئة xades غير معرّفة، السطر 3/);
    }
  });
});

describe.skipIf(!sdkDir)('the CLI refuses the same inputs in every command', () => {
  const cert = () => sdkPath('Data', 'Certificates', 'cert.pem');
  const key = () => sdkPath('Data', 'Certificates', 'ec-secp256k1-priv-key.pem');

  it('declared UTF-16, non-UTF-8 bytes and 30,000-deep nesting: validate, verify, generate-hash and sign exit 3 (or 1 for validate) with the reason', async () => {
    const files: Array<[string, Buffer | string, RegExp]> = [
      ['utf16.xml', `<?xml version="1.0" encoding="UTF-16"?>\n${INVOICE_OPEN}<cbc:ID>1</cbc:ID></Invoice>`, /encoding="UTF-16"/],
      ['latin1.xml', Buffer.concat([Buffer.from(`${INVOICE_OPEN}<cbc:ID>`), Buffer.from([0xe9]), Buffer.from('</cbc:ID></Invoice>')]), /not valid UTF-8/],
      ['deep.xml', `${INVOICE_OPEN}${'<cbc:Note>'.repeat(30_000)}${'</cbc:Note>'.repeat(30_000)}</Invoice>`, /nested more than/],
    ];
    for (const [name, content, reason] of files) {
      const file = tmp.path(name);
      writeFileSync(file, content);
      const runs = [
        await cli('generate-hash', '--invoice', file),
        await cli('verify', '--invoice', file),
        await cli('sign', '--invoice', file, '--cert', cert(), '--key', key(), '--signed-invoice', tmp.path(`signed-${name}`)),
      ];
      for (const r of runs) {
        expect(r.code, `${name}: ${r.stderr}`).toBe(3);
        expect(r.stderr, name).toMatch(reason);
        expect(r.stderr, name).not.toMatch(/internal|stack|at .*\.ts:/i);
      }
      const validate = await cli('validate', '--invoice', file, '--json');
      expect(validate.code, name).toBe(1);
      expect(validate.stdout.replace(/\\"/g, '"'), name).toMatch(reason);
    }
  });
});
