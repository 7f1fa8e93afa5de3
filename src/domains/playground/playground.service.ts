// Playground runs: a training job of kind `playground` plus its name, source and mail wish; its
// results; its model downloaded in the TensorFlow.js format or used to predict on the inference thread.
import { AppError } from '../../errors.js'
import type { Principal } from '../../platform/auth/principal.js'
import { findFile } from '../../platform/ml-runtime/artifact-files.js'
import type { MlRuntime } from '../../platform/ml-runtime/ml-runtime.js'
import type { TrainingJob } from '../ml/ml.schema.js'
import { findModel, getTrainingJob, requestTraining, type TrainingDeps } from '../ml/training.service.js'
import { BUILTIN_DATASETS, findBuiltin, loadBuiltin } from './builtin-datasets.js'
import type { CreateRunBody, Run, RunResults, TrainingRequest } from './playground.schema.js'
import * as repo from './playground.repository.js'
import { PLAYGROUND } from './playground.trainer.js'
import { describeColumns, previewRows } from './table.js'
import type { Clock } from '../../platform/time/clock.js'

export interface PlaygroundDeps {
  readonly training: TrainingDeps
  readonly runtime: MlRuntime
  /** Inference tasks in flight beyond which a predict request gets 429. */
  readonly maxBacklog: number
  readonly now: Clock
}

export async function listBuiltinDatasets() {
  return Promise.all(BUILTIN_DATASETS.map(async (dataset) => summary(dataset.name)))
}

async function summary(name: string) {
  const dataset = findBuiltin(name)
  const table = await loadBuiltin(dataset)
  const image =
    dataset.image === undefined
      ? null
      : { height: dataset.image.height, width: dataset.image.width, channels: dataset.image.channels }
  return {
    name: dataset.name,
    problemType: dataset.problemType,
    description: dataset.description,
    rows: table.rows,
    columns: describeColumns(table),
    image,
    table,
  }
}

/** A built-in dataset's columns, detected types and first rows; not_found for an unknown name. */
export async function getBuiltinDataset(name: string, previewCount = 10) {
  const found = await summary(name).catch((error: unknown) => {
    throw error instanceof AppError ? new AppError('not_found', error.message) : error
  })
  const { table, ...rest } = found
  return { ...rest, preview: previewRows(table, previewCount) }
}

/** The training request of a run body: everything but the run's own fields. */
export function toTrainingRequest(body: CreateRunBody): TrainingRequest {
  return {
    dataset: body.dataset,
    problemType: body.problemType,
    model: body.model,
    ...(body.target !== undefined && { target: body.target }),
    ...(body.features !== undefined && { features: body.features }),
    ...(body.split !== undefined && { split: body.split }),
  }
}

export interface RunOptions {
  readonly name: string
  readonly dataSource: string
  /** The seed client's own id for the run (its `execution_id`). */
  readonly clientRef?: string | undefined
  readonly notifyEmail?: string | undefined
}

/** The account's own address. */
export async function ownEmail(deps: PlaygroundDeps, owner: Principal): Promise<string> {
  const email = await repo.accountEmail(deps.training.db, owner.userId)
  if (email === undefined) throw new AppError('not_found', 'No such account')
  return email
}

/**
 * Where a run's end-of-run mail goes: the account's own address when one is asked for (`true`, or
 * that address spelled out, as the seed's clients send it); undefined when none is (`false`, null,
 * undefined, ''). Throws invalid_argument for any other address: run-end mail never goes elsewhere.
 */
export async function resolveNotifyEmail(
  deps: PlaygroundDeps,
  owner: Principal,
  requested: unknown,
): Promise<string | undefined> {
  if (requested === undefined || requested === null || requested === false || requested === '') return undefined
  const own = await ownEmail(deps, owner)
  if (requested === true) return own
  if (typeof requested !== 'string' || requested.trim().toLowerCase() !== own.toLowerCase())
    throw new AppError('invalid_argument', "Training results are e-mailed only to your account's own address")
  return own
}

/** Queues a run (its job and its row in one transaction); 409 past the per-user limit of runs in flight. */
export async function createRun(
  deps: PlaygroundDeps,
  owner: Principal,
  request: TrainingRequest,
  options: RunOptions,
): Promise<Run> {
  const job = await requestTraining(deps.training, owner.userId, PLAYGROUND, request, (trx, jobId) =>
    repo.insertRun(trx, {
      training_job_id: jobId,
      user_id: owner.userId,
      name: options.name,
      data_source: options.dataSource,
      client_ref: options.clientRef ?? null,
      notify_email: options.notifyEmail ?? null,
      emailed_at: null,
      created_at: deps.now(),
    }),
  )
  return toRun(
    (await repo.findRun(deps.training.db, owner.userId, job.id)) as repo.RunRow,
    job,
    null,
    request.model.kind === 'network' ? (request.model.epochs ?? 5) : 1,
  )
}

function toRun(row: repo.RunRow, job: TrainingJob, results: RunResults | null, plannedEpochs: number): Run {
  const percent =
    job.state === 'succeeded' ? 100 : Math.min(100, (job.epochs.length / Math.max(plannedEpochs, 1)) * 100)
  return {
    id: row.training_job_id,
    name: row.name,
    dataSource: row.data_source,
    notifyEmail: row.notify_email,
    job,
    results,
    modelId: job.modelId,
    percent,
  }
}

