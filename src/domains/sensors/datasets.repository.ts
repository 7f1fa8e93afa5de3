import type { Db } from '../../platform/db/database.js'
import type { SensorDatasetFramesTable, SensorDatasetsTable, SensorRecordingsTable } from '../../platform/db/schema.js'

export type DatasetRow = SensorDatasetsTable
export type DatasetFrameRow = SensorDatasetFramesTable
export type RecordingRow = SensorRecordingsTable

// 5 parameters a row stays far below every engine's limit.
const INSERT_CHUNK = 1000

export async function insertDataset(db: Db, row: DatasetRow): Promise<void> {
  await db.insertInto('sensor_datasets').values(row).execute()
}

export function findDataset(db: Db, userId: string, id: string): Promise<DatasetRow | undefined> {
  return db
    .selectFrom('sensor_datasets')
    .selectAll()
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export function listDatasets(db: Db, userId: string, limit: number): Promise<DatasetRow[]> {
  return db
    .selectFrom('sensor_datasets')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute()
}

export async function deleteDataset(db: Db, userId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('sensor_datasets')
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

/** Fixes an empty dataset's layout; false when it already has one (the caller compares). */
export async function claimLayout(db: Db, id: string, layout: string, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable('sensor_datasets')
    .set({ layout, updated_at: nowMs })
    .where('id', '=', id)
    .where('layout', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function findDatasetLayout(db: Db, id: string): Promise<string | null> {
  const row = await db.selectFrom('sensor_datasets').select('layout').where('id', '=', id).executeTakeFirst()
  return row?.layout ?? null
}

export async function touchDataset(db: Db, id: string, nowMs: number): Promise<void> {
  await db.updateTable('sensor_datasets').set({ updated_at: nowMs }).where('id', '=', id).execute()
}

export async function insertDatasetFrames(db: Db, rows: readonly DatasetFrameRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    await db
      .insertInto('sensor_dataset_frames')
      .values(rows.slice(start, start + INSERT_CHUNK))
      .execute()
  }
}

/** Frames per label of one dataset, or of one of its parts. */
export async function labelCounts(db: Db, datasetId: string, partId?: string): Promise<Map<string, number>> {
  let query = db
    .selectFrom('sensor_dataset_frames')
    .select(['label', (eb) => eb.fn.countAll<number>().as('n')])
    .where('dataset_id', '=', datasetId)
  if (partId !== undefined) query = query.where('part_id', '=', partId)
  const rows = await query.groupBy('label').orderBy('label').execute()
  return new Map(rows.map((row) => [row.label, Number(row.n)]))
}

/** Rows after `after` in (part_id, seq) order: the pages a reader walks through a whole dataset. */
export function datasetFramesPage(
  db: Db,
  datasetId: string,
  limit: number,
  after?: { partId: string; seq: number },
): Promise<DatasetFrameRow[]> {
  let query = db.selectFrom('sensor_dataset_frames').selectAll().where('dataset_id', '=', datasetId)
  if (after !== undefined) {
    query = query.where((eb) =>
      eb.or([eb('part_id', '>', after.partId), eb.and([eb('part_id', '=', after.partId), eb('seq', '>', after.seq)])]),
    )
  }
  return query.orderBy('part_id').orderBy('seq').limit(limit).execute()
}

export async function insertRecording(db: Db, row: RecordingRow): Promise<void> {
  await db.insertInto('sensor_recordings').values(row).execute()
}

export function findRecording(
  db: Db,
  userId: string,
  datasetId: string,
  id: string,
): Promise<RecordingRow | undefined> {
  return db
    .selectFrom('sensor_recordings')
    .selectAll()
    .where('user_id', '=', userId)
    .where('dataset_id', '=', datasetId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export function listRecordings(db: Db, datasetId: string): Promise<RecordingRow[]> {
  return db
    .selectFrom('sensor_recordings')
    .selectAll()
    .where('dataset_id', '=', datasetId)
    .orderBy('started_at')
    .orderBy('id')
    .execute()
}

/** The recordings running now on any of these devices. */
export function activeRecordings(db: Db, deviceIds: readonly string[]): Promise<RecordingRow[]> {
  if (deviceIds.length === 0) return Promise.resolve([])
  return db
    .selectFrom('sensor_recordings')
    .selectAll()
    .where('device_id', 'in', [...deviceIds])
    .where('stopped_at', 'is', null)
    .execute()
}

/** Stops a running recording; false when it had already stopped. */
export async function stopRecording(db: Db, id: string, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable('sensor_recordings')
    .set({ stopped_at: nowMs })
    .where('id', '=', id)
    .where('stopped_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}
