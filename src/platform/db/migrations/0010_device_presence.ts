import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // Presence is computed from `last_seen_at` and the device's timeout; `presence_announced` is only
  // the last transition pushed live, so each one is announced once however many processes see it.
  await db.schema.alterTable('devices').addColumn('presence_timeout_ms', 'integer').execute()
  await db.schema.alterTable('devices').addColumn('remote_address', 'varchar(64)').execute()
  await db.schema
    .alterTable('devices')
    .addColumn('presence_announced', 'varchar(8)', (c) => c.notNull().defaultTo('offline'))
    .execute()
  await db.schema
    .createIndex('devices_presence_idx')
    .on('devices')
    .columns(['presence_announced', 'last_seen_at'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('devices_presence_idx').on('devices').execute()
  await db.schema.alterTable('devices').dropColumn('presence_announced').execute()
  await db.schema.alterTable('devices').dropColumn('remote_address').execute()
  await db.schema.alterTable('devices').dropColumn('presence_timeout_ms').execute()
}
