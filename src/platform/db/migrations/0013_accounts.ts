import type { Kysely } from 'kysely'

// Account lifecycle: single-use mailed tokens (password reset, e-mail verification), when an
// address was verified, and a device's previous key during its grace period after a rotation.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('account_tokens')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute()
  await db.schema.createIndex('account_tokens_user_idx').on('account_tokens').columns(['user_id', 'purpose']).execute()
  await db.schema.alterTable('users').addColumn('email_verified_at', 'bigint').execute()
  await db.schema.alterTable('devices').addColumn('previous_key_hash', 'varchar(64)').execute()
  await db.schema.alterTable('devices').addColumn('previous_key_expires_at', 'bigint').execute()
  await db.schema.createIndex('devices_previous_key_idx').on('devices').column('previous_key_hash').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('devices_previous_key_idx').on('devices').execute()
  await db.schema.alterTable('devices').dropColumn('previous_key_expires_at').execute()
  await db.schema.alterTable('devices').dropColumn('previous_key_hash').execute()
  await db.schema.alterTable('users').dropColumn('email_verified_at').execute()
  await db.schema.dropTable('account_tokens').execute()
}
