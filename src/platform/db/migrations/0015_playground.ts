import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // Classifiers that score their epochs keep train and held-out accuracy beside the losses.
  await db.schema.alterTable('ml_training_epochs').addColumn('accuracy', 'double precision').execute()
  await db.schema.alterTable('ml_training_epochs').addColumn('val_accuracy', 'double precision').execute()

  // A playground run is a training job of kind `playground` plus what a person sees of it: its
  // name, where its data came from, the seed client's execution id, and the mail asked for at its end.
  await db.schema
    .createTable('playground_runs')
    .addColumn('training_job_id', 'varchar(36)', (c) =>
      c.primaryKey().references('ml_training_jobs.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('data_source', 'varchar(32)', (c) => c.notNull())
    .addColumn('client_ref', 'varchar(100)')
    .addColumn('notify_email', 'varchar(320)')
    .addColumn('emailed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('playground_runs_user_idx')
    .on('playground_runs')
    .columns(['user_id', 'created_at'])
    .execute()
  await db.schema
    .createIndex('playground_runs_ref_idx')
    .on('playground_runs')
    .columns(['user_id', 'client_ref'])
    .execute()

  // Learning progress: one row per answered question; points are counted from the rows, so a repeat adds nothing.
  await db.schema
    .createTable('playground_answers')
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('module_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('section_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('question_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('answered_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('playground_answers_pk', ['user_id', 'module_id', 'section_id', 'question_id'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('playground_answers').execute()
  await db.schema.dropTable('playground_runs').execute()
  await db.schema.alterTable('ml_training_epochs').dropColumn('val_accuracy').execute()
  await db.schema.alterTable('ml_training_epochs').dropColumn('accuracy').execute()
}
