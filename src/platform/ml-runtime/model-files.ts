// A trained model as two files in its own directory: model.json (topology, weight specs and the
// caller's metadata) and weights.bin. Directories are named by model id, never by client input.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../files/private-files.js'
import { join } from 'node:path'
import type { LayersModel } from '@tensorflow/tfjs'
import { fastLstm } from './fast-lstm.js'
import type { Tf } from './tf-runtime.js'

export async function saveModel(tf: Tf, model: LayersModel, directory: string, meta: unknown): Promise<void> {
  let artifacts: { modelTopology: unknown; weightSpecs: unknown; weightData: ArrayBuffer } | undefined
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = { modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData as ArrayBuffer }
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
    }),
  )
  if (artifacts === undefined) throw new Error('model.save produced no artifacts')
  await mkdir(directory, { recursive: true, mode: PRIVATE_DIR_MODE })
  // Write then rename, so a crash never leaves a half-written model that looks complete.
  await writeFile(join(directory, 'weights.bin.tmp'), new Uint8Array(artifacts.weightData), { mode: PRIVATE_FILE_MODE })
  await rename(join(directory, 'weights.bin.tmp'), join(directory, 'weights.bin'))
  await writeFile(join(directory, 'model.json.tmp'), JSON.stringify({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs, meta }), { mode: PRIVATE_FILE_MODE })
  await rename(join(directory, 'model.json.tmp'), join(directory, 'model.json'))
}

export async function loadModel(tf: Tf, directory: string): Promise<{ model: LayersModel; meta: unknown }> {
  fastLstm(tf) // registers the layer class the topology names
  const json = JSON.parse(await readFile(join(directory, 'model.json'), 'utf8')) as { modelTopology: object; weightSpecs: never; meta: unknown }
  const weights = await readFile(join(directory, 'weights.bin'))
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength)
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightSpecs, weightData }))
  return { model, meta: json.meta }
}
