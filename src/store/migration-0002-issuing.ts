// Migration 0002 (issue 6): issued documents, their cleared versions, the submission outbox and its
// attempt log — and the database-level guards that keep the chain intact whatever code runs.
import { sql, type Kysely, type Migration } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

/** Initial PIH (docs/zatca-notes.md §A7), frozen here: a shipped migration never follows a changing import. */
const INITIAL_PIH = 'NWZlY2ViNjZmZmM4NmYzOGQ5NTI3ODZjNmQ2OTZjNzljMmRiYzIzOWRkNGU5MWI0NjcyOWQ3M2EyN2ZiNTdlOQ==';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's column builder type is internal
const serialId = (dialect: Dialect) => (c: any) => (dialect === 'postgres' ? c.generatedByDefaultAsIdentity().primaryKey() : c.autoIncrement().primaryKey());

/** Tables whose rows are never changed nor removed once written (the legal record and its logs). */
export const IMMUTABLE_TABLES = ['documents', 'document_clearances', 'submission_attempts'] as const;

export function issuingTables(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('documents')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('taxpayer_id', 'text', (c) => c.notNull().references('taxpayers.id'))
        .addColumn('unit_id', 'text', (c) => c.notNull().references('egs_units.id'))
        .addColumn('icv', 'integer', (c) => c.notNull())
        .addColumn('pih', 'text', (c) => c.notNull())
        .addColumn('invoice_hash', 'text', (c) => c.notNull())
        .addColumn('uuid', 'text', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('document_type', 'text', (c) => c.notNull())
        .addColumn('type_code', 'text', (c) => c.notNull())
        .addColumn('transaction_code', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('issue_date', 'text', (c) => c.notNull())
        .addColumn('issue_time', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'text', (c) => c.notNull())
        .addColumn('deadline_at', 'text', (c) => c.notNull())
        .addColumn('signing_time', 'text', (c) => c.notNull())
        .addColumn('csid_id', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('exchange_rate', 'text')
        .addColumn('buyer_vat', 'text')
        .addColumn('buyer_name', 'text')
        .addColumn('original_document_id', 'text', (c) => c.references('documents.id'))
        .addColumn('original_number', 'text')
        .addColumn('tax_exclusive_amount', 'text', (c) => c.notNull())
        .addColumn('tax_amount', 'text', (c) => c.notNull())
        .addColumn('tax_amount_sar', 'text', (c) => c.notNull())
        .addColumn('tax_inclusive_amount', 'text', (c) => c.notNull())
        .addColumn('payable_amount', 'text', (c) => c.notNull())
        .addColumn('taxable_amount_sar', 'text', (c) => c.notNull())
        .addColumn('vat_breakdown', 'text', (c) => c.notNull())
        .addColumn('qr', 'text', (c) => c.notNull())
        .addColumn('xml', 'text', (c) => c.notNull())
        .addUniqueConstraint('documents_unit_icv', ['unit_id', 'icv'])
        .addUniqueConstraint('documents_taxpayer_uuid', ['taxpayer_id', 'uuid'])
        .addUniqueConstraint('documents_taxpayer_number', ['taxpayer_id', 'number'])
        .execute();
      await db.schema.createIndex('documents_issued').ifNotExists().on('documents').columns(['taxpayer_id', 'issued_at']).execute();
      await db.schema.createIndex('documents_original').ifNotExists().on('documents').columns(['original_document_id']).execute();

      await db.schema
        .createTable('document_clearances')
        .ifNotExists()
        .addColumn('document_id', 'text', (c) => c.primaryKey().references('documents.id'))
        .addColumn('taxpayer_id', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text', (c) => c.notNull())
        .addColumn('invoice_hash', 'text', (c) => c.notNull())
        .addColumn('xml', 'text', (c) => c.notNull())
        .addColumn('cleared_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('submissions')
        .ifNotExists()
        .addColumn('document_id', 'text', (c) => c.primaryKey().references('documents.id'))
        .addColumn('taxpayer_id', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text', (c) => c.notNull())
        .addColumn('icv', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'text')
        .addColumn('issued_at', 'text', (c) => c.notNull())
        .addColumn('deadline_at', 'text', (c) => c.notNull())
        .addColumn('late', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('duplicate', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_http_status', 'integer')
        .addColumn('last_outcome', 'text')
        .addColumn('last_message', 'text')
        .addColumn('accepted_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('submissions_due').ifNotExists().on('submissions').columns(['state', 'next_attempt_at']).execute();
      await db.schema.createIndex('submissions_unit').ifNotExists().on('submissions').columns(['taxpayer_id', 'unit_id', 'state']).execute();

      await db.schema
        .createTable('submission_attempts')
        .ifNotExists()
        .addColumn('id', 'integer', serialId(dialect))
        .addColumn('document_id', 'text', (c) => c.notNull().references('documents.id'))
        .addColumn('taxpayer_id', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text', (c) => c.notNull())
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('http_status', 'integer')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('state_after', 'text', (c) => c.notNull())
        .addColumn('messages', 'text', (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('worker', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('submission_attempts_document').ifNotExists().on('submission_attempts').columns(['document_id', 'id']).execute();

      if (dialect === 'sqlite') await sqliteGuards(db);
      else await postgresGuards(db);
    },
  };
}

const IMMUTABLE_MESSAGE = 'issued documents and their logs are immutable (ZATCA: an issued document is never changed or deleted)';

async function sqliteGuards(db: Kysely<any>): Promise<void> {
  for (const table of IMMUTABLE_TABLES) {
    for (const op of ['UPDATE', 'DELETE'] as const) {
      await sql
        .raw(`CREATE TRIGGER IF NOT EXISTS ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, '${IMMUTABLE_MESSAGE}'); END`)
        .execute(db);
    }
  }
  // A document joins its unit's chain only as the next link: ICV 1 on the initial PIH, or the
  // ICV after a stored document whose hash is its PIH. No gap, no fork, whatever code inserts it.
  await sql
    .raw(
      `CREATE TRIGGER IF NOT EXISTS documents_chain_link BEFORE INSERT ON documents
       WHEN NOT ((NEW.icv = 1 AND NEW.pih = '${INITIAL_PIH}')
         OR EXISTS (SELECT 1 FROM documents p WHERE p.unit_id = NEW.unit_id AND p.icv = NEW.icv - 1 AND p.invoice_hash = NEW.pih))
       BEGIN SELECT RAISE(ABORT, 'chain break: a document must take the next ICV of its unit and the previous document''s hash as PIH'); END`,
    )
    .execute(db);
  // The head moves forward only, onto a stored document; the issue time never goes back.
  await sql
    .raw(
      `CREATE TRIGGER IF NOT EXISTS egs_units_chain_head BEFORE UPDATE OF icv, pih, last_issued_at ON egs_units
       WHEN NEW.icv < OLD.icv
         OR (NEW.icv <> OLD.icv OR NEW.pih <> OLD.pih) AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.unit_id = NEW.id AND d.icv = NEW.icv AND d.invoice_hash = NEW.pih)
         OR (OLD.last_issued_at IS NOT NULL AND (NEW.last_issued_at IS NULL OR NEW.last_issued_at < OLD.last_issued_at))
       BEGIN SELECT RAISE(ABORT, 'chain head may only advance onto a stored document, and the last issue time never goes back'); END`,
    )
    .execute(db);
}

async function postgresGuards(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION fawtara_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION '${IMMUTABLE_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; END $$`,
    )
    .execute(db);
  for (const table of IMMUTABLE_TABLES) {
    await sql
      .raw(`CREATE OR REPLACE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION fawtara_refuse_change()`)
      .execute(db);
    // TRUNCATE skips row triggers; refuse it as a statement.
    await sql
      .raw(`CREATE OR REPLACE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION fawtara_refuse_change()`)
      .execute(db);
  }
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION fawtara_chain_link() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NOT ((NEW.icv = 1 AND NEW.pih = '${INITIAL_PIH}')
           OR EXISTS (SELECT 1 FROM documents p WHERE p.unit_id = NEW.unit_id AND p.icv = NEW.icv - 1 AND p.invoice_hash = NEW.pih)) THEN
           RAISE EXCEPTION 'chain break: a document must take the next ICV of its unit and the previous document''s hash as PIH' USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         RETURN NEW;
       END $$`,
    )
    .execute(db);
  await sql.raw(`CREATE OR REPLACE TRIGGER documents_chain_link BEFORE INSERT ON documents FOR EACH ROW EXECUTE FUNCTION fawtara_chain_link()`).execute(db);
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION fawtara_chain_head() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.icv < OLD.icv
           OR ((NEW.icv <> OLD.icv OR NEW.pih <> OLD.pih) AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.unit_id = NEW.id AND d.icv = NEW.icv AND d.invoice_hash = NEW.pih))
           OR (OLD.last_issued_at IS NOT NULL AND (NEW.last_issued_at IS NULL OR NEW.last_issued_at < OLD.last_issued_at)) THEN
           RAISE EXCEPTION 'chain head may only advance onto a stored document, and the last issue time never goes back' USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         RETURN NEW;
       END $$`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE OR REPLACE TRIGGER egs_units_chain_head BEFORE UPDATE OF icv, pih, last_issued_at ON egs_units FOR EACH ROW EXECUTE FUNCTION fawtara_chain_head()`,
    )
    .execute(db);
}
