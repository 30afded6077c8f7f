// The chain audit on a worker thread: its own store connection (opened once per thread) and a
// context that can read but holds no keys and no ZATCA client, around the one auditChains.
import { auditChains, type AuditReport } from '../audit/index.js';
import { createFleetLogger, processRedactor, type FleetContext } from '../egs/index.js';
import { FawtaraError } from '../errors.js';
import { openStore, tenants, type Store, type StoreOptions } from '../store/index.js';
import type { AuditChainsInput } from './tasks.js';

const stores = new Map<string, Promise<Store>>();

function storeOf(options: StoreOptions): Promise<Store> {
  const key = JSON.stringify(options);
  let store = stores.get(key);
  if (!store) {
    store = openStore(options);
    // A failed open is not kept: the next task tries again.
    store.catch(() => stores.delete(key));
    stores.set(key, store);
  }
  return store;
}

/** A fleet context for reading: anything that would sign, unseal or call ZATCA is absent and says so. */
function readingContext(store: Store): FleetContext {
  const absent = (what: string): never => {
    throw new FawtaraError('INTERNAL', `a worker thread holds no ${what}; this task may only read the store`);
  };
  return {
    store,
    clock: { now: () => new Date() },
    zatca: () => absent('ZATCA client'),
    get keys(): FleetContext['keys'] {
      return absent('signing keys');
    },
    get vault(): FleetContext['vault'] {
      return absent('key vault');
    },
    redactor: processRedactor,
    logger: createFleetLogger(() => undefined),
    actor: 'worker:audit',
  };
}

export async function auditChainsTask(input: AuditChainsInput): Promise<AuditReport[]> {
  const ctx = readingContext(await storeOf(input.store));
  const taxpayer = await tenants.findTaxpayerById(ctx.store.db, input.taxpayerId);
  if (!taxpayer) throw new FawtaraError('NOT_FOUND', 'the taxpayer no longer exists', { field: 'vat', messageAr: 'المكلف غير موجود' });
  const range = { ...(input.from && { from: input.from }), ...(input.to && { to: input.to }) };
  if (!input.unitIds) return [await auditChains(ctx, taxpayer, range)];
  const reports: AuditReport[] = [];
  for (const unit of input.unitIds) reports.push(await auditChains(ctx, taxpayer, { ...range, unit }));
  return reports;
}
