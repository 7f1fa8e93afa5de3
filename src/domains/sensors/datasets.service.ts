// Datasets: named sets of labelled frames, filled by live recordings or CSV imports, and judged by
// a quality report before anyone trains on them.
import { randomUUID } from 'node:crypto'
import { AppError } from '../../errors.js'
import type { Principal } from '../../platform/auth/principal.js'
import type { Db } from '../../platform/db/database.js'
import { findDevice } from '../devices/devices.repository.js'
import { type CsvFormat, parseLabelledCsv } from './dataset-csv.js'
import { assessQuality, sortLabels } from './dataset-quality.js'
import * as repo from './datasets.repository.js'
import type { Dataset, QualityReport, Recording, StartRecordingBody } from './datasets.schema.js'
import {
  listColumns,
  decodeValues,
  describeLayout,
  isSameLayout,
  type Layout,
  layoutText,
  parseLayout,
  computeWidth,
} from './frame-layout.js'
import { findStream } from './frames.repository.js'
import { toIsoOrNull } from '../../platform/time/date-time.js'
import type { Clock } from '../../platform/time/clock.js'

export interface DatasetsDeps {
  readonly db: Db
  /** The time now (ms since the epoch): the platform's clock. */
  readonly now: Clock
}

/** The rows a report or a training run reads at most (a larger dataset is sampled evenly). */
export const MAX_DATASET_ROWS = 200_000
const PAGE = 5000

async function toRecording(db: Db, row: repo.RecordingRow): Promise<Recording> {
  const counts = await repo.labelCounts(db, row.dataset_id, row.id)
  const frameCount = [...counts.values()].reduce((a, b) => a + b, 0)
  return {
    id: row.id,
    datasetId: row.dataset_id,
    deviceId: row.device_id,
    kind: row.kind,
    label: row.label,
    startedAt: toIsoOrNull(row.started_at) as string,
    stoppedAt: toIsoOrNull(row.stopped_at),
    frameCount,
  }
}

async function toDataset(db: Db, row: repo.DatasetRow): Promise<Dataset> {
  const counts = await repo.labelCounts(db, row.id)
  const labels = sortLabels(counts.keys()).map((label) => ({ label, count: counts.get(label) as number }))
  const recordings = await Promise.all((await repo.listRecordings(db, row.id)).map((r) => toRecording(db, r)))
  return {
    id: row.id,
    name: row.name,
    layout: row.layout === null ? null : [...parseLayout(row.layout)],
    frameCount: labels.reduce((sum, l) => sum + l.count, 0),
    labels,
    recordings,
    createdAt: toIsoOrNull(row.created_at) as string,
    updatedAt: toIsoOrNull(row.updated_at) as string,
  }
}

export async function datasetRow(db: Db, userId: string, id: string): Promise<repo.DatasetRow> {
  const row = await repo.findDataset(db, userId, id)
  if (row === undefined) throw new AppError('not_found', `No dataset ${id}`)
  return row
}

export async function createDataset(deps: DatasetsDeps, owner: Principal, name: string): Promise<Dataset> {
  const now = deps.now()
  const row: repo.DatasetRow = {
    id: randomUUID(),
    user_id: owner.userId,
    name,
    layout: null,
    created_at: now,
    updated_at: now,
  }
  await repo.insertDataset(deps.db, row)
  return toDataset(deps.db, row)
}

export async function getDataset(deps: DatasetsDeps, owner: Principal, id: string): Promise<Dataset> {
  return toDataset(deps.db, await datasetRow(deps.db, owner.userId, id))
}

export async function listDatasets(deps: DatasetsDeps, owner: Principal, limit: number): Promise<Dataset[]> {
  return Promise.all((await repo.listDatasets(deps.db, owner.userId, limit)).map((row) => toDataset(deps.db, row)))
}

export async function deleteDataset(deps: DatasetsDeps, owner: Principal, id: string): Promise<void> {
  if (!(await repo.deleteDataset(deps.db, owner.userId, id))) throw new AppError('not_found', `No dataset ${id}`)
}

/**
 * Starts labelling a device's frames of one kind into the dataset: every new frame that arrives
 * (at any API process) until the stop joins it. One recording per device and kind at a time.
 */
export async function startRecording(
  deps: DatasetsDeps,
  owner: Principal,
  datasetId: string,
  body: StartRecordingBody,
): Promise<Recording> {
  const dataset = await datasetRow(deps.db, owner.userId, datasetId)
  if ((await findDevice(deps.db, owner.userId, body.deviceId)) === undefined)
    throw new AppError('not_found', `No device ${body.deviceId}`)
  const running = (await repo.activeRecordings(deps.db, [body.deviceId])).find((r) => r.kind === body.kind)
  if (running !== undefined)
    throw new AppError(
      'conflict',
      `Device ${body.deviceId} is already recording ${body.kind} frames (recording ${running.id}); stop it first`,
      [{ path: 'body.deviceId', message: 'already recording', recordingId: running.id }],
    )
  const stream = await findStream(deps.db, body.deviceId, body.kind)
  if (
    stream !== undefined &&
    dataset.layout !== null &&
    !isSameLayout(parseLayout(stream.layout), parseLayout(dataset.layout))
  ) {
    throw new AppError(
      'conflict',
      `The device's ${body.kind} frames have ${describeLayout(parseLayout(stream.layout))}; the dataset holds ${describeLayout(parseLayout(dataset.layout))}`,
    )
  }
  const row: repo.RecordingRow = {
    id: randomUUID(),
    user_id: owner.userId,
    dataset_id: datasetId,
    device_id: body.deviceId,
    kind: body.kind,
    label: body.label,
    started_at: deps.now(),
    stopped_at: null,
  }
  await repo.insertRecording(deps.db, row)
  return toRecording(deps.db, row)
}

