// The blob-store port: named byte streams (model artifacts, uploaded datasets, exports) that every
// process of a deployment reaches, on local files (one machine) or in the database (scale-out).
import { Readable } from 'node:stream'
import { AppError } from '../../errors.js'

/** What a blob is stored from: a stream, any async iterable of byte chunks, bytes, or UTF-8 text. */
export type BlobBody = Readable | AsyncIterable<Uint8Array> | Uint8Array | string

/** One stored blob as listed: its key, size in bytes and when it was last written (epoch ms). */
export interface BlobInfo {
  readonly key: string
  readonly size: number
  readonly updatedAt: number
}

/**
 * Named blobs, private to the deployment. Keys are chosen by code, never by a client: path-like
 * segments of `[a-z0-9._-]` that start with a letter or digit, joined by `/` (e.g.
 * `models/<model id>/weights.bin`); at most 512 characters. A bad key throws `invalid_argument`.
 */
export interface BlobStore {
  readonly kind: 'file' | 'database'
  /**
   * Stores `body` under `key`, replacing any earlier blob of that key. Readers see the old blob or
   * the whole new one, never a part; when the body fails, nothing changes. Resolves with the size in bytes.
   */
  put(key: string, body: BlobBody): Promise<{ size: number }>
  /** The blob's bytes as a stream; throws `not_found` (AppError) when no blob has the key. */
  get(key: string): Promise<Readable>
  /** Removes the blob; false when there was none. */
  delete(key: string): Promise<boolean>
  /** Every blob whose key starts with `prefix` (plain string prefix), in key order. */
  list(prefix: string): Promise<BlobInfo[]>
  /** Removes every blob whose key starts with `prefix` (a non-empty prefix); resolves with how many. */
  deletePrefix(prefix: string): Promise<number>
  /** Removes what interrupted writes left behind (older than `olderThanMs`); runs in the hourly cleanup. */
  sweep(olderThanMs?: number): Promise<void>
}

export const MAX_BLOB_KEY_LENGTH = 512
const KEY = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/
const PREFIX = /^([a-z0-9][a-z0-9._-]*\/)*[a-z0-9._-]*$/

/** Throws `invalid_argument` unless `key` is a blob key (see BlobStore). */
export function checkBlobKey(key: string): string {
  if (key.length > MAX_BLOB_KEY_LENGTH || !KEY.test(key))
    throw new AppError('invalid_argument', `not a blob key: ${JSON.stringify(key)}`)
  return key
}

/** Throws `invalid_argument` unless `prefix` can start a blob key; `allowEmpty` false refuses ''. */
export function checkBlobPrefix(prefix: string, allowEmpty = true): string {
  if (prefix.length > MAX_BLOB_KEY_LENGTH || !PREFIX.test(prefix) || (!allowEmpty && prefix === ''))
    throw new AppError('invalid_argument', `not a blob key prefix: ${JSON.stringify(prefix)}`)
  return prefix
}

export function blobNotFound(key: string): AppError {
  return new AppError('not_found', `no blob ${key}`)
}

/** The body as a sequence of byte chunks (text as UTF-8). */
export async function* bodyChunks(body: BlobBody): AsyncGenerator<Buffer> {
  if (typeof body === 'string') return yield Buffer.from(body, 'utf8')
  if (body instanceof Uint8Array) return yield Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  for await (const chunk of body as AsyncIterable<Uint8Array | string>)
    yield typeof chunk === 'string'
      ? Buffer.from(chunk, 'utf8')
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
}

/** Reads a whole blob into memory (for small blobs such as model files). */
export async function readBlob(store: BlobStore, key: string): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const part of await store.get(key)) parts.push(part as Buffer)
  return Buffer.concat(parts)
}

/** A stream over `chunks` (for adapters that produce their bytes as an async generator). */
export function toReadable(chunks: AsyncIterable<Buffer>): Readable {
  return Readable.from(chunks, { objectMode: false })
}

/** Orders listed blobs by key, code unit by code unit (the same on every adapter and database collation). */
export function sortByKey(blobs: BlobInfo[]): BlobInfo[] {
  return blobs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

/** `deletePrefix` from `list` and `delete`, for adapters with no faster way. */
export async function deleteListed(store: Pick<BlobStore, 'list' | 'delete'>, prefix: string): Promise<number> {
  checkBlobPrefix(prefix, false)
  let count = 0
  for (const blob of await store.list(prefix)) if (await store.delete(blob.key)) count += 1
  return count
}

/**
 * Removes every blob under each of `prefixes` (e.g. a deleted account's files), trying them all;
 * throws an AggregateError naming the prefixes that failed.
 */
export async function deleteBlobPrefixes(blobs: BlobStore, prefixes: readonly string[]): Promise<void> {
  const results = await Promise.allSettled(prefixes.map((prefix) => blobs.deletePrefix(prefix)))
  const failed = prefixes.filter((_, i) => results[i]?.status === 'rejected')
  if (failed.length > 0)
    throw new AggregateError(
      results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : [])),
      `blobs not removed under ${failed.join(', ')}`,
    )
}
