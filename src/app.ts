import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { lazyCompatPrincipal } from './compat/heartrate/compat-device.js'
import { registerHeartRateCompatGrpc } from './compat/heartrate/heartrate.grpc.js'
import { registerM2mCompatHttp } from './compat/m2m/m2m.http.js'
import { registerMindsyncCompat } from './compat/mindsync/mindsync.http.js'
import { type Config, resolveJwtSecret } from './config.js'
import { registerAdminHttp } from './domains/admin/admin.http.js'
import { registerAccountGrpc } from './domains/auth/auth.grpc.js'
import { registerAuthHttp } from './domains/auth/auth.http.js'
import { purgeExpiredSessions } from './domains/auth/auth.jobs.js'
import * as auth from './domains/auth/auth.service.js'
import type { Authenticate } from './domains/auth/principal.js'
import { createTokenSigner } from './domains/auth/tokens.js'
import { createDeviceKeyCache } from './domains/devices/device-key-cache.js'
import { registerDevicesHttp } from './domains/devices/devices.http.js'
import { processSession, reconcileSession } from './domains/game-sessions/game-sessions.jobs.js'
import { registerGameSessionsHttp } from './domains/game-sessions/game-sessions.http.js'
import { type GameSessionDeps, loadSessions, SYNC_KIND } from './domains/game-sessions/game-sessions.service.js'
import { registerHeartRateGrpc } from './domains/heart-rate/heart-rate.grpc.js'
import { registerHeartRateHttp } from './domains/heart-rate/heart-rate.http.js'
import { purgeOldSamples } from './domains/heart-rate/heart-rate.jobs.js'
import type { HeartRateDeps, PublishLive } from './domains/heart-rate/heart-rate.service.js'
import { createSampleWriter } from './domains/heart-rate/sample-writer.js'
import { registerMeditationHttp } from './domains/meditation/meditation.http.js'
import { meditationTrainer } from './domains/meditation/recommender.js'
import { registerMlHttp } from './domains/ml/ml.http.js'
import { runTrainingJob, sweepStaleTrainingJobs, type TrainingDeps } from './domains/ml/training.service.js'
import { type JobHandlers, startWorker } from './jobs.js'
import { type DatabaseHandle, migrateToLatest, openDatabase } from './platform/db/database.js'
import { createGrpcServer, type GrpcServer } from './platform/grpc/grpc-server.js'
import { registerDashboard } from './platform/http/dashboard.js'
import { createGuards } from './platform/http/http-auth.js'
import { createHttpServer, type HttpServer } from './platform/http/http-server.js'
import { type ReadinessCheck, registerSystemRoutes } from './platform/http/system-routes.js'
import { createLogger } from './platform/logging/logger.js'
import { createMetrics, type Metrics } from './platform/metrics/metrics.js'
import { createMlRuntime } from './platform/ml-runtime/ml-runtime.js'
import { createMemoryPubSub } from './platform/pubsub/memory-pubsub.js'
import type { PubSubPort } from './platform/pubsub/pubsub.port.js'
import { publishLive } from './platform/pubsub/live-events.js'
import { createRedisPubSub } from './platform/pubsub/redis-pubsub.js'
import { createAmqpQueue } from './platform/queue/amqp-queue.js'
import { createDatabaseQueue } from './platform/queue/database-queue.js'
import { createJobsTableOutbox, createRelayOutbox, type Outbox } from './platform/queue/outbox.js'
import { type Consumer, exponentialBackoff, type QueuePort } from './platform/queue/queue.port.js'
import { createAttemptLimiter } from './platform/rate-limit/attempt-limiter.js'
import { registerSyncHttp } from './domains/sync/sync.http.js'
import { createSocketServer, type SocketServer } from './platform/socket/socket-server.js'

export const VERSION = '0.1.0'
/** Pub/sub channel telling every API process to drop a device's cached key. */
const REVOKED_DEVICES = 'devices.revoked'

export interface App {
  readonly config: Config
  readonly logger: Logger
  readonly metrics: Metrics
  readonly database: DatabaseHandle
  readonly queue: QueuePort
  readonly pubsub: PubSubPort
  readonly http: HttpServer
  readonly grpc: GrpcServer
  readonly sockets: SocketServer
  readonly authenticate: Authenticate
  /** Starts consuming every declared job in this process. */
  startWorker(): Promise<void>
  /** Stops taking work, lets in-flight requests and jobs finish, then closes every connection. */
  close(): Promise<void>
}

