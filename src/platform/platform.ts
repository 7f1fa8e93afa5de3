// The platform: the shared adapters and settings every module is built from, opened in the order
// they depend on each other, each start-up step named in the error that stops it.
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { startupStep, redactUrl } from '../startup-error.js'
import {
  createBlobStore,
  createMail,
  createPubSub,
  createQueue,
  createRedisClient,
  describeDatabase,
} from './adapters.js'
import { type CredentialWatch, createCredentialWatch } from './auth/credential-watch.js'
import type { BlobStore } from './blob/blob.port.js'
import { type DatabaseHandle, migrateToLatest, openDatabase } from './db/database.js'
import { narrowExistingDirs } from './files/private-files.js'
import { createLogger } from './logging/logger.js'
import type { MailPort } from './mail/mail.port.js'
import { createMetrics, type Metrics } from './metrics/metrics.js'
import { createMlRuntime, type MlRuntime } from './ml-runtime/ml-runtime.js'
import { type LiveData, publishLive } from './pubsub/live-events.js'
import type { PubSubPort } from './pubsub/pubsub.port.js'
import type { Outbox } from './queue/outbox.js'
import type { QueuePort } from './queue/queue.port.js'
import { type Clock, systemClock } from './time/clock.js'

/** Pushes `data` (or what a `data` function builds, only when someone may listen) as `event` to every live connection (Socket.IO, gRPC Subscribe) of one user, on any process; never throws. */
export type PublishLiveEvent = (userId: string, event: string, data: LiveData) => void

/** The shared adapters and settings every module is built from (opened by `openPlatform` alone). */
export interface Platform {
  readonly config: Config
  /** The time services read (ms since the epoch); tests may pin it. */
  readonly now: Clock
  readonly logger: Logger
  readonly metrics: Metrics
  readonly database: DatabaseHandle
  readonly queue: QueuePort
  /** Where a business transaction stages its jobs (committed with it, published after). */
  readonly outbox: Outbox
  readonly pubsub: PubSubPort
  readonly publishLive: PublishLiveEvent
  /** Ends live connections when their credentials end (expiry, logout, revocation) on every process. */
  readonly credentials: CredentialWatch
  /** TensorFlow.js worker threads, started on first use. */
  readonly ml: MlRuntime
  /** Shared across processes when Redis is configured (login limits, etc.); every key starts with `config.redisPrefix`. */
  readonly redis: Redis | undefined
  /** Model artifacts, datasets, exports: files under the data dir, or the database (PULSEBASE_BLOB_STORE). */
  readonly blobs: BlobStore
  /** Mail to people: `.eml` files in `<data dir>/outbox`, or SMTP (PULSEBASE_SMTP_URL). */
  readonly mail: MailPort
}

/** How `openPlatform` starts: a logger to use, whether to migrate, the clock services read. */
export interface PlatformOptions {
  readonly logger?: Logger
  /** Apply pending migrations before serving (the default for `serve` and tests). */
  readonly migrate?: boolean
  /** The clock services read; the system clock unless a test pins the time. */
  readonly now?: Clock
}

/** Opens the database (reachable now, not at the first query) and migrates it unless told not to. */
async function openCheckedDatabase(
  config: Config,
  options: PlatformOptions,
  metrics: Metrics,
  logger: Logger,
): Promise<DatabaseHandle> {
  const databaseHint =
    config.database.kind === 'sqlite'
      ? 'Check PULSEBASE_DATA_DIR (or PULSEBASE_DATABASE_URL) and that the folder is writable.'
      : 'Check PULSEBASE_DATABASE_URL and that the server runs.'
  const database = await startupStep(describeDatabase(config), databaseHint, async () => {
    const opened = await openDatabase(config.database, metrics, logger.child({ module: 'db' }))
    // Pools connect lazily: ask once now, so an unreachable server is reported as such, not as a failed migration.
    await opened.ping().catch(async (error: unknown) => {
      await opened.close().catch(() => {})
      throw error
    })
    return opened
  })
  if (options.migrate !== false) {
    await startupStep(
      `Migrating ${describeDatabase(config)}`,
      'Check the database user may create tables; `pulsebase migrate` applies migrations on their own.',
      () => migrateToLatest(database.db, logger.child({ module: 'migrate' })),
    )
  }
  return database
}

/** Opens the database, the queue, pub/sub, Redis, the blob store, mail and the ML runtime: the adapters every module shares. */
export async function openPlatform(config: Config, options: PlatformOptions = {}): Promise<Platform> {
  const logger = options.logger ?? createLogger(config.logLevel)
  const metrics = createMetrics()
  // A data dir made by an older version (0755) is narrowed: it holds the database and model files.
  narrowExistingDirs([config.dataDir, join(config.dataDir, 'models')])
  const database = await openCheckedDatabase(config, options, metrics, logger)
  const queuePart = config.queue.kind === 'amqp' ? `RabbitMQ at ${redactUrl(config.queue.url)}` : 'the job queue'
  const { queue, outbox } = await startupStep(queuePart, 'Check PULSEBASE_QUEUE_URL and that the broker runs.', () =>
    createQueue(config, database, metrics, logger),
  )
  const pubsub = await startupStep(
    `Redis at ${redactUrl(config.redisUrl ?? '')}`,
    'Check PULSEBASE_REDIS_URL and that Redis runs.',
    () => createPubSub(config, logger),
  )
  const liveLogger = logger.child({ module: 'live' })
  const blobs = createBlobStore(config, database)
  return {
    credentials: await createCredentialWatch(pubsub, logger.child({ module: 'credentials' })),
    config,
    now: options.now ?? systemClock,
    logger,
    metrics,
    database,
    queue,
    outbox,
    pubsub,
    redis: await createRedisClient(config.redisUrl),
    blobs,
    mail: await createMail(config),
    ml: createMlRuntime({
      trainingThreads: config.mlTrainingThreads,
      trainingIdleMs: config.mlTrainingIdleMs,
      logger: logger.child({ module: 'ml' }),
      blobs,
      legacyRoot: config.dataDir,
    }),
    publishLive: (userId, event, data) => {
      void publishLive(pubsub, userId, event, data, (err) => liveLogger.warn({ err, event }, 'live push failed'))
    },
  }
}
