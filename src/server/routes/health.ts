// GET /health: liveness for load balancers and the service manager; public, and so it says
// nothing but "up" (no version, no database location, no counts).
import { z } from 'zod';
import { defineRoutes } from '../plugin.js';
import { out } from '../schema.js';

export default defineRoutes({
  name: 'health',
  tag: { name: 'health', description: 'Liveness (public)' },
  register(app) {
    app.get('/health', {
      config: { operation: 'health', access: 'public' },
      schema: { summary: 'Liveness check (no authentication)', response: { 200: out(z.object({ status: z.literal('ok') })) } },
      handler: async () => ({ status: 'ok' as const }),
    });
  },
});
