// Declares `fawtara render` for commander; the work lives in render-command.ts, loaded only when it
// runs (docs/render.md).
import { Option, type Command } from 'commander';
import type { Runner } from '../output.js';

export function registerRenderCommand(program: Command, run: Runner): void {
  program
    .command('render')
    .description('print a signed or cleared invoice: PDF/A-3b with the XML embedded, or print HTML (docs/render.md)')
    .requiredOption('--invoice <file>', 'signed or cleared invoice XML')
    .requiredOption('--out <file>', 'output file: .pdf (PDF/A-3b) or .html')
    .addOption(new Option('--format <format>', 'A4 page or 80 mm receipt (default: receipt for simplified, a4 for standard)').choices(['a4', 'receipt']))
    .addOption(new Option('--lang <lang>', 'language of the printout').choices(['ar', 'en', 'both']).default('both'))
    .addOption(new Option('--digits <digits>', 'digits of amounts, quantities and dates').choices(['latin', 'arabic']).default('latin'))
    .addOption(new Option('--json', 'print a JSON object instead of text'))
    .action(run(async () => (await import('./render-command.js')).renderCommand));
}
