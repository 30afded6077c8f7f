// The console's pages: one row each (URL under /console/taxpayers/:vat/, the permission it needs, its
// title, its renderer). The route module registers them all; the navigation lists those a role may open.
import { z } from 'zod';
import { js, UnitParams, type JsonSchema } from '../../schema.js';
import type { Permission } from '../../access/roles.js';
import type { PageContext } from '../context.js';
import type { Html } from '../html.js';
import type { WordKey } from '../words.js';
import { overviewLive, overviewPage } from './overview.js';
import { unitPage, unitsPage } from './units.js';
import { documentPage, documentsPage } from './documents.js';
import { reconciliationPage, vatReportPage } from './reports.js';
import { archivePage, auditLogPage, chainAuditPage, usersPage } from './audit.js';

const DocParams = UnitParams.extend({ document: z.string().min(1).max(200) });

export interface ConsolePage {
  name: string;
  path: string;
  needs: Permission;
  title: WordKey;
  params?: JsonSchema;
  /** A fragment for the live refresh, without the page shell. */
  bare?: boolean;
  render(ctx: PageContext): Promise<Html>;
}

export const CONSOLE_PAGES: readonly ConsolePage[] = [
  { name: 'overview', path: 'overview', needs: 'fleet:read', title: 'overview', render: overviewPage },
  { name: 'overviewLive', path: 'overview/live', needs: 'fleet:read', title: 'overview', bare: true, render: overviewLive },
  { name: 'units', path: 'units', needs: 'fleet:read', title: 'units', render: unitsPage },
  { name: 'unit', path: 'units/:unit', needs: 'fleet:read', title: 'units', params: js(UnitParams), render: unitPage },
  { name: 'documents', path: 'documents', needs: 'documents:read', title: 'documents', render: documentsPage },
  { name: 'vatReport', path: 'vat-report', needs: 'reports:read', title: 'vatReport', render: vatReportPage },
  { name: 'reconciliation', path: 'reconciliation', needs: 'reports:read', title: 'reconciliation', render: reconciliationPage },
  { name: 'chainAudit', path: 'chain-audit', needs: 'documents:read', title: 'chainAudit', render: chainAuditPage },
  { name: 'archive', path: 'archive', needs: 'archive:read', title: 'archive', render: archivePage },
  { name: 'auditLog', path: 'audit-log', needs: 'audit:read', title: 'auditLog', render: auditLogPage },
  { name: 'users', path: 'users', needs: 'users:read', title: 'users', render: usersPage },
  { name: 'document', path: 'units/:unit/documents/:document', needs: 'documents:read', title: 'documents', params: js(DocParams), render: documentPage },
];
