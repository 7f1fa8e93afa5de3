// Blobs in the database (PULSEBASE_BLOB_STORE=database): every process of a scaled-out deployment
// reads what any other wrote, with no shared disk. A put writes its bytes as a new object, chunk
// by chunk outside any transaction (a slow body holds no lock), then points the key at it and
// drops the old object in one short transaction; an object whose put never finished is swept.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Readable } from 'node:stream'
import type { Db } from '../db/database.js'
import { isUniqueViolation } from '../db/unique-violation.js'
import {
  type BlobBody,
  type BlobStore,
  blobNotFound,
  bodyChunks,
  checkBlobKey,
  checkBlobPrefix,
  deleteListed,
  sortByKey,
  toReadable,
} from './blob.port.js'
import { DAY_MS } from '../time/date-time.js'

/** Rows of at most this many bytes: under MariaDB's default max_allowed_packet (16 MiB) with room to spare. */
export const BLOB_CHUNK_BYTES = 1024 * 1024

/** `body` cut (or joined) into chunks of exactly `size` bytes, the last one shorter. */
async function* rechunked(body: BlobBody, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = []
  let length = 0
  for await (const chunk of bodyChunks(body)) {
    pending.push(chunk)
    length += chunk.byteLength
    while (length >= size) {
      const joined = Buffer.concat(pending)
      yield joined.subarray(0, size)
      pending = [joined.subarray(size)]
      length -= size
    }
  }
  if (length > 0) yield Buffer.concat(pending)
}

async function dropObject(db: Db, objectId: string): Promise<void> {
  await db.deleteFrom('blob_chunks').where('object_id', '=', objectId).execute()
}

/** Points `key` at the written object and removes the one it replaces; retried once when a concurrent put of the key wins the insert. */
async function swapIn(db: Db, key: string, objectId: string, size: number, chunks: number, attempt = 0): Promise<void> {
  try {
    await db.transaction().execute(async (trx) => {
      const now = Date.now()
      const old = await trx
        .selectFrom('blobs')
        .select(['object_id', 'created_at'])
        .where('blob_key', '=', key)
        .executeTakeFirst()
      await trx.deleteFrom('blobs').where('blob_key', '=', key).execute()
      await trx
        .insertInto('blobs')
        .values({
          blob_key: key,
          object_id: objectId,
          size,
          chunks,
          created_at: old?.created_at ?? now,
          updated_at: now,
        })
        .execute()
      if (old !== undefined) await trx.deleteFrom('blob_chunks').where('object_id', '=', old.object_id).execute()
      await trx.deleteFrom('blob_uploads').where('object_id', '=', objectId).execute()
    })
  } catch (error) {
    if (!isUniqueViolation(error) || attempt > 2) throw error
    await swapIn(db, key, objectId, size, chunks, attempt + 1)
  }
}

async function* chunksOf(db: Db, key: string, objectId: string, chunks: number): AsyncGenerator<Buffer> {
  for (let seq = 0; seq < chunks; seq += 1) {
    const row = await db
      .selectFrom('blob_chunks')
      .select('data')
      .where('object_id', '=', objectId)
      .where('seq', '=', seq)
      .executeTakeFirst()
    // The key was replaced or deleted while this reader was part-way through the old bytes.
    if (row === undefined) throw new Error(`blob ${key} changed while it was read`)
    yield Buffer.from(row.data)
  }
}

/** A BlobStore in the `blobs`, `blob_chunks` and `blob_uploads` tables (migration 0012) of `db`, on any of the three databases. */
export function createDatabaseBlobStore(options: { db: Db }): BlobStore {
  const { db } = options
  const store: BlobStore = {
    kind: 'database',
    async put(key, body) {
      checkBlobKey(key)
      const objectId = randomUUID()
      await db.insertInto('blob_uploads').values({ object_id: objectId, started_at: Date.now() }).execute()
      let size = 0
      let seq = 0
      try {
        for await (const chunk of rechunked(body, BLOB_CHUNK_BYTES)) {
          await db.insertInto('blob_chunks').values({ object_id: objectId, seq, data: chunk }).execute()
          size += chunk.byteLength
          seq += 1
        }
        await swapIn(db, key, objectId, size, seq)
        return { size }
      } catch (error) {
        await dropObject(db, objectId).catch(() => {})
        await db
          .deleteFrom('blob_uploads')
          .where('object_id', '=', objectId)
          .execute()
          .catch(() => {})
        throw error
      }
    },
    async get(key): Promise<Readable> {
      const row = await db
        .selectFrom('blobs')
        .select(['object_id', 'chunks'])
        .where('blob_key', '=', checkBlobKey(key))
        .executeTakeFirst()
      if (row === undefined) throw blobNotFound(key)
      return toReadable(chunksOf(db, key, row.object_id, Number(row.chunks)))
    },
    async delete(key) {
      checkBlobKey(key)
      return db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('blobs').select('object_id').where('blob_key', '=', key).executeTakeFirst()
        if (row === undefined) return false
        const { numDeletedRows } = await trx
          .deleteFrom('blobs')
          .where('blob_key', '=', key)
          .where('object_id', '=', row.object_id)
          .executeTakeFirst()
        await trx.deleteFrom('blob_chunks').where('object_id', '=', row.object_id).execute()
        return numDeletedRows > 0n
      })
    },
    async list(prefix) {
      checkBlobPrefix(prefix)
      // substr, not LIKE: `_` and `.` occur in keys, and LIKE escaping differs between the engines.
      const rows = await db
        .selectFrom('blobs')
        .select(['blob_key', 'size', 'updated_at'])
        .where(sql<string>`substr(blob_key, 1, ${prefix.length})`, '=', prefix)
        .execute()
      // Sorted here: PostgreSQL's collation may order punctuation differently from the other engines.
      return sortByKey(rows.map((r) => ({ key: r.blob_key, size: Number(r.size), updatedAt: Number(r.updated_at) })))
    },
    deletePrefix: (prefix) => deleteListed(store, prefix),
    async sweep(olderThanMs = DAY_MS) {
      const stale = await db
        .selectFrom('blob_uploads')
        .select('object_id')
        .where('started_at', '<', Date.now() - olderThanMs)
        .execute()
      for (const { object_id: objectId } of stale) {
        await dropObject(db, objectId)
        await db.deleteFrom('blob_uploads').where('object_id', '=', objectId).execute()
      }
    },
  }
  return store
}
