import { join } from 'node:path'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { compatModules } from './compat/compat.js'
import type { Config } from './config.js'
import { VERSION } from './version.js'
import { accountsModule } from './domains/accounts/accounts.module.js'
import { adminModule } from './domains/admin/admin.module.js'
import { authModule } from './domains/auth/auth.module.js'
import { devicePresence, devicesModule } from './domains/devices/devices.module.js'
import { authenticateWithContact } from './domains/devices/presence.js'
import { gameSessionsModule } from './domains/game-sessions/game-sessions.module.js'
import { heartRateModule } from './domains/heart-rate/heart-rate.module.js'
import { meditationModule } from './domains/meditation/meditation.module.js'
import { mlModule } from './domains/ml/ml.module.js'
import { playgroundModule } from './domains/playground/playground.module.js'
import { sensorsModule } from './domains/sensors/sensors.module.js'
import { syncModule } from './domains/sync/sync.module.js'
import { type JobHandlers, startWorker } from './jobs.js'
import type { AuthedPlatform, Module, Platform } from './module.js'
import { createCredentialWatch } from './platform/auth/credential-watch.js'
import type { Authenticate } from './platform/auth/principal.js'
import type { BlobStore } from './platform/blob/blob.port.js'
import { createDatabaseBlobStore } from './platform/blob/database-blob-store.js'
import { createFileBlobStore } from './platform/blob/file-blob-store.js'
import { type DatabaseHandle, migrateToLatest, openDatabase } from './platform/db/database.js'
import { createGrpcServer, GRPC_DEFAULT_MAX_MESSAGE_BYTES, type GrpcServer } from './platform/grpc/grpc-server.js'
import { narrowExistingDirs } from './platform/files/private-files.js'
import { registerDashboard } from './platform/http/dashboard.js'
import { createGuards } from './platform/http/http-auth.js'
import { createHttpServer, type HttpServer } from './platform/http/http-server.js'
import { type ReadinessCheck, registerSystemRoutes } from './platform/http/system-routes.js'
import { createLogger } from './platform/logging/logger.js'
import type { MailPort } from './platform/mail/mail.port.js'
import { createOutboxMail } from './platform/mail/outbox-mail.js'
import { createMetrics, type Metrics } from './platform/metrics/metrics.js'
import { createMlRuntime } from './platform/ml-runtime/ml-runtime.js'
import { createMqttServer, type MqttServer } from './platform/mqtt/mqtt-server.js'
import { publishLive } from './platform/pubsub/live-events.js'
import { createMemoryPubSub } from './platform/pubsub/memory-pubsub.js'
import type { PubSubPort } from './platform/pubsub/pubsub.port.js'
import { createDatabaseQueue } from './platform/queue/database-queue.js'
import { createJobsTableOutbox, createRelayOutbox, type Outbox } from './platform/queue/outbox.js'
import { type Consumer, exponentialBackoff, type QueuePort } from './platform/queue/queue.port.js'
import { createSocketServer, type SocketServer } from './platform/socket/socket-server.js'
import { type Clock, systemClock } from './platform/time/clock.js'
import { startupStep, whereOf } from './startup-error.js'

export { VERSION }

export interface App {
  readonly config: Config
  readonly logger: Logger
  readonly metrics: Metrics
  readonly database: DatabaseHandle
  readonly queue: QueuePort
  readonly pubsub: PubSubPort
  readonly blobs: BlobStore
  readonly mail: MailPort
  readonly http: HttpServer
  readonly grpc: GrpcServer
  readonly sockets: SocketServer
  /** The MQTT listener, when PULSEBASE_MQTT_PORT is set (`main.ts` binds it). */
  readonly mqtt: MqttServer | undefined
  readonly authenticate: Authenticate
  /** The clock services read (the system clock unless `BuildOptions.now` pinned it). */
  readonly now: Clock
  /** Starts consuming every declared job in this process. */
  startWorker(): Promise<void>
  /** Readiness turns 503 and gRPC health NOT_SERVING while everything keeps serving (a load balancer drains). */
  beginShutdown(): void
  /**
   * Stops taking work, lets in-flight requests and jobs finish, then closes every connection, all
   * within `timeoutMs` (default PULSEBASE_SHUTDOWN_TIMEOUT_MS): calls still open then are cut.
   * Resolves true when everything finished in time (a clean drain).
   */
  close(options?: { timeoutMs?: number }): Promise<boolean>
}

