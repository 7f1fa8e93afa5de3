// A trained model's artifact: a few named files (JSON and raw weights) that cross between the ML
// threads and the blob store as bytes. Threads never touch storage; the runtime does.

/** One file of an artifact, e.g. `model.json` or `weights.bin`. */
export interface ArtifactFile {
  readonly name: string
  readonly bytes: Uint8Array
}

/** What an inference thread answers when it does not hold the artifact yet: the runtime sends it the files. */
export interface ArtifactNeeded {
  readonly isArtifactNeeded: true
}

export const ARTIFACT_NEEDED: ArtifactNeeded = { isArtifactNeeded: true }

export function isArtifactNeeded(value: unknown): value is ArtifactNeeded {
  return typeof value === 'object' && value !== null && (value as Partial<ArtifactNeeded>).isArtifactNeeded === true
}

/** The file called `name`; throws naming the artifact when it is missing. */
export function findFile(files: readonly ArtifactFile[], name: string, artifact: string): Uint8Array {
  const file = files.find((f) => f.name === name)
  if (file === undefined) throw new Error(`${artifact}: the artifact has no ${name}`)
  return file.bytes
}

/** A small least-recently-used cache of loaded models by artifact; `dispose` frees what falls out. */
export function createArtifactCache<T>(size: number, dispose: (value: T) => void) {
  const cache = new Map<string, T>()
  return {
    get(artifact: string): T | undefined {
      const hit = cache.get(artifact)
      if (hit !== undefined) {
        cache.delete(artifact)
        cache.set(artifact, hit)
      }
      return hit
    },
    set(artifact: string, value: T): void {
      cache.set(artifact, value)
      for (const [key, old] of cache) {
        if (cache.size <= size) break
        cache.delete(key)
        dispose(old)
      }
    },
  }
}
