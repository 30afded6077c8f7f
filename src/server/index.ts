// The head-office server's public face: createServer (a fastify instance, testable with inject),
// the route-module extension point, and the access layer the CLI shares.
export { createServer, PUBLIC_ROUTES, type ServerOptions } from './server.js';
export { defineRoutes } from './plugin.js';

export { PERMISSIONS, type Permission } from './access/roles.js';

export { toHttpError } from './errors.js';
