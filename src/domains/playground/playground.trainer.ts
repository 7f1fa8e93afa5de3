// The `playground` model kind: a person's own model (a network or a classical model) trained on a
// built-in or uploaded dataset through the ML engine's training jobs, several per user at once.
import { matchesSchema } from '../../platform/validation/schema-check.js'
import { AppError } from '../../errors.js'
import type { ModelTrainer, PreparedTraining, TrainingParams } from '../ml/training.service.js'
import { findBuiltin, loadBuiltin } from './builtin-datasets.js'
import { TrainingRequest } from './playground.schema.js'
import { planTraining } from './prepare.js'
import { runResults } from './results.js'
import { loadUpload, type UploadsDeps } from './uploads.js'

export const PLAYGROUND = 'playground'

/** The stored request, checked again when the job runs (params are stored as JSON). */
export function trainingRequest(raw: TrainingParams): TrainingRequest {
  if (!matchesSchema(TrainingRequest, raw))
    throw new AppError('invalid_argument', 'A playground model trains through POST /v1/playground/runs')
  return raw
}

async function plan(raw: TrainingParams, userId: string, uploads: UploadsDeps) {
  const request = trainingRequest(raw)
  const ref = request.dataset
  if ('builtin' in ref) {
    const dataset = findBuiltin(ref.builtin)
    return { request, planned: planTraining(await loadBuiltin(dataset), request, dataset) }
  }
  const { table, image } = await loadUpload(uploads, userId, ref.id).catch((error: unknown) => {
    throw error instanceof AppError && error.code === 'not_found'
      ? new AppError('invalid_argument', `No uploaded dataset ${ref.id}`, [
          { path: 'body.dataset.id', message: 'not found' },
        ])
      : error
  })
  return {
    request,
    planned: planTraining(table, request, image === null ? undefined : { image: { ...image, maxValue: 255 } }),
  }
}

export function playgroundTrainer(options: { maxActivePerUser: number; uploads: UploadsDeps }): ModelTrainer {
  return {
    maxActivePerUser: options.maxActivePerUser,
    async assertEnoughData(_db, userId, raw) {
      await plan(raw, userId, options.uploads)
    },
    async prepare(_db, userId, raw): Promise<PreparedTraining> {
      const { request, planned } = await plan(raw, userId, options.uploads)
      const { encoded, testCount, testTargets, task } = planned
      const trainingExamples = encoded.targets.length - testCount
      return {
        task,
        plannedEpochs: task.op === 'train-network' ? task.spec.epochs : 1,
        params: {
          ...request,
          features: encoded.features,
          labels: encoded.labels,
          inputShape: planned.inputShape,
          inputScale: planned.inputScale,
        },
        dataFrom: null,
        dataTo: null,
        examples: encoded.targets.length,
        evaluate: (outputs, epochs) =>
          runResults(request.problemType, encoded.labels, outputs, testTargets, epochs, trainingExamples),
      }
    },
  }
}