export interface BuildOptions {
  readonly logger?: Logger
  /** Apply pending migrations before serving (the default for `serve` and tests). */
  readonly migrate?: boolean
  /** A `/v1` route answering a status its OpenAPI document does not list answers 500 instead (tests). */
  readonly strictResponses?: boolean
  /** The clock services read; the system clock unless a test pins the time. */
  readonly now?: Clock
}

/**
 * The queue, and where business transactions stage their jobs: on the database queue its own jobs
 * table, on RabbitMQ an outbox table relayed to the broker after each commit.
 */
async function createQueue(config: Config, database: DatabaseHandle, metrics: Metrics, logger: Logger): Promise<{ queue: QueuePort; outbox: Outbox }> {
  const retry = exponentialBackoff(config.queueMaxAttempts)
  const queueLogger = logger.child({ module: 'queue' })
  if (config.queue.kind === 'amqp') {
    // Drivers load only when configured: the embedded default never loads amqplib or ioredis.
    const { createAmqpQueue } = await import('./platform/queue/amqp-queue.js')
    const queue = await createAmqpQueue({ url: config.queue.url, queuePrefix: config.queue.prefix, metrics, logger: queueLogger, retry })
    return { queue, outbox: createRelayOutbox({ db: database.db, queue, logger }) }
  }
  const queue = createDatabaseQueue({ db: database.db, dialect: database.kind, metrics, logger: queueLogger, retry, leaseMs: config.queueLeaseMs })
  return { queue, outbox: createJobsTableOutbox(database.db, queue) }
}

async function createPubSub(config: Config, logger: Logger): Promise<PubSubPort> {
  if (config.redisUrl === undefined) return createMemoryPubSub({ logger: logger.child({ module: 'pubsub' }) })
  const { createRedisPubSub } = await import('./platform/pubsub/redis-pubsub.js')
  return createRedisPubSub({ url: config.redisUrl, logger: logger.child({ module: 'pubsub' }), channelPrefix: config.redisPrefix })
}

async function createRedisClient(url: string | undefined): Promise<Redis | undefined> {
  if (url === undefined) return undefined
  const { Redis: RedisClient } = await import('ioredis')
  return new RedisClient(url, { lazyConnect: false, maxRetriesPerRequest: 2 })
}

function createBlobStore(config: Config, database: DatabaseHandle): BlobStore {
  return config.blobStore === 'database' ? createDatabaseBlobStore({ db: database.db }) : createFileBlobStore({ root: join(config.dataDir, 'blobs') })
}

async function createMail(config: Config): Promise<MailPort> {
  const { smtpUrl, from } = config.mail
  if (smtpUrl === undefined) return createOutboxMail({ folder: join(config.dataDir, 'outbox'), from })
  const { createSmtpMail } = await import('./platform/mail/smtp-mail.js')
  return createSmtpMail({ url: smtpUrl, from })
}

function databasePart(config: Config): string {
  const where = config.database
  if (where.kind === 'sqlite') return `the SQLite database ${where.file}`
  return `${where.kind === 'postgres' ? 'PostgreSQL' : 'MariaDB'} at ${whereOf(where.url)}`
}

