// Declares the fleet commands (taxpayers, branches, units) and their options for commander; the
// work lives in fleet-commands.ts and unit-commands.ts, loaded only when one runs so others start fast.
import { Option, type Command } from 'commander';
import type { Action, Runner } from '../output.js';

type FleetCommand = keyof typeof import('./fleet-commands.js');
type UnitCommand = keyof typeof import('./unit-commands.js');

const common = (c: Command): Command =>
  c
    .option('--data <dir>', 'data directory (SQLite file, log); env FAWTARA_DATA_DIR, default ./.fawtara')
    .option('--taxpayer <vat>', 'the taxpayer (VAT number); optional when only one is registered')
    .addOption(new Option('--json', 'print a JSON object instead of text'));

const withZatca = (c: Command): Command =>
  c.option(
    '--zatca <target>',
    "simulator | sandbox | simulation | production | a base URL; env FAWTARA_ZATCA, default simulator. Recorded with the unit; later commands use the unit's own",
  );

type Act<K extends string> = (name: K) => (...args: unknown[]) => Promise<void>;
type Load<K extends string> = (name: K) => () => Promise<Action<never>>;

/** An action that loads its command on first use and hands it options and positional arguments merged. */
function lazyAction<K extends string>(run: Runner, load: Load<K>): Act<K> {
  return (name) =>
    (...args) => {
      // Commander passes positional arguments first, then the options object, then the command.
      const cmd = args.at(-1) as Command;
      const opts = args.at(-2) as Record<string, unknown>;
      const positional = cmd.registeredArguments.map((a) => a.name());
      const merged: Record<string, unknown> = { ...opts };
      positional.forEach((n, i) => {
        merged[n] = args[i];
      });
      return run(load(name))(merged);
    };
}

const repeat = (value: string, previous: string[] = []) => [...previous, value];

export function registerFleetCommands(program: Command, run: Runner): void {
  const act = lazyAction<FleetCommand>(run, (name) => async () => (await import('./fleet-commands.js'))[name]);
  program
    .command('init')
    .description('create the store in the data directory (only init, taxpayers add and serve create one; other commands refuse a folder without a store)')
    .option('--data <dir>', 'data directory; env FAWTARA_DATA_DIR, default ./.fawtara')
    .addOption(new Option('--json', 'print a JSON object instead of text'))
    .action((opts: Record<string, unknown>) => run(async () => (await import('./init-command.js')).init)(opts));
  registerTaxpayers(program, act);
  registerBranches(program, act);
  registerUnits(
    program,
    lazyAction<UnitCommand>(run, (name) => async () => (await import('./unit-commands.js'))[name]),
  );
}

function registerTaxpayers(program: Command, act: Act<FleetCommand>): void {
  const taxpayers = program.command('taxpayers').description('taxpayers (VAT numbers) and VAT-group members (docs/fleet.md)');
  common(taxpayers.command('add').description('register a taxpayer'))
    .requiredOption('--vat <number>', '15-digit VAT number (first and last digit 3)')
    .requiredOption('--name-ar <name>', 'legal name in Arabic')
    .option('--name-en <name>', 'legal name in English')
    .option('--vat-group', 'the number is a VAT group (11th digit 1); devices then carry a member TIN')
    .option('--member <tin:name>', 'a VAT-group member, repeatable', repeat)
    .option('--business-category <text>', 'industry for the CSR (default "Supply activities")')
    .action(act('taxpayersAdd'));
  common(taxpayers.command('add-member').description('add a member (10-digit TIN) to a VAT group'))
    .requiredOption('--tin <tin>', "the member's 10-digit TIN")
    .requiredOption('--name <name>', "the member's name")
    .action(act('taxpayersAddMember'));
  common(taxpayers.command('remove-member').description('remove a member that left the VAT group (its units must be retired first)'))
    .requiredOption('--tin <tin>', "the member's 10-digit TIN")
    .action(act('taxpayersRemoveMember'));
  common(taxpayers.command('list').description('list taxpayers')).action(act('taxpayersList'));
  common(taxpayers.command('show').description('a taxpayer with its members, branches and unit counts').argument('[vat]', 'VAT number')).action(
    act('taxpayersShow'),
  );
}

function registerBranches(program: Command, act: Act<FleetCommand>): void {
  const branches = program.command('branches').description("a taxpayer's branches (name, address, CRN)");
  common(branches.command('add').description('register a branch'))
    .requiredOption('--name <name>', 'branch name (the CSR OU of its units)')
    .requiredOption('--crn <crn>', 'commercial registration number (10 digits)')
    .requiredOption('--street <street>', 'street')
    .requiredOption('--building <nnnn>', 'building number (4 digits)')
    .requiredOption('--district <district>', 'district')
    .requiredOption('--city <city>', 'city')
    .requiredOption('--postal <nnnnn>', 'postal code (5 digits)')
    .option('--short-address <code>', 'national short address, e.g. RRRD2929 (the CSR location)')
    .action(act('branchesAdd'));
  common(branches.command('list').description('list branches')).action(act('branchesList'));
  // A branch node (docs/branch-node.md): its sync token, and whether it or head office reports to ZATCA.
  common(branches.command('sync-token').description("create a branch node's sync token (role branch-node, this branch only; printed once)"))
    .requiredOption('--branch <name>', 'the branch')
    .option('--name <name>', 'label, e.g. the node')
    .option('--days <n>', 'lifetime in days (1–365)', '90')
    .action(act('branchesSyncToken'));
  common(branches.command('sync').description("set how the branch's documents reach ZATCA: direct (the branch node) or relay (head office)"))
    .requiredOption('--branch <name>', 'the branch')
    .requiredOption('--reporting <mode>', 'direct | relay')
    .option('--relay-unit <unit>', "relay: head office's onboarded unit whose CSID submits the branch's documents")
    .action(act('branchesSync'));
}