async function readResults(deps: PlaygroundDeps, userId: string, job: TrainingJob): Promise<RunResults | null> {
  if (job.modelId === null) return null
  const { model } = await findModel(deps.training, userId, job.modelId)
  return model.metrics as RunResults
}

export async function getRun(deps: PlaygroundDeps, userId: string, id: string): Promise<Run> {
  const row = await repo.findRun(deps.training.db, userId, id)
  if (row === undefined) throw new AppError('not_found', `No playground run ${id}`)
  const job = await getTrainingJob(deps.training, userId, id)
  return toRun(row, job, await readResults(deps, userId, job), await repo.plannedEpochs(deps.training.db, id))
}

export async function listRuns(deps: PlaygroundDeps, userId: string, limit: number): Promise<Run[]> {
  const rows = await repo.listRuns(deps.training.db, userId, limit)
  return Promise.all(rows.map((row) => getRun(deps, userId, row.training_job_id)))
}

export async function findRunByClientRef(
  deps: PlaygroundDeps,
  userId: string,
  clientRef: string,
): Promise<Run | undefined> {
  const id = await deps.training.db
    .selectFrom('playground_runs')
    .select('training_job_id')
    .where('user_id', '=', userId)
    .where('client_ref', '=', clientRef)
    .executeTakeFirst()
  return id === undefined ? undefined : getRun(deps, userId, id.training_job_id)
}

/** One of the user's playground models, with its artifact (blob key prefix) and stored params. */
export async function playgroundModel(deps: PlaygroundDeps, userId: string, modelId: string) {
  const found = await findModel(deps.training, userId, modelId)
  if (found.model.kind !== PLAYGROUND) throw new AppError('not_found', `No playground model ${modelId}`)
  const params = found.model.params as {
    features: string[]
    labels: string[] | null
    model: { kind: 'network' | 'classical' }
    inputScale?: number
  }
  return { ...found, params }
}

/**
 * The model in the TensorFlow.js layers format (`tf.loadLayersModel` reads it): model.json with
 * its topology and a weights manifest naming `weights.bin`, which is served beside it. The
 * standardization the inputs need (mean, std per feature) is in `userDefinedMetadata`.
 */
export async function tfjsModelJson(
  deps: PlaygroundDeps,
  owner: Principal,
  modelId: string,
): Promise<Record<string, unknown>> {
  const { artifact, params } = await playgroundModel(deps, owner.userId, modelId)
  if (params.model.kind !== 'network')
    throw new AppError('not_found', `Model ${modelId} is a classical model; download it as JSON from /classical.json`)
  const files = await deps.runtime.loadArtifact(artifact)
  const saved = JSON.parse(new TextDecoder().decode(findFile(files, 'model.json', artifact))) as {
    modelTopology: unknown
    weightSpecs: unknown
    meta: Record<string, unknown>
  }
  return {
    format: 'layers-model',
    generatedBy: 'pulsebase',
    convertedBy: null,
    modelTopology: saved.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: saved.weightSpecs }],
    userDefinedMetadata: {
      mean: saved.meta.mean,
      std: saved.meta.std,
      features: params.features,
      labels: params.labels,
    },
  }
}

/** The raw file of a model (weights.bin of a network, classical.json of a classical model). */
export async function modelFile(
  deps: PlaygroundDeps,
  owner: Principal,
  modelId: string,
  file: 'weights.bin' | 'classical.json',
): Promise<Buffer> {
  const { artifact, params } = await playgroundModel(deps, owner.userId, modelId)
  if ((file === 'weights.bin') !== (params.model.kind === 'network'))
    throw new AppError('not_found', `Model ${modelId} has no ${file}`)
  const bytes = findFile(await deps.runtime.loadArtifact(artifact), file, artifact)
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Predictions for rows of feature values (in the model's feature order), on the inference thread. */
export async function predict(
  deps: PlaygroundDeps,
  owner: Principal,
  modelId: string,
  rows: readonly (readonly number[])[],
) {
  const { artifact, params } = await playgroundModel(deps, owner.userId, modelId)
  const width = params.features.length
  const bad = rows.findIndex((row) => row.length !== width)
  if (bad >= 0)
    throw new AppError(
      'invalid_argument',
      `rows[${bad}] has ${rows[bad]?.length} values; the model takes ${width} (${params.features.join(', ')})`,
      [{ path: `body.rows.${bad}`, message: 'wrong length' }],
    )
  if (deps.runtime.inferenceBacklog() >= deps.maxBacklog)
    throw new AppError('rate_limited', 'The inference thread is busy; try again shortly', [], 1)
  const scale = params.inputScale ?? 1
  const inputs = Float32Array.from(rows.flat(), (value) => value * scale)
  const op = params.model.kind === 'network' ? 'predict-network' : 'predict-classical'
  const { outputs, values } = await deps.runtime.predictModel({ op, artifact, inputs })
  const labels = params.labels
  const predictions = rows.map((_, r) => {
    const row = values.slice(r * outputs, (r + 1) * outputs)
    if (labels === null) return { value: row[0] as number }
    const probabilities = row.length === 1 ? [1 - (row[0] as number), row[0] as number] : row
    return { label: labels[probabilities.indexOf(Math.max(...probabilities))] as string, probabilities }
  })
  return { modelId, features: params.features, labels, predictions }
}