export interface BuildOptions {
  readonly logger?: Logger
  /** Apply pending migrations before serving (the default for `serve` and tests). */
  readonly migrate?: boolean
}

/**
 * The queue, and where business transactions stage their jobs: on the database queue its own jobs
 * table, on RabbitMQ an outbox table relayed to the broker after each commit.
 */
async function createQueue(config: Config, database: DatabaseHandle, metrics: Metrics, logger: Logger): Promise<{ queue: QueuePort; outbox: Outbox }> {
  const retry = exponentialBackoff(config.queueMaxAttempts)
  const queueLogger = logger.child({ module: 'queue' })
  if (config.queue.kind === 'amqp') {
    const queue = await createAmqpQueue({ url: config.queue.url, queuePrefix: config.queue.prefix, metrics, logger: queueLogger, retry })
    return { queue, outbox: createRelayOutbox({ db: database.db, queue, logger }) }
  }
  const queue = createDatabaseQueue({ db: database.db, dialect: database.kind, metrics, logger: queueLogger, retry, leaseMs: config.queueLeaseMs })
  return { queue, outbox: createJobsTableOutbox(database.db, queue) }
}

async function createPubSub(config: Config, logger: Logger): Promise<PubSubPort> {
  if (config.redisUrl === undefined) return createMemoryPubSub({ logger: logger.child({ module: 'pubsub' }) })
  return createRedisPubSub({ url: config.redisUrl, logger: logger.child({ module: 'pubsub' }) })
}

async function createRedisClient(url: string | undefined): Promise<Redis | undefined> {
  if (url === undefined) return undefined
  const { Redis: RedisClient } = await import('ioredis')
  return new RedisClient(url, { lazyConnect: false, maxRetriesPerRequest: 2 })
}

