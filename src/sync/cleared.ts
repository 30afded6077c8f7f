// A cleared document a branch hands over is evidence only when ZATCA's stamp on it verifies with the
// environment's stamp certificate and it is the branch's own document (same UUID and invoice hash).
import { findSignatures, readSignatureParts } from '../stamp/read.js';
import { verifyInvoice } from '../stamp/index.js';
import { parseInvoiceXml } from '../xml/parse.js';
import { readDocumentContent } from '../stamp/read.js';

export function verifyCleared(
  clearedBase64: string,
  original: { uuid: string; invoiceHash: string; number: string },
  stampCertificates: readonly string[],
): { xml: string } | { problem: string } {
  const xml = Buffer.from(clearedBase64, 'base64').toString('utf8');
  if (Buffer.from(xml, 'utf8').toString('base64') !== clearedBase64) return { problem: 'the cleared XML is not valid UTF-8' };
  if (stampCertificates.length === 0)
    return { problem: "no ZATCA stamp certificate is registered for the unit's environment (fawtara sync authorities add), so the stamp cannot be checked" };
  let doc: ReturnType<typeof parseInvoiceXml>;
  try {
    doc = parseInvoiceXml(xml, { source: `${original.number} (cleared)`, readOnly: true });
  } catch (error) {
    return { problem: `the cleared XML does not parse: ${(error as Error).message}` };
  }
  const signatures = findSignatures(doc);
  if (signatures.length !== 1) return { problem: `the cleared XML carries ${signatures.length} stamps; ZATCA's cleared document carries one` };
  const embedded = (readSignatureParts(signatures[0]!).certificateText ?? '').replace(/\s+/g, '');
  const stamp = stampCertificates.find((c) => c === embedded);
  if (!stamp) return { problem: "the cleared XML is not stamped with the environment's ZATCA stamp certificate" };
  const result = verifyInvoice(doc, { certificate: stamp });
  const failed = result.checks.filter((c) => c.status === 'fail');
  if (failed.length) return { problem: `ZATCA's stamp on the cleared XML does not verify: ${failed.map((c) => `${c.id}: ${c.message}`).join('; ')}` };
  const uuid = readDocumentContent(doc).uuid;
  if (uuid !== original.uuid) return { problem: `the cleared XML is document ${uuid ?? '(no UUID)'}, not ${original.uuid}` };
  if (result.invoiceHash !== original.invoiceHash)
    return { problem: `the cleared XML's invoice hash ${result.invoiceHash} is not the branch document's ${original.invoiceHash}: it is another document` };
  return { xml };
}
