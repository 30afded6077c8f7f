// Issue 10 "Integrity at open": a unit's stored chain tail is re-hashed before the unit issues again, so a
// byte changed inside its last stored XML behind the database guards (the attack that once let `issue`
// append ICV 268 onto a document the auditor flagged) stops that unit with STORE_DAMAGED naming it,
// while the store's other units keep issuing. SQLite and PostgreSQL.
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../src/cli/output.js';
import { resolveUnit } from '../../src/egs/index.js';
import type { FawtaraError } from '../../src/errors.js';
import { forgetVerifiedTails } from '../../src/issuing/chain.js';
import { issueDocument } from '../../src/issuing/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { ENGINES, PG_ROLES, startFleetSimulator } from '../egs/helpers.js';
import { issuingFleet, saleJson, type IssuingFleet } from '../issuing/helpers.js';

describe.each(ENGINES)('chain tail checked before issuing on %s', (engine) => {
  let sim: RunningSimulator;
  let f: IssuingFleet;
  let n = 0;
  const issue = (unit: string) => issueDocument(f.ctx, f.taxpayer, unit, saleJson(f.taxpayer, f.branch, { number: `TAIL-${engine}-${++n}` }));

  beforeAll(async () => {
    sim = await startFleetSimulator();
    f = await issuingFleet(engine, sim, 2, { title: '0100' });
  });
  afterAll(async () => {
    await f?.close();
    await sim?.close();
  });

  it('a byte flipped in the last stored document stops that unit (STORE_DAMAGED, exit 3) and nothing is appended', async () => {
    const first = await issue('POS-1');
    // Only someone who removes the guard can do this (the runtime role on PostgreSQL cannot): the owner here.
    const db = f.ctx.store.db;
    if (engine === 'sqlite') {
      await sql`DROP TRIGGER documents_no_update`.execute(db);
      await sql`UPDATE documents SET xml = replace(xml, 'Item 1', 'Item X') WHERE id = ${first.id}`.execute(db);
    } else {
      const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]!.s;
      const owner = new pg.Client({ connectionString: PG_ROLES!.ownerUrl, options: `-c search_path=${schema}` });
      await owner.connect();
      try {
        await owner.query('ALTER TABLE documents DISABLE TRIGGER USER');
        await owner.query(`UPDATE documents SET xml = replace(xml, 'Item 1', 'Item X') WHERE id = $1`, [first.id]);
        await owner.query('ALTER TABLE documents ENABLE TRIGGER USER');
      } finally {
        await owner.end();
      }
    }
    const before = await resolveUnit(f.ctx, f.taxpayer, 'POS-1');
    // The process verified or wrote this head already; a restart forgets that, and the tail is re-hashed.
    forgetVerifiedTails();
    let error: FawtaraError | undefined;
    try {
      await issue('POS-1');
    } catch (e) {
      error = e as FawtaraError;
    }
    expect(error?.code).toBe('STORE_DAMAGED');
    expect(exitCodeOf(error)).toBe(3);
    expect(error?.message).toMatch(/unit POS-1 .*ICV \d+.*no longer re-hashes/);
    expect(error?.messageAr).toMatch(/POS-1/);
    expect((await resolveUnit(f.ctx, f.taxpayer, 'POS-1')).icv).toBe(before.icv);
  });

  it("the store's other units keep issuing", async () => {
    const other = await issue('POS-2');
    expect(other.icv).toBeGreaterThan(0);
  });
});
