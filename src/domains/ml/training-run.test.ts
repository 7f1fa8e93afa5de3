// A training run whose worker thread dies: every real database, real tfjs-wasm threads; the thread is
// ended mid-run with the runtime's recycleTraining, as a crash would end it.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { pino } from 'pino'
import { type DatabaseTarget, databaseTargets, openTestDatabase } from '../../../test/helpers/databases.js'
import type { DatabaseHandle } from '../../platform/db/database.js'
import { createMetrics } from '../../platform/metrics/metrics.js'
import { createDatabaseBlobStore } from '../../platform/blob/database-blob-store.js'
import { createMlRuntime, type MlRuntime } from '../../platform/ml-runtime/ml-runtime.js'
import { WorkerCrashedError } from '../../platform/ml-runtime/worker-pool.js'
import { createUser } from '../auth/auth.service.js'
import type { TrainingEvent } from './ml.schema.js'
import { createDatabaseQueue } from '../../platform/queue/database-queue.js'
import { createJobsTableOutbox } from '../../platform/queue/outbox.js'
import { exponentialBackoff } from '../../platform/queue/queue.port.js'
import { systemClock } from '../../platform/time/clock.js'
import {
  getTrainingJob,
  type ModelTrainer,
  requestTraining,
  runTrainingJob,
  TRAINING_MAX_ATTEMPTS,
  type TrainingDeps,
} from './training.service.js'

/** y = first feature of the last step; `maxEpochs` decides how long a run lasts. */
function trainer(maxEpochs: number): ModelTrainer {
  const count = 64
  const inputs = new Float32Array(count * 2 * 2).map((_, i) => Math.sin(i * 1.7))
  const targets = new Float32Array(count).map((_, i) => inputs[(i * 2 + 1) * 2] as number)
  return {
    assertEnoughData: async () => {},
    prepare: async () => ({
      task: {
        spec: { steps: 2, features: 2, lstmUnits: 4, denseUnits: 4, learningRate: 0.01 },
        inputs,
        targets,
        validationCount: 8,
        maxEpochs,
        batchSize: 16,
        patience: maxEpochs,
        meta: {},
      },
      params: {},
      dataFrom: null,
      dataTo: null,
      examples: count,
      evaluate: () => ({ heldOutMae: 0 }),
    }),
  }
}

/** A database of one target with a user, and an ML runtime with one training thread. */
interface TrainingSuite {
  readonly database: DatabaseHandle
  readonly runtime: MlRuntime
  readonly userId: string
  close(): Promise<void>
}

async function openTrainingSuite(target: DatabaseTarget, email: string): Promise<TrainingSuite> {
  const opened = await openTestDatabase(target)
  const database = opened.database
  const runtime = createMlRuntime({
    trainingThreads: 1,
    logger: pino({ level: 'silent' }),
    blobs: createDatabaseBlobStore({ db: database.db }),
  })
  const user = await createUser({ db: database.db, now: systemClock }, { email, password: 'correct horse battery' })
  return {
    database,
    runtime,
    userId: user.id,
    async close() {
      await runtime.close()
      await opened.close()
    },
  }
}

/** Training deps over the suite's database (database queue and outbox) with the test trainer of `maxEpochs`. */
function buildDeps(
  suite: TrainingSuite,
  maxEpochs: number,
  publish: TrainingDeps['publish'],
  queueMaxAttempts = 5,
): TrainingDeps {
  const { database, runtime } = suite
  return {
    db: database.db,
    kind: database.kind,
    runtime,
    queueMaxAttempts,
    logger: pino({ level: 'silent' }),
    now: systemClock,
    trainers: new Map([['meditation', trainer(maxEpochs)]]),
    outbox: createJobsTableOutbox(
      database.db,
      createDatabaseQueue({
        db: database.db,
        dialect: database.kind,
        metrics: createMetrics(),
        logger: pino({ level: 'silent' }),
        retry: exponentialBackoff(5),
      }),
    ),
    publish,
  }
}