/** The composition root: the only place that chooses adapters. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel)
  const metrics = createMetrics()
  const database = await openDatabase(config.database, metrics, logger.child({ module: 'db' }))
  if (options.migrate !== false) await migrateToLatest(database.db, logger.child({ module: 'migrate' }))
  if (config.bootstrapAdmin) await auth.ensureAdmin(database.db, config.bootstrapAdmin)

  const { queue, outbox } = await createQueue(config, database, metrics, logger)
  const pubsub = await createPubSub(config, logger)
  const redis = await createRedisClient(config.redisUrl)
  const deviceKeys = createDeviceKeyCache({ ttlMs: config.auth.deviceKeyCacheMs })
  await pubsub.subscribe(REVOKED_DEVICES, (message) => deviceKeys.forgetDevice((message as { deviceId: string }).deviceId))
  const onKeyRevoked = (deviceId: string) => {
    deviceKeys.forgetDevice(deviceId)
    pubsub.publish(REVOKED_DEVICES, { deviceId }).catch((err: unknown) => logger.warn({ err, deviceId }, 'revocation broadcast failed'))
  }
  const limiterWindow = config.auth.loginWindowSeconds
  const tooMany = 'Too many login attempts; try again later'
  const authDeps: auth.AuthDeps = {
    db: database.db,
    signer: createTokenSigner(resolveJwtSecret(config), config.auth.accessTokenTtlSeconds),
    accountLimiter: createAttemptLimiter({ name: 'login-account', points: config.auth.loginAttemptsPerAccount, windowSeconds: limiterWindow, message: tooMany, redis }),
    addressLimiter: createAttemptLimiter({ name: 'login-address', points: config.auth.loginAttemptsPerAddress, windowSeconds: limiterWindow, message: tooMany, redis }),
    refreshTokenTtlDays: config.auth.refreshTokenTtlDays,
    isRegistrationOpen: config.auth.isRegistrationOpen,
    deviceKeys,
  }
  const authenticate: Authenticate = (credential) => auth.authenticate(authDeps, credential)
  const guards = createGuards(authenticate)

  let isShuttingDown = false
  const http = await createHttpServer({ logger, metrics, bodyLimitBytes: config.bodyLimitBytes, trustProxy: config.trustProxy, version: VERSION })
  const checks: ReadinessCheck[] = [
    { name: 'database', check: () => database.ping() },
    { name: 'queue', check: () => queue.ping() },
    ...(config.redisUrl ? [{ name: 'pubsub', check: () => pubsub.ping() }] : []),
  ]
  registerSystemRoutes(http, checks, metrics.registry, () => isShuttingDown)
  registerDashboard(http)
  registerAuthHttp(http, authDeps, guards)
  registerDevicesHttp(http, database.db, guards, onKeyRevoked)
  registerAdminHttp(http, database.db, queue, guards)
  const sockets = createSocketServer({ server: http.server, authenticate, pubsub, logger })

  const liveLogger = logger.child({ module: 'live' })
  const publishTo = (userId: string, event: string, data: unknown) => {
    void publishLive(pubsub, userId, event, data, (err) => liveLogger.warn({ err, event }, 'live push failed'))
  }
  const publish: PublishLive = publishTo
  const writer = createSampleWriter({ db: database.db, kind: database.kind, alertClearSamples: config.heartRate.alertClearSamples })
  const onRecorded: HeartRateDeps['onRecorded'] = (counts) => {
    metrics.heartRateSamples.inc({ outcome: 'stored' }, counts.stored)
    metrics.heartRateSamples.inc({ outcome: 'already_stored' }, counts.alreadyStored)
    metrics.heartRateSamples.inc({ outcome: 'rejected' }, counts.rejected)
    for (const kind of counts.opened) metrics.heartRateAlerts.inc({ kind })
  }
  const heartRate: HeartRateDeps = { db: database.db, writer, config: config.heartRate, publish, onRecorded }
  registerHeartRateHttp(http, heartRate, guards)
  if (config.compat.includes('m2m')) await registerM2mCompatHttp(http, database.db, authenticate)

  const gameSessions: GameSessionDeps = { db: database.db, kind: database.kind, outbox, publish: publishTo, maxAttempts: config.queueMaxAttempts }
  registerGameSessionsHttp(http, gameSessions, guards, config.gameSessionMaxBytes)
  registerSyncHttp(http, { db: database.db, loaders: { [SYNC_KIND]: loadSessions } }, guards)

  // ML engine (worker threads, started on first use), training jobs and the meditation recommender.
  const ml = createMlRuntime({ trainingThreads: config.mlTrainingThreads, logger: logger.child({ module: 'ml' }) })
  const training: TrainingDeps = {
    db: database.db, runtime: ml, dataDir: config.dataDir, queueMaxAttempts: config.queueMaxAttempts, logger: logger.child({ module: 'training' }),
    trainers: { meditation: meditationTrainer(config.meditation) },
    outbox,
    publish: (userId, event) => publishTo(userId, 'training', event),
  }
  const sessionStore = { db: database.db, kind: database.kind }
  const recommender = { db: database.db, runtime: ml, dataDir: config.dataDir, config: config.meditation }
  registerMlHttp(http, training, guards)
  registerMeditationHttp(http, sessionStore, recommender, guards)
  if (config.compat.includes('mindsync')) await registerMindsyncCompat(http, { store: sessionStore, training, recommender, ping: () => database.ping() })

  const grpc = createGrpcServer({ metrics, logger: logger.child({ module: 'grpc' }) })
  registerAccountGrpc(grpc, authenticate)
  registerHeartRateGrpc(grpc, heartRate, authenticate, pubsub)
  if (config.compat.includes('heartrate')) {
    registerHeartRateCompatGrpc(grpc, heartRate, authenticate, lazyCompatPrincipal(database.db))
  }

  const handlers: JobHandlers = {
    'maintenance.cleanup': async () => {
      await purgeExpiredSessions(database.db)
      await purgeOldSamples(database.db, config.heartRate.retentionDays, logger.child({ module: 'retention' }))
      await sweepStaleTrainingJobs(training)
    },
    'game-sessions.process': (job) => processSession(gameSessions, job),
    'game-sessions.reconcile': (job) => reconcileSession(gameSessions, job),
    'ml.train': (job) => runTrainingJob(training, job.payload.trainingJobId, job.attempt),
  }
  const consumers: Consumer[] = []

  return {
    config,
    logger,
    metrics,
    database,
    queue,
    pubsub,
    http,
    grpc,
    sockets,
    authenticate,
    async startWorker() {
      await sweepStaleTrainingJobs(training)
      consumers.push(...(await startWorker(queue, handlers, logger.child({ module: 'worker' }))))
    },
    async close() {
      isShuttingDown = true
      grpc.setServing(false)
      await sockets.close()
      await Promise.allSettled([http.close(), grpc.shutdown(config.shutdownTimeoutMs)])
      await writer.drain()
      await Promise.allSettled(consumers.map((c) => c.stop()))
      await outbox.close()
      await ml.close()
      await Promise.allSettled([queue.close(), pubsub.close(), redis?.quit()])
      await database.close()
    },
  }
}
