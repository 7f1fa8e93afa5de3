// A trained classifier's files: classifier.json (spec, heads, standardization, the caller's meta)
// and weights.bin (W1, b1, W2, b2 as float32), in a directory named by model id; and the loaded
// classifiers the inference thread keeps.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../files/private-files.js'
import { join } from 'node:path'
import type { Tensor } from '@tensorflow/tfjs'
import type { ClassifierSpec } from './classifier-task.js'
import type { Tf } from './tf-runtime.js'

/** What a saved classifier holds besides its weights (`classifier.json`). */
/** Values of a row: the groups together. */
export const widthOf = (spec: Pick<ClassifierSpec, 'groups'>): number => spec.groups.reduce((sum, g) => sum + g.length, 0)

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

export async function saveClassifier(directory: string, file: ClassifierFile, p: Params): Promise<void> {
  const parts = [p.w1, p.b1, p.w2, p.b2].map((t) => t.dataSync() as Float32Array)
  const weights = new Float32Array(parts.reduce((n, part) => n + part.length, 0))
  let at = 0
  for (const part of parts) {
    weights.set(part, at)
    at += part.length
  }
  await mkdir(directory, { recursive: true, mode: PRIVATE_DIR_MODE })
  // Write then rename, so a crash never leaves a half-written model that looks complete.
  await writeFile(join(directory, 'weights.bin.tmp'), new Uint8Array(weights.buffer), { mode: PRIVATE_FILE_MODE })
  await rename(join(directory, 'weights.bin.tmp'), join(directory, 'weights.bin'))
  await writeFile(join(directory, 'classifier.json.tmp'), JSON.stringify(file), { mode: PRIVATE_FILE_MODE })
  await rename(join(directory, 'classifier.json.tmp'), join(directory, 'classifier.json'))
}

export interface LoadedClassifier {
  readonly file: ClassifierFile
  readonly params: Params
  readonly mean: Tensor
  readonly std: Tensor
}

/** Loaded classifiers by directory, least recently used first; artifacts never change once written. */
const cache = new Map<string, LoadedClassifier>()
const CACHE_SIZE = 32

async function loadClassifier(tf: Tf, directory: string): Promise<LoadedClassifier> {
  const file = JSON.parse(await readFile(join(directory, 'classifier.json'), 'utf8')) as ClassifierFile
  const bytes = await readFile(join(directory, 'weights.bin'))
  const weights = new Float32Array(bytes.byteLength / 4)
  new Uint8Array(weights.buffer).set(bytes)
  const [width, heads, hidden, classes] = [widthOf(file.spec), file.heads.length, file.spec.hiddenUnits, file.spec.classes]
  const sizes = [width * heads * hidden, heads * hidden, heads * hidden * heads * classes, heads * classes]
  const parts: Float32Array[] = []
  let at = 0
  for (const size of sizes) {
    parts.push(weights.subarray(at, at + size))
    at += size
  }
  if (at !== weights.length) throw new Error(`${directory}: weights.bin does not match classifier.json`)
  const [w1, b1, w2, b2] = parts as [Float32Array, Float32Array, Float32Array, Float32Array]
  const params = { w1: tf.tensor2d(w1, [width, heads * hidden]), b1: tf.tensor1d(b1), w2: tf.tensor2d(w2, [heads * hidden, heads * classes]), b2: tf.tensor1d(b2) }
  return { file, params, mean: tf.tensor1d(file.mean), std: tf.tensor1d(file.std) }
}

export async function cachedClassifier(tf: Tf, directory: string): Promise<LoadedClassifier> {
  const hit = cache.get(directory)
  if (hit !== undefined) {
    cache.delete(directory)
    cache.set(directory, hit)
    return hit
  }
  const loaded = await loadClassifier(tf, directory)
  cache.set(directory, loaded)
  for (const [key, old] of cache) {
    if (cache.size <= CACHE_SIZE) break
    cache.delete(key)
    tf.dispose([old.params.w1, old.params.b1, old.params.w2, old.params.b2, old.mean, old.std])
  }
  return loaded
}

