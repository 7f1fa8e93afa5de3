import { type App, buildApp, VERSION } from './app.js'
import {
  type CommandSpec,
  commandUsage,
  type ParsedCommand,
  parseCommand,
  requiredOption,
  UsageError,
  wholeNumberOption,
} from './cli.js'
import { ConfigError, type Config, loadConfig, unknownVariableWarnings } from './config.js'
import { CreateUserBody } from './domains/auth/auth.schema.js'
import { createUser } from './domains/auth/auth.service.js'
import { AppError } from './errors.js'
import { publishJob } from './jobs.js'
import { migrateToLatest, openDatabase } from './platform/db/database.js'
import { ensureDashboardBuilt } from './platform/http/dashboard-build.js'
import { createLogger } from './platform/logging/logger.js'
import { allowYoungGenerationGrowth, type HeapTrimmer, trimHeapWhenQuiet } from './platform/memory/heap-trim.js'
import { systemClock } from './platform/time/clock.js'
import { createMetrics } from './platform/metrics/metrics.js'
import { schemaProblems } from './platform/validation/schema-check.js'
import { StartupError, startupStep } from './startup-error.js'

const CLEANUP_INTERVAL_MS = 60 * 60_000

/** Every subcommand, with its options; `pulsebase <command> --help` prints one of these. */
const COMMANDS = {
  serve: {
    summary:
      'Migrate the database, then serve HTTP, gRPC and Socket.IO (and run queued jobs in-process unless PULSEBASE_EMBEDDED_WORKER=false).',
  },
  worker: { summary: 'Run queued jobs only; start any number next to the API processes.' },
  migrate: { summary: 'Apply pending database migrations (the same set on SQLite, PostgreSQL and MariaDB).' },
  user: {
    summary: 'Create an account, also while registration is closed.',
    positionals: ['create'],
    options: {
      email: { type: 'string', description: 'the account’s email address' },
      password: { type: 'string', description: 'at least 8 characters' },
      admin: { type: 'boolean', description: 'give the account the admin role' },
    },
  },
  simulate: {
    summary:
      'Train and ask for a recommendation for simulated meditators, or with --sensors record, judge, train and classify a simulated CSI door sensor, on a throw-away server (temporary SQLite).',
    options: {
      users: { type: 'string', description: 'simulated meditators', default: '10' },
      periods: { type: 'string', description: 'meditation periods per meditator (at least 5)', default: '40' },
      seed: { type: 'string', description: 'random seed', default: '1' },
      sensors: { type: 'boolean', description: 'simulate a Wi-Fi CSI door sensor instead of meditators' },
      mode: {
        type: 'string',
        description: 'with --sensors: separable or inseparable (labels the data cannot tell apart)',
        default: 'separable',
      },
      'per-angle': {
        type: 'string',
        description: 'with --sensors: frames recorded per door angle (at least 5)',
        default: '100',
      },
    },
  },
} as const satisfies Record<string, CommandSpec>
type CommandName = keyof typeof COMMANDS

const USAGE = `usage: pulsebase <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, spec]) => `  ${name.padEnd(10)}${spec.summary}`)
  .join('\n')}

  pulsebase <command> --help   options of one command
  pulsebase --version          the version

configuration comes from PULSEBASE_* environment variables (see README.md)`

const isCommand = (name: string | undefined): name is CommandName => name !== undefined && Object.hasOwn(COMMANDS, name)

/** Runs a command; resolves to the process exit code: 0, 1 when something failed, 2 for bad configuration or usage. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === '--version' || command === '-v' || command === 'version') {
    console.log(VERSION)
    return 0
  }
  if (!isCommand(command)) {
    const isHelp = command === undefined || command === 'help' || command === '--help' || command === '-h'
    console.error(isHelp ? USAGE : `pulsebase: unknown command "${command}"\n\n${USAGE}`)
    return isHelp ? 0 : 2
  }
  try {
    const parsed = parseCommand(command, COMMANDS[command], rest)
    if (parsed.isHelp) {
      console.log(commandUsage(command, COMMANDS[command]))
      return 0
    }
    return await runCommand(command, parsed)
  } catch (error) {
    return reportFailure(error)
  }
}

/** Prints a usage, configuration or start-up failure as the one line (or list) an operator acts on. */
function reportFailure(error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`pulsebase: ${error.message}\n\n${error.usage}`)
    return 2
  }
  if (error instanceof ConfigError) {
    console.error(error.message)
    return 2
  }
  if (error instanceof StartupError) {
    console.error(`pulsebase: cannot start: ${error.message}`)
    if (process.env.PULSEBASE_LOG_LEVEL === 'debug' || process.env.PULSEBASE_LOG_LEVEL === 'trace')
      console.error(error.cause)
    return 1
  }
  throw error
}

