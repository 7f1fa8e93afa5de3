// A trained sequence model as two files: model.json (topology, weight specs and the caller's
// metadata) and weights.bin. Produced and read as bytes; the runtime stores them (blob store).
import type { LayersModel } from '@tensorflow/tfjs'
import { type ArtifactFile, findFile } from './artifact-files.js'
import { fastLstm } from './fast-lstm.js'
import type { Tf } from './tf-runtime.js'

/** The model's files, weights first (the JSON names a complete model). */
export async function modelToFiles(tf: Tf, model: LayersModel, meta: unknown): Promise<ArtifactFile[]> {
  let artifacts: { modelTopology: unknown; weightSpecs: unknown; weightData: ArrayBuffer } | undefined
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = {
        modelTopology: a.modelTopology,
        weightSpecs: a.weightSpecs,
        weightData: a.weightData as ArrayBuffer,
      }
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
    }),
  )
  if (artifacts === undefined) throw new Error('model.save produced no artifacts')
  const json = JSON.stringify({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs, meta })
  return [
    { name: 'weights.bin', bytes: new Uint8Array(artifacts.weightData) },
    { name: 'model.json', bytes: new TextEncoder().encode(json) },
  ]
}

/** The model back from its files; throws when one is missing. */
export async function modelFromFiles(
  tf: Tf,
  files: readonly ArtifactFile[],
  artifact: string,
): Promise<{ model: LayersModel; meta: unknown }> {
  fastLstm(tf) // registers the layer class the topology names
  const json = JSON.parse(new TextDecoder().decode(findFile(files, 'model.json', artifact))) as {
    modelTopology: object
    weightSpecs: never
    meta: unknown
  }
  const weights = findFile(files, 'weights.bin', artifact)
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightSpecs, weightData }),
  )
  return { model, meta: json.meta }
}
