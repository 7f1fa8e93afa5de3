import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per sample. The natural key is the primary key, so a retried batch cannot duplicate
  // and range reads per device walk the clustered index. `device_id` is '' for a person's own
  // uploads (a NULL would not take part in the key).
  await db.schema
    .createTable('heart_rate_samples')
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('bpm', 'double precision', (c) => c.notNull())
    .addColumn('rr_intervals', 'text')
    .addColumn('alert', 'varchar(4)')
    .addPrimaryKeyConstraint('heart_rate_samples_pk', ['user_id', 'device_id', 'ts'])
    .execute()
  await db.schema
    .createIndex('heart_rate_samples_user_ts_idx')
    .on('heart_rate_samples')
    .columns(['user_id', 'ts'])
    .execute()

  await db.schema
    .createTable('heart_rate_alerts')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('kind', 'varchar(4)', (c) => c.notNull())
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('last_alert_at', 'bigint', (c) => c.notNull())
    .addColumn('closed_at', 'bigint')
    .addColumn('peak_bpm', 'double precision', (c) => c.notNull())
    .addColumn('sample_count', 'integer', (c) => c.notNull())
    .addColumn('in_range_streak', 'integer', (c) => c.notNull())
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('heart_rate_alerts_user_idx')
    .on('heart_rate_alerts')
    .columns(['user_id', 'opened_at'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('heart_rate_alerts').execute()
  await db.schema.dropTable('heart_rate_samples').execute()
}