function loadCheckedConfig(): Config {
  const config = loadConfig()
  for (const warning of unknownVariableWarnings(process.env)) console.error(`pulsebase: warning: ${warning}`)
  return config
}

async function runCommand(command: CommandName, parsed: ParsedCommand): Promise<number> {
  const usage = commandUsage(command, COMMANDS[command])
  // Only a serving process keeps bin/pulsebase.js's start-up hold on the young generation until it has started.
  if (command !== 'serve' && command !== 'worker') allowYoungGenerationGrowth()
  switch (command) {
    case 'serve': {
      const config = loadCheckedConfig()
      return serve(config, { hasWorker: config.hasEmbeddedWorker })
    }
    case 'worker':
      return worker(loadCheckedConfig())
    case 'migrate':
      return migrate(loadCheckedConfig())
    case 'user': {
      const input = {
        email: requiredOption(parsed, 'email', usage),
        password: requiredOption(parsed, 'password', usage),
        role: parsed.values.admin === true ? ('admin' as const) : ('user' as const),
      }
      return userCreate(loadCheckedConfig(), input)
    }
    case 'simulate': {
      if (parsed.values.sensors === true) {
        const mode = parsed.values.mode
        if (mode !== 'separable' && mode !== 'inseparable')
          throw new UsageError(`--mode must be separable or inseparable (got ${JSON.stringify(mode)})`, usage)
        return (await import('./simulate-sensors.js')).simulateSensors({
          mode,
          perAngle: wholeNumberOption(parsed, 'per-angle', 5, usage),
          seed: wholeNumberOption(parsed, 'seed', 0, usage),
        })
      }
      const options = {
        users: wholeNumberOption(parsed, 'users', 1, usage),
        periods: wholeNumberOption(parsed, 'periods', 5, usage),
        seed: wholeNumberOption(parsed, 'seed', 0, usage),
      }
      return (await import('./simulate.js')).simulateCommand(options)
    }
  }
}

/** Grace after PULSEBASE_SHUTDOWN_TIMEOUT_MS for the last closes before the process exits regardless. */
const EXIT_GRACE_MS = 2000

/**
 * Waits for SIGTERM or SIGINT, then shuts down: readiness 503 for PULSEBASE_SHUTDOWN_DELAY_MS while
 * serving, then a drain bounded by the rest of PULSEBASE_SHUTDOWN_TIMEOUT_MS. Resolves 0 after a
 * clean drain, 1 when calls or jobs had to be cut.
 */