function registerUnits(program: Command, act: Act<UnitCommand>): void {
  const units = program.command('units').description('EGS units: register, onboard, renew, retire, watch expiry');
  withZatca(common(units.command('add').description('register an EGS unit (device or server); --zatca is recorded as where its environment is reached')))
    .option('--branch <name>', 'its branch')
    .option('--serial <serial>', 'EGS serial 1-<maker>|2-<model>|3-<serial>, unique per taxpayer')
    .option('--title <tscz>', 'invoice types: 1100 both (default), 1000 standard, 0100 simplified')
    .addOption(new Option('--env <environment>', 'ZATCA environment').choices(['sandbox', 'simulation', 'production']))
    .option('--name <name>', "unit name, the CSR common name (default: the serial's third part)")
    .option('--member <tin>', "VAT groups: the member's 10-digit TIN (the CSR OU)")
    .option('--replaces <unit>', 'a revoked, expired or retired unit of the same device (re-onboarding as a new unit)')
    .addOption(
      new Option('--key-provider <provider>', 'where its keys are made and kept: sealed in the store (default) or in the FAWTARA_PKCS11_* token').choices([
        'sealed',
        'pkcs11',
      ]),
    )
    .action(act('unitsAdd'));
  common(units.command('list').description('list units'))
    .option('--branch <name>', 'only this branch')
    .option('--state <state>', 'only this state')
    .action(act('unitsList'));
  common(
    units.command('show').description('a unit: state, certificates (no secrets), history, ZATCA exchanges').argument('<unit>', 'name, serial or id'),
  ).action(act('unitsShow'));
  withZatca(common(units.command('onboard').description('onboard a unit (CSR, compliance CSID, compliance checks, production CSID), or many with --from')))
    .argument('[unit]', 'name, serial or id')
    .option('--otp <otp>', 'onboarding OTP from the Fatoora portal')
    .option('--from <file>', 'bulk: CSV or JSON list of units with one OTP each')
    .action(act('unitsOnboard'));
  withZatca(common(units.command('renew').description('renew the production CSID (200 or 428 path)')))
    .argument('<unit>', 'name, serial or id')
    .option('--otp <otp>', 'renewal OTP from the Fatoora portal')
    .action(act('unitsRenew'));
  common(units.command('retire').description('retire a unit locally').argument('<unit>', 'name, serial or id'))
    .option('--force', 'retire even with documents ZATCA has not received (needs --reason)')
    .option('--reason <text>', 'why (kept in the history)')
    .action(act('unitsRetire'));
  common(
    units.command('revoke').description('confirm that ZATCA revoked a unit (after a 401 alert or a portal notice)').argument('<unit>', 'name, serial or id'),
  )
    .requiredOption('--reason <text>', 'what the Fatoora portal shows (kept in the history)')
    .option('--cause <cause>', 'portal | vat-deregistered | vat-suspended | vat-group', 'portal')
    .action(act('unitsRevoke'));
  common(units.command('expiring').description('units whose production CSID expires within N days'))
    .option('--days <n>', 'days ahead', '30')
    .action(act('unitsExpiring'));
}

type SyncCommand = keyof typeof import('./sync-commands.js');

/** `fawtara sync …`: head office's branch-sync administration (docs/branch-node.md). */
export function registerSyncCommands(program: Command, run: Runner): void {
  const act =
    (name: SyncCommand, extra: Record<string, unknown> = {}) =>
    (opts: Record<string, unknown>) =>
      run(async () => (await import('./sync-commands.js'))[name])({ ...opts, ...extra });
  const sync = program.command('sync').description("head office: branch nodes' tokens, unit enrolments and trusted ZATCA certificates");
  const tokens = sync.command('tokens').description('branch sync tokens');
  common(tokens.command('list').description('sync tokens (never their secrets)')).option('--branch <name>', 'one branch only').action(act('syncTokensList'));
  common(tokens.command('revoke').description('revoke a sync token at once'))
    .requiredOption('--id <id>', 'token id (16 hex digits)')
    .action(act('syncTokensRevoke'));
  const enrolments = sync.command('enrolments').description('units branch nodes offered, with the checks of their certificates');
  common(enrolments.command('list').description('enrolments, newest first'))
    .option('--state <state>', 'pending | approved | refused')
    .action(act('syncEnrolmentsList'));
  common(enrolments.command('approve').description('approve: the checks run again, then the unit and its certificate are registered'))
    .requiredOption('--id <id>', 'enrolment id')
    .action(act('syncEnrolmentsDecide', { decision: 'approve' }));
  common(enrolments.command('refuse').description('refuse an enrolment'))
    .requiredOption('--id <id>', 'enrolment id')
    .action(act('syncEnrolmentsDecide', { decision: 'refuse' }));
  const authorities = sync.command('authorities').description("ZATCA's issuing-CA and stamp certificates head office trusts");
  common(authorities.command('add').description('trust a certificate (PEM or base64 DER file)'))
    .requiredOption('--environment <env>', 'sandbox | simulation | production')
    .requiredOption('--kind <kind>', 'issuing-ca | stamp')
    .requiredOption('--file <file>', 'the certificate')
    .action(act('syncAuthoritiesAdd'));
  common(authorities.command('list').description('trusted certificates by environment')).action(act('syncAuthoritiesList'));
}