export async function stopRecording(
  deps: DatasetsDeps,
  owner: Principal,
  datasetId: string,
  recordingId: string,
): Promise<Recording> {
  const row = await repo.findRecording(deps.db, owner.userId, datasetId, recordingId)
  if (row === undefined) throw new AppError('not_found', `No recording ${recordingId} in dataset ${datasetId}`)
  if (!(await repo.stopRecording(deps.db, recordingId, deps.now())))
    throw new AppError('conflict', `Recording ${recordingId} has already stopped`)
  return toRecording(
    deps.db,
    (await repo.findRecording(deps.db, owner.userId, datasetId, recordingId)) as repo.RecordingRow,
  )
}

/** Imports a whole CSV file in one transaction: every row or none. */
export async function importCsv(
  deps: DatasetsDeps,
  owner: Principal,
  datasetId: string,
  text: string,
  format: CsvFormat,
) {
  await datasetRow(deps.db, owner.userId, datasetId)
  return importRows(deps, owner, datasetId, parseLabelledCsv(text, format))
}

/** Labelled rows (rows x width values in layout order) into the dataset, in one transaction. */
export async function importRows(
  deps: DatasetsDeps,
  owner: Principal,
  datasetId: string,
  parsed: { layout: Layout; labels: readonly string[]; values: Float32Array },
) {
  await datasetRow(deps.db, owner.userId, datasetId)
  const width = computeWidth(parsed.layout)
  const partId = randomUUID()
  const now = deps.now()
  await deps.db.transaction().execute(async (trx) => {
    if (!(await repo.claimLayout(trx, datasetId, layoutText(parsed.layout), now))) {
      const existing = parseLayout((await repo.findDatasetLayout(trx, datasetId)) ?? '[]')
      if (!isSameLayout(existing, parsed.layout))
        throw new AppError(
          'conflict',
          `The CSV has ${describeLayout(parsed.layout)}; the dataset holds ${describeLayout(existing)}`,
        )
    }
    const rows = parsed.labels.map((label, i) => ({
      dataset_id: datasetId,
      part_id: partId,
      seq: i,
      label,
      data: Buffer.from(new Uint8Array(parsed.values.buffer, i * width * 4, width * 4)),
    }))
    await repo.insertDatasetFrames(trx, rows)
    await repo.touchDataset(trx, datasetId, now)
  })
  const counts = await repo.labelCounts(deps.db, datasetId, partId)
  return {
    imported: parsed.labels.length,
    layout: [...parsed.layout],
    labels: sortLabels(counts.keys()).map((label) => ({ label, count: counts.get(label) as number })),
  }
}

export interface LoadedDataset {
  readonly layout: Layout
  readonly labels: string[]
  readonly values: Float32Array
  /** Rows stored; more than `labels.length` when the dataset was sampled. */
  readonly total: number
}

/** Every row (or an even sample of at most `maxRows`), in storage order. */
export async function loadDataset(
  db: Db,
  dataset: repo.DatasetRow,
  maxRows = MAX_DATASET_ROWS,
): Promise<LoadedDataset> {
  const layout = dataset.layout === null ? [] : parseLayout(dataset.layout)
  const width = computeWidth(layout)
  const total = [...(await repo.labelCounts(db, dataset.id)).values()].reduce((a, b) => a + b, 0)
  const stride = Math.max(1, Math.ceil(total / maxRows))
  const labels: string[] = []
  const values = new Float32Array(Math.ceil(total / stride) * width)
  let after: { partId: string; seq: number } | undefined
  let index = 0
  for (;;) {
    const page = await repo.datasetFramesPage(db, dataset.id, PAGE, after)
    for (const row of page) {
      if (index++ % stride !== 0) continue
      values.set(decodeValues(row.data), labels.length * width)
      labels.push(row.label)
    }
    if (page.length < PAGE) break
    const last = page[page.length - 1] as repo.DatasetFrameRow
    after = { partId: last.part_id, seq: Number(last.seq) }
  }
  return { layout, labels, values: values.subarray(0, labels.length * width), total }
}

export async function qualityReport(deps: DatasetsDeps, owner: Principal, datasetId: string): Promise<QualityReport> {
  const dataset = await datasetRow(deps.db, owner.userId, datasetId)
  const loaded = await loadDataset(deps.db, dataset)
  const report = await assessQuality(
    { labels: loaded.labels, values: loaded.values, width: computeWidth(loaded.layout) },
    listColumns(loaded.layout),
  )
  return { datasetId, ...report }
}
