// Uploaded CSV datasets: streamed in under a size limit, parsed strictly (columns and types
// detected), stored on the blob store and described by a row; scoped by user.
import { randomUUID } from 'node:crypto'
import { Type } from 'typebox'
import { AppError } from '../../errors.js'
import type { Principal } from '../../platform/auth/principal.js'
import type { Db } from '../../platform/db/database.js'
import { type BlobStore, readBlob } from '../../platform/blob/blob.port.js'
import { describeColumns, parseCsvTable, previewRows, type Table } from './table.js'

/** The largest CSV one upload may be, in bytes. */
export const MAX_UPLOAD_BYTES = 32 * 1024 * 1024
const PREVIEW_ROWS = 10

export interface UploadsDeps {
  readonly db: Db
  readonly blobs: BlobStore
}

const Columns = Type.Array(Type.Object({ name: Type.String(), type: Type.Union([Type.Literal('number'), Type.Literal('string')]) }))
export const UploadedDataset = Type.Object({
  id: Type.String(),
  name: Type.String(),
  rows: Type.Integer(),
  size: Type.Integer({ description: 'bytes' }),
  columns: Columns,
  createdAt: Type.String({ format: 'date-time' }),
})
export const UploadedDatasetDetail = Type.Object({ ...UploadedDataset.properties, preview: Type.Array(Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()]))) })
export const UploadedDatasetList = Type.Object({ datasets: Type.Array(UploadedDataset) })
export const UploadQuery = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false })
export const UploadParams = Type.Object({ id: Type.String({ maxLength: 64 }) })

const blobKey = (id: string) => `playground/datasets/${id}.csv`

/** Reads the body to its end, refusing (413) past MAX_UPLOAD_BYTES without buffering more. */
export async function readLimited(body: AsyncIterable<Uint8Array | string>, maxBytes = MAX_UPLOAD_BYTES): Promise<Buffer> {
  const parts: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    const part = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk)
    size += part.byteLength
    if (size > maxBytes) throw new AppError('payload_too_large', `The CSV is larger than ${maxBytes} bytes, the most one upload may be`)
    parts.push(part)
  }
  return Buffer.concat(parts)
}

type Row = { id: string; name: string; columns: string; rows: number; size: number; created_at: number }
const toDataset = (row: Row) => ({ id: row.id, name: row.name, rows: row.rows, size: Number(row.size), columns: JSON.parse(row.columns) as { name: string; type: 'number' | 'string' }[], createdAt: new Date(Number(row.created_at)).toISOString() })

/** Parses and stores an upload: the blob first, then its row; a file that does not parse stores nothing. */
export async function uploadCsv(deps: UploadsDeps, owner: Principal, name: string, bytes: Buffer) {
  const table = parseCsvTable(bytes.toString('utf8'))
  const id = randomUUID()
  await deps.blobs.put(blobKey(id), bytes)
  const row = { id, user_id: owner.userId, name, columns: JSON.stringify(describeColumns(table)), rows: table.rows, size: bytes.byteLength, created_at: Date.now() }
  await deps.db.insertInto('playground_datasets').values(row).execute()
  return { ...toDataset(row), preview: previewRows(table, PREVIEW_ROWS) }
}

async function findRow(deps: UploadsDeps, userId: string, id: string): Promise<Row> {
  const row = await deps.db.selectFrom('playground_datasets').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst()
  if (row === undefined) throw new AppError('not_found', `No uploaded dataset ${id}`)
  return row
}

export async function listUploads(deps: UploadsDeps, owner: Principal) {
  const rows = await deps.db.selectFrom('playground_datasets').selectAll().where('user_id', '=', owner.userId).orderBy('created_at', 'desc').limit(200).execute()
  return rows.map(toDataset)
}

/** Parsed tables by dataset id: an upload never changes once stored. */
const tables = new Map<string, Table>()
const CACHE_SIZE = 8

/** The user's uploaded table; not_found for anyone else's. */
export async function loadUpload(deps: UploadsDeps, userId: string, id: string): Promise<Table> {
  await findRow(deps, userId, id)
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
  return { ...toDataset(row), preview: previewRows(await loadUpload(deps, owner.userId, id), PREVIEW_ROWS) }
}

/** Removes the row, then the blob (a run already queued on it fails with a clear message). */
export async function deleteUpload(deps: UploadsDeps, owner: Principal, id: string): Promise<void> {
  await findRow(deps, owner.userId, id)
  await deps.db.deleteFrom('playground_datasets').where('user_id', '=', owner.userId).where('id', '=', id).execute()
  tables.delete(id)
  await deps.blobs.delete(blobKey(id))
}
