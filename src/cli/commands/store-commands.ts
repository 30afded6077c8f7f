// `fawtara backup` (an online, consistent copy of the SQLite store) and `fawtara restore` (stage the
// copy, chain-audit it, then swap it in with the replaced files kept aside). Text or --json.
import { join } from 'node:path';
import { auditChains, type AuditFinding } from '../../audit/index.js';
import { dataDirKek, openFleet } from '../../egs/index.js';
import { FawtaraError } from '../../errors.js';
import { assertNotInUse, backupStore, DATABASE_FILE, holdsStore, stageRestore, swapIn, tenants, units } from '../../store/index.js';
import { EXIT, type Io } from '../output.js';

export interface StoreCliOptions {
  data?: string;
  out?: string;
  file?: string;
  force?: boolean;
  acceptBreaks?: boolean;
  json?: boolean;
}

const dataDirOf = (opts: StoreCliOptions) => opts.data ?? process.env.FAWTARA_DATA_DIR ?? '.fawtara';

function sqliteOnly(command: 'backup' | 'restore'): void {
  if (!process.env.FAWTARA_DATABASE_URL) return;
  const tool = command === 'backup' ? 'pg_dump --format=custom' : 'pg_restore';
  throw new FawtaraError(
    'USAGE',
    `fawtara ${command} copies the embedded SQLite store; FAWTARA_DATABASE_URL is set, so this store is PostgreSQL: use ${tool} (and point-in-time recovery), see docs/operations.md`,
    { field: 'FAWTARA_DATABASE_URL', messageAr: `الأمر ${command} لمخزن SQLite المضمن؛ مع PostgreSQL استخدم ${tool} — راجع docs/operations.md` },
  );
}

export async function backupCommand(opts: StoreCliOptions, io: Io): Promise<number> {
  sqliteOnly('backup');
  const facts = await backupStore(dataDirOf(opts), opts.out ?? '');
  if (opts.json) io.out(JSON.stringify({ ok: true, backup: facts }, null, 2));
  else
    io.out(
      [
        `backup written: ${facts.file} (${facts.bytes} bytes, ${facts.documents} documents, store ${facts.storeId}, snapshot at ${facts.takenAt})`,
        `  sha256 ${facts.sha256}`,
        '  integrity check: ok. The file is owner-only (0600): it holds sealed keys and password hashes, so store it like the data directory,',
        '  and keep the master key (FAWTARA_MASTER_KEY) apart from it — the backup is useless without it, and dangerous with it.',
      ].join('\n'),
    );
  return EXIT.ok;
}

interface UnitHead {
  taxpayer: string;
  unit: string;
  state: string;
  icv: number;
  lastIssuedAt: string | null;
}

interface RestoreCheck {
  documents: number;
  checked: number;
  breaks: AuditFinding[];
  warnings: AuditFinding[];
  heads: UnitHead[];
}

/** The restore check: the staged copy opens as a store with the configured key, and its chains audit clean. */
async function checkRestored(file: string, dataDir: string): Promise<RestoreCheck> {
  const ctx = await openFleet({
    store: { sqliteFile: file, integrityCheckEveryMs: 0 },
    zatca: () => {
      throw new FawtaraError('INTERNAL', 'a restore never calls ZATCA', { messageAr: 'الاستعادة لا تتصل بهيئة الزكاة' });
    },
    // The same key the server and every other command find for this data directory.
    kek: dataDirKek(dataDir).kek,
    actor: 'cli:restore',
  });
  const check: RestoreCheck = { documents: 0, checked: 0, breaks: [], warnings: [], heads: [] };
  try {
    for (const taxpayer of await tenants.listTaxpayers(ctx.store.db)) {
      const audit = await auditChains(ctx, taxpayer);
      check.documents += audit.documents;
      check.checked += audit.checked;
      check.breaks.push(...audit.breaks);
      check.warnings.push(...audit.warnings);
      for (const u of await units.listUnits(ctx.store.db, taxpayer.id))
        check.heads.push({ taxpayer: taxpayer.vat_number, unit: u.name, state: u.state, icv: u.icv, lastIssuedAt: u.last_issued_at });
    }
  } finally {
    await ctx.store.close();
  }
  return check;
}

