// Migration 0010 (issue 17, the VAT return): the prepayments a final invoice deducts (KSA-31/32 of its
// adjustment lines), kept beside its VAT breakdown so the report nets them without reading the XML.
import type { Migration } from 'kysely';

export function prepaidBreakdown(): Migration {
  return {
    async up(db) {
      // Nullable: documents stored before this migration, or received without it, have NULL, and the
      // report reads their prepayment lines from the stored XML instead (src/reports/prepaid.ts).
      // Adding a column changes no stored row, so the immutability triggers are not involved.
      await db.schema.alterTable('documents').addColumn('prepaid_breakdown', 'text').execute();
    },
  };
}
