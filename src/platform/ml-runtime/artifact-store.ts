// Where the ML runtime keeps model files: the blob store, under `<artifact>/<file name>`.
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AppError } from '../../errors.js'
import { type BlobStore, readBlob } from '../blob/blob.port.js'
import type { ArtifactFile } from './artifact-files.js'

/**
 * Stores, loads and removes artifacts in `blobs`. `legacyRoot` is the data dir where models
 * trained before artifacts moved to the blob store lie as `<artifact>/<file>`: such a model is
 * copied into the blob store the first time it is loaded.
 */
export function createArtifactStore(blobs: BlobStore, legacyRoot?: string) {
  const store = async (artifact: string, files: readonly ArtifactFile[]): Promise<void> => {
    try {
      // In the order given: the weights before the JSON that names a complete model.
      for (const file of files) await blobs.put(`${artifact}/${file.name}`, file.bytes)
    } catch (error) {
      await blobs.deletePrefix(`${artifact}/`).catch(() => {})
      throw error
    }
  }
  const fromLegacy = async (artifact: string): Promise<ArtifactFile[]> => {
    const directory = legacyRoot === undefined ? undefined : join(legacyRoot, ...artifact.split('/'))
    if (directory === undefined || !existsSync(directory)) return []
    const names = (await readdir(directory)).filter(
      (name) => /^[a-z0-9][a-z0-9._-]*$/.test(name) && !name.endsWith('.tmp'),
    )
    const files = await Promise.all(
      names.map(async (name) => ({ name, bytes: new Uint8Array(await readFile(join(directory, name))) })),
    )
    await store(
      artifact,
      files.sort((a, b) => (a.name.endsWith('.json') ? 1 : 0) - (b.name.endsWith('.json') ? 1 : 0)),
    )
    return files
  }
  return {
    store,
    /** Every file of the artifact; `unavailable` when it has none (a model row whose files this process cannot reach). */
    async load(artifact: string): Promise<ArtifactFile[]> {
      const listed = await blobs.list(`${artifact}/`)
      const files =
        listed.length > 0
          ? await Promise.all(
              listed.map(async (blob) => ({
                name: blob.key.slice(artifact.length + 1),
                bytes: new Uint8Array(await readBlob(blobs, blob.key)),
              })),
            )
          : await fromLegacy(artifact)
      if (files.length === 0)
        throw new AppError(
          'unavailable',
          `The model's files (${artifact}) are not in the blob store; with processes on several machines set PULSEBASE_BLOB_STORE=database on every one`,
        )
      return files
    },
    remove: (artifact: string) => blobs.deletePrefix(`${artifact}/`),
  }
}
