// GET /health: liveness and store reachability for load balancers and the service manager; public,
// and so it says nothing but "up" (no version, no database location, no counts) or a plain 503.
import { z } from 'zod';
import { pingStore, StoreFault } from '../../store/index.js';
import { defineRoutes } from '../plugin.js';
import { out } from '../schema.js';

/** A health check answers within this even when the database hangs (a load balancer's probe has its own timeout). */
const PROBE_TIMEOUT_MS = 3_000;

export default defineRoutes({
  name: 'health',
  tag: { name: 'health', description: 'Liveness (public)' },
  register(app, deps) {
    app.get('/health', {
      config: { operation: 'health', access: 'public' },
      schema: {
        summary: 'Liveness check (no authentication): 200 when the store answers, 503 STORAGE_UNAVAILABLE when it does not',
        response: { 200: out(z.object({ status: z.literal('ok') })) },
      },
      handler: async () => {
        // One trivial query: a process whose database went away is up but cannot serve, and the
        // load balancer should send its callers elsewhere until the pool reconnects (docs/operations.md).
        try {
          await pingStore(deps.fleet.store, PROBE_TIMEOUT_MS);
        } catch (error) {
          // Public: the caller hears that the store is away, not what or where it is (the log has that).
          throw new StoreFault('UNREACHABLE', 'the store does not answer; this instance cannot serve until it does', {
            messageAr: 'قاعدة البيانات لا تستجيب؛ لا تستطيع هذه النسخة الخدمة حتى تعود',
            cause: error,
          });
        }
        return { status: 'ok' as const };
      },
    });
  },
});
