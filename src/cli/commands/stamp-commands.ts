// CLI verbs over single invoices: build, sign, generate-hash, qr, invoice-request, verify
// (the `fatoora` SDK's jobs), each returning an exit code and printing text or --json.
import { basename } from 'node:path';
import { loadCertificate } from '../../crypto/certificate.js';
import { loadPrivateKey } from '../../crypto/keys.js';
import { createSigner } from '../../crypto/signer.js';
import { FawtaraError } from '../../errors.js';
import { describeQr } from '../../qr/invoice-qr.js';
import { qrPng, qrSvg } from '../../qr/image.js';
import { apiRequestOf, invoiceHashOf, signInvoiceXml, verifyInvoice } from '../../stamp/index.js';
import { readAttachment } from '../../stamp/read.js';
import { unsignedXml } from '../../ubl/document.js';
import { parseInvoiceXml } from '../../xml/parse.js';
import { parseJsonFile, readInput, readText, writeOutput } from '../io.js';
import { EXIT, type Io } from '../output.js';

export interface Common {
  json?: boolean;
}

function print(io: Io, json: boolean | undefined, value: Record<string, unknown>, text: string): void {
  io.out(json ? JSON.stringify({ ok: true, ...value }, null, 2) : text);
}

export async function buildCommand(opts: Common & { input: string; output?: string }, io: Io): Promise<number> {
  const { buildInvoice } = await import('../../ubl/writer.js');
  const doc = buildInvoice(parseJsonFile(opts.input, 'invoice JSON'));
  const xml = unsignedXml(doc);
  if (opts.output) writeOutput(opts.output, xml);
  if (opts.json) print(io, true, { output: opts.output ?? null, uuid: doc.facts.uuid, id: doc.facts.id, ...(opts.output ? {} : { xml }) }, '');
  else if (opts.output) io.err(`built ${doc.facts.id} (${doc.facts.uuid}) → ${opts.output}`);
  else io.out(xml);
  return EXIT.ok;
}

/** The SDK signs with its configured certificate; we take options, then environment variables. */
function signingMaterial(opts: { cert?: string; key?: string }): { certPath: string; keyPath: string } {
  const certPath = opts.cert ?? process.env.FAWTARA_CERT;
  const keyPath = opts.key ?? process.env.FAWTARA_PRIVATE_KEY;
  if (!certPath || !keyPath) {
    throw new FawtaraError(
      'USAGE',
      'signing needs a certificate and its private key: give --cert FILE and --key FILE (or set FAWTARA_CERT and FAWTARA_PRIVATE_KEY)',
      {
        field: certPath ? '--key' : '--cert',
        messageAr: 'التوقيع يتطلب شهادة ومفتاحها الخاص: استخدم ‎--cert و ‎--key',
      },
    );
  }
  return { certPath, keyPath };
}

export async function signCommand(
  opts: Common & { invoice: string; cert?: string; key?: string; signedInvoice?: string; icv?: string; pih?: string; signingTime?: string },
  io: Io,
): Promise<number> {
  const { certPath, keyPath } = signingMaterial(opts);
  const certificate = loadCertificate(readInput(certPath, 'certificate'), certPath);
  const signer = createSigner(loadPrivateKey(readInput(keyPath, 'private key'), keyPath));
  let icv: number | undefined;
  if (opts.icv !== undefined) {
    if (!/^\d+$/.test(opts.icv) || Number(opts.icv) < 1) {
      throw new FawtaraError('USAGE', `--icv must be a whole number from 1 (got "${opts.icv}")`, {
        field: '--icv',
        rule: 'BR-KSA-34',
        messageAr: 'يجب أن يكون عداد الفاتورة رقماً صحيحاً موجباً',
      });
    }
    icv = Number(opts.icv);
  }
  let signingTime: Date | undefined;
  if (opts.signingTime !== undefined) {
    signingTime = new Date(opts.signingTime);
    if (Number.isNaN(signingTime.getTime())) {
      throw new FawtaraError('USAGE', `--signing-time must be an ISO date-time such as 2026-11-21T10:00:00Z (got "${opts.signingTime}")`, {
        field: '--signing-time',
        messageAr: 'وقت التوقيع يجب أن يكون بصيغة ISO',
      });
    }
  }
  const stamped = signInvoiceXml(readInput(opts.invoice, 'invoice'), {
    certificate,
    signer,
    source: opts.invoice,
    ...(icv !== undefined && { icv }),
    ...(opts.pih !== undefined && { pih: opts.pih.trim() }),
    ...(signingTime && { signingTime }),
  });
  const out = opts.signedInvoice;
  if (out) writeOutput(out, stamped.xml);
  if (opts.json) {
    print(
      io,
      true,
      { signedInvoice: out ?? null, invoiceHash: stamped.invoiceHash, uuid: stamped.facts.uuid, qr: stamped.qr, ...(out ? {} : { xml: stamped.xml }) },
      '',
    );
  } else if (out) {
    io.out(`signed ${basename(opts.invoice)} → ${out}\ninvoice hash: ${stamped.invoiceHash}`);
  } else {
    io.out(stamped.xml);
  }
  return EXIT.ok;
}

