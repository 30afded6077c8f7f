// Declares `backup` and `restore` (the SQLite store's online copy and its checked return) for
// commander; the work lives in store-commands.ts, loaded only when one of them runs (docs/operations.md).
import { Option, type Command } from 'commander';
import type { Runner } from '../output.js';

type StoreCommand = keyof typeof import('./store-commands.js');

export function registerStoreCommands(program: Command, run: Runner): void {
  const load = (name: StoreCommand) => async () => (await import('./store-commands.js'))[name];

  program
    .command('backup')
    .description('copy the store to a file while it runs (consistent snapshot, checked, 0600); PostgreSQL: use pg_dump (docs/operations.md)')
    .option('--data <dir>', 'data directory; env FAWTARA_DATA_DIR, default ./.fawtara')
    .requiredOption('--out <file>', 'the backup file to write (never overwritten)')
    .addOption(new Option('--json', 'print a JSON object instead of text'))
    .action(run(load('backupCommand')));
  program
    .command('restore')
    .description('bring a backup back: checked and chain-audited before it replaces anything; the replaced files are kept aside')
    .argument('<file>', 'a backup written by fawtara backup')
    .option('--data <dir>', 'data directory; env FAWTARA_DATA_DIR, default ./.fawtara')
    .option('--force', 'replace the store the data directory holds (it is moved to replaced-<time>/, never deleted)')
    .option('--accept-breaks', 'restore even though the chain audit of the backup finds breaks')
    .addOption(new Option('--json', 'print a JSON object instead of text'))
    .action((file: string, opts: Record<string, unknown>) => run(load('restoreCommand'))({ ...opts, file }));
}
