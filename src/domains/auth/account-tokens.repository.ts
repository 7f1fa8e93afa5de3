// Single-use tokens mailed to a user (password reset, e-mail verification); only their hashes are stored.
import type { Db } from '../../platform/db/database.js'
import type { AccountTokensTable } from '../../platform/db/schema.js'

export async function insertAccountToken(db: Db, row: AccountTokensTable): Promise<void> {
  await db.insertInto('account_tokens').values(row).execute()
}

/** Marks a live token used and answers its user; undefined when unknown, expired, used, or of another purpose. */
export async function useAccountToken(
  db: Db,
  tokenHash: string,
  purpose: AccountTokensTable['purpose'],
  now: number,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('account_tokens')
    .select('user_id')
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst()
  if (row === undefined) return undefined
  const { numUpdatedRows } = await db
    .updateTable('account_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst()
  return numUpdatedRows > 0n ? row.user_id : undefined
}
