import type { Kysely, Selectable } from 'kysely'
import type { Database, UsersTable } from '../../platform/db/schema.js'

export type UserRow = Selectable<UsersTable>

export async function insertUser(db: Kysely<Database>, row: UserRow): Promise<void> {
  await db.insertInto('users').values(row).execute()
}

export function findUserById(db: Kysely<Database>, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findUserByEmail(db: Kysely<Database>, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst()
}

/** Changes a user's row and stamps `updated_at` with `now` (epoch milliseconds). */
export async function updateUser(
  db: Kysely<Database>,
  id: string,
  changes: Partial<Pick<UserRow, 'display_name' | 'settings' | 'role' | 'password_hash' | 'email_verified_at'>>,
  now: number,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ ...changes, updated_at: now })
    .where('id', '=', id)
    .execute()
}

export function listUsers(db: Kysely<Database>, page: { limit: number; offset: number }): Promise<UserRow[]> {
  return db
    .selectFrom('users')
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .execute()
}
