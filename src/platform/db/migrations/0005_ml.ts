import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per trained model version; the artifact files live under the data dir, named by id.
  await db.schema
    .createTable('ml_models')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('data_from', 'bigint')
    .addColumn('data_to', 'bigint')
    .addColumn('examples', 'integer', (c) => c.notNull())
    .addColumn('metrics', 'text', (c) => c.notNull())
    .addColumn('artifact', 'varchar(255)', (c) => c.notNull())
    .addColumn('training_job_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('ml_models_version_uq', ['user_id', 'kind', 'version'])
    .execute()

  await db.schema
    .createTable('ml_training_jobs')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('model_id', 'varchar(36)')
    .addColumn('is_cancel_requested', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('heartbeat_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('duration_ms', 'integer')
    .execute()
  await db.schema
    .createIndex('ml_training_jobs_user_idx')
    .on('ml_training_jobs')
    .columns(['user_id', 'created_at'])
    .execute()
  await db.schema
    .createIndex('ml_training_jobs_state_idx')
    .on('ml_training_jobs')
    .columns(['state', 'heartbeat_at'])
    .execute()

  await db.schema
    .createTable('ml_training_epochs')
    .addColumn('job_id', 'varchar(36)', (c) => c.notNull().references('ml_training_jobs.id').onDelete('cascade'))
    .addColumn('epoch', 'integer', (c) => c.notNull())
    .addColumn('loss', 'double precision', (c) => c.notNull())
    .addColumn('val_loss', 'double precision')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ml_training_epochs_pk', ['job_id', 'epoch'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ml_training_epochs').execute()
  await db.schema.dropTable('ml_training_jobs').execute()
  await db.schema.dropTable('ml_models').execute()
}
