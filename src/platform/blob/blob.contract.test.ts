// One contract for every blob store: the file adapter, and the database adapter on SQLite,
// PostgreSQL and MariaDB (real servers; a missing one is reported as skipped).
import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, describe, test } from 'node:test'
import { loadConfig } from '../../config.js'
import { databaseTargets } from '../../../test/helpers/databases.js'
import { migrateToLatest, openDatabase } from '../db/database.js'
import { createLogger } from '../logging/logger.js'
import { createMetrics } from '../metrics/metrics.js'
import { type BlobStore, readBlob } from './blob.port.js'
import { BLOB_CHUNK_BYTES, createDatabaseBlobStore } from './database-blob-store.js'
import { createFileBlobStore } from './file-blob-store.js'

const logger = createLogger('silent')

interface Target {
  readonly name: string
  readonly skip: string | undefined
  /** A fresh, empty store and what releases it. */
  create(): Promise<Opened>
}

interface Opened {
  readonly store: BlobStore
  readonly root?: string
  /** Leaves what a process killed part-way through a put leaves, dated `ageMs` ago; answers whether it is still there. */
  interrupt(ageMs: number): Promise<() => Promise<boolean>>
  release(): Promise<void>
}

const targets: Target[] = [
  {
    name: 'files',
    skip: undefined,
    create: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pulsebase-blobs-'))
      const root = join(dir, 'blobs')
      const interrupt = async (ageMs: number) => {
        const temp = join(root, '.tmp', randomUUID())
        mkdirSync(join(root, '.tmp'), { recursive: true, mode: 0o700 })
        writeFileSync(temp, 'partial', { mode: 0o600 })
        const when = new Date(Date.now() - ageMs)
        utimesSync(temp, when, when)
        return async () => existsSync(temp)
      }
      return {
        store: createFileBlobStore({ root }),
        root,
        interrupt,
        release: async () => rmSync(dir, { recursive: true, force: true }),
      }
    },
  },
  ...(await databaseTargets()).map((target) => ({
    name: `the database on ${target.kind}`,
    skip: target.skip,
    create: async () => {
      const testDb = await target.create()
      const handle = await openDatabase(
        loadConfig({ PULSEBASE_DATABASE_URL: testDb.url }).database,
        createMetrics(),
        logger,
      )
      await migrateToLatest(handle.db, logger)
      const interrupt = async (ageMs: number) => {
        const objectId = randomUUID()
        await handle.db
          .insertInto('blob_uploads')
          .values({ object_id: objectId, started_at: Date.now() - ageMs })
          .execute()
        await handle.db
          .insertInto('blob_chunks')
          .values({ object_id: objectId, seq: 0, data: Buffer.from('partial') })
          .execute()
        return async () =>
          (await handle.db.selectFrom('blob_chunks').select('seq').where('object_id', '=', objectId).execute()).length >
          0
      }
      return {
        store: createDatabaseBlobStore({ db: handle.db }),
        interrupt,
        release: async () => (await handle.close(), await testDb.drop()),
      }
    },
  })),
]

/** A stream of `total` random bytes in pieces of `piece` bytes, and the bytes it yields. */
function randomStream(total: number, piece: number): { stream: Readable; bytes: Buffer } {
  const bytes = randomBytes(total)
  async function* pieces() {
    for (let at = 0; at < total; at += piece) yield bytes.subarray(at, Math.min(total, at + piece))
  }
  return { stream: Readable.from(pieces()), bytes }
}

async function* failingAfter(bytes: number): AsyncGenerator<Buffer> {
  yield randomBytes(bytes)
  throw new Error('the client went away')
}

