// The PDF/A-3b file around the page plans (pdfkit): XMP with the PDF/A identification, the sRGB
// output intent, embedded subset fonts, and the signed XML as an associated file (AFRelationship Data).
import PDFDocument from 'pdfkit';
import { fonts } from './fonts.js';
import { type PagePlan, PageWriter } from './canvas.js';

export interface PdfMeta {
  title: string;
  subject: string;
  author?: string;
  /** BCP 47 language of the text (`ar`, `en`). */
  lang: string;
  /** The document's own date: metadata never carries the time of rendering, so output is reproducible. */
  created: Date;
  attachment: { name: string; bytes: Uint8Array; description: string };
}

/** pdfkit 0.20 takes the PDF/A-3 relationship of an attachment; its published types lag behind. */
type AttachmentOptions = PDFKit.Mixins.PDFAttachmentOptions & { relationship: 'Data' | 'Source' | 'Alternative' | 'Supplement' | 'Unspecified' };

/** XMP is written by pdfkit without escaping: keep metadata text free of XML markup characters. */
const xmpSafe = (s: string): string =>
  s
    .replace(/[<>&"]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

export function writePdf(pages: PagePlan[], meta: PdfMeta): Buffer {
  const doc = new PDFDocument({
    autoFirstPage: false,
    pdfVersion: '1.7',
    subset: 'PDF/A-3b',
    // our font from the start: PDF/A allows no unembedded standard font, and it is parsed once
    font: fonts().regular.font as unknown as string,
    lang: meta.lang,
    displayTitle: true,
    info: {
      Title: xmpSafe(meta.title),
      Subject: xmpSafe(meta.subject),
      ...(meta.author && { Author: xmpSafe(meta.author) }),
      Creator: 'Fawtara',
      Producer: 'Fawtara (pdfkit)',
      CreationDate: meta.created,
    },
  });
  const writer = new PageWriter(doc);
  for (const plan of pages) {
    doc.addPage({ size: [plan.width, plan.height], margin: 0 });
    writer.draw(plan);
  }
  writer.finish();
  const options: AttachmentOptions = {
    name: meta.attachment.name,
    type: 'application/xml',
    description: meta.attachment.description,
    creationDate: meta.created,
    modifiedDate: meta.created,
    relationship: 'Data',
  };
  doc.file(Buffer.from(meta.attachment.bytes.buffer, meta.attachment.bytes.byteOffset, meta.attachment.bytes.byteLength), options);
  doc.end();
  // pdfkit writes the whole file synchronously into its readable buffer on end()
  const chunks: Buffer[] = [];
  for (let chunk = doc.read() as Buffer | null; chunk !== null; chunk = doc.read() as Buffer | null) chunks.push(chunk);
  return Buffer.concat(chunks);
}
