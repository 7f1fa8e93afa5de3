// Uploaded CSV datasets: streamed in under a size limit, parsed strictly (columns and types
// detected), stored on the blob store and described by a row; scoped by user.
import { randomUUID } from 'node:crypto'
import { Type } from 'typebox'
import { AppError } from '../../errors.js'
import type { Principal } from '../../platform/auth/principal.js'
import type { Db } from '../../platform/db/database.js'
import { type BlobStore, readBlob } from '../../platform/blob/blob.port.js'
import type { Clock } from '../../platform/time/clock.js'
import { type ImageShape, imageZipTable } from './image-zip.js'
import { describeColumns, parseCsvTable, previewRows, type Table } from './table.js'

/** The largest CSV one upload may be, in bytes. */
export const MAX_UPLOAD_BYTES = 32 * 1024 * 1024
const PREVIEW_ROWS = 10

export interface UploadsDeps {
  readonly db: Db
  readonly blobs: BlobStore
  /** The platform's clock: an upload's `created_at`. */
  readonly now: Clock
}

/** A dataset's columns; `distinct` (values in the column) is missing for uploads stored before it was counted. */
export const Columns = Type.Array(
  Type.Object({
    name: Type.String(),
    type: Type.Union([Type.Literal('number'), Type.Literal('string')]),
    distinct: Type.Optional(Type.Integer({ minimum: 0, description: 'distinct values in the column' })),
  }),
)
export const UploadedDataset = Type.Object({
  id: Type.String(),
  name: Type.String(),
  rows: Type.Integer(),
  size: Type.Integer({ description: 'bytes of the stored CSV' }),
  image: Type.Union(
    [Type.Object({ height: Type.Integer(), width: Type.Integer(), channels: Type.Integer() }), Type.Null()],
    { description: 'image datasets: the shape of every row' },
  ),
  columns: Columns,
  createdAt: Type.String({ format: 'date-time' }),
})
export const UploadedDatasetDetail = Type.Object({
  ...UploadedDataset.properties,
  preview: Type.Array(Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()]))),
})
export const UploadedDatasetList = Type.Object({ datasets: Type.Array(UploadedDataset) })
export const UploadQuery = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
)
export const UploadParams = Type.Object({ id: Type.String({ maxLength: 64 }) })
export const ImageUploadQuery = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    height: Type.Optional(Type.Integer({ minimum: 4, maximum: 64, default: 28 })),
    width: Type.Optional(Type.Integer({ minimum: 4, maximum: 64, default: 28 })),
    channels: Type.Optional(
      Type.Union([Type.Literal(1), Type.Literal(3)], { description: '1 (grey, the default) or 3 (RGB)' }),
    ),
  },
  { additionalProperties: false },
)

/** Parsed tables by dataset id: an upload never changes once stored. */
const tables = new Map<string, Table>()
const CACHE_SIZE = 8

/** Where an uploaded dataset's CSV lies in the blob store. */
export const datasetBlobKey = (id: string): string => `playground/datasets/${id}.csv`
const blobKey = datasetBlobKey

/** Reads the body to its end, refusing (413) past MAX_UPLOAD_BYTES without buffering more. */
export async function readLimited(
  body: AsyncIterable<Uint8Array | string>,
  maxBytes = MAX_UPLOAD_BYTES,
): Promise<Buffer> {
  const parts: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    const part = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk)
    size += part.byteLength
    if (size > maxBytes)
      throw new AppError('payload_too_large', `The CSV is larger than ${maxBytes} bytes, the most one upload may be`)
    parts.push(part)
  }
  return Buffer.concat(parts)
}

type Row = {
  id: string
  name: string
  columns: string
  rows: number
  size: number
  image: string | null
  created_at: number
}
const toDataset = (row: Row) => ({
  id: row.id,
  name: row.name,
  rows: row.rows,
  size: Number(row.size),
  image: row.image === null ? null : (JSON.parse(row.image) as ImageShape),
  columns: JSON.parse(row.columns) as { name: string; type: 'number' | 'string'; distinct?: number }[],
  createdAt: new Date(Number(row.created_at)).toISOString(),
})

