// Entry of an ML worker thread: TensorFlow.js (wasm) training and cached inference.
import { setPriority } from 'node:os'
import { workerData } from 'node:worker_threads'
import type { LayersModel } from '@tensorflow/tfjs'
import { predictClassical, trainClassical } from './classical-task.js'
import { predictClassifier, trainClassifier } from './classifier-task.js'
import type {
  MlTask,
  ModelOutputs,
  PredictNetworkTask,
  PredictSequenceTask,
  TrainSequenceResult,
  TrainSequenceTask,
} from './ml-tasks.js'
import { ARTIFACT_NEEDED, type ArtifactNeeded, createArtifactCache } from './artifact-files.js'
import { modelFromFiles, modelToFiles } from './model-files.js'
import { predictNetwork, trainNetwork } from './network-task.js'
import { buildSequenceModel, predictSequences, trainSequenceModel } from './sequence-model.js'
import { loadTf, type Tf } from './tf-runtime.js'
import { serveTasks, type TaskContext } from './worker-host.js'

/** Loaded models by artifact, least recently used first; artifacts never change once written. */
const cache = createArtifactCache<LayersModel>(16, (old) => old.dispose())
/** The playground's network models with their metadata, by artifact, least recently used first. */
const networkCache = createArtifactCache<{ model: LayersModel; meta: unknown }>(16, (old) => old.model.dispose())

async function predictNetworkCached(tf: Tf, task: PredictNetworkTask): Promise<ModelOutputs | ArtifactNeeded> {
  let loaded = networkCache.get(task.artifact)
  if (loaded === undefined) {
    if (task.files === undefined) return ARTIFACT_NEEDED
    loaded = await modelFromFiles(tf, task.files, task.artifact)
    networkCache.set(task.artifact, loaded)
  }
  return predictNetwork(tf, task, loaded)
}

async function train(tf: Tf, task: TrainSequenceTask, context: TaskContext): Promise<TrainSequenceResult> {
  const model = buildSequenceModel(tf, task.spec)
  try {
    let isStopped = false
    // Each epoch waits for the caller's word, so a cancel is honoured at the end of the epoch it arrives in.
    const epochs = await trainSequenceModel(tf, model, task, async (report) => {
      isStopped = !(await context.ask(report))
      return !isStopped
    })
    const { steps, features } = task.spec
    const count = task.targets.length
    const heldOut = task.inputs.subarray((count - task.validationCount) * steps * features)
    const validationOutputs =
      task.validationCount > 0 ? Array.from(predictSequences(tf, model, heldOut, steps, features)) : []
    const files = isStopped ? [] : await modelToFiles(tf, model, task.meta)
    return { epochs, validationOutputs, isStopped, files }
  } finally {
    model.dispose()
  }
}

async function predict(tf: Tf, task: PredictSequenceTask): Promise<number[] | ArtifactNeeded> {
  let model = cache.get(task.artifact)
  if (model === undefined) {
    if (task.files === undefined) return ARTIFACT_NEEDED
    model = (await modelFromFiles(tf, task.files, task.artifact)).model
    cache.set(task.artifact, model)
  }
  return Array.from(predictSequences(tf, model, task.inputs, task.steps, task.features))
}

const nice = (workerData as { options?: { nice?: number } }).options?.nice
if (nice !== undefined) {
  try {
    // Linux keeps the nice value per thread: only this thread (and the wasm it runs) yields.
    setPriority(nice)
  } catch {
    // Not permitted here: run at normal priority.
  }
}

serveTasks(async (raw, context) => {
  const tf = await loadTf()
  const task = raw as MlTask
  if (task.op === 'train-sequence') return train(tf, task, context)
  if (task.op === 'predict-sequence') return predict(tf, task)
  if (task.op === 'train-classifier') return trainClassifier(tf, task, context)
  if (task.op === 'predict-classifier') return predictClassifier(tf, task)
  if (task.op === 'train-network') return trainNetwork(tf, task, context)
  if (task.op === 'predict-network') return predictNetworkCached(tf, task)
  if (task.op === 'train-classical') return trainClassical(task, context)
  if (task.op === 'predict-classical') return predictClassical(task)
  throw new Error(`unknown ML task ${(task as { op: string }).op}`)
})