/** Opens the database (migrating it unless told not to), the queue, pub/sub and Redis: the adapters every module shares. */
async function createPlatform(config: Config, options: BuildOptions): Promise<Platform> {
  const logger = options.logger ?? createLogger(config.logLevel)
  const metrics = createMetrics()
  // A data dir made by an older version (0755) is narrowed: it holds the database and model files.
  narrowExistingDirs([config.dataDir, join(config.dataDir, 'models')])
  const databaseHint = config.database.kind === 'sqlite' ? 'Check PULSEBASE_DATA_DIR (or PULSEBASE_DATABASE_URL) and that the folder is writable.' : 'Check PULSEBASE_DATABASE_URL and that the server runs.'
  const database = await startupStep(databasePart(config), databaseHint, async () => {
    const opened = await openDatabase(config.database, metrics, logger.child({ module: 'db' }))
    // Pools connect lazily: ask once now, so an unreachable server is reported as such, not as a failed migration.
    await opened.ping().catch(async (error: unknown) => {
      await opened.close().catch(() => {})
      throw error
    })
    return opened
  })
  if (options.migrate !== false) {
    await startupStep(`Migrating ${databasePart(config)}`, 'Check the database user may create tables; `pulsebase migrate` applies migrations on their own.', () => migrateToLatest(database.db, logger.child({ module: 'migrate' })))
  }
  const queuePart = config.queue.kind === 'amqp' ? `RabbitMQ at ${whereOf(config.queue.url)}` : 'the job queue'
  const { queue, outbox } = await startupStep(queuePart, 'Check PULSEBASE_QUEUE_URL and that the broker runs.', () => createQueue(config, database, metrics, logger))
  const redisPart = `Redis at ${whereOf(config.redisUrl ?? '')}`
  const pubsub = await startupStep(redisPart, 'Check PULSEBASE_REDIS_URL and that Redis runs.', () => createPubSub(config, logger))
  const liveLogger = logger.child({ module: 'live' })
  const blobs = createBlobStore(config, database)
  const credentials = await createCredentialWatch(pubsub, logger.child({ module: 'credentials' }))
  return {
    credentials,
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
    ml: createMlRuntime({ trainingThreads: config.mlTrainingThreads, logger: logger.child({ module: 'ml' }), blobs, legacyRoot: config.dataDir }),
    publishLive: (userId, event, data) => {
      void publishLive(pubsub, userId, event, data, (err) => liveLogger.warn({ err, event }, 'live push failed'))
    },
  }
}

/** Every domain, then the enabled seed adapters: the one list to extend when a domain is added. */
async function buildModules(base: Platform): Promise<{ platform: AuthedPlatform; modules: Module[] }> {
  const auth = await authModule(base)
  const presence = devicePresence(base)
  const authenticate = authenticateWithContact(auth.authenticate, presence)
  const platform: AuthedPlatform = { ...base, authenticate, guards: createGuards(authenticate) }
  const heartRate = heartRateModule(platform)
  const ml = mlModule(platform)
  const meditation = meditationModule(platform, ml, heartRate)
  const sensors = await sensorsModule(platform, ml)
  const playground = playgroundModule(platform, ml)
  const domains: Module[] = [
    auth.module(platform.guards),
    devicesModule(platform, auth.revokeDeviceKey, presence),
    accountsModule(platform, auth.revokeDeviceKey),
    await adminModule(platform),
    heartRate,
    gameSessionsModule(platform),
    ml,
    meditation,
    sensors,
    playground,
    { name: 'blobs', cleanup: () => platform.blobs.sweep() },
  ]
  const compat = await compatModules(platform, { heartRate, meditation, ml, sensors, playground, presence })
  const syncLoaders = Object.assign({}, ...[...domains, ...compat].map((m) => m.syncLoaders ?? {}))
  return { platform, modules: [...domains, syncModule(platform, syncLoaders), ...compat] }
}

/** Every module's job handlers in one map, plus the cleanup job that runs each module's cleanup hook. */
function jobHandlersOf(modules: readonly Module[], logger: Logger): JobHandlers {
  const handlers: Partial<Record<string, unknown>> = {}
  for (const module of modules) {
    for (const [name, handler] of Object.entries(module.jobs ?? {})) {
      if (handlers[name] !== undefined) throw new Error(`job ${name} has a handler in two modules (the second: ${module.name})`)
      handlers[name] = handler
    }
  }
  handlers['maintenance.cleanup'] = async () => {
    for (const module of modules) {
      if (module.cleanup === undefined) continue
      await module.cleanup().catch((err: unknown) => {
        logger.error({ err, module: module.name }, 'cleanup failed')
        throw err
      })
    }
  }
  return handlers as JobHandlers
}

/** A shutdown's time budget: each bounded step gets what is left, and is forced (or left behind) when it runs out. */
function createDeadline(budgetMs: number) {
  const endsAt = Date.now() + budgetMs
  let isClean = true
  const leftMs = () => Math.max(0, endsAt - Date.now())
  return {
    leftMs,
    isClean: () => isClean,
    /** Waits for `work` until the deadline; then runs `force` (if any) and waits for `work` to settle. */
    async bound(work: Promise<unknown>, force?: () => void): Promise<void> {
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), leftMs())))
      const outcome = await Promise.race([work.then(() => 'done' as const, () => 'done' as const), late])
      clearTimeout(timer)
      if (outcome === 'done') return
      isClean = false
      if (force === undefined) return
      force()
      await work.catch(() => undefined)
    },
  }
}

