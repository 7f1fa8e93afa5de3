import type { Kysely, Selectable } from 'kysely'
import type { Database, RefreshTokensTable } from '../../platform/db/schema.js'

export type RefreshTokenRow = Selectable<RefreshTokensTable>

/** Stores a login session; `createdAt` and `expiresAt` in epoch milliseconds. */
export async function insertSession(
  db: Kysely<Database>,
  row: { id: string; userId: string; createdAt: number; expiresAt: number },
) {
  await db
    .insertInto('auth_sessions')
    .values({ id: row.id, user_id: row.userId, created_at: row.createdAt, expires_at: row.expiresAt, revoked_at: null })
    .execute()
}

export async function insertRefreshToken(db: Kysely<Database>, row: RefreshTokenRow): Promise<void> {
  await db.insertInto('refresh_tokens').values(row).execute()
}

export function findRefreshToken(db: Kysely<Database>, tokenHash: string): Promise<RefreshTokenRow | undefined> {
  return db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst()
}

/** Marks a refresh token used; false when another request used it first (a reuse). */
export async function markRefreshTokenUsed(db: Kysely<Database>, tokenHash: string, at: number): Promise<boolean> {
  const result = await db
    .updateTable('refresh_tokens')
    .set({ used_at: at })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Revokes one of the user's sessions at `at` (epoch milliseconds); a revoked one keeps its first time. */
export async function revokeSession(
  db: Kysely<Database>,
  sessionId: string,
  userId: string,
  at: number,
): Promise<void> {
  await db
    .updateTable('auth_sessions')
    .set({ revoked_at: at })
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute()
}

/** The role of the user behind a live (not revoked, not expired) session, in one indexed lookup. */
export function findLiveSessionRole(db: Kysely<Database>, sessionId: string, userId: string, now: number) {
  return db
    .selectFrom('auth_sessions')
    .innerJoin('users', 'users.id', 'auth_sessions.user_id')
    .select(['users.role'])
    .where('auth_sessions.id', '=', sessionId)
    .where('auth_sessions.user_id', '=', userId)
    .where('auth_sessions.revoked_at', 'is', null)
    .where('auth_sessions.expires_at', '>', now)
    .executeTakeFirst()
}

/** Deletes refresh tokens and login sessions that expired before `cutoff`; returns the sessions deleted. */
export async function deleteExpiredSessions(db: Kysely<Database>, cutoff: number): Promise<number> {
  await db.deleteFrom('refresh_tokens').where('expires_at', '<', cutoff).execute()
  const result = await db.deleteFrom('auth_sessions').where('expires_at', '<', cutoff).executeTakeFirst()
  return Number(result.numDeletedRows)
}
