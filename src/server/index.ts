// The head-office server's public face: createServer (a fastify instance, testable with inject),
// the route-module extension point, and the access layer the CLI shares.
export { createServer, discoverRouteModules, PUBLIC_ROUTES, type ServerOptions } from './server.js';
export { defineRoutes, fleetFor, principalOf, scoped, type RouteModule, type RouteRecord, type ServerDeps, type RequestScope } from './plugin.js';
export { accessContext, DEFAULT_POLICY, type AccessContext, type AccessPolicy } from './access/context.js';
export { ROLES, PERMISSIONS, roleAllows, type Role, type Permission } from './access/roles.js';
export type { Principal } from './access/principal.js';
export { STATUS_OF_CODE, toHttpError } from './errors.js';