export async function hashCommand(opts: Common & { invoice: string }, io: Io): Promise<number> {
  const hash = invoiceHashOf(readInput(opts.invoice, 'invoice'), { source: opts.invoice });
  print(io, opts.json, { invoiceHash: hash.base64, hex: hash.bytes.toString('hex') }, hash.base64);
  return EXIT.ok;
}

export async function qrCommand(opts: Common & { invoice: string; png?: string; svg?: string }, io: Io): Promise<number> {
  const doc = parseInvoiceXml(readInput(opts.invoice, 'invoice'), { source: opts.invoice });
  const qr = readAttachment(doc, 'QR')?.text.trim();
  if (!qr) {
    throw new FawtaraError('QR_INVALID', `${opts.invoice} has no QR (cac:AdditionalDocumentReference with cbc:ID QR); sign it first`, {
      field: opts.invoice,
      rule: 'KSA-14',
      messageAr: 'الفاتورة لا تحتوي على رمز QR؛ قم بتوقيعها أولاً',
    });
  }
  const tags = describeQr(qr);
  if (opts.png) writeOutput(opts.png, await qrPng(qr));
  if (opts.svg) writeOutput(opts.svg, await qrSvg(qr));
  const lines = [qr, ...tags.map((t) => `  tag ${t.tag} (${t.name}, ${t.length} bytes): ${t.value}`)];
  print(io, opts.json, { qr, tags, ...(opts.png && { png: opts.png }), ...(opts.svg && { svg: opts.svg }) }, lines.join('\n'));
  return EXIT.ok;
}

export async function invoiceRequestCommand(opts: Common & { invoice: string; apiRequest?: string }, io: Io): Promise<number> {
  const request = apiRequestOf(readInput(opts.invoice, 'invoice'), opts.invoice);
  const text = JSON.stringify(request, null, 2);
  if (opts.apiRequest) {
    writeOutput(opts.apiRequest, text + '\n');
    print(io, opts.json, { apiRequest: opts.apiRequest, invoiceHash: request.invoiceHash, uuid: request.uuid }, `API request → ${opts.apiRequest}`);
  } else {
    io.out(text);
  }
  return EXIT.ok;
}

export async function verifyCommand(opts: Common & { invoice: string; cert?: string; pih?: string }, io: Io): Promise<number> {
  const result = verifyInvoice(readInput(opts.invoice, 'invoice'), {
    source: opts.invoice,
    ...(opts.cert && { certificate: readText(opts.cert, 'certificate') }),
    ...(opts.pih && { pih: opts.pih }),
  });
  if (opts.json) {
    io.out(JSON.stringify({ ok: result.ok, invoice: opts.invoice, invoiceHash: result.invoiceHash, checks: result.checks }, null, 2));
  } else {
    const lines = [`${opts.invoice}: ${result.ok ? 'VALID' : 'INVALID'}`, `  invoice hash ${result.invoiceHash}`];
    for (const c of result.checks) {
      if (c.status === 'pass' || c.status === 'skip') continue;
      lines.push(`  ${c.status.toUpperCase()} [${c.layer}] ${c.id}${c.code ? ` (${c.code})` : ''}: ${c.message}`);
      if (c.expected !== undefined) lines.push(`      expected ${c.expected}\n      found    ${c.actual}`);
    }
    const counts = { pass: 0, fail: 0, warn: 0, skip: 0 };
    for (const c of result.checks) counts[c.status]++;
    lines.push(`  ${counts.pass} checks passed, ${counts.fail} failed, ${counts.warn} warnings`);
    io.out(lines.join('\n'));
  }
  return result.ok ? EXIT.ok : EXIT.invalid;
}