export async function restoreCommand(opts: StoreCliOptions, io: Io): Promise<number> {
  sqliteOnly('restore');
  const dataDir = dataDirOf(opts);
  if (holdsStore(dataDir)) {
    if (!opts.force)
      throw new FawtaraError(
        'CONFLICT',
        `${dataDir} holds a store; restore replaces it only with --force (its files are then moved to ${dataDir}/replaced-<time>/, never deleted)`,
        { field: '--force', messageAr: `يحتوي ${dataDir} على مخزن؛ لا تستبدله الاستعادة إلا مع --force (تُنقل ملفاته إلى مجلد جانبي ولا تُحذف)` },
      );
    assertNotInUse(join(dataDir, DATABASE_FILE));
  }
  const staged = stageRestore(opts.file ?? '', dataDir);
  let check: RestoreCheck;
  try {
    check = await checkRestored(staged.file, dataDir);
  } catch (error) {
    staged.discard();
    throw error;
  }
  const refused = check.breaks.length > 0 && !opts.acceptBreaks;
  if (refused) staged.discard();
  const swapped = refused ? undefined : swapIn(staged, dataDir);
  const view = {
    file: opts.file,
    dataDir,
    storeId: staged.storeId,
    takenAt: staged.takenAt ?? null,
    ...(swapped?.keptAside && { keptAside: swapped.keptAside }),
  };
  if (opts.json) {
    io.out(JSON.stringify({ ok: check.breaks.length === 0, restored: !refused, backup: view, audit: check }, null, 2));
  } else {
    io.out(restoreText(opts, dataDir, staged.storeId, staged.takenAt, check, refused, swapped?.keptAside).join('\n'));
  }
  return check.breaks.length > 0 ? EXIT.invalid : EXIT.ok;
}

function restoreText(
  opts: StoreCliOptions,
  dataDir: string,
  storeId: string,
  takenAt: string | undefined,
  check: RestoreCheck,
  refused: boolean,
  keptAside: string | undefined,
): string[] {
  const lines = [
    refused
      ? `NOT restored: the chain audit of ${opts.file} found ${check.breaks.length} break(s); nothing was changed (--accept-breaks restores it anyway)`
      : `restored ${opts.file} into ${join(dataDir, DATABASE_FILE)} (store ${storeId}, backup taken ${takenAt ?? 'at an unknown time'})`,
    `restore check — chain audit: ${check.checked} of ${check.documents} documents verified, ${check.breaks.length} breaks, ${check.warnings.length} warnings`,
    ...check.breaks.slice(0, 20).map((b) => `  BREAK ${b.unit}${b.icv !== undefined ? ` ICV ${b.icv}` : ''} [${b.check}]: ${b.message}`),
    ...check.heads.map((h) => `  ${h.taxpayer} ${h.unit} (${h.state}): head ICV ${h.icv}${h.lastIssuedAt ? `, last issued ${h.lastIssuedAt}` : ''}`),
  ];
  if (refused) return [...lines, 'لم تتم الاستعادة: وجد تدقيق التسلسل في النسخة الاحتياطية انقطاعات ولم يتغير شيء'];
  if (keptAside) lines.push(`the replaced files are in ${keptAside} (delete them once the restored store is confirmed)`);
  lines.push(
    'Documents issued after the backup was taken are not in it. A unit that issued since must not continue from the head above:',
    'ZATCA and its buyers already hold those ICVs — see docs/operations.md "After a restore".',
    `تمت الاستعادة وتدقيق التسلسل. المستندات الصادرة بعد أخذ النسخة ليست فيها؛ لا تتابع الإصدار على وحدة أصدرت بعدها — راجع docs/operations.md`,
  );
  return lines;
}
