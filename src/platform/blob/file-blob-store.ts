// Blobs as private files under one directory (the embedded default): `<root>/<segment>/.../<last>~`.
// The `~` (never in a key) keeps a key's file apart from the directory of a longer key, so
// `models/a` and `models/a/weights.bin` can both exist, as they can in the database.
import { randomUUID } from 'node:crypto'
import { mkdir, open, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Readable } from 'node:stream'
import {
  type BlobBody,
  type BlobInfo,
  type BlobStore,
  blobNotFound,
  bodyChunks,
  checkBlobKey,
  checkBlobPrefix,
  deleteListed,
  sortByKey,
} from './blob.port.js'
import { DAY_MS } from '../time/date-time.js'

const SUFFIX = '~'
const TEMP = '.tmp'

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT'

/**
 * A BlobStore on local files under `root` (created 0700; blobs are 0600). A put writes a temporary
 * file, syncs it and renames it into place, so a reader never sees part of a blob.
 */
export function createFileBlobStore(options: { root: string }): BlobStore {
  const root = options.root
  const toPath = (key: string) => `${join(root, ...key.split('/'))}${SUFFIX}`

  async function moveIntoPlace(temp: string, target: string): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      await mkdir(dirname(target), { recursive: true, mode: 0o700 })
      try {
        return await rename(temp, target)
      } catch (error) {
        // A concurrent delete may have removed the emptied directory between mkdir and rename.
        if (!isMissing(error) || attempt >= 3) throw error
      }
    }
  }

  async function removeEmptyParents(path: string): Promise<void> {
    for (let dir = dirname(path); dir.startsWith(root) && dir !== root; dir = dirname(dir)) {
      if (
        !(await rmdir(dir).then(
          () => true,
          () => false,
        ))
      )
        return
    }
  }

  async function walk(dir: string, keyPrefix: string, out: BlobInfo[]): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) =>
      isMissing(error) ? [] : Promise.reject(error),
    )
    for (const entry of entries) {
      if (entry.name === TEMP && dir === root) continue
      const path = join(dir, entry.name)
      if (entry.isDirectory()) await walk(path, `${keyPrefix}${entry.name}/`, out)
      else if (entry.name.endsWith(SUFFIX)) {
        const info = await stat(path).catch(() => undefined)
        if (info !== undefined)
          out.push({
            key: `${keyPrefix}${entry.name.slice(0, -SUFFIX.length)}`,
            size: info.size,
            updatedAt: Math.floor(info.mtimeMs),
          })
      }
    }
  }

  const store: BlobStore = {
    kind: 'file',
    async put(key, body: BlobBody) {
      const target = toPath(checkBlobKey(key))
      await mkdir(join(root, TEMP), { recursive: true, mode: 0o700 })
      const temp = join(root, TEMP, randomUUID())
      const handle = await open(temp, 'wx', 0o600)
      let size = 0
      try {
        for await (const chunk of bodyChunks(body)) {
          await handle.write(chunk)
          size += chunk.byteLength
        }
        await handle.sync()
        await handle.close()
        await moveIntoPlace(temp, target)
        return { size }
      } catch (error) {
        await handle.close().catch(() => {})
        await unlink(temp).catch(() => {})
        throw error
      }
    },
    async get(key): Promise<Readable> {
      const handle = await open(toPath(checkBlobKey(key)), 'r').catch((error: unknown) =>
        Promise.reject(isMissing(error) ? blobNotFound(key) : error),
      )
      return handle.createReadStream()
    },
    async delete(key) {
      const path = toPath(checkBlobKey(key))
      const removed = await unlink(path).then(
        () => true,
        (error: unknown) => (isMissing(error) ? false : Promise.reject(error)),
      )
      if (removed) await removeEmptyParents(path)
      return removed
    },
    async list(prefix) {
      checkBlobPrefix(prefix)
      const slash = prefix.lastIndexOf('/')
      const dirKey = prefix.slice(0, slash + 1)
      const found: BlobInfo[] = []
      await walk(dirKey === '' ? root : join(root, ...dirKey.slice(0, -1).split('/')), dirKey, found)
      return sortByKey(found.filter((b) => b.key.startsWith(prefix)))
    },
    deletePrefix: (prefix) => deleteListed(store, prefix),
    async sweep(olderThanMs = DAY_MS) {
      const dir = join(root, TEMP)
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        const info = await stat(join(dir, name)).catch(() => undefined)
        if (info !== undefined && Date.now() - info.mtimeMs > olderThanMs) await unlink(join(dir, name)).catch(() => {})
      }
    },
  }
  return store
}