/** The composition root: the only place that chooses adapters and lists the modules. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  const { platform, modules } = await buildModules(await createPlatform(config, options))
  const { logger, metrics, database, queue, pubsub } = platform

  let isShuttingDown = false
  const http = await createHttpServer({
    logger,
    metrics,
    bodyLimitBytes: config.bodyLimitBytes,
    isTrustProxy: config.isTrustProxy,
    corsOrigins: config.corsOrigins,
    version: VERSION,
    isStrictResponses: options.strictResponses,
    requestTimeoutMs: config.requestTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs,
  })
  const checks: ReadinessCheck[] = [
    { name: 'database', check: () => database.ping() },
    { name: 'queue', check: () => queue.ping() },
    ...(config.redisUrl ? [{ name: 'pubsub', check: () => pubsub.ping() }] : []),
    ...modules.flatMap((m) => m.readiness ?? []),
  ]
  registerSystemRoutes(http, checks, metrics.registry, () => isShuttingDown, config.metricsToken)
  registerDashboard(http)
  const corsOrigin = config.corsOrigins.length === 0 ? undefined : config.corsOrigins.includes('*') ? true : [...config.corsOrigins]
  const sockets = createSocketServer({ server: http.server, authenticate: platform.authenticate, credentials: platform.credentials, pubsub, logger, corsOrigin })
  const maxMessageBytes = Math.max(GRPC_DEFAULT_MAX_MESSAGE_BYTES, ...modules.map((m) => m.grpcMaxMessageBytes ?? 0))
  const grpc = createGrpcServer({ metrics, logger: logger.child({ module: 'grpc' }), maxReceiveMessageBytes: maxMessageBytes, credentials: platform.credentials })
  const mqtt = config.mqttPort === undefined ? undefined : await createMqttServer({ authenticate: platform.authenticate, credentials: platform.credentials, metrics, logger: logger.child({ module: 'mqtt' }) })
  for (const module of modules) {
    await module.http?.(http)
    module.grpc?.(grpc)
    module.sockets?.(sockets)
    if (mqtt !== undefined) module.mqtt?.(mqtt)
  }

  const handlers = jobHandlersOf(modules, logger.child({ module: 'cleanup' }))
  const consumers: Consumer[] = []
  return {
    config,
    logger,
    metrics,
    database,
    queue,
    pubsub,
    blobs: platform.blobs,
    mail: platform.mail,
    http,
    grpc,
    sockets,
    mqtt,
    authenticate: platform.authenticate,
    now: platform.now,
    async startWorker() {
      for (const module of modules) await module.onWorkerStart?.()
      consumers.push(...(await startWorker(queue, handlers, logger.child({ module: 'worker' }))))
    },
    beginShutdown() {
      isShuttingDown = true
      grpc.setServing(false)
    },
    async close(closeOptions = {}) {
      isShuttingDown = true
      grpc.setServing(false)
      const deadline = createDeadline(closeOptions.timeoutMs ?? config.shutdownTimeoutMs)
      await sockets.close()
      await Promise.allSettled([
        deadline.bound(http.close(), () => http.server.closeAllConnections()),
        grpc.shutdown(deadline.leftMs()),
        mqtt?.close(),
      ])
      await deadline.bound(Promise.allSettled(modules.map(async (m) => m.drain?.())))
      await deadline.bound(Promise.allSettled(consumers.map((c) => c.stop())))
      await platform.outbox.close()
      await Promise.allSettled(modules.map(async (m) => m.close?.()))
      await platform.ml.close()
      await Promise.allSettled([queue.close(), pubsub.close(), platform.redis?.quit(), platform.mail.close()])
      await database.close()
      if (!deadline.isClean()) logger.warn('shutdown cut calls or jobs still open at PULSEBASE_SHUTDOWN_TIMEOUT_MS')
      return deadline.isClean()
    },
  }
}
