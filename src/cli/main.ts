#!/usr/bin/env node
// The `fawtara` command line: one command per job, `--json` output, documented exit codes, and the
// `fatoora` SDK's own spellings. Command modules load lazily so a single job starts fast.
import { Command, CommanderError, Option } from 'commander';
import { FawtaraError } from '../errors.js';
import { EXIT, processIo, reportError, type Action, type Io, type Runner } from './output.js';
import { translateSdkArgs } from './sdk-args.js';
import { arabicUsageError } from './usage-errors.js';
import { registerFleetCommands, registerSyncCommands } from './commands/fleet-cli.js';
import { registerIssuingCommands } from './commands/issuing-cli.js';
import { registerServerCommands } from './commands/users-cli.js';
import { registerReportCommands } from './commands/reports-cli.js';
import { registerStoreCommands } from './commands/store-cli.js';
import { registerRenderCommand } from './commands/render-cli.js';
import { registerStampCommands } from './commands/stamp-cli.js';

export function buildProgram(io: Io, setExit: (code: number) => void, jsonErrors = false): Command {
  const program = new Command('fawtara')
    .description('ZATCA e-invoicing (FATOORA Phase 2): build, sign, hash, QR, CSR, verify and validate invoices')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, '')),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
      // Usage errors in English and Arabic; with --json, the same JSON error object as every other failure.
      outputError: (s, write) => {
        const message = s.trim().replace(/^error: /, '');
        if (jsonErrors) io.out(JSON.stringify({ ok: false, error: { code: 'USAGE', message, messageAr: arabicUsageError(message) } }, null, 2));
        else write(`${s.replace(/\n$/, '')}\nخطأ: ${arabicUsageError(message)}\n`);
      },
    });

  const run = runner(io, setExit);
  const json = new Option('--json', 'print a JSON object instead of text');
  // The fatoora SDK's jobs: build, sign, hash, QR, request body, verify, CSR, validate.
  registerStampCommands(program, run);

  program
    .command('simulator')
    .description('run the local ZATCA simulator on 127.0.0.1')
    .option('--port <n>', 'port (0 = any free port)', '8443')
    .option('--data <dir>', 'keep its state in this folder')
    .option('--seed <n>', 'seed for fault injection')
    .option('--developer-portal', "the developer portal behaves as ZATCA's real sandbox: one canned certificate, OTP 123345")
    .addOption(json)
    .action(run(async () => (await import('./commands/simulator-command.js')).simulatorCommand));

  // Fleet: taxpayers, branches, EGS units (docs/fleet.md); declared there, loaded lazily when run.
  registerFleetCommands(program, run);
  registerSyncCommands(program, run);
  // Issuing, the submission outbox and the chain auditor (docs/issuing.md).
  registerIssuingCommands(program, run);
  // Head-office API: `serve` and `users` (docs/server.md).
  registerServerCommands(program, run);
  // VAT report, reconciliation and the archive (docs/reports.md).
  registerReportCommands(program, run);
  // Backup and restore of the SQLite store (docs/operations.md).
  registerStoreCommands(program, run);
  // Printed documents: PDF/A-3b and print HTML (docs/render.md).
  registerRenderCommand(program, run);

  program
    .command('start')
    .description('what `npm start` runs: head office with the built-in simulator and a demo chain in ./.fawtara (docs/server.md)')
    .option('--data <dir>', 'data directory (default ./.fawtara; env FAWTARA_DATA_DIR)')
    .option('--port <n>', 'API port (0 = any free port)', '8080')
    .option('--simulator-port <n>', 'simulator port (default: any free port)')
    .addOption(json)
    .action(run(async () => (await import('./commands/start-command.js')).startCommand));

  return program;
}

/** Commander hands each action its parsed options; the command module owns their exact type. */
function runner(io: Io, setExit: (code: number) => void): Runner {
  return <T>(load: () => Promise<Action<T>>) =>
    async (opts: Record<string, unknown>) => {
      const json = Boolean(opts.json);
      try {
        setExit(await (await load())(opts as T, io));
      } catch (error) {
        setExit(reportError(error, io, json));
      }
    };
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let exit: number = EXIT.ok;
  const args = translateSdkArgs(argv);
  const program = buildProgram(io, (code) => (exit = code), args.includes('--json'));
  if (args.length === 0) {
    program.outputHelp();
    return EXIT.usage;
  }
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportError(error instanceof FawtaraError ? error : error, io, argv.includes('--json'));
  }
  return exit;
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly || process.argv[1]?.endsWith('/fawtara')) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
