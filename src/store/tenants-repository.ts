// Queries for taxpayers, their VAT-group members and branches. Every read of a member or branch
// takes the taxpayer id, so one taxpayer can never see or touch another's rows.
import type { Kysely } from 'kysely';
import type { Branch, BranchesTable, Database, Taxpayer, TaxpayersTable, VatGroupMember, VatGroupMembersTable } from './schema.js';

type Db = Kysely<Database>;

export async function insertTaxpayer(db: Db, row: TaxpayersTable): Promise<Taxpayer> {
  await db.insertInto('taxpayers').values(row).execute();
  return row;
}

export function findTaxpayerByVat(db: Db, vatNumber: string): Promise<Taxpayer | undefined> {
  return db.selectFrom('taxpayers').selectAll().where('vat_number', '=', vatNumber).executeTakeFirst();
}

export function findTaxpayerById(db: Db, id: string): Promise<Taxpayer | undefined> {
  return db.selectFrom('taxpayers').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listTaxpayers(db: Db): Promise<Taxpayer[]> {
  return db.selectFrom('taxpayers').selectAll().orderBy('vat_number').execute();
}

export async function insertMember(db: Db, row: VatGroupMembersTable): Promise<VatGroupMember> {
  await db.insertInto('vat_group_members').values(row).execute();
  return row;
}

export function listMembers(db: Db, taxpayerId: string): Promise<VatGroupMember[]> {
  return db.selectFrom('vat_group_members').selectAll().where('taxpayer_id', '=', taxpayerId).orderBy('tin').execute();
}

export async function deleteMember(db: Db, taxpayerId: string, id: string): Promise<void> {
  await db.deleteFrom('vat_group_members').where('taxpayer_id', '=', taxpayerId).where('id', '=', id).execute();
}

export function findMember(db: Db, taxpayerId: string, tin: string): Promise<VatGroupMember | undefined> {
  return db.selectFrom('vat_group_members').selectAll().where('taxpayer_id', '=', taxpayerId).where('tin', '=', tin).executeTakeFirst();
}

export async function insertBranch(db: Db, row: BranchesTable): Promise<Branch> {
  await db.insertInto('branches').values(row).execute();
  return row;
}

export function listBranches(db: Db, taxpayerId: string): Promise<Branch[]> {
  return db.selectFrom('branches').selectAll().where('taxpayer_id', '=', taxpayerId).orderBy('name').execute();
}

/** A branch of this taxpayer by id or by name. */
export function findBranch(db: Db, taxpayerId: string, idOrName: string): Promise<Branch | undefined> {
  return db
    .selectFrom('branches')
    .selectAll()
    .where('taxpayer_id', '=', taxpayerId)
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
}
