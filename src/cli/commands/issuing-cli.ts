// Declares the issuing commands (issue, outbox run|status, audit) and their options for commander;
// the work lives in issuing-commands.ts, loaded only when one of them runs.
import { Option, type Command } from 'commander';
import type { Runner } from '../output.js';

type IssuingCommand = keyof typeof import('./issuing-commands.js');

const common = (c: Command): Command =>
  c
    .option('--data <dir>', 'data directory (SQLite file, log); env FAWTARA_DATA_DIR, default ./.fawtara')
    .option('--taxpayer <vat>', 'the taxpayer (VAT number); optional when only one is registered')
    .option('--zatca <target>', 'simulator | sandbox | simulation | production | a base URL; env FAWTARA_ZATCA, default simulator')
    .addOption(new Option('--json', 'print a JSON object instead of text'));

export function registerIssuingCommands(program: Command, run: Runner): void {
  const load = (name: IssuingCommand) => async () => (await import('./issuing-commands.js'))[name];

  common(program.command('issue').description('issue a document on a unit: next ICV/PIH, stamp, store, queue for ZATCA (docs/issuing.md)'))
    .requiredOption('--unit <unit>', 'the issuing unit (name, serial or id)')
    .requiredOption('--input <file>', 'invoice JSON (docs/invoice-json.md), without icv/pih')
    .option('--output <file>', "write the document the buyer receives (stamped; for standard ones ZATCA's cleared XML)")
    .addOption(new Option('--clearance <mode>', 'standard documents: wait for clearance, or leave it to the outbox').choices(['wait', 'queue']).default('wait'))
    .option('--wait <seconds>', 'longest wait for clearance', '15')
    .option('--external-reference', 'a note against a document issued outside Fawtara (no stored original)')
    .action(run(load('issueCommand')));

  const outbox = program.command('outbox').description('the submission queue: send documents until ZATCA has them; deadlines');
  common(outbox.command('run').description('submit due documents (retries with backoff); runs until stopped, or with --once until nothing is due'))
    .option('--once', 'stop when no document is due')
    .option('--unit <unit>', "only this unit's documents, sent now (its waiting ones skip the retry backoff)")
    .option('--concurrency <n>', 'submissions in flight at once (each lane takes the next document as soon as it is free)', '8')
    .option('--lease <seconds>', "how long a claimed document stays this worker's without a heartbeat (a stopped worker's are taken up after it)", '60')
    .option('--retry-held', 'first put documents that needed attention (401, 413, …) back in the queue')
    .action(run(load('outboxRunCommand')));
  common(outbox.command('status').description('queue depth, oldest age, documents at risk (< 2 h to deadline) and late ones')).action(
    run(load('outboxStatusCommand')),
  );

  common(program.command('audit').description('re-verify every stored document: hashes, ICV/PIH chains, UUIDs, signatures, submission states'))
    .option('--unit <unit>', 'only this unit')
    .option('--from <date>', 'documents issued from this date (YYYY-MM-DD or ISO instant)')
    .option('--to <date>', 'documents issued before this date')
    .option('--simulator-history', "also compare with the local simulator's record of what it received (--zatca simulator or a simulator URL)")
    .action(run(load('auditCommand')));
}
