// The set-up of the suites that train models through the queue (the playground and the DLP adapter):
// every database with the database queue, PostgreSQL with RabbitMQ, and a started worker.
import type { Logger } from 'pino'
import { type Client, signUp, type TestApp } from './app.js'
import { startDatabaseApp } from './database-app.js'
import { databaseTargets, type DatabaseTarget } from './databases.js'
import { rabbitEnv } from './game-sessions.js'
import { RABBITMQ, skipUnless } from './services.js'

/** One place a training suite runs: a database and a queue. */
export interface QueueSetup {
  readonly name: string
  readonly target: DatabaseTarget
  /** The skip reason when the database or RabbitMQ does not answer. */
  readonly skip: string | undefined
  /** The queue's PULSEBASE_* variables (none for the database queue; a fresh RabbitMQ prefix each call). */
  env(): Record<string, string>
  /** False on the RabbitMQ setup, where only the tests that involve the queue need to run again. */
  readonly isFull: boolean
}

/** Every database with the database queue, then PostgreSQL with RabbitMQ. */
export async function listQueueSetups(): Promise<QueueSetup[]> {
  const targets = await databaseTargets()
  const rabbitSkip = await skipUnless(RABBITMQ)
  const postgres = targets.find((t) => t.kind === 'postgres') as DatabaseTarget
  return [
    ...targets.map((target) => ({
      name: `${target.kind} with the database queue`,
      target,
      skip: target.skip,
      env: (): Record<string, string> => ({}),
      isFull: true,
    })),
    {
      name: 'postgres with RabbitMQ',
      target: postgres,
      skip: postgres.skip ?? rabbitSkip,
      env: () => rabbitEnv(),
      isFull: false,
    },
  ]
}

/** A started app with its worker on a fresh database of the setup, and a signed-up user. */
export interface TrainingApp {
  readonly server: TestApp
  readonly api: Client
  readonly user: Awaited<ReturnType<typeof signUp>>
  /** Closes the app, then drops its database. */
  close(): Promise<void>
}

/**
 * Creates the setup's database, starts the app on it with one training thread, `env` and the setup's
 * queue variables, starts its worker and signs a user up. On a failure the app and database go again.
 */
export async function startTrainingApp(
  setup: QueueSetup,
  env: Record<string, string> = {},
  options: { logger?: Logger } = {},
): Promise<TrainingApp> {
  const started = await startDatabaseApp(
    setup.target,
    { PULSEBASE_ML_TRAINING_THREADS: '1', ...env, ...setup.env() },
    { ...options, hasWorker: true },
  )
  try {
    return { ...started, user: await signUp(started.api) }
  } catch (error) {
    await started.close()
    throw error
  }
}
