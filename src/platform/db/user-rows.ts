import type { Db } from './database.js'
import type { Database } from './schema.js'

/** The tables whose rows carry the owning user's id (`user_id`). */
export type UserOwnedTable = {
  [T in keyof Database]: 'user_id' extends keyof Database[T] ? T : never
}[keyof Database]

/**
 * Deletes `userId`'s rows from each of `tables`, in the order given (tables that reference others
 * first). Rows reached only through a parent (samples of a stream, epochs of a job) go with the
 * parent: those foreign keys cascade.
 */
export async function deleteUserRows(db: Db, userId: string, tables: readonly UserOwnedTable[]): Promise<void> {
  for (const table of tables) {
    // Every table here has `user_id` (the type says so); Kysely cannot narrow a union of tables to that column.
    await (db as unknown as Db)
      .deleteFrom(table as 'devices')
      .where('user_id', '=', userId)
      .execute()
  }
}
