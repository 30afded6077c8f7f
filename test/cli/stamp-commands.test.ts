// The fatoora-compatible verbs on ZATCA's SDK samples: sign, generate-hash, qr, invoice-request,
// verify, in Fawtara's and the SDK's spellings, with clear errors and documented exit codes.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { findSignatures, readSignatureParts } from '../../src/stamp/read.js';
import { parseInvoiceXml } from '../../src/xml/parse.js';
import { sdkDir, sdkPath, signedSamples } from '../helpers/sdk.js';
import { cli, scratch } from './helpers.js';

const tmp = scratch();
afterAll(() => tmp.cleanup());

describe.skipIf(!sdkDir)('fatoora verbs on SDK samples', () => {
  const sample = () => signedSamples().find((f) => f.endsWith('Simplified_Invoice.xml'))!;
  const cert = () => sdkPath('Data', 'Certificates', 'cert.pem');
  const key = () => sdkPath('Data', 'Certificates', 'ec-secp256k1-priv-key.pem');

  it('generate-hash prints the DigestValue of Simplified_Invoice.xml (docs/zatca-notes.md §5), SDK spelling too', async () => {
    const expected = readSignatureParts(findSignatures(parseInvoiceXml(readFileSync(sample())))[0]!).invoiceDigest!;
    const ours = await cli('generate-hash', '--invoice', sample());
    expect(ours).toMatchObject({ code: 0 });
    expect(ours.stdout.trim()).toBe(expected);
    const sdk = await cli('-generateHash', '-invoice', sample());
    expect(sdk.stdout.trim()).toBe(expected);
    const json = JSON.parse((await cli('generate-hash', '--invoice', sample(), '--json')).stdout);
    expect(json).toMatchObject({ ok: true, invoiceHash: expected });
  });

  it('sign then verify (SDK spelling -sign -invoice -signedInvoice), ICV/PIH overrides land in the XML', async () => {
    const out = tmp.path('signed.xml');
    const pih = 'z5F9qsS6oWyDhehD8u8S0DaxV+2CUiUz9Y+UsR61JgQ=';
    const r = await cli('-sign', '-invoice', sample(), '-signedInvoice', out, '--cert', cert(), '--key', key(), '--icv', '7', '--pih', pih);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const xml = readFileSync(out, 'utf8');
    expect(xml).toMatch(/<cbc:ID>ICV<\/cbc:ID>\s*<cbc:UUID>7<\/cbc:UUID>/);
    expect(xml).toContain(pih);
    const v = await cli('verify', '--invoice', out, '--cert', cert(), '--pih', pih);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('VALID');
  });

  it('verify exits 1 and names the failed checks when an amount changed after signing', async () => {
    const bad = tmp.path('tampered.xml');
    writeFileSync(bad, readFileSync(sample(), 'utf8').replace('<cbc:PayableAmount currencyID="SAR">', '<cbc:PayableAmount currencyID="SAR">1'));
    const v = await cli('verify', '--invoice', bad);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain('invoice-hash');
    expect(v.stdout).toContain('qr-tag-4');
  });

  it('qr prints the base64 and decoded tags 1–9 of a simplified sample (docs/zatca-notes.md §7) and writes PNG/SVG', async () => {
    const png = tmp.path('qr.png');
    const svg = tmp.path('qr.svg');
    const r = await cli('-qr', '-invoice', sample(), '--png', png, '--svg', svg, '--json');
    const json = JSON.parse(r.stdout);
    expect(json.tags.map((t: { tag: number }) => t.tag)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(json.tags[2].value).toBe('2022-08-17T17:41:08');
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    expect(readFileSync(svg, 'utf8')).toContain('<svg');
  });

  it('invoice-request writes {invoiceHash, uuid, invoice} with the exact bytes (docs/zatca-notes.md §A2.6)', async () => {
    const out = tmp.path('request.json');
    const r = await cli('-invoiceRequest', '-invoice', sample(), '-apiRequest', out);
    expect(r.code).toBe(0);
    const body = JSON.parse(readFileSync(out, 'utf8'));
    expect(body.uuid).toBe('8e6000cf-1a98-4174-b3e7-b5d5954bc10d');
    expect(Buffer.from(body.invoice, 'base64').equals(readFileSync(sample()))).toBe(true);
    expect(body.invoiceHash).toBe('z5F9qsS6oWyDhehD8u8S0DaxV+2CUiUz9Y+UsR61JgQ=');
  });

  it('a key that does not match the certificate: exit 3, one clear message, no output file', async () => {
    const other = tmp.path('other.key');
    const gen = await cli(
      'csr',
      '--csr-config',
      sdkPath('Data', 'Input', 'csr-config-example-EN.properties'),
      '--private-key',
      other,
      '--generated-csr',
      tmp.path('x.csr'),
    );
    expect(gen.code).toBe(0);
    const out = tmp.path('never.xml');
    const r = await cli('sign', '--invoice', sample(), '--cert', cert(), '--key', other, '--signed-invoice', out);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('KEY_CERT_MISMATCH');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('bad input gets one clear message and a non-zero exit code', () => {
  it('a file that does not exist → exit 3 naming the file', async () => {
    const r = await cli('generate-hash', '--invoice', 'no-such-file.xml');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no-such-file.xml does not exist');
  });

  it('malformed XML → exit 3, INVALID_XML with the parser finding, no stack trace', async () => {
    const f = scratch();
    writeFileSync(f.path('bad.xml'), '<Invoice><cbc:ID>1</Invoice>');
    const r = await cli('verify', '--invoice', f.path('bad.xml'));
    f.cleanup();
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('INVALID_XML');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an XML file whose root is not Invoice → exit 3', async () => {
    const f = scratch();
    writeFileSync(f.path('note.xml'), '<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"/>');
    const r = await cli('generate-hash', '--invoice', f.path('note.xml'), '--json');
    f.cleanup();
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).error.code).toBe('INVALID_XML');
  });

  it('an entity declaration (XML bomb, external entity) is refused, never expanded or fetched', async () => {
    const f = scratch();
    writeFileSync(f.path('bomb.xml'), '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><Invoice>&b;</Invoice>');
    writeFileSync(f.path('xxe.xml'), '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Invoice>&e;</Invoice>');
    for (const name of ['bomb.xml', 'xxe.xml']) {
      const r = await cli('generate-hash', '--invoice', f.path(name));
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('DOCTYPE');
    }
    f.cleanup();
  });

  it('a missing required option → usage error, exit 2', async () => {
    const r = await cli('sign');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--invoice');
  });

  it('an unknown command → exit 2', async () => {
    expect((await cli('frobnicate')).code).toBe(2);
  });
});
