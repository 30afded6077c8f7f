// Declares `fawtara users …` (setup token, add, list, disable/enable, device token) and `fawtara
// serve` for commander; the work lives in users-commands.ts and serve-command.ts, loaded when run.
import { Option, type Command } from 'commander';
import type { Runner } from '../output.js';

type UsersCommand = keyof typeof import('./users-commands.js');

const common = (c: Command): Command =>
  c
    .option('--data <dir>', 'data directory (SQLite file, log); env FAWTARA_DATA_DIR, default ./.fawtara')
    .option('--taxpayer <vat>', 'the taxpayer (VAT number); optional when only one is registered')
    .addOption(new Option('--json', 'print a JSON object instead of text'));

export function registerServerCommands(program: Command, run: Runner): void {
  const load = (name: UsersCommand) => async () => (await import('./users-commands.js'))[name];
  const act =
    (name: UsersCommand) =>
    (...args: unknown[]) => {
      const cmd = args.at(-1) as Command;
      const opts = args.at(-2) as Record<string, unknown>;
      const merged: Record<string, unknown> = { ...opts };
      cmd.registeredArguments.forEach((a, i) => {
        merged[a.name()] = args[i];
      });
      return run(load(name))(merged);
    };

  common(program.command('serve').description('run the head-office HTTP API (docs/server.md); prints a setup token on first start'))
    .option('--port <n>', 'port (0 = any free port)', '8080')
    .option('--host <address>', 'address to listen on (default loopback; anything else is reachable from the network)', '127.0.0.1')
    .option('--zatca <target>', 'simulator | sandbox | simulation | production | a base URL; env FAWTARA_ZATCA, default simulator')
    .option('--trust-proxy', 'behind one reverse proxy of yours: take the client address it appends to X-Forwarded-For')
    .option('--role <role>', 'hq (default) or branch: a branch node that stamps locally and syncs (docs/branch-node.md)')
    .option('--hq <url>', 'branch role: head office URL')
    .option('--hq-token <token>', 'branch role: the branch sync token (or env FAWTARA_HQ_TOKEN)')
    .option('--reporting <mode>', 'branch role: direct or relay until head office says (default direct)')
    .action(run(async () => (await import('./serve-command.js')).serveCommand));

  const users = program.command('users').description('users, roles and device tokens of the head-office API (docs/server.md)');
  common(users.command('setup').description('print a one-time token that creates the first administrator (only while none exists)')).action(act('usersSetup'));
  common(users.command('add').description('create a user; the password is read from stdin with --password-stdin, or generated and printed once'))
    .requiredOption('--username <name>', 'login name')
    .requiredOption('--role <role>', 'admin | branch-manager | cashier | auditor')
    .option('--global', 'admin or auditor of every taxpayer (otherwise scoped to --taxpayer)')
    .option('--branch <branch>', 'branch scope (branch managers; optional for auditors)')
    .option('--unit <unit>', 'the unit a cashier acts for')
    .option('--display-name <name>', 'name shown in the audit log')
    .option('--password-stdin', 'read the password from standard input')
    .action(act('usersAdd'));
  common(users.command('list').description('list users (never a password or hash)')).action(act('usersList'));
  common(users.command('disable').description('disable a user and end its sessions').argument('<username>')).action(act('usersDisable'));
  common(
    users.command('passwd').description("reset a user's password (generated and printed once, or --password-stdin); ends its sessions").argument('<username>'),
  )
    .option('--password-stdin', 'read the new password from standard input')
    .action(act('usersPasswd'));
  common(users.command('enable').description('enable a user again').argument('<username>')).action(act('usersEnable'));
  common(users.command('token').description('create a device token bound to one unit (printed once)'))
    .requiredOption('--unit <unit>', 'the unit (name, serial or id)')
    .option('--name <name>', 'label, e.g. the till')
    .option('--days <n>', 'lifetime in days (1–730)', '365')
    .action(act('usersToken'));
}
