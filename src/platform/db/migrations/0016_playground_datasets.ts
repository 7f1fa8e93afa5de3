import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // A person's uploaded CSV: its bytes on the blob store (`playground/datasets/<id>.csv`), its
  // detected columns here. The row is written only after the blob, so every row can be read back.
  await db.schema
    .createTable('playground_datasets')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('columns', 'text', (c) => c.notNull())
    .addColumn('rows', 'integer', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    // Image datasets (from a zip): {height, width, channels} of every row's pixels; null for tables.
    .addColumn('image', 'varchar(100)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('playground_datasets_user_idx')
    .on('playground_datasets')
    .columns(['user_id', 'created_at'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('playground_datasets').execute()
}