/** Stores a parsed upload: the blob first, then its row. */
async function store(
  deps: UploadsDeps,
  owner: Principal,
  name: string,
  bytes: Buffer,
  table: Table,
  image: ImageShape | null,
) {
  const id = randomUUID()
  await deps.blobs.put(blobKey(id), bytes)
  const row = {
    id,
    user_id: owner.userId,
    name,
    columns: JSON.stringify(describeColumns(table)),
    rows: table.rows,
    size: bytes.byteLength,
    image: image === null ? null : JSON.stringify(image),
    created_at: deps.now(),
  }
  await deps.db.insertInto('playground_datasets').values(row).execute()
  tables.set(id, table)
  return { ...toDataset(row), preview: previewRows(table, PREVIEW_ROWS) }
}

/** Parses and stores a CSV upload; a file that does not parse stores nothing. */
export async function uploadCsv(deps: UploadsDeps, owner: Principal, name: string, bytes: Buffer) {
  return store(deps, owner, name, bytes, parseCsvTable(bytes.toString('utf8')), null)
}

/** Decodes a zip of class folders into pixel rows (see image-zip.ts), stored as CSV with the image shape. */
export async function uploadImageZip(
  deps: UploadsDeps,
  owner: Principal,
  name: string,
  zip: Buffer,
  shape: ImageShape,
) {
  const table = await imageZipTable(zip, shape)
  const header = table.columns.map((c) => c.name).join(',')
  const lines = Array.from({ length: table.rows }, (_, r) =>
    table.columns.map((c) => (c.type === 'number' ? String(c.values[r]) : JSON.stringify(c.values[r]))).join(','),
  )
  return store(deps, owner, name, Buffer.from(`${header}\n${lines.join('\n')}\n`), table, shape)
}

async function findRow(deps: UploadsDeps, userId: string, id: string): Promise<Row> {
  const row = await deps.db
    .selectFrom('playground_datasets')
    .selectAll()
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst()
  if (row === undefined) throw new AppError('not_found', `No uploaded dataset ${id}`)
  return row
}

export async function listUploads(deps: UploadsDeps, owner: Principal) {
  const rows = await deps.db
    .selectFrom('playground_datasets')
    .selectAll()
    .where('user_id', '=', owner.userId)
    .orderBy('created_at', 'desc')
    .limit(200)
    .execute()
  return rows.map(toDataset)
}

/** The user's uploaded table (with its image shape, for image datasets); not_found for anyone else's. */
export async function loadUpload(
  deps: UploadsDeps,
  userId: string,
  id: string,
): Promise<{ table: Table; image: ImageShape | null }> {
  const row = await findRow(deps, userId, id)
  return { table: await uploadTable(deps, id), image: toDataset(row).image }
}

async function uploadTable(deps: UploadsDeps, id: string): Promise<Table> {
  let table = tables.get(id)
  if (table === undefined) {
    table = parseCsvTable((await readBlob(deps.blobs, blobKey(id))).toString('utf8'))
    tables.set(id, table)
    for (const key of tables.keys()) if (tables.size > CACHE_SIZE) tables.delete(key)
  }
  return table
}

export async function getUpload(deps: UploadsDeps, owner: Principal, id: string) {
  const row = await findRow(deps, owner.userId, id)
  return { ...toDataset(row), preview: previewRows(await uploadTable(deps, id), PREVIEW_ROWS) }
}

/** Removes the row, then the blob (a run already queued on it fails with a clear message). */
export async function deleteUpload(deps: UploadsDeps, owner: Principal, id: string): Promise<void> {
  await findRow(deps, owner.userId, id)
  await deps.db.deleteFrom('playground_datasets').where('user_id', '=', owner.userId).where('id', '=', id).execute()
  tables.delete(id)
  await deps.blobs.delete(blobKey(id))
}
