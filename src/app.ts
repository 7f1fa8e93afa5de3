import type { Logger } from 'pino'
import { compatModules } from './compat/compat.js'
import { createCompatListeners, type CompatListener } from './compat/compat-listeners.js'
import type { Config } from './config.js'
import { VERSION } from './version.js'
import { accountsModule } from './domains/accounts/accounts.module.js'
import type { NamedAccountCleaner } from './domains/accounts/accounts.service.js'
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
import type { Authenticate } from './platform/auth/principal.js'
import type { BlobStore } from './platform/blob/blob.port.js'
import type { DatabaseHandle } from './platform/db/database.js'
import { createGrpcServer, GRPC_DEFAULT_MAX_MESSAGE_BYTES, type GrpcServer } from './platform/grpc/grpc-server.js'
import { registerDashboard } from './platform/http/dashboard.js'
import { createGuards } from './platform/http/http-auth.js'
import { createHttpServer, type HttpServer } from './platform/http/http-server.js'
import { type ReadinessCheck, registerSystemRoutes } from './platform/http/system-routes.js'
import type { MailPort } from './platform/mail/mail.port.js'
import type { Metrics } from './platform/metrics/metrics.js'
import { createMqttServer, type MqttServer } from './platform/mqtt/mqtt-server.js'
import { openPlatform, type PlatformOptions } from './platform/platform.js'
import type { PubSubPort } from './platform/pubsub/pubsub.port.js'
import type { Consumer, QueuePort } from './platform/queue/queue.port.js'
import { createDeadline } from './platform/shutdown/deadline.js'
import { createSocketServer, type SocketServer } from './platform/socket/socket-server.js'
import type { Clock } from './platform/time/clock.js'

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
  /** Seed adapters on ports of their own (PULSEBASE_COMPAT_PORTS), each with only its routes or services (`main.ts` binds them). */
  readonly compatListeners: readonly CompatListener[]
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

export interface BuildOptions extends PlatformOptions {
  /** A `/v1` route answering a status its OpenAPI document does not list answers 500 instead (tests). */
  readonly strictResponses?: boolean
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
    devicesModule(platform, (deviceId) => auth.endCredentials({ reason: 'revoked', deviceId }), presence),
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
  const others = [...domains, syncModule(platform, syncLoaders), ...compat]
  const accounts = accountsModule(platform, auth.endCredentials, accountCleaners(others))
  return { platform, modules: [...others, accounts] }
}

/**
 * Every module's account cleaner in the order a deletion runs them: reverse module order, so a
 * module's rows go before the rows of the modules it was built on (which they may reference).
 */
function accountCleaners(modules: readonly Module[]): NamedAccountCleaner[] {
  return modules
    .flatMap((m) => (m.onAccountDeleted === undefined ? [] : [{ name: m.name, clean: m.onAccountDeleted }]))
    .reverse()
}

