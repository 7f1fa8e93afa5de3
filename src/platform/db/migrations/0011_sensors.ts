import type { Kysely } from 'kysely'
import { bytesType } from './0004_game_sessions.js'

export async function up(db: Kysely<unknown>): Promise<void> {
  // One stream per (device, kind): its layout (channel groups and their lengths) is fixed by its first frame.
  await db.schema
    .createTable('sensor_streams')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('device_id', 'varchar(36)', (c) => c.notNull().references('devices.id').onDelete('cascade'))
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('layout', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('sensor_streams_device_kind_uq', ['device_id', 'kind'])
    .execute()
  await db.schema.createIndex('sensor_streams_user_idx').on('sensor_streams').column('user_id').execute()

  // A frame is its values as little-endian float32, in the stream's layout order; (stream, ts) is its key.
  await db.schema
    .createTable('sensor_frames')
    .addColumn('stream_id', 'varchar(36)', (c) => c.notNull().references('sensor_streams.id').onDelete('cascade'))
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('data', bytesType(db), (c) => c.notNull())
    .addPrimaryKeyConstraint('sensor_frames_pk', ['stream_id', 'ts'])
    .execute()

  await db.schema
    .createTable('sensor_datasets')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('layout', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('sensor_datasets_user_idx')
    .on('sensor_datasets')
    .columns(['user_id', 'created_at'])
    .execute()

  // A dataset's own copy of its labelled frames (so retention never empties a dataset). `part_id`
  // is the recording or import that added the row; `seq` orders rows within it (a recording's: the
  // frame's timestamp; an import's: the CSV row).
  await db.schema
    .createTable('sensor_dataset_frames')
    .addColumn('dataset_id', 'varchar(36)', (c) => c.notNull().references('sensor_datasets.id').onDelete('cascade'))
    .addColumn('part_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('label', 'varchar(100)', (c) => c.notNull())
    .addColumn('data', bytesType(db), (c) => c.notNull())
    .addPrimaryKeyConstraint('sensor_dataset_frames_pk', ['dataset_id', 'part_id', 'seq'])
    .execute()

  await db.schema
    .createTable('sensor_recordings')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('dataset_id', 'varchar(36)', (c) => c.notNull().references('sensor_datasets.id').onDelete('cascade'))
    .addColumn('device_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('label', 'varchar(100)', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('stopped_at', 'bigint')
    .execute()
  await db.schema
    .createIndex('sensor_recordings_dataset_idx')
    .on('sensor_recordings')
    .columns(['dataset_id', 'started_at'])
    .execute()
  // Every frame commit looks up the active recordings of its devices.
  await db.schema
    .createIndex('sensor_recordings_device_idx')
    .on('sensor_recordings')
    .columns(['device_id', 'stopped_at'])
    .execute()

  // Which model classifies a device's stream live, and its latest prediction.
  await db.schema
    .createTable('sensor_live_classifiers')
    .addColumn('device_id', 'varchar(36)', (c) => c.notNull().references('devices.id').onDelete('cascade'))
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('model_id', 'varchar(36)', (c) => c.notNull().references('ml_models.id').onDelete('cascade'))
    .addColumn('latest', 'text')
    .addColumn('latest_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sensor_live_classifiers_pk', ['device_id', 'kind'])
    .execute()
  await db.schema
    .createIndex('sensor_live_classifiers_user_idx')
    .on('sensor_live_classifiers')
    .column('user_id')
    .execute()

  // The CSI seed's Pis (PULSEBASE_COMPAT=csi): the seed's numeric ID -> a device of the compat account.
  await db.schema
    .createTable('compat_csi_servers')
    .addColumn('seed_id', 'integer', (c) => c.primaryKey())
    .addColumn('device_id', 'varchar(36)', (c) => c.notNull().references('devices.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'compat_csi_servers',
    'sensor_live_classifiers',
    'sensor_recordings',
    'sensor_dataset_frames',
    'sensor_datasets',
    'sensor_frames',
    'sensor_streams',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