function untilSignal(app: App): Promise<number> {
  let code: number | undefined
  return new Promise((done) => {
    const resolve = (value: number) => {
      code = value
      done(value)
    }
    const stop = (signal: string) => {
      const { shutdownTimeoutMs, shutdownDelayMs } = app.config
      app.logger.info({ signal, timeoutMs: shutdownTimeoutMs, delayMs: shutdownDelayMs }, 'shutting down')
      // Whatever hangs, the process is gone shortly after its timeout.
      setTimeout(() => {
        if (code === undefined) app.logger.error('shutdown did not finish; exiting')
        process.exit(code ?? 1)
      }, shutdownTimeoutMs + EXIT_GRACE_MS).unref()
      app.beginShutdown()
      setTimeout(() => {
        app.close({ timeoutMs: shutdownTimeoutMs - shutdownDelayMs }).then(
          (isClean) => {
            app.logger.info({ isClean }, 'shut down')
            resolve(isClean ? 0 : 1)
          },
          (error: unknown) => {
            app.logger.error({ err: error }, 'shutdown failed')
            resolve(1)
          },
        )
      }, shutdownDelayMs)
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
}

async function serve(config: Config, options: { hasWorker: boolean }): Promise<number> {
  ensureDashboardBuilt(createLogger(config.logLevel).child({ module: 'dashboard' }))
  const app = await buildApp(config, { migrate: true })
  try {
    await startupStep(
      `HTTP on ${config.host}:${config.httpPort}`,
      'Stop the other process or set PULSEBASE_HTTP_PORT.',
      () => app.http.listen({ host: config.host, port: config.httpPort }),
    )
    await startupStep(
      `gRPC on ${config.host}:${config.grpcPort}`,
      'Stop the other process or set PULSEBASE_GRPC_PORT.',
      () => app.grpc.listen(config.host, config.grpcPort),
    )
    for (const listener of app.compatListeners) {
      await startupStep(
        `The ${listener.adapter} adapter on ${config.host}:${listener.port}`,
        'Stop the other process or change PULSEBASE_COMPAT_PORTS.',
        () => listener.listen(config.host),
      )
    }
    const { mqtt } = app
    if (mqtt !== undefined && config.mqttPort !== undefined) {
      const port = config.mqttPort
      await startupStep(
        `MQTT on ${config.host}:${port}`,
        'Stop the other MQTT broker on that port or set PULSEBASE_MQTT_PORT.',
        () => mqtt.listen(config.host, port),
      )
    }
  } catch (error) {
    await app.close()
    throw error
  }
  app.logger.info(
    {
      http: config.httpPort,
      grpc: config.grpcPort,
      mqtt: config.mqttPort,
      database: config.database.kind,
      queue: config.queue.kind,
      compat: config.compat,
      compatPorts: config.compatPorts,
    },
    'pulsebase serving',
  )
  const trimmer = endStartup(app)
  if (options.hasWorker) await app.startWorker()
  const schedule = () =>
    publishJob(app.queue, 'maintenance.cleanup', {}).catch((err: unknown) =>
      app.logger.warn({ err }, 'cleanup not scheduled'),
    )
  await schedule()
  const timer = setInterval(schedule, CLEANUP_INTERVAL_MS)
  timer.unref()
  const code = await untilSignal(app)
  clearInterval(timer)
  trimmer.stop()
  return code
}

async function worker(config: Config): Promise<number> {
  const app = await buildApp(config, { migrate: false })
  const trimmer = endStartup(app)
  await app.startWorker()
  const code = await untilSignal(app)
  trimmer.stop()
  return code
}

/** The start is over: the young generation may grow with load again, and the heap is trimmed when quiet (heap-trim.ts). */
function endStartup(app: App): HeapTrimmer {
  allowYoungGenerationGrowth()
  return trimHeapWhenQuiet(app.logger.child({ module: 'memory' }))
}

async function migrate(config: Config): Promise<number> {
  const logger = createLogger(config.logLevel)
  const database = await startupStep('the database', 'Check PULSEBASE_DATABASE_URL.', () =>
    openDatabase(config.database, createMetrics(), logger),
  )
  try {
    const applied = await migrateToLatest(database.db, logger)
    console.log(applied.length === 0 ? 'database is up to date' : `applied ${applied.join(', ')}`)
    return 0
  } finally {
    await database.close()
  }
}

async function userCreate(config: Config, input: CreateUserBody): Promise<number> {
  // The same schema as POST /v1/admin/users, so the CLI cannot make an account the API would refuse.
  const problems = schemaProblems(CreateUserBody, input, '').map((d) => `--${d.path ?? ''} ${d.message}`)
  if (problems.length > 0) {
    console.error(problems.join('\n'))
    return 2
  }
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel)
  const database = await startupStep('the database', 'Check PULSEBASE_DATABASE_URL.', () =>
    openDatabase(config.database, createMetrics(), logger),
  )
  try {
    await migrateToLatest(database.db, logger)
    const user = await createUser({ db: database.db, now: systemClock }, input)
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