/** Every module's job handlers in one map, plus the cleanup job that runs each module's cleanup hook. */
function mergeJobHandlers(modules: readonly Module[], logger: Logger): JobHandlers {
  const handlers: Partial<Record<string, unknown>> = {}
  for (const module of modules) {
    for (const [name, handler] of Object.entries(module.jobs ?? {})) {
      if (handlers[name] !== undefined)
        throw new Error(`job ${name} has a handler in two modules (the second: ${module.name})`)
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

/** The listeners every module registers on: HTTP (with Socket.IO on its server), gRPC, and MQTT when PULSEBASE_MQTT_PORT is set. */
interface Servers {
  readonly http: HttpServer
  readonly grpc: GrpcServer
  readonly sockets: SocketServer
  readonly mqtt: MqttServer | undefined
  readonly compatListeners: readonly CompatListener[]
}

/** A bare HTTP server with the configured limits: the main listener, and each adapter's own port. */
function newHttpServer(platform: AuthedPlatform, options: BuildOptions): Promise<HttpServer> {
  const { config, logger, metrics } = platform
  return createHttpServer({
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
}

/** The HTTP server with the system routes (`/healthz`, `/readyz` over every module's checks, `/metrics`) and the dashboard. */
async function createHttp(
  platform: AuthedPlatform,
  modules: readonly Module[],
  options: BuildOptions,
  isShuttingDown: () => boolean,
): Promise<HttpServer> {
  const { config, metrics, database, queue, pubsub } = platform
  const http = await newHttpServer(platform, options)
  const checks: ReadinessCheck[] = [
    { name: 'database', check: () => database.ping() },
    { name: 'queue', check: () => queue.ping() },
    ...(config.redisUrl ? [{ name: 'pubsub', check: () => pubsub.ping() }] : []),
    ...modules.flatMap((m) => m.readiness ?? []),
  ]
  registerSystemRoutes(http, checks, metrics.registry, isShuttingDown, config.metricsToken)
  registerDashboard(http)
  return http
}

/** Creates the listeners and registers every module's transports on them. */
async function createServers(
  platform: AuthedPlatform,
  modules: readonly Module[],
  options: BuildOptions,
  isShuttingDown: () => boolean,
): Promise<Servers> {
  const { config, logger, metrics, authenticate, credentials } = platform
  const http = await createHttp(platform, modules, options, isShuttingDown)
  const corsOrigin =
    config.corsOrigins.length === 0 ? undefined : config.corsOrigins.includes('*') ? true : [...config.corsOrigins]
  const newSockets = (server: HttpServer, hasLiveNamespace = true) =>
    createSocketServer({
      server: server.server,
      authenticate,
      credentials,
      pubsub: platform.pubsub,
      logger,
      corsOrigin,
      hasLiveNamespace,
    })
  const sockets = newSockets(http)
  const maxMessageBytes = Math.max(GRPC_DEFAULT_MAX_MESSAGE_BYTES, ...modules.map((m) => m.grpcMaxMessageBytes ?? 0))
  const newGrpc = () =>
    createGrpcServer({
      metrics,
      logger: logger.child({ module: 'grpc' }),
      maxReceiveMessageBytes: maxMessageBytes,
      credentials,
    })
  const grpc = newGrpc()
  const mqtt =
    config.mqttPort === undefined
      ? undefined
      : await createMqttServer({ authenticate, credentials, metrics, logger: logger.child({ module: 'mqtt' }) })
  for (const module of modules) {
    await module.http?.(http)
    module.grpc?.(grpc)
    module.sockets?.(sockets)
    if (mqtt !== undefined) module.mqtt?.(mqtt)
  }
  const compatListeners = await createCompatListeners(
    config.compatPorts,
    modules,
    () => newHttpServer(platform, options),
    newGrpc,
    // An adapter's own port has its seed's namespace `/` only, no `/v1`.
    (server) => newSockets(server, false),
  )
  return { http, grpc, sockets, mqtt, compatListeners }
}

/**
 * Stops taking work, lets in-flight calls and jobs finish within `timeoutMs`, then closes modules,
 * ports and the database, in that order. True when everything finished in time.
 */
async function closeApp(
  platform: Platform,
  servers: Servers,
  modules: readonly Module[],
  consumers: readonly Consumer[],
  timeoutMs: number,
): Promise<boolean> {
  const { http, grpc, sockets, mqtt, compatListeners } = servers
  const deadline = createDeadline(timeoutMs)
  await sockets.close()
  await Promise.allSettled([
    deadline.bound(http.close(), () => http.server.closeAllConnections()),
    grpc.shutdown(deadline.leftMs()),
    ...compatListeners.map((listener) => deadline.bound(listener.close(deadline.leftMs()))),
    mqtt?.close(),
  ])
  await deadline.bound(Promise.allSettled(modules.map(async (m) => m.drain?.())))
  await deadline.bound(Promise.allSettled(consumers.map((c) => c.stop())))
  await platform.outbox.close()
  await Promise.allSettled(modules.map(async (m) => m.close?.()))
  await platform.ml.close()
  await Promise.allSettled([
    platform.queue.close(),
    platform.pubsub.close(),
    platform.redis?.quit(),
    platform.mail.close(),
  ])
  await platform.database.close()
  if (!deadline.isClean())
    platform.logger.warn('shutdown cut calls or jobs still open at PULSEBASE_SHUTDOWN_TIMEOUT_MS')
  return deadline.isClean()
}

/** The composition root: opens the platform, builds the modules and registers them on the listeners. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  const { platform, modules } = await buildModules(await openPlatform(config, options))
  const { logger, queue } = platform
  let isShuttingDown = false
  const servers = await createServers(platform, modules, options, () => isShuttingDown)
  const handlers = mergeJobHandlers(modules, logger.child({ module: 'cleanup' }))
  const consumers: Consumer[] = []
  const stopServing = () => {
    isShuttingDown = true
    servers.grpc.setServing(false)
  }
  return {
    ...servers,
    config,
    logger,
    metrics: platform.metrics,
    database: platform.database,
    queue,
    pubsub: platform.pubsub,
    blobs: platform.blobs,
    mail: platform.mail,
    authenticate: platform.authenticate,
    now: platform.now,
    async startWorker() {
      for (const module of modules) await module.onWorkerStart?.()
      consumers.push(...(await startWorker(queue, handlers, logger.child({ module: 'worker' }))))
    },
    beginShutdown: stopServing,
    async close(closeOptions = {}) {
      stopServing()
      return closeApp(platform, servers, modules, consumers, closeOptions.timeoutMs ?? config.shutdownTimeoutMs)
    },
  }
}
