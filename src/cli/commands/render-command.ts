// `fawtara render`: the printed document from a signed or cleared XML — PDF/A-3b or print HTML by the
// output file's extension, A4 or 80 mm receipt, Arabic, English or both (docs/render.md).
import { extname } from 'node:path';
import { FawtaraError } from '../../errors.js';
import { type Digits, type Format, type Lang, renderInvoice } from '../../render/index.js';
import { readInput, writeOutput } from '../io.js';
import { EXIT, type Io } from '../output.js';

export interface RenderCommandOptions {
  invoice: string;
  out: string;
  format?: Format;
  lang?: Lang;
  digits?: Digits;
  json?: boolean;
}

export async function renderCommand(opts: RenderCommandOptions, io: Io): Promise<number> {
  const ext = extname(opts.out).toLowerCase();
  if (ext !== '.pdf' && ext !== '.html' && ext !== '.htm') {
    throw new FawtaraError('USAGE', `--out ${opts.out}: name a .pdf or .html file; the extension chooses the output`, {
      field: '--out',
      messageAr: `--out ${opts.out}: اختر ملفاً بامتداد ‎.pdf أو ‎.html؛ الامتداد يحدد نوع الناتج`,
    });
  }
  const r = renderInvoice(readInput(opts.invoice, 'invoice'), {
    output: ext === '.pdf' ? 'pdf' : 'html',
    source: opts.invoice,
    ...(opts.format && { format: opts.format }),
    ...(opts.lang && { lang: opts.lang }),
    ...(opts.digits && { digits: opts.digits }),
  });
  writeOutput(opts.out, r.body);
  const summary = { ok: r.valid, file: opts.out, format: r.format, pages: r.pages, number: r.number, valid: r.valid, problems: r.problems };
  if (opts.json) io.out(JSON.stringify(summary, null, 2));
  else io.out(`${opts.out}: ${r.format === 'a4' ? 'A4' : '80 mm receipt'}, ${r.pages} page${r.pages === 1 ? '' : 's'}, document ${r.number || '(no number)'}`);
  if (!r.valid) {
    // the printout exists, with its band; the exit code tells a script it is not a valid tax invoice
    const why = r.problems.map((p) => p.en).join('; ');
    const whyAr = r.problems.map((p) => p.ar).join('؛ ');
    if (!opts.json) io.err(`warning: printed with the "NOT A VALID TAX INVOICE" band: ${why}\nتحذير: طُبعت مع شريط "ليست فاتورة ضريبية صالحة": ${whyAr}`);
    return EXIT.invalid;
  }
  return EXIT.ok;
}