for (const target of targets) {
  describe(`blob store contract on ${target.name}`, { skip: target.skip }, () => {
    let opened: Opened
    const store = () => opened.store
    test('set up', async () => {
      opened = await target.create()
    })
    after(async () => opened?.release())

    test('put then get returns the same bytes, from text, bytes and a stream larger than one chunk', async () => {
      assert.deepEqual(await store().put('a/text.json', '{"é":1}'), { size: 8 })
      assert.equal((await readBlob(store(), 'a/text.json')).toString('utf8'), '{"é":1}')
      const small = randomBytes(300)
      await store().put('a/bytes.bin', small)
      assert.deepEqual(await readBlob(store(), 'a/bytes.bin'), small)
      const { stream, bytes } = randomStream(BLOB_CHUNK_BYTES * 2 + 12_345, 64 * 1024 + 7)
      assert.deepEqual(await store().put('a/large.bin', stream), { size: bytes.length })
      assert.deepEqual(await readBlob(store(), 'a/large.bin'), bytes)
      await store().put('a/empty', '')
      assert.equal((await readBlob(store(), 'a/empty')).length, 0)
    })

    test('a put replaces the blob; a failed put leaves the old blob whole and nothing else behind', async () => {
      await store().put('b/model.json', 'first')
      await store().put('b/model.json', 'second')
      assert.equal((await readBlob(store(), 'b/model.json')).toString(), 'second')
      await assert.rejects(store().put('b/model.json', failingAfter(BLOB_CHUNK_BYTES + 10)), /went away/)
      assert.equal((await readBlob(store(), 'b/model.json')).toString(), 'second')
      await assert.rejects(store().put('b/other.json', failingAfter(10)), /went away/)
      await assert.rejects(store().get('b/other.json'), { code: 'not_found' })
      assert.deepEqual(
        (await store().list('b/')).map((b) => b.key),
        ['b/model.json'],
      )
    })

    test('a key and a longer key below it are separate blobs', async () => {
      await store().put('c/x', 'parent')
      await store().put('c/x/y', 'child')
      assert.equal((await readBlob(store(), 'c/x')).toString(), 'parent')
      assert.equal((await readBlob(store(), 'c/x/y')).toString(), 'child')
    })

    test('list by prefix gives keys in order with sizes; delete and delete by prefix remove exactly those', async () => {
      for (const key of ['d/u1/m2/w', 'd/u1/m1/w', 'd/u1/m1/j', 'd/u10/m', 'd/u2/m']) await store().put(key, key)
      const listed = await store().list('d/u1/')
      assert.deepEqual(
        listed.map((b) => b.key),
        ['d/u1/m1/j', 'd/u1/m1/w', 'd/u1/m2/w'],
      )
      assert.ok(listed.every((b) => b.size === b.key.length && b.updatedAt > Date.now() - 60_000))
      assert.deepEqual(
        (await store().list('d/u1')).map((b) => b.key),
        ['d/u1/m1/j', 'd/u1/m1/w', 'd/u1/m2/w', 'd/u10/m'],
      )
      assert.equal(await store().delete('d/u1/m2/w'), true)
      assert.equal(await store().delete('d/u1/m2/w'), false)
      assert.equal(await store().deletePrefix('d/u1/'), 2)
      assert.deepEqual(
        (await store().list('d/')).map((b) => b.key),
        ['d/u10/m', 'd/u2/m'],
      )
      await assert.rejects(store().get('d/u1/m1/w'), { code: 'not_found' })
      assert.deepEqual(await store().list('nothing/'), [])
    })

    test('keys outside the documented shape are refused before anything is written', async () => {
      for (const key of [
        '',
        '../etc/passwd',
        'a/../b',
        '/abs',
        'A/upper',
        'a//b',
        'a/',
        '.hidden',
        'a/.tmp',
        'x'.repeat(513),
        'a b',
      ]) {
        await assert.rejects(store().put(key, 'x'), { code: 'invalid_argument' }, key)
        await assert.rejects(store().get(key), { code: 'invalid_argument' }, key)
      }
      await assert.rejects(store().deletePrefix(''), { code: 'invalid_argument' })
      await assert.rejects(store().list('../'), { code: 'invalid_argument' })
    })

    test('concurrent puts of one key leave one whole blob', async () => {
      const bodies = ['one', 'two', 'three', 'four'].map((word) => word.repeat(1000))
      await Promise.all(bodies.map((body) => store().put('e/race', body)))
      assert.ok(bodies.includes((await readBlob(store(), 'e/race')).toString()))
      assert.deepEqual(
        (await store().list('e/')).map((b) => b.key),
        ['e/race'],
      )
    })

    test('sweep removes what interrupted puts left once older than its age, and keeps finished blobs', async () => {
      await store().put('f/kept', 'kept')
      const isOldLeft = await opened.interrupt(2 * 60 * 60 * 1000)
      const isRecentLeft = await opened.interrupt(60 * 1000)
      await store().sweep(60 * 60 * 1000)
      assert.equal(await isOldLeft(), false)
      assert.equal(await isRecentLeft(), true, 'a put still under way is left alone')
      assert.equal((await readBlob(store(), 'f/kept')).toString(), 'kept')
    })

    if (target.name === 'files') {
      test('files and folders are private (0600 and 0700)', () => {
        const root = opened.root as string
        const walk = (dir: string): void => {
          assert.equal(statSync(dir).mode & 0o777, 0o700, dir)
          for (const entry of readdirSync(dir, { withFileTypes: true })) {
            const path = join(dir, entry.name)
            if (entry.isDirectory()) walk(path)
            else assert.equal(statSync(path).mode & 0o777, 0o600, path)
          }
        }
        walk(root)
      })
    }
  })
}
