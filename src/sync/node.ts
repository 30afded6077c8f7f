// A branch node's background work (`fawtara serve --role branch`): sync to head office on a timer
// and, in direct mode, run the outbox; both tolerate head office or ZATCA being away for days.
import type { FleetContext } from '../egs/index.js';
import { runOutbox } from '../outbox/index.js';
import type { Taxpayer } from '../store/index.js';
import { syncNow, type SyncSummary } from './branch.js';
import type { BranchSyncOptions } from './branch-link.js';
import { isSyncError } from './errors.js';

export interface BranchNodeOptions extends BranchSyncOptions {
  syncIntervalMs?: number;
  outboxIntervalMs?: number;
  onSync?: (r: { ok: true; summary: SyncSummary } | { ok: false; error: Error }) => void;
}

export interface BranchNode {
  /** Sync now (waits for a sync already running). */
  syncNow(): Promise<SyncSummary>;
  stop(): Promise<void>;
}

export function startBranchNode(ctx: FleetContext, taxpayer: Taxpayer, options: BranchNodeOptions): BranchNode {
  const controller = new AbortController();
  let running: Promise<SyncSummary> | undefined;
  const sync = () => {
    running ??= syncNow(ctx, taxpayer, options).finally(() => (running = undefined));
    return running;
  };
  const timers: NodeJS.Timeout[] = [];
  const syncTick = async () => {
    try {
      // Not inside `onSync?.(…)`: an optional call skips its arguments, so without a callback (as
      // `serve --role branch` runs) the sync itself would never happen.
      const summary = await sync();
      options.onSync?.({ ok: true, summary });
    } catch (error) {
      // Head office away (or refusing): logged and retried on the next tick; the branch keeps issuing.
      if (!isSyncError(error)) ctx.logger.error({ err: (error as Error).message }, 'branch sync failed');
      else ctx.logger.warn({ reason: error.reason, message: error.message }, 'branch sync did not complete');
      options.onSync?.({ ok: false, error: error as Error });
    }
  };
  let outboxBusy = false;
  const outboxTick = async () => {
    if (outboxBusy || controller.signal.aborted) return;
    outboxBusy = true;
    try {
      // Runs in both modes. Jobs claimed for head office are `relayed`, never `to-submit`, so nothing is
      // sent twice; but documents pushed earlier under the branch's own claim (direct mode, or a node's
      // first batch before head office said "relay") are still the branch's to submit, and would
      // otherwise never reach ZATCA.
      await runOutbox(ctx, { once: true, signal: controller.signal, taxpayerId: taxpayer.id });
    } catch (error) {
      ctx.logger.error({ err: (error as Error).message }, 'branch outbox round failed');
    } finally {
      outboxBusy = false;
    }
  };
  // A node that starts (after a restart, or a night offline) syncs at once rather than a round later.
  void syncTick();
  timers.push(setInterval(() => void syncTick(), options.syncIntervalMs ?? 30_000));
  timers.push(setInterval(() => void outboxTick(), options.outboxIntervalMs ?? 5_000));
  return {
    syncNow: sync,
    async stop() {
      controller.abort();
      for (const t of timers) clearInterval(t);
      await running?.catch(() => undefined);
    },
  };
}
