import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // The Deep Learning Playground's May-2023 "trainspace" records (PULSEBASE_COMPAT=dlp): what the
  // seed's client described (dataset, parameters, review), stored per user as JSON text; nothing
  // trains from them, as in the seed.
  await db.schema
    .createTable('compat_dlp_trainspaces')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('data_source', 'varchar(40)', (c) => c.notNull())
    .addColumn('dataset_data', 'text')
    .addColumn('parameters_data', 'text')
    .addColumn('review_data', 'text')
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('compat_dlp_trainspaces_user_idx')
    .on('compat_dlp_trainspaces')
    .columns(['user_id', 'created_at'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('compat_dlp_trainspaces').execute()
}
