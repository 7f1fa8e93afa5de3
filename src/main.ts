import { parseArgs } from 'node:util'
import { Value } from 'typebox/value'
import { type App, buildApp } from './app.js'
import { ConfigError, type Config, loadConfig } from './config.js'
import { CreateUserBody } from './domains/auth/auth.schema.js'
import { createUser } from './domains/auth/auth.service.js'
import { AppError } from './errors.js'
import { publishJob } from './jobs.js'
import { migrateToLatest, openDatabase } from './platform/db/database.js'
import { createLogger } from './platform/logging/logger.js'
import { createMetrics } from './platform/metrics/metrics.js'

const USAGE = `usage: pulsebase <command>

commands:
  serve                                   migrate, then serve HTTP and gRPC (and run jobs in-process)
  worker                                  run queued jobs only
  migrate                                 apply pending database migrations
  user create --email E --password P [--admin]   create an account
  simulate [--users N] [--periods P] [--seed S]  train and recommend for simulated meditators (throw-away SQLite)
  simulate --sensors [--mode M] [--per-angle N]  record, judge, train and classify a simulated CSI door sensor

configuration comes from PULSEBASE_* environment variables (see README.md)`

const CLEANUP_INTERVAL_MS = 60 * 60_000

/** Runs a command; resolves to the process exit code (2 for bad configuration or usage). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  let config: Config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      return 2
    }
    throw error
  }
  switch (command) {
    case 'serve':
      return serve(config, { withWorker: config.embeddedWorker })
    case 'worker':
      return worker(config)
    case 'migrate':
      return migrate(config)
    case 'user':
      return userCommand(config, rest)
    case 'simulate':
      if (rest.includes('--sensors')) return (await import('./simulate-sensors.js')).simulateSensors(rest)
      return (await import('./simulate.js')).simulateCommand(rest)
    default:
      console.error(USAGE)
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2
  }
}

function untilSignal(app: App): Promise<number> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      app.logger.info({ signal }, 'shutting down')
      const force = setTimeout(() => {
        app.logger.error('shutdown timed out')
        resolve(1)
      }, app.config.shutdownTimeoutMs + 5000)
      force.unref()
      app.close().then(
        () => resolve(0),
        (error: unknown) => {
          app.logger.error({ err: error }, 'shutdown failed')
          resolve(1)
        },
      )
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
}

async function serve(config: Config, options: { withWorker: boolean }): Promise<number> {
  const app = await buildApp(config, { migrate: true })
  await app.http.listen({ host: config.host, port: config.httpPort })
  const grpcPort = await app.grpc.listen(config.host, config.grpcPort)
  const mqttPort = config.mqttPort === undefined ? undefined : await app.mqtt?.listen(config.host, config.mqttPort)
  app.logger.info({ http: config.httpPort, grpc: grpcPort, mqtt: mqttPort, database: config.database.kind, queue: config.queue.kind }, 'pulsebase serving')
  if (options.withWorker) await app.startWorker()
  const schedule = () => publishJob(app.queue, 'maintenance.cleanup', {}).catch((err: unknown) => app.logger.warn({ err }, 'cleanup not scheduled'))
  await schedule()
  const timer = setInterval(schedule, CLEANUP_INTERVAL_MS)
  timer.unref()
  const code = await untilSignal(app)
  clearInterval(timer)
  return code
}

async function worker(config: Config): Promise<number> {
  const app = await buildApp(config, { migrate: false })
  await app.startWorker()
  return untilSignal(app)
}

async function migrate(config: Config): Promise<number> {
  const logger = createLogger(config.logLevel)
  const database = await openDatabase(config.database, createMetrics(), logger)
  try {
    const applied = await migrateToLatest(database.db, logger)
    console.log(applied.length === 0 ? 'database is up to date' : `applied ${applied.join(', ')}`)
    return 0
  } finally {
    await database.close()
  }
}

async function userCommand(config: Config, argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { email: { type: 'string' }, password: { type: 'string' }, admin: { type: 'boolean', default: false } },
  })
  if (positionals[0] !== 'create' || !values.email || !values.password) {
    console.error('usage: pulsebase user create --email E --password P [--admin]')
    return 2
  }
  const input = { email: values.email, password: values.password, role: values.admin ? ('admin' as const) : ('user' as const) }
  // The same schema as POST /v1/admin/users, so the CLI cannot make an account the API would refuse.
  const problems = [...Value.Errors(CreateUserBody, input)].map((e) => `${e.instancePath.replace(/^\//, '--')} ${e.message}`)
  if (problems.length > 0) {
    console.error(problems.join('\n'))
    return 2
  }
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel)
  const database = await openDatabase(config.database, createMetrics(), logger)
  try {
    await migrateToLatest(database.db, logger)
    const user = await createUser({ db: database.db }, input)
    console.log(`created ${user.role} ${user.email} (${user.id})`)
    return 0
  } catch (error) {
    if (error instanceof AppError) {
      console.error(error.message)
      return 1
    }
    throw error
  } finally {
    await database.close()
  }
}
