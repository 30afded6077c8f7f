// The fast reader (src/xml/fast-parse.ts) against xmldom: every document it accepts must give the
// same tree xmldom gives (nodes, names, namespaces, attributes, text); unusual input is declined.
import { readFileSync } from 'node:fs';
import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { validateDocument } from '../../src/rules/index.js';
import { verifyInvoice } from '../../src/stamp/verify.js';
import { unsignedXml } from '../../src/ubl/document.js';
import { buildInvoice } from '../../src/ubl/writer.js';
import { parseFast } from '../../src/xml/fast-parse.js';
import { decodeXmlBytes } from '../../src/xml/parse.js';
import { olderSamples, sdkDir, sdkPath, signedSamples } from '../helpers/sdk.js';
import { scenarioJson, scenarioNames } from '../helpers/scenarios.js';
import { applyEdits, type MutantRecipe } from '../rules/mutate.js';

interface AnyNode {
  nodeType: number;
  nodeName: string;
  nodeValue?: string | null;
  firstChild: AnyNode | null;
  nextSibling: AnyNode | null;
  parentNode: AnyNode | null;
  namespaceURI?: string | null;
  prefix?: string | null;
  localName?: string | null;
  textContent?: string | null;
  attributes?: {
    length: number;
    item(i: number): { name: string; value: string; namespaceURI: string | null; prefix: string | null; localName: string | null } | null;
  };
}

/** Everything the validator reads of a tree, as one string. */
function dump(node: AnyNode, out: string[] = []): string[] {
  out.push(
    `${node.nodeType}|${node.nodeName}|${node.nodeType === 1 ? `${node.namespaceURI}|${node.prefix}|${node.localName}|${JSON.stringify(node.textContent)}` : JSON.stringify(node.nodeValue)}`,
  );
  if (node.attributes) {
    for (let i = 0; i < node.attributes.length; i++) {
      const a = node.attributes.item(i)!;
      out.push(` @${a.name}=${JSON.stringify(a.value)}|${a.namespaceURI}|${a.prefix}|${a.localName}`);
    }
  }
  for (let n = node.firstChild; n; n = n.nextSibling) {
    expect(n.parentNode).toBe(node);
    dump(n, out);
  }
  out.push('/');
  return out;
}

function xmldom(text: string): AnyNode {
  return new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') throw new Error(message);
    },
  }).parseFromString(text, 'text/xml') as unknown as AnyNode;
}

const NOW = new Date('2024-01-01T00:00:00Z');

/**
 * Asserts the trees agree when the fast parser accepts, and (`judge`) that every layer of the
 * validator and the verifier say the same on both; returns whether the fast parser accepted.
 */
function agrees(text: string, judge = false): boolean {
  const fast = parseFast(text) as unknown as AnyNode | undefined;
  if (!fast) return false;
  const reference = xmldom(text);
  expect(dump(fast).join('\n')).toBe(dump(reference).join('\n'));
  if (judge) {
    type Doc = Parameters<typeof validateDocument>[0];
    expect(validateDocument(fast as unknown as Doc, { now: NOW })).toEqual(validateDocument(reference as unknown as Doc, { now: NOW }));
    expect(verifyInvoice(fast as unknown as Doc)).toEqual(verifyInvoice(reference as unknown as Doc));
  }
  return true;
}

describe('fast reader agrees with xmldom', () => {
  it("on our own engine's invoices (every scenario)", () => {
    for (const name of scenarioNames()) {
      expect(agrees(unsignedXml(buildInvoice(scenarioJson(name))), true), name).toBe(true);
    }
  });

  it.skipIf(!sdkDir)('on every SDK sample (both SDK versions)', () => {
    for (const file of [...signedSamples(), ...olderSamples()]) {
      const text = decodeXmlBytes(readFileSync(file));
      expect(agrees(text, true), file).toBe(true);
    }
  });

  it.skipIf(!sdkDir)('on the SDK-based mutants', () => {
    const { recipes } = JSON.parse(readFileSync(new URL('../fixtures/validation/mutants.recipes.json', import.meta.url), 'utf8')) as {
      recipes: MutantRecipe[];
    };
    let accepted = 0;
    for (const r of recipes.filter((x) => x.base.startsWith('sdk:'))) {
      if (agrees(applyEdits(readFileSync(sdkPath(r.base.slice(4)), 'utf8'), r.edits), true)) accepted++;
    }
    expect(accepted).toBeGreaterThan(0);
  });

  it.each([
    ['entities and character references', '<a x="&lt;&amp;&#65;&#x42;&quot;">&lt;b&gt; &amp; &apos; &#x10FFFF; &#233;</a>', true],
    ['tabs and newlines in attribute values', '<a x="1\t2\n3" y=\'a&#9;b&#xA;c\'>t</a>', true],
    ['CRLF, CR, NEL and LS line endings', '<?xml version="1.0" encoding="UTF-8"?>\r\n<a x="1\r\n2">x\ry\u0085z\u2028w\r\n</a>\r\n', true],
    ['whitespace around the root', '\n <a/>\n\n', true],
    ['namespaces, default and prefixed, redeclared below', '<a xmlns="urn:a" xmlns:p="urn:p" p:x="1"><p:b xmlns:p="urn:q" p:y="2"><c/></p:b><p:d/></a>', true],
    ['empty elements and whitespace in tags', '<a ><b x = "1" /><c></c ></a >', true],
    ['mixed content', '<a>x<b>y</b>z<c/>w</a>', true],
    ['comments inside elements and before the root', '<!-- top --><a>x<!-- c -->y<!---->z<b/><!-- d --></a>', true],
    ['a comment after the root', '<a/><!-- c -->', false],
    ['-- inside a comment', '<a><!-- c -- d --></a>', false],
    ['CDATA', '<a><![CDATA[x]]></a>', false],
    ['a processing instruction', '<a><?p x?></a>', false],
    ['an unknown entity', '<a>&nbsp;</a>', false],
    ['a bare ampersand', '<a>AT&T</a>', false],
    ['an undeclared prefix', '<p:a/>', false],
    ['mismatched tags', '<a><b></a></b>', false],
    ['an unclosed element', '<a><b></b>', false],
    ['two roots', '<a/><b/>', false],
    ['text after the root', '<a/>x', false],
    ['duplicate attributes', '<a x="1" x="2"/>', false],
    ['duplicate expanded names', '<a xmlns:p="urn:p" xmlns:q="urn:p" p:x="1" q:x="2"/>', false],
    ['attributes without whitespace', '<a x="1"y="2"/>', false],
    ['an unquoted attribute', '<a x=1/>', false],
    ['< in an attribute value', '<a x="<"/>', false],
    ['a non-ASCII element name', '<فاتورة/>', false],
    ['the xml prefix', '<a xml:lang="ar"/>', false],
    [']]> in text', '<a>]]></a>', false],
    ['a character reference to a control character', '<a>&#1;</a>', false],
    ['a bad XML declaration', '<?xml version="2.0"?><a/>', false],
  ])('%s', (_name, text, accepted) => {
    expect(agrees(text)).toBe(accepted);
  });
});
