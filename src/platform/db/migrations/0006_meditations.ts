import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // Booleans are integers 0/1: the one representation all three databases return alike.
  await db.schema
    .createTable('meditation_sessions')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('duration_s', 'integer', (c) => c.notNull())
    .addColumn('is_completed', 'integer', (c) => c.notNull())
    .addColumn('is_canceled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('meditation_sessions_user_idx')
    .on('meditation_sessions')
    .columns(['user_id', 'started_at'])
    .execute()

  await db.schema
    .createTable('meditation_periods')
    .addColumn('session_id', 'varchar(36)', (c) => c.notNull().references('meditation_sessions.id').onDelete('cascade'))
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('visualization', 'varchar(32)')
    .addColumn('beat_frequency', 'double precision')
    .addColumn('breathing_pattern', 'text', (c) => c.notNull())
    .addColumn('breathing_multiplier', 'double precision', (c) => c.notNull())
    .addColumn('is_haptic_feedback', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('meditation_periods_pk', ['session_id', 'idx'])
    .execute()

  await db.schema
    .createTable('meditation_heart_rates')
    .addColumn('session_id', 'varchar(36)', (c) => c.notNull().references('meditation_sessions.id').onDelete('cascade'))
    .addColumn('period_idx', 'integer', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('bpm', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('meditation_heart_rates_pk', ['session_id', 'period_idx', 'idx'])
    .execute()

  // MindSync clients identify themselves by a deviceId they generate; each maps to a pulsebase user and device.
  await db.schema
    .createTable('compat_mindsync_devices')
    .addColumn('client_id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('compat_mindsync_devices').execute()
  await db.schema.dropTable('meditation_heart_rates').execute()
  await db.schema.dropTable('meditation_periods').execute()
  await db.schema.dropTable('meditation_sessions').execute()
}
