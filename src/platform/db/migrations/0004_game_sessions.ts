import { type Kysely, MysqlAdapter, PostgresAdapter, sql } from 'kysely'

/** Raw bytes: each database names the type differently (MariaDB's BLOB stops at 64 KiB). */
export function bytesType(db: Kysely<unknown>) {
  const adapter = db.getExecutor().adapter
  if (adapter instanceof PostgresAdapter) return sql`bytea`
  if (adapter instanceof MysqlAdapter) return sql`longblob`
  return sql`blob`
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('game_sessions')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_id', 'varchar(36)')
    .addColumn('game_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('game_name', 'varchar(200)')
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('channels', 'text', (c) => c.notNull())
    .addColumn('sample_count', 'integer', (c) => c.notNull())
    .addColumn('analysis', 'text')
    .addColumn('progress_score', 'double precision')
    .addColumn('range_of_motion', 'double precision')
    .addColumn('failure', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('processed_at', 'bigint')
    .execute()
  await db.schema
    .createIndex('game_sessions_user_created_idx')
    .on('game_sessions')
    .columns(['user_id', 'created_at'])
    .execute()
  await db.schema
    .createIndex('game_sessions_user_game_idx')
    .on('game_sessions')
    .columns(['user_id', 'game_id', 'ended_at'])
    .execute()

  // The uploaded sensor data, gzipped JSON cut into pieces that fit every driver's packet limit.
  await db.schema
    .createTable('game_session_data')
    .addColumn('session_id', 'varchar(36)', (c) => c.notNull().references('game_sessions.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('bytes', bytesType(db), (c) => c.notNull())
    .addPrimaryKeyConstraint('game_session_data_pk', ['session_id', 'seq'])
    .execute()

  // Jobs written in a business transaction, published to the broker after it commits.
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('queue', 'varchar(100)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_until', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('outbox_claimed_idx').on('outbox').column('claimed_until').execute()

  // Per-user change feed for /v1/sync. The counter row is locked by each writer until it commits,
  // so a user's changes commit in cursor order and a reader never skips one.
  await db.schema
    .createTable('sync_cursors')
    .addColumn('user_id', 'varchar(36)', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('sync_changes')
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('entity_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('change', 'varchar(16)', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('notified_at', 'bigint')
    .addPrimaryKeyConstraint('sync_changes_pk', ['user_id', 'seq'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sync_changes').execute()
  await db.schema.dropTable('sync_cursors').execute()
  await db.schema.dropTable('outbox').execute()
  await db.schema.dropTable('game_session_data').execute()
  await db.schema.dropTable('game_sessions').execute()
}
