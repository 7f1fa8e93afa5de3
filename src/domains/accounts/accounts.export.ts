// "Export all my data" (GDPR art. 20): one zip, streamed, of a JSON file per kind of data (every
// row of the user's, secrets left out) and the files of the user's models from the blob store.
import { Readable } from 'node:stream'
import type { Kysely } from 'kysely'
import type { BlobStore } from '../../platform/blob/blob.port.js'
import type { Db } from '../../platform/db/database.js'
import { isPastRow } from '../../platform/pagination/keyset.js'

/** One file of the archive: a table's rows of the user, directly (`user_id`) or through a parent row. */
interface Part {
  readonly file: string
  readonly table: string
  /** The columns the rows are ordered (and paged) by: the table's key. */
  readonly order: readonly string[]
  /** How the table reaches the user: its own `user_id`, or a column naming a row of a parent table that has one. */
  readonly via?: { readonly column: string; readonly parent: string }
}

const PARTS: readonly Part[] = [
  { file: 'devices.json', table: 'devices', order: ['id'] },
  { file: 'login-sessions.json', table: 'auth_sessions', order: ['id'] },
  { file: 'heart-rate-streams.json', table: 'heart_rate_streams', order: ['id'] },
  {
    file: 'heart-rate-samples.json',
    table: 'heart_rate_samples',
    order: ['stream_id', 'ts'],
    via: { column: 'stream_id', parent: 'heart_rate_streams' },
  },
  { file: 'heart-rate-alerts.json', table: 'heart_rate_alerts', order: ['id'] },
  { file: 'game-sessions.json', table: 'game_sessions', order: ['id'] },
  {
    file: 'game-session-data.json',
    table: 'game_session_data',
    order: ['session_id', 'seq'],
    via: { column: 'session_id', parent: 'game_sessions' },
  },
  { file: 'm2m-profile.json', table: 'm2m_profiles', order: ['user_id'] },
  { file: 'meditation-sessions.json', table: 'meditation_sessions', order: ['id'] },
  {
    file: 'meditation-periods.json',
    table: 'meditation_periods',
    order: ['session_id', 'idx'],
    via: { column: 'session_id', parent: 'meditation_sessions' },
  },
  {
    file: 'meditation-heart-rates.json',
    table: 'meditation_heart_rates',
    order: ['session_id', 'period_idx', 'idx'],
    via: { column: 'session_id', parent: 'meditation_sessions' },
  },
  { file: 'training-jobs.json', table: 'ml_training_jobs', order: ['id'] },
  {
    file: 'training-epochs.json',
    table: 'ml_training_epochs',
    order: ['job_id', 'epoch'],
    via: { column: 'job_id', parent: 'ml_training_jobs' },
  },
  { file: 'models.json', table: 'ml_models', order: ['id'] },
  { file: 'sensor-streams.json', table: 'sensor_streams', order: ['id'] },
  {
    file: 'sensor-frames.json',
    table: 'sensor_frames',
    order: ['stream_id', 'ts'],
    via: { column: 'stream_id', parent: 'sensor_streams' },
  },
  { file: 'sensor-datasets.json', table: 'sensor_datasets', order: ['id'] },
  {
    file: 'sensor-dataset-frames.json',
    table: 'sensor_dataset_frames',
    order: ['dataset_id', 'part_id', 'seq'],
    via: { column: 'dataset_id', parent: 'sensor_datasets' },
  },
  { file: 'sensor-recordings.json', table: 'sensor_recordings', order: ['id'] },
  { file: 'sensor-live-classifiers.json', table: 'sensor_live_classifiers', order: ['device_id', 'kind'] },
  { file: 'playground-runs.json', table: 'playground_runs', order: ['training_job_id'] },
  { file: 'playground-answers.json', table: 'playground_answers', order: ['module_id', 'section_id', 'question_id'] },
  { file: 'playground-datasets.json', table: 'playground_datasets', order: ['id'] },
  { file: 'dlp-trainspaces.json', table: 'compat_dlp_trainspaces', order: ['id'] },
]

/** Credentials are never exported, not even hashed. */
const SECRET_COLUMNS = new Set(['password_hash', 'key_hash', 'previous_key_hash', 'token_hash'])
const PAGE = 2000

/** A row as JSON: secrets dropped, bytes as base64. */
function exportable(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row)
      .filter(([k]) => !SECRET_COLUMNS.has(k))
      .map(([k, v]) => [k, Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v]),
  )
}

/** The page of the part's rows after `last` (the previous page's last row) in the part's key order: keyset, no OFFSET. */
function readPage(
  db: Db,
  part: Part,
  userId: string,
  last: Record<string, unknown> | undefined,
): Promise<Record<string, unknown>[]> {
  const loose = db as unknown as Kysely<Record<string, Record<string, unknown>>>
  let query = loose.selectFrom(part.table).selectAll()
  query =
    part.via === undefined
      ? query.where('user_id', '=', userId)
      : query.where(part.via.column, 'in', loose.selectFrom(part.via.parent).select('id').where('user_id', '=', userId))
  if (last !== undefined)
    query = query.where((eb) =>
      isPastRow(
        eb,
        part.order.map((column) => [column, last[column]] as const),
        'asc',
      ),
    )
  for (const column of part.order) query = query.orderBy(column)
  return query.limit(PAGE).execute()
}

/** The part's rows as one JSON array, read and written page by page. */
async function* jsonArray(db: Db, part: Part, userId: string): AsyncGenerator<string> {
  yield '['
  let first = true
  for (let last: Record<string, unknown> | undefined; ;) {
    const rows = await readPage(db, part, userId, last)
    last = rows.at(-1)
    for (const row of rows) {
      yield `${first ? '\n' : ',\n'}${JSON.stringify(exportable(row))}`
      first = false
    }
    if (rows.length < PAGE) break
  }
  yield '\n]\n'
}

/**
 * The archive as a stream: `account.json` (the profile), one JSON file per kind of data, and
 * `models/<model id>/<file>` for each model's files. Entries are read only as the zip is written.
 */
export async function exportAccount(
  deps: { db: Db; blobs: BlobStore },
  userId: string,
  account: unknown,
): Promise<Readable> {
  const { default: yazl } = await import('yazl')
  const zip = new yazl.ZipFile()
  zip.addBuffer(Buffer.from(`${JSON.stringify(account, null, 2)}\n`), 'account.json')
  for (const part of PARTS) zip.addReadStream(Readable.from(jsonArray(deps.db, part, userId)), part.file)
  const models = await deps.db
    .selectFrom('ml_models')
    .select(['id', 'artifact'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute()
  for (const model of models) {
    for (const blob of await deps.blobs.list(`${model.artifact}/`))
      zip.addReadStream(
        await deps.blobs.get(blob.key),
        `models/${model.id}/${blob.key.slice(model.artifact.length + 1)}`,
      )
  }
  zip.end()
  return zip.outputStream as Readable
}
