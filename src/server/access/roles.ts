// Roles and what each may do: one table of permissions per role. Routes name a permission; scope
// (taxpayer, branch, unit) is checked separately, so a role says "what" and the scope says "where".

export const ROLES = ['admin', 'branch-manager', 'cashier', 'auditor', 'branch-node'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Every permission a route may require. `write` marks those that change state: an auditor holds
 * none of them (docs/zatca-notes.md §P3: read-only access for review), and the tests check that for every route.
 */
export const PERMISSIONS = {
  session: { write: false }, // who am I, log out, change my own password
  'api:read': { write: false }, // the OpenAPI document
  'fleet:read': { write: false }, // taxpayers, branches, units within scope
  'taxpayers:write': { write: true },
  'branches:write': { write: true },
  'units:write': { write: true }, // register a unit
  'units:lifecycle': { write: true }, // onboard, renew, retire
  'tokens:manage': { write: true }, // per-unit device tokens
  'users:read': { write: false },
  'users:write': { write: true },
  'audit:read': { write: false },
  // Reserved for the routes of issue 7's remaining parts, so their modules only name them.
  'documents:issue': { write: true },
  'documents:read': { write: false },
  'outbox:read': { write: false },
  'reports:read': { write: false },
  'archive:read': { write: false },
  'sync:write': { write: true },
} as const satisfies Record<string, { write: boolean }>;

export type Permission = keyof typeof PERMISSIONS;

const READ_ALL: Permission[] = ['session', 'api:read', 'fleet:read', 'documents:read', 'outbox:read', 'reports:read'];

const GRANTS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  // Everything but a branch node's push: a batch speaks for one branch's node, never for a person.
  admin: new Set((Object.keys(PERMISSIONS) as Permission[]).filter((p) => p !== 'sync:write')),
  'branch-manager': new Set<Permission>([...READ_ALL, 'units:write', 'units:lifecycle', 'tokens:manage', 'documents:issue']),
  // A cashier (a person at a till, or a device token) acts for one unit: issue and read its own documents.
  cashier: new Set<Permission>(['session', 'api:read', 'fleet:read', 'documents:issue', 'documents:read']),
  auditor: new Set<Permission>([...READ_ALL, 'users:read', 'audit:read', 'archive:read']),
  // A branch node's sync token (src/sync): pushes its branch's documents, nothing else.
  'branch-node': new Set<Permission>(['session', 'sync:write']),
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return GRANTS[role].has(permission);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
