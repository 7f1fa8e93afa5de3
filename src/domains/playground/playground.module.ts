import type { AuthedPlatform, Module } from '../../module.js'
import { createAttemptLimiter } from '../../platform/rate-limit/attempt-limiter.js'
import { deleteBlobPrefixes } from '../../platform/blob/blob.port.js'
import { deleteUserRows } from '../../platform/db/user-rows.js'
import type { MlModule } from '../ml/ml.module.js'
import { CLIENT_LOGS_PER_MINUTE, type ClientLogs, createClientLogs } from './client-logs.js'
import { MAILS_PER_HOUR, mailRunEnd, type PlaygroundMailDeps } from './playground-mail.js'
import { registerPlaygroundHttp } from './playground.http.js'
import { datasetBlobKey, type UploadsDeps } from './uploads.js'
import { uploadedDatasetIds } from './playground.repository.js'
import { registerUploadsHttp } from './uploads.http.js'
import type { PlaygroundDeps } from './playground.service.js'
import { PLAYGROUND, playgroundTrainer } from './playground.trainer.js'

/** Inference tasks in flight beyond which `POST /v1/playground/models/:id/predict` answers 429. */
const MAX_INFERENCE_BACKLOG = 32

export interface PlaygroundModule extends Module {
  /** What the DLP compat adapter maps onto. */
  readonly deps: PlaygroundDeps
  readonly logs: ClientLogs
  readonly mail: PlaygroundMailDeps
  readonly uploads: UploadsDeps
}

/** The model playground (`/v1/playground`): datasets, user-described models trained as `playground` jobs, results, learning progress, client logs. */
export function playgroundModule(platform: AuthedPlatform, ml: MlModule): PlaygroundModule {
  const { config, guards, logger, redis } = platform
  const deps: PlaygroundDeps = {
    training: ml.training,
    runtime: platform.ml,
    maxBacklog: MAX_INFERENCE_BACKLOG,
    now: platform.now,
  }
  const mailLimiter = createAttemptLimiter({
    name: 'playground-mail',
    points: MAILS_PER_HOUR,
    windowSeconds: 3600,
    message: `At most ${MAILS_PER_HOUR} playground e-mails an hour`,
    ...(redis && { redis }),
  })
  const mail: PlaygroundMailDeps = {
    playground: deps,
    mail: platform.mail,
    limiter: mailLimiter,
    allowList: new Set(config.playground.mailAllowList),
    logger: logger.child({ module: 'playground-mail' }),
  }
  const uploads: UploadsDeps = { db: platform.database.db, blobs: platform.blobs, now: platform.now }
  ml.registerTrainer(PLAYGROUND, {
    ...playgroundTrainer({ maxActivePerUser: config.playground.maxActiveRuns, uploads }),
    onFinished: (job) => mailRunEnd(mail, job),
  })
  const limiter = createAttemptLimiter({
    name: 'client-logs',
    points: CLIENT_LOGS_PER_MINUTE,
    windowSeconds: 60,
    message: `At most ${CLIENT_LOGS_PER_MINUTE} client log lines a minute`,
    ...(redis && { redis }),
  })
  const logs = createClientLogs(logger.child({ module: 'client-log' }), limiter)
  return {
    name: 'playground',
    deps,
    // Runs go before ml's training jobs they point at (reverse module order); uploaded datasets' files after the commit.
    onAccountDeleted: async (trx, userId) => {
      const uploaded = await uploadedDatasetIds(trx, userId)
      await deleteUserRows(trx, userId, ['playground_runs', 'playground_answers', 'playground_datasets'])
      return () => deleteBlobPrefixes(platform.blobs, uploaded.map(datasetBlobKey))
    },
    logs,
    mail,
    uploads,
    http: async (server) => {
      registerPlaygroundHttp(server, deps, { logs, mail }, guards)
      await registerUploadsHttp(server, uploads, guards)
    },
  }
}
