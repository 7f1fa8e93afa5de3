import type { Kysely } from 'kysely'
import { bytesType } from './0004_game_sessions.js'

// The database blob store (PULSEBASE_BLOB_STORE=database): a key points at the object holding its
// bytes, so a put writes a new object and then swaps the pointer in one short transaction.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('blobs')
    .addColumn('blob_key', 'varchar(512)', (c) => c.primaryKey())
    .addColumn('object_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('chunks', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('blob_chunks')
    .addColumn('object_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('data', bytesType(db), (c) => c.notNull())
    .addPrimaryKeyConstraint('blob_chunks_pk', ['object_id', 'seq'])
    .execute()
  await db.schema
    .createTable('blob_uploads')
    .addColumn('object_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('blob_uploads_started_idx').on('blob_uploads').column('started_at').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('blob_uploads').execute()
  await db.schema.dropTable('blob_chunks').execute()
  await db.schema.dropTable('blobs').execute()
}
