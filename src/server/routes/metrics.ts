// GET /metrics: the Prometheus text exposition of this instance, behind its own bearer token
// (FAWTARA_METRICS_TOKEN), not a user's: a scraper is no person and holds no role.
import { lockedOut, countTokenFailure } from '../access/throttle.js';
import { unauthenticated } from '../access/errors.js';
import { FawtaraError } from '../../errors.js';
import { metricsTokenMatches } from '../metrics.js';
import { defineRoutes } from '../plugin.js';
import { media } from '../schema.js';

export default defineRoutes({
  name: 'metrics',
  tag: { name: 'metrics', description: 'Prometheus metrics of this instance (its own token, FAWTARA_METRICS_TOKEN)' },
  register(app, deps) {
    app.get('/metrics', {
      // Public to the user model: the route checks its own token (docs/operations.md, "Metrics").
      config: { operation: 'metrics', access: 'public' },
      schema: {
        summary: 'Prometheus metrics (text exposition 0.0.4); Authorization: Bearer <FAWTARA_METRICS_TOKEN>; 404 when no token is configured',
        response: { 200: media('text/plain', 'Prometheus text exposition format 0.0.4') },
      },
      handler: async (request, reply) => {
        const metrics = deps.metrics;
        if (!metrics?.tokenHash) {
          throw new FawtaraError('NOT_FOUND', 'metrics are off on this instance: set FAWTARA_METRICS_TOKEN to turn them on', {
            messageAr: 'المقاييس غير مفعلة في هذه النسخة: عيّن FAWTARA_METRICS_TOKEN لتفعيلها',
          });
        }
        if (!metricsTokenMatches(metrics, request.headers.authorization)) {
          // Counted per address like every failed bearer token (server/access/throttle.ts).
          const wait = await countTokenFailure(deps.access, request.ip);
          if (wait > 0) throw lockedOut(wait);
          throw unauthenticated(
            request.headers.authorization ? 'INVALID_TOKEN' : 'NO_CREDENTIALS',
            'the metrics token is missing or wrong (Authorization: Bearer <FAWTARA_METRICS_TOKEN>)',
            'رمز المقاييس مفقود أو غير صحيح',
          );
        }
        const text = await metrics.registry.metrics();
        return reply.type(metrics.registry.contentType).send(text);
      },
    });
  },
});
