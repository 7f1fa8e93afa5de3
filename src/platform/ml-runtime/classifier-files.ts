// A trained classifier's files: classifier.json (spec, heads, standardization, the caller's meta)
// and weights.bin (W1, b1, W2, b2 as float32), produced and read as bytes (the runtime stores them
// in the blob store); and the loaded classifiers the inference thread keeps.
import type { Tensor } from '@tensorflow/tfjs'
import { type ArtifactFile, createArtifactCache, findFile } from './artifact-files.js'
import type { ClassifierSpec } from './classifier-task.js'
import type { Tf } from './tf-runtime.js'

/** What a saved classifier holds besides its weights (`classifier.json`). */
/** Values of a row: the groups together. */
export const computeWidth = (spec: Pick<ClassifierSpec, 'groups'>): number =>
  spec.groups.reduce((sum, g) => sum + g.length, 0)

export interface ClassifierFile {
  readonly format: 'pulsebase-dense-classifier/1'
  readonly spec: ClassifierSpec
  readonly heads: string[]
  readonly mean: number[]
  readonly std: number[]
  readonly meta: unknown
}

export interface Params {
  readonly w1: Tensor
  readonly b1: Tensor
  readonly w2: Tensor
  readonly b2: Tensor
}

/** The classifier's files, weights first (the JSON names a complete model). */
export function classifierToFiles(file: ClassifierFile, p: Params): ArtifactFile[] {
  const parts = [p.w1, p.b1, p.w2, p.b2].map((t) => t.dataSync() as Float32Array)
  const weights = new Float32Array(parts.reduce((n, part) => n + part.length, 0))
  let at = 0
  for (const part of parts) {
    weights.set(part, at)
    at += part.length
  }
  return [
    { name: 'weights.bin', bytes: new Uint8Array(weights.buffer) },
    { name: 'classifier.json', bytes: new TextEncoder().encode(JSON.stringify(file)) },
  ]
}

export interface LoadedClassifier {
  readonly file: ClassifierFile
  readonly params: Params
  readonly mean: Tensor
  readonly std: Tensor
}

/** Loaded classifiers by artifact, least recently used first; artifacts never change once written. */
let cache: ReturnType<typeof createArtifactCache<LoadedClassifier>> | undefined

function loadClassifier(tf: Tf, files: readonly ArtifactFile[], artifact: string): LoadedClassifier {
  const file = JSON.parse(new TextDecoder().decode(findFile(files, 'classifier.json', artifact))) as ClassifierFile
  const bytes = findFile(files, 'weights.bin', artifact)
  const weights = new Float32Array(bytes.byteLength / 4)
  new Uint8Array(weights.buffer).set(bytes)
  const [width, heads, hidden, classes] = [
    computeWidth(file.spec),
    file.heads.length,
    file.spec.hiddenUnits,
    file.spec.classes,
  ]
  const sizes = [width * heads * hidden, heads * hidden, heads * hidden * heads * classes, heads * classes]
  const parts: Float32Array[] = []
  let at = 0
  for (const size of sizes) {
    parts.push(weights.subarray(at, at + size))
    at += size
  }
  if (at !== weights.length) throw new Error(`${artifact}: weights.bin does not match classifier.json`)
  const [w1, b1, w2, b2] = parts as [Float32Array, Float32Array, Float32Array, Float32Array]
  const params = {
    w1: tf.tensor2d(w1, [width, heads * hidden]),
    b1: tf.tensor1d(b1),
    w2: tf.tensor2d(w2, [heads * hidden, heads * classes]),
    b2: tf.tensor1d(b2),
  }
  return { file, params, mean: tf.tensor1d(file.mean), std: tf.tensor1d(file.std) }
}

/** The loaded classifier of `artifact`: from the cache, else from `files`; undefined when neither has it. */
export function cachedClassifier(
  tf: Tf,
  artifact: string,
  files: readonly ArtifactFile[] | undefined,
): LoadedClassifier | undefined {
  cache ??= createArtifactCache<LoadedClassifier>(32, (old) =>
    tf.dispose([old.params.w1, old.params.b1, old.params.w2, old.params.b2, old.mean, old.std]),
  )
  const hit = cache.get(artifact)
  if (hit !== undefined || files === undefined) return hit
  const loaded = loadClassifier(tf, files, artifact)
  cache.set(artifact, loaded)
  return loaded
}
