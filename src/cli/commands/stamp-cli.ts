// Declares the commands that mirror the fatoora SDK's jobs (build, sign, hash, QR, request body, verify,
// CSR, validate) for commander; the work lives in stamp-commands.ts and friends, loaded when one runs.
import { Option, type Command } from 'commander';
import type { Runner } from '../output.js';

export function registerStampCommands(program: Command, run: Runner): void {
  const json = new Option('--json', 'print a JSON object instead of text');
  registerStampJobs(program, run, json);
  registerCheckJobs(program, run, json);
}

/** Build, sign, hash, QR and the API request body. */
function registerStampJobs(program: Command, run: Runner, json: Option): void {
  const stamp = () => import('./stamp-commands.js');

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
}

/** Verify, CSR and validate. */
function registerCheckJobs(program: Command, run: Runner, json: Option): void {
  const stamp = () => import('./stamp-commands.js');
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
    .action(run(async () => (await import('./csr-command.js')).csrCommand));

  program
    .command('validate')
    .description('validate invoices like fatoora -validate: XSD, EN16931, KSA rules, QR, signature, PIH')
    .requiredOption('--invoice <files...>', 'invoice XML files or folders')
    .option('--pih <base64>', 'expected previous invoice hash')
    .option('--cert <file>', 'expected signing certificate')
    .addOption(json)
    .action(run(async () => (await import('./validate-command.js')).validateCommand));
}
