import type { Kysely } from 'kysely'

// Alert episodes follow sample time, whatever order samples arrive in. Per user: the latest sample
// time the episodes have seen (a later sample extends them in place; an earlier one replays the
// stretch it lands in), and the row every writer of that user's samples locks until it commits.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('heart_rate_episode_state')
    .addColumn('user_id', 'varchar(36)', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('last_ts', 'bigint')
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('heart_rate_episode_state').execute()
}
