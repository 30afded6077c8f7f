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

  // Commander hands each action its parsed options; the command module owns their exact type.
  const run: Runner =
    <T>(load: () => Promise<Action<T>>) =>
    async (opts: Record<string, unknown>) => {
      const json = Boolean(opts.json);
      try {
        setExit(await (await load())(opts as T, io));
      } catch (error) {
        setExit(reportError(error, io, json));
      }
    };
  const stamp = () => import('./commands/stamp-commands.js');
  const json = new Option('--json', 'print a JSON object instead of text');

  program
    .command('build')
    .description('build unsigned UBL XML from invoice JSON (docs/invoice-json.md)')
    .requiredOption('--input <file>', 'invoice JSON')
    .option('--output <file>', 'write the XML here (default: stdout)')
    .addOption(json)
    .action(run(async () => (await stamp()).buildCommand));

  program
    .command('sign')
    .description('stamp an invoice: hash, XAdES signature, QR (fatoora -sign)')
    .requiredOption('--invoice <file>', 'invoice XML')
    .option('--cert <file>', 'certificate (PEM, base64 or binarySecurityToken); env FAWTARA_CERT')
    .option('--key <file>', 'secp256k1 private key (PEM or base64); env FAWTARA_PRIVATE_KEY')
    .option('--signed-invoice <file>', 'write the signed XML here (default: stdout)')
    .option('--icv <n>', 'set the invoice counter value')
    .option('--pih <base64>', 'set the previous invoice hash')
    .option('--signing-time <iso>', 'signing time (default now; written in UTC)')
    .addOption(json)
    .action(run(async () => (await stamp()).signCommand));

  program
    .command('generate-hash')
    .description('print the invoice hash (fatoora -generateHash)')
    .requiredOption('--invoice <file>', 'invoice XML')
    .addOption(json)
    .action(run(async () => (await stamp()).hashCommand));

  program
    .command('qr')
    .description('print the QR of a signed invoice with its decoded tags (fatoora -qr)')
    .requiredOption('--invoice <file>', 'signed invoice XML')
    .option('--png <file>', 'also write a PNG image')
    .option('--svg <file>', 'also write an SVG image')
    .addOption(json)
    .action(run(async () => (await stamp()).qrCommand));

  program
    .command('invoice-request')
    .description('write the API request body {invoiceHash, uuid, invoice} (fatoora -invoiceRequest)')
    .requiredOption('--invoice <file>', 'signed invoice XML')
    .option('--api-request <file>', 'write the JSON here (default: stdout)')
    .addOption(json)
    .action(run(async () => (await stamp()).invoiceRequestCommand));

  program
    .command('verify')
    .description('check hash, signature, certificate digest, QR and PIH of a signed invoice')
    .requiredOption('--invoice <file>', 'signed invoice XML')
    .option('--cert <file>', 'require this signing certificate')
    .option('--pih <base64>', 'require this previous invoice hash')
    .addOption(json)
    .action(run(async () => (await stamp()).verifyCommand));

  program
    .command('csr')
    .description('generate a key (unless given) and a CSR in ZATCA profile (fatoora -csr)')
    .requiredOption('--csr-config <file>', 'csr-config.properties (SDK format) or .json')
    .addOption(
      new Option('--env <environment>', 'ZATCA environment (sets the certificate template name)')
        .choices(['sandbox', 'simulation', 'production'])
        .default('production'),
    )
    .option('--private-key <file>', 'use this key, or write the new key here')
    .option('--generated-csr <file>', 'write the CSR here')
    .option('--pem', 'write the CSR as PEM (default: base64 of the PEM text, as /compliance takes it)')
    .addOption(json)
    .action(run(async () => (await import('./commands/csr-command.js')).csrCommand));

  program
    .command('validate')
    .description('validate invoices like fatoora -validate: XSD, EN16931, KSA rules, QR, signature, PIH')
    .requiredOption('--invoice <files...>', 'invoice XML files or folders')
    .option('--pih <base64>', 'expected previous invoice hash')
    .option('--cert <file>', 'expected signing certificate')
    .addOption(json)
    .action(run(async () => (await import('./commands/validate-command.js')).validateCommand));

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
