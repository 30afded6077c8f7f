// Migration 0012 (issue 16, PKCS#11 key custody): which provider keeps each unit's keys, and where a
// key held in a security module lives (token and object label) and when it was destroyed there.
import type { Migration } from 'kysely';

export function keyCustody(): Migration {
  return {
    async up(db) {
      // Every unit registered before PKCS#11 keeps its keys sealed in the store. Adding columns changes
      // no stored row, so the chain-head and immutability triggers are not involved.
      await db.schema
        .alterTable('egs_units')
        .addColumn('key_provider', 'text', (c) => c.notNull().defaultTo('sealed'))
        .execute();
      // A key in a token has no sealed envelope (`sealed_private_key` is empty) but a token label and
      // the CKA_LABEL of its objects; `destroyed_at` is set once the token has destroyed them.
      await db.schema.alterTable('unit_keys').addColumn('token_label', 'text').execute();
      await db.schema.alterTable('unit_keys').addColumn('key_label', 'text').execute();
      await db.schema.alterTable('unit_keys').addColumn('destroyed_at', 'text').execute();
    },
  };
}
