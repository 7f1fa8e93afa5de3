import type { Kysely, Selectable } from 'kysely'
import type { Database, M2mProfilesTable } from '../../platform/db/schema.js'

// Every statement is keyed by the owner's user id: there is no way to reach another user's row.

export type ProfileRow = Selectable<M2mProfilesTable>

export function findProfile(db: Kysely<Database>, userId: string): Promise<ProfileRow | undefined> {
  return db.selectFrom('m2m_profiles').selectAll().where('user_id', '=', userId).executeTakeFirst()
}

/** Throws the driver's unique violation when the user already has a profile. */
export async function insertProfile(
  db: Kysely<Database>,
  userId: string,
  document: string,
  now: number,
): Promise<void> {
  await db.insertInto('m2m_profiles').values({ user_id: userId, document, created_at: now, updated_at: now }).execute()
}

/** True when a profile was there to replace. */
export async function replaceProfile(
  db: Kysely<Database>,
  userId: string,
  document: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('m2m_profiles')
    .set({ document, updated_at: now })
    .where('user_id', '=', userId)
    .executeTakeFirst()
  // MySQL counts changed rows, not matched ones: an identical replacement in the same ms counts 0.
  return result.numUpdatedRows > 0n || (await findProfile(db, userId)) !== undefined
}

export async function deleteProfile(db: Kysely<Database>, userId: string): Promise<void> {
  await db.deleteFrom('m2m_profiles').where('user_id', '=', userId).execute()
}