for (const target of await databaseTargets()) {
  describe(`a training run whose worker thread dies on ${target.kind}`, { skip: target.skip }, () => {
    let suite: TrainingSuite
    let userId: string
    const events: TrainingEvent[] = []
    const deps = (maxEpochs: number, queueMaxAttempts = 5): TrainingDeps =>
      buildDeps(
        suite,
        maxEpochs,
        (_user, event) => {
          events.push(event)
          // Ends the thread at the first epoch of a long run: the run is still inside model.fit.
          if (event.epoch?.epoch === 1 && maxEpochs > 1000) void suite.runtime.recycleTraining()
        },
        queueMaxAttempts,
      )

    before(async () => {
      suite = await openTrainingSuite(target, 'crash@example.com')
      userId = suite.userId
    })
    after(async () => {
      await suite?.close()
    })

    test('is put back in the queue (the delivery throws so the queue retries), and the retry succeeds', async () => {
      const job = await requestTraining(deps(5000), userId, 'meditation')
      await assert.rejects(runTrainingJob(deps(5000), job.id, 1), WorkerCrashedError)
      const requeued = await getTrainingJob(deps(1), userId, job.id)
      assert.deepEqual([requeued.state, requeued.attempts], ['queued', 1])
      assert.match(requeued.error ?? '', /ML worker thread died/)
      assert.ok(events.some((e) => e.jobId === job.id && e.state === 'queued' && e.error !== undefined))

      await runTrainingJob(deps(3), job.id, 2)
      const done = await getTrainingJob(deps(1), userId, job.id)
      assert.deepEqual([done.state, done.attempts, done.error, done.epochs.length], ['succeeded', 2, null, 3])
    })

    test('is failed visibly, not retried, when the queue will not deliver it again', async () => {
      const job = await requestTraining(deps(5000, 2), userId, 'meditation')
      await runTrainingJob(deps(5000, 2), job.id, 2)
      const failed = await getTrainingJob(deps(1), userId, job.id)
      assert.deepEqual([failed.state, failed.attempts], ['failed', 1])
      assert.match(failed.error ?? '', /ML worker thread died/)
    })

    test(`is failed once it has used its ${TRAINING_MAX_ATTEMPTS} runs`, async () => {
      const job = await requestTraining(deps(5000), userId, 'meditation')
      for (let attempt = 1; attempt < TRAINING_MAX_ATTEMPTS; attempt += 1)
        await assert.rejects(runTrainingJob(deps(5000), job.id, attempt), WorkerCrashedError)
      await runTrainingJob(deps(5000), job.id, TRAINING_MAX_ATTEMPTS)
      const failed = await getTrainingJob(deps(1), userId, job.id)
      assert.deepEqual([failed.state, failed.attempts], ['failed', TRAINING_MAX_ATTEMPTS])
    })
  })

  describe(`cancelling a running training job on ${target.kind}`, { skip: target.skip }, () => {
    let suite: TrainingSuite
    let userId: string

    before(async () => {
      suite = await openTrainingSuite(target, 'cancel@example.com')
      userId = suite.userId
    })
    after(async () => {
      await suite?.close()
    })

    test('is honoured within one epoch, however fast epochs are', async () => {
      let jobId = ''
      const { database } = suite
      // The cancel is committed while epoch 3 is being reported, as a request arriving then would be.
      const deps = buildDeps(suite, 500, (_user, event) => {
        if (event.epoch?.epoch === 3)
          void database.db
            .updateTable('ml_training_jobs')
            .set({ is_cancel_requested: 1 })
            .where('id', '=', jobId)
            .execute()
      })
      jobId = (await requestTraining(deps, userId, 'meditation')).id
      await runTrainingJob(deps, jobId, 1)
      const job = await getTrainingJob(deps, userId, jobId)
      assert.equal(job.state, 'cancelled')
      assert.ok(job.epochs.length >= 3 && job.epochs.length <= 4, `stopped after ${job.epochs.length} of 500 epochs`)
      assert.deepEqual(
        (await database.db.selectFrom('ml_models').selectAll().where('user_id', '=', userId).execute()).length,
        0,
      )
    })
  })
}
