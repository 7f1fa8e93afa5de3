import type { AuthedPlatform, Module } from '../../module.js'
import { deleteBlobPrefixes } from '../../platform/blob/blob.port.js'
import { deleteUserRows } from '../../platform/db/user-rows.js'
import { registerMlHttp } from './ml.http.js'
import { modelArtifactsOf } from './ml.repository.js'
import type { ModelKind } from './ml.schema.js'
import {
  loadModels,
  loadTrainingJobs,
  MODEL_SYNC_KIND,
  runTrainingJob,
  sweepStaleTrainingJobs,
  TRAINING_JOB_SYNC_KIND,
  type ModelTrainer,
  type TrainingDeps,
} from './training.service.js'

export interface MlModule extends Module {
  /** What other modules request training and read models through. */
  readonly training: TrainingDeps
  /** Makes a model kind trainable; the module that owns the kind calls it once, while the app is built. */
  registerTrainer(kind: ModelKind, trainer: ModelTrainer): void
}

/** Versioned models and queued training jobs (`/v1/training-jobs`, `/v1/models`, the `ml.train` job). */
export function mlModule(platform: AuthedPlatform): MlModule {
  const { database, config, outbox, logger, guards } = platform
  const trainers = new Map<ModelKind, ModelTrainer>()
  const training: TrainingDeps = {
    db: database.db,
    kind: database.kind,
    runtime: platform.ml,
    queueMaxAttempts: config.queueMaxAttempts,
    logger: logger.child({ module: 'training' }),
    trainers,
    outbox,
    publish: (userId, event) => platform.publishLive(userId, 'training', event),
    now: platform.now,
  }
  return {
    name: 'ml',
    training,
    registerTrainer(kind, trainer) {
      if (trainers.has(kind)) throw new Error(`a trainer for model kind ${kind} is already registered`)
      trainers.set(kind, trainer)
    },
    http: (server) => registerMlHttp(server, training, guards),
    // Epochs go with their jobs; every model's files (any kind) go from the blob store after the commit.
    onAccountDeleted: async (trx, userId) => {
      const artifacts = await modelArtifactsOf(trx, userId)
      await deleteUserRows(trx, userId, ['ml_models', 'ml_training_jobs'])
      return () =>
        deleteBlobPrefixes(
          platform.blobs,
          artifacts.map((artifact) => `${artifact}/`),
        )
    },
    syncLoaders: { [TRAINING_JOB_SYNC_KIND]: loadTrainingJobs, [MODEL_SYNC_KIND]: loadModels },
    jobs: { 'ml.train': (job) => runTrainingJob(training, job.payload.trainingJobId, job.attempt) },
    cleanup: async () => {
      await sweepStaleTrainingJobs(training)
    },
    onWorkerStart: async () => {
      await sweepStaleTrainingJobs(training)
    },
  }
}
