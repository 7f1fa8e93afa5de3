import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type Static, Type } from 'typebox'
import { Value } from 'typebox/value'

const toEnumSchema = (values: string[], fallback: string) =>
  Type.String({ pattern: `^(${values.join('|')})$`, default: fallback, description: `one of ${values.join(', ')}` })
const Port = Type.Integer({ minimum: 0, maximum: 65535 })
/** `min-max`: integers step 1 when both ends are integers, else step 0.1. */
const RANGE = '^\\d+(\\.\\d)?-\\d+(\\.\\d)?$'
const Url = (schemes: string[]) => Type.String({ pattern: `^(${schemes.join('|')})://` })

/** The MindSync app's visualizations (CONTRACTS §1.6): the values `PULSEBASE_MEDITATION_VISUALIZATIONS` may list. */
export const VISUALIZATIONS = [
  'arctic',
  'aurora',
  'circle',
  'city',
  'golden',
  'japan',
  'metropolis',
  'nature',
  'plants',
  'skyline',
] as const
export type Visualization = (typeof VISUALIZATIONS)[number]
/**
 * The fewest stored periods a meditation model may be trained on: the recommender's context of 3
 * periods plus 2 examples (the meditation domain checks this against its CONTEXT_PERIODS).
 */
export const MIN_MEDITATION_PERIODS = 5

/** Every PULSEBASE_* variable, with its default; `docs/configuration.md` mirrors this table. */
export const EnvSchema = Type.Object({
  PULSEBASE_HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  PULSEBASE_HTTP_PORT: Type.Integer({ ...Port, default: 8080 }),
  PULSEBASE_GRPC_PORT: Type.Integer({ ...Port, default: 50051 }),
  PULSEBASE_MQTT_PORT: Type.Optional(Type.Integer({ ...Port })),
  PULSEBASE_DATA_DIR: Type.String({ default: './data', minLength: 1 }),
  PULSEBASE_DATABASE_URL: Type.Optional(Url(['sqlite', 'file', 'postgres', 'postgresql', 'mysql', 'mariadb'])),
  PULSEBASE_QUEUE_URL: Type.Optional(Type.String({ pattern: '^(database|amqps?://)' })),
  PULSEBASE_REDIS_URL: Type.Optional(Url(['redis', 'rediss'])),
  PULSEBASE_NAMESPACE: Type.String({
    default: '',
    maxLength: 40,
    pattern: '^([a-z0-9][a-z0-9_-]*)?$',
    description: 'lower-case letters, digits, _ and -',
  }),
  PULSEBASE_BLOB_STORE: toEnumSchema(['file', 'database'], 'file'),
  PULSEBASE_SMTP_URL: Type.Optional(Url(['smtp', 'smtps'])),
  PULSEBASE_MAIL_FROM: Type.String({
    default: 'pulsebase <no-reply@localhost>',
    maxLength: 200,
    pattern: '^[^\\r\\n]*<?[^@\\s<>]+@[^@\\s<>]+>?$',
  }),
  PULSEBASE_LOG_LEVEL: toEnumSchema(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  PULSEBASE_JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  PULSEBASE_ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 30, default: 900 }),
  PULSEBASE_REFRESH_TOKEN_TTL_DAYS: Type.Integer({ minimum: 1, default: 30 }),
  PULSEBASE_REGISTRATION: toEnumSchema(['open', 'closed'], 'open'),
  PULSEBASE_EMAIL_VERIFICATION: toEnumSchema(['off', 'required'], 'off'),
  PULSEBASE_LOGIN_ATTEMPTS_PER_ACCOUNT: Type.Integer({ minimum: 1, default: 10 }),
  PULSEBASE_LOGIN_ATTEMPTS_PER_ADDRESS: Type.Integer({ minimum: 1, default: 50 }),
  PULSEBASE_LOGIN_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 900 }),
  PULSEBASE_REGISTRATIONS_PER_ADDRESS: Type.Integer({ minimum: 1, default: 10 }),
  PULSEBASE_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 10 * 1024 * 1024 }),
  PULSEBASE_COMPAT: Type.String({ default: 'none', pattern: '^[a-z0-9,-]+$' }),
  PULSEBASE_COMPAT_PORTS: Type.String({
    default: '',
    maxLength: 500,
    description: 'comma list of adapter=port, e.g. dlp=8000,m2m=3000',
  }),
  PULSEBASE_CORS_ORIGINS: Type.String({
    default: '',
    pattern: '^(\\*|(https?://[^,\\s/]+)(,https?://[^,\\s/]+)*)?$',
    description: 'comma list of origins such as https://app.example.com, or *',
  }),
  PULSEBASE_METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  PULSEBASE_ADMIN_EMAIL: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$' })),
  PULSEBASE_ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 8 })),
  PULSEBASE_QUEUE_MAX_ATTEMPTS: Type.Integer({ minimum: 1, default: 5 }),
  PULSEBASE_QUEUE_PREFIX: Type.String({ default: '', maxLength: 60, pattern: '^[A-Za-z0-9._-]*$' }),
  PULSEBASE_QUEUE_LEASE_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 30 }),
  PULSEBASE_TRUST_PROXY: toEnumSchema(['true', 'false'], 'false'),
  PULSEBASE_EMBEDDED_WORKER: toEnumSchema(['true', 'false'], 'true'),
  PULSEBASE_SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 15000 }),
  PULSEBASE_SHUTDOWN_DELAY_MS: Type.Integer({ minimum: 0, default: 2000 }),
  PULSEBASE_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 60000 }),
  PULSEBASE_HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 500, default: 10000 }),
  PULSEBASE_DEVICE_KEY_CACHE_SECONDS: Type.Integer({ minimum: 0, maximum: 300, default: 5 }),
  PULSEBASE_DEVICE_PRESENCE_TIMEOUT_SECONDS: Type.Integer({ minimum: 2, maximum: 86_400, default: 30 }),
  PULSEBASE_HEART_RATE_ALERT_CLEAR_SAMPLES: Type.Integer({ minimum: 1, maximum: 10000, default: 3 }),
  PULSEBASE_HEART_RATE_MAX_GAP_SECONDS: Type.Number({ exclusiveMinimum: 0, default: 10 }),
  PULSEBASE_HEART_RATE_CLOCK_SKEW_SECONDS: Type.Integer({ minimum: 0, default: 60 }),
  PULSEBASE_HEART_RATE_RETENTION_DAYS: Type.Integer({ minimum: 0, default: 0 }),
  PULSEBASE_SENSOR_CLOCK_SKEW_SECONDS: Type.Integer({ minimum: 0, default: 60 }),
  PULSEBASE_SENSOR_RETENTION_DAYS: Type.Integer({ minimum: 0, default: 0 }),
  PULSEBASE_GAME_SESSION_MAX_BYTES: Type.Integer({
    minimum: 1024,
    maximum: 1024 * 1024 * 1024,
    default: 50 * 1024 * 1024,
  }),
  PULSEBASE_ML_TRAINING_THREADS: Type.Integer({ minimum: 1, maximum: 64, default: 2 }),
  PULSEBASE_ML_TRAINING_IDLE_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 60 }),
  PULSEBASE_PLAYGROUND_MAX_ACTIVE_RUNS: Type.Integer({ minimum: 1, maximum: 100, default: 2 }),
  PULSEBASE_PLAYGROUND_MAIL_ALLOWLIST: Type.String({
    default: '',
    maxLength: 10_000,
    pattern: '^([^@\\s,]+@[^@\\s,]+(,[^@\\s,]+@[^@\\s,]+)*)?$',
  }),
  // The shape here; whether the runtime knows the zone is checked when the MindSync adapter is built.
  PULSEBASE_MINDSYNC_TIME_ZONE: Type.String({
    default: 'UTC',
    maxLength: 64,
    pattern: '^([A-Za-z][A-Za-z0-9_+\\-/]*|[+-][0-9]{2}:[0-9]{2})$',
  }),
  PULSEBASE_MEDITATION_MIN_PERIODS: Type.Integer({ minimum: MIN_MEDITATION_PERIODS, default: 40 }),
  PULSEBASE_MEDITATION_CANDIDATES: Type.Integer({ minimum: 100, maximum: 100_000, default: 100 }),
  PULSEBASE_MEDITATION_BEAT_HZ: Type.String({ default: '1-40', pattern: RANGE }),
  PULSEBASE_MEDITATION_MULTIPLIERS: Type.String({ default: '0.8-1.6', pattern: RANGE }),
  PULSEBASE_MEDITATION_VISUALIZATIONS: Type.String({
    default: VISUALIZATIONS.join(','),
    pattern: `^(${VISUALIZATIONS.join('|')})(,(${VISUALIZATIONS.join('|')}))*$`,
  }),
})
export type Env = Static<typeof EnvSchema>

export const COMPAT_ADAPTERS = ['mindsync', 'heartrate', 'm2m', 'csi', 'dlp'] as const
export type CompatAdapter = (typeof COMPAT_ADAPTERS)[number]

export type DatabaseConfig =
  { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string } | { kind: 'mysql'; url: string }

export interface Config {
  readonly host: string
  readonly httpPort: number
  readonly grpcPort: number
  /** pulsebase's own MQTT listener; undefined keeps it off. */
  readonly mqttPort: number | undefined
  readonly dataDir: string
  readonly database: DatabaseConfig
  /** On RabbitMQ, `prefix` goes before every queue name so deployments can share a broker (from the namespace, or PULSEBASE_QUEUE_PREFIX). */
  readonly queue: { kind: 'database' } | { kind: 'amqp'; url: string; prefix: string }
  readonly queueMaxAttempts: number
  /** How long the database queue's claim on a job lasts without renewal (a dead worker's jobs return after it). */
  readonly queueLeaseMs: number
  readonly redisUrl: string | undefined
  /** This deployment's name on shared servers ('' for none): it prefixes Redis keys and channels and RabbitMQ queues. */
  readonly namespace: string
  /** Before every Redis key and channel: `pulsebase:`, or `pulsebase:<namespace>:`. */
  readonly redisPrefix: string
  /** Where blobs (model artifacts, datasets) live: files under `<dataDir>/blobs`, or the database (no shared disk). */
  readonly blobStore: 'file' | 'database'
  /** Mail goes to SMTP when `smtpUrl` is set, else to `.eml` files in `<dataDir>/outbox`. */
  readonly mail: { readonly smtpUrl: string | undefined; readonly from: string }
  readonly logLevel: string
  readonly auth: {
    readonly jwtSecret: string | undefined
    readonly accessTokenTtlSeconds: number
    readonly refreshTokenTtlDays: number
    readonly isRegistrationOpen: boolean
    /** Self-registered accounts log in only after following a mailed verification link. */
    readonly isEmailVerificationRequired: boolean
    readonly loginAttemptsPerAccount: number
    readonly loginAttemptsPerAddress: number
    readonly loginWindowSeconds: number
    /** Sign-ups (and anonymous seed-adapter identities) per client address per hour. */
    readonly registrationsPerAddress: number
    /** How long a process may reuse a device key lookup; revocations are broadcast, this bounds a lost one. */
    readonly deviceKeyCacheMs: number
  }
  /** A device is online while its latest contact is this recent (unless it has a timeout of its own). */
  readonly devicePresenceTimeoutMs: number
  readonly bodyLimitBytes: number
  /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
  readonly isTrustProxy: boolean
  /** Browser origins allowed to call the API (CORS); empty allows none, `['*']` any. */
  readonly corsOrigins: readonly string[]
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>`. */
  readonly metricsToken: string | undefined
  readonly compat: readonly CompatAdapter[]
  /** Enabled adapters that also listen on a port of their own (HTTP, or gRPC for `heartrate`); port 0 takes a free one. */
  readonly compatPorts: readonly { readonly adapter: CompatAdapter; readonly port: number }[]
  readonly bootstrapAdmin: { email: string; password: string } | undefined
  /** SIGTERM/SIGINT to exit: the whole shutdown, the delay below included, is bounded by it. */
  readonly shutdownTimeoutMs: number
  /** On SIGTERM, how long `/readyz` answers 503 before the listeners close, so a load balancer drains. */
  readonly shutdownDelayMs: number
  /** A request's line, headers and body must all arrive within this (else 408). */
  readonly requestTimeoutMs: number
  /** A request's line and headers must arrive within this (else 408); at most requestTimeoutMs. */
  readonly headersTimeoutMs: number
  /** `serve` also runs queued jobs in its own process. */
  readonly hasEmbeddedWorker: boolean
  readonly heartRate: HeartRateConfig
  readonly sensors: SensorsConfig
  /** Largest accepted game-session upload (request body), in bytes. */
  readonly gameSessionMaxBytes: number
  /** Worker threads that train models (inference has one thread of its own). */
  readonly mlTrainingThreads: number
  /** Training threads end after this long (ms) without a training run, and start again with the next. */
  readonly mlTrainingIdleMs: number
  readonly meditation: MeditationConfig
  readonly playground: {
    /** Playground runs one user may have queued or running at once. */
    readonly maxActiveRuns: number
    /** Addresses (lower case) playground mail may go to besides the account's own. */
    readonly mailAllowList: readonly string[]
  }
  /** The time zone of devices the MindSync adapter creates: where their zone-less local times are placed. */
  readonly mindsyncTimeZone: string
}

export interface MeditationConfig {
  /** Stored periods with heart-rate measurements a model needs before it can train. */
  readonly minPeriods: number
  /** Configurations drawn from the ranges below for each recommendation (the user's own are added). */
  readonly candidates: number
  readonly beatFrequencies: readonly number[]
  readonly multipliers: readonly number[]
  readonly visualizations: readonly Visualization[]
}

export interface SensorsConfig {
  /** How far ahead of the server clock a frame's timestamp may be. */
  readonly clockSkewMs: number
  /** Frames older than this are deleted by the hourly retention job (datasets keep their own copies); 0 keeps everything. */
  readonly retentionDays: number
}

export interface HeartRateConfig {
  /** In-range samples in a row that close an open alert episode. */
  readonly alertClearSamples: number
  /** Zone time leaves out intervals between samples longer than this (a sensor gap). */
  readonly maxGapMs: number
  /** How far ahead of the server clock a sample's timestamp may be. */
  readonly clockSkewMs: number
  /** Samples older than this are deleted by the hourly retention job; 0 keeps everything. */
  readonly retentionDays: number
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`)
  }
}

/** Reads PULSEBASE_* from `env`, lists every bad variable at once, returns a frozen Config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const converted = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw))
  const problems = [
    ...new Set(
      [...Value.Errors(EnvSchema, converted)].map((e) => {
        const key = e.instancePath.replace(/^\//, '')
        return `${key}: ${e.message} (got ${JSON.stringify(raw[key])})`
      }),
    ),
  ]
  const parsed = converted as Env
  const compat = parseCompat(String(parsed.PULSEBASE_COMPAT), problems)
  const compatPorts = parseCompatPorts(
    String(parsed.PULSEBASE_COMPAT_PORTS ?? ''),
    compat,
    [parsed.PULSEBASE_HTTP_PORT, parsed.PULSEBASE_GRPC_PORT],
    problems,
  )
  for (const key of ['PULSEBASE_MEDITATION_BEAT_HZ', 'PULSEBASE_MEDITATION_MULTIPLIERS'] as const) {
    if (typeof parsed[key] === 'string' && /^[\d.]+-[\d.]+$/.test(parsed[key]) && rangeValues(parsed[key]).length === 0)
      problems.push(`${key}: the range is empty (got ${JSON.stringify(parsed[key])})`)
  }
  if (parsed.PULSEBASE_NAMESPACE && parsed.PULSEBASE_QUEUE_PREFIX) {
    problems.push(
      'PULSEBASE_NAMESPACE and PULSEBASE_QUEUE_PREFIX: set one (the namespace already prefixes RabbitMQ queues with <namespace>.)',
    )
  }
  if (Boolean(parsed.PULSEBASE_ADMIN_EMAIL) !== Boolean(parsed.PULSEBASE_ADMIN_PASSWORD)) {
    problems.push('PULSEBASE_ADMIN_EMAIL and PULSEBASE_ADMIN_PASSWORD must be set together')
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return Object.freeze({ ...toConfig(parsed, compat), compatPorts })
}

/** Variables the test and CI harness read; they are not settings of the server. */
const HARNESS_VARIABLES = /^PULSEBASE_(TEST_|REQUIRE_SERVICES$|BENCH_)/

/** Edit distance, to suggest the setting a misspelt name meant. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i]
    for (let j = 1; j <= b.length; j += 1)
      row[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
    previous = row
  }
  return previous[b.length] ?? 0
}

/** One warning per `PULSEBASE_*` variable that is not a setting (a typo is otherwise silently ignored), with the likely intended name. */
export function unknownVariableWarnings(env: NodeJS.ProcessEnv): string[] {
  const known = Object.keys(EnvSchema.properties)
  return Object.keys(env)
    .filter((name) => name.startsWith('PULSEBASE_') && !known.includes(name) && !HARNESS_VARIABLES.test(name))
    .map((name) => {
      const [closest] = known.map((k) => ({ k, d: distance(name, k) })).sort((x, y) => x.d - y.d)
      const hint = closest !== undefined && closest.d <= 3 ? `; did you mean ${closest.k}?` : ''
      return `${name} is not a pulsebase setting and is ignored${hint}`
    })
}

function parseCompat(value: string, problems: string[]): CompatAdapter[] {
  if (value === 'none') return []
  if (value === 'all') return [...COMPAT_ADAPTERS]
  const names = value.split(',').filter(Boolean)
  const unknown = names.filter((n) => !(COMPAT_ADAPTERS as readonly string[]).includes(n))
  if (unknown.length > 0) {
    problems.push(
      `PULSEBASE_COMPAT: unknown adapter(s) ${unknown.join(', ')}; use none, all or a list of ${COMPAT_ADAPTERS.join(', ')}`,
    )
  }
  return names as CompatAdapter[]
}

/** `dlp=8000,m2m=3000`: each an enabled adapter with a port of its own, distinct from each other and the main ports. */
function parseCompatPorts(
  value: string,
  compat: readonly CompatAdapter[],
  mainPorts: readonly number[],
  problems: string[],
): Config['compatPorts'] {
  const ports: { adapter: CompatAdapter; port: number }[] = []
  for (const entry of value.split(',').filter(Boolean)) {
    const match = /^([a-z0-9-]+)=(\d{1,5})$/.exec(entry.trim())
    const adapter = match?.[1] as CompatAdapter | undefined
    const port = Number(match?.[2])
    if (match === null || adapter === undefined)
      problems.push(`PULSEBASE_COMPAT_PORTS: "${entry}" is not adapter=port (e.g. dlp=8000)`)
    else if (!(COMPAT_ADAPTERS as readonly string[]).includes(adapter))
      problems.push(`PULSEBASE_COMPAT_PORTS: unknown adapter ${adapter}; use ${COMPAT_ADAPTERS.join(', ')}`)
    else if (!compat.includes(adapter))
      problems.push(`PULSEBASE_COMPAT_PORTS: ${adapter} is not enabled in PULSEBASE_COMPAT`)
    else if (port > 65535) problems.push(`PULSEBASE_COMPAT_PORTS: ${entry} is not a port (0 to 65535)`)
    else if (ports.some((p) => p.adapter === adapter))
      problems.push(`PULSEBASE_COMPAT_PORTS: ${adapter} is listed twice`)
    else if (port !== 0 && (mainPorts.includes(port) || ports.some((p) => p.port === port)))
      problems.push(`PULSEBASE_COMPAT_PORTS: port ${port} of ${adapter} is already taken by another listener`)
    else ports.push({ adapter, port })
  }
  return ports
}

function toConfig(env: Env, compat: CompatAdapter[]): Omit<Config, 'compatPorts'> {
  const dataDir = resolve(env.PULSEBASE_DATA_DIR)
  return {
    host: env.PULSEBASE_HOST,
    httpPort: env.PULSEBASE_HTTP_PORT,
    grpcPort: env.PULSEBASE_GRPC_PORT,
    mqttPort: env.PULSEBASE_MQTT_PORT,
    dataDir,
    database: parseDatabaseUrl(env.PULSEBASE_DATABASE_URL, dataDir),
    queue:
      env.PULSEBASE_QUEUE_URL?.startsWith('amqp') === true
        ? { kind: 'amqp', url: env.PULSEBASE_QUEUE_URL, prefix: readQueuePrefix(env) }
        : { kind: 'database' },
    queueMaxAttempts: env.PULSEBASE_QUEUE_MAX_ATTEMPTS,
    queueLeaseMs: env.PULSEBASE_QUEUE_LEASE_SECONDS * 1000,
    redisUrl: env.PULSEBASE_REDIS_URL,
    namespace: env.PULSEBASE_NAMESPACE,
    redisPrefix: env.PULSEBASE_NAMESPACE === '' ? 'pulsebase:' : `pulsebase:${env.PULSEBASE_NAMESPACE}:`,
    blobStore: env.PULSEBASE_BLOB_STORE === 'database' ? 'database' : 'file',
    mail: { smtpUrl: env.PULSEBASE_SMTP_URL, from: env.PULSEBASE_MAIL_FROM },
    logLevel: env.PULSEBASE_LOG_LEVEL,
    auth: {
      jwtSecret: env.PULSEBASE_JWT_SECRET,
      accessTokenTtlSeconds: env.PULSEBASE_ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: env.PULSEBASE_REFRESH_TOKEN_TTL_DAYS,
      isRegistrationOpen: env.PULSEBASE_REGISTRATION === 'open',
      isEmailVerificationRequired: env.PULSEBASE_EMAIL_VERIFICATION === 'required',
      loginAttemptsPerAccount: env.PULSEBASE_LOGIN_ATTEMPTS_PER_ACCOUNT,
      loginAttemptsPerAddress: env.PULSEBASE_LOGIN_ATTEMPTS_PER_ADDRESS,
      loginWindowSeconds: env.PULSEBASE_LOGIN_WINDOW_SECONDS,
      registrationsPerAddress: env.PULSEBASE_REGISTRATIONS_PER_ADDRESS,
      deviceKeyCacheMs: env.PULSEBASE_DEVICE_KEY_CACHE_SECONDS * 1000,
    },
    devicePresenceTimeoutMs: env.PULSEBASE_DEVICE_PRESENCE_TIMEOUT_SECONDS * 1000,
    bodyLimitBytes: env.PULSEBASE_BODY_LIMIT_BYTES,
    isTrustProxy: env.PULSEBASE_TRUST_PROXY === 'true',
    corsOrigins: env.PULSEBASE_CORS_ORIGINS.split(',').filter(Boolean),
    metricsToken: env.PULSEBASE_METRICS_TOKEN,
    compat,
    bootstrapAdmin:
      env.PULSEBASE_ADMIN_EMAIL && env.PULSEBASE_ADMIN_PASSWORD
        ? { email: env.PULSEBASE_ADMIN_EMAIL, password: env.PULSEBASE_ADMIN_PASSWORD }
        : undefined,
    shutdownTimeoutMs: env.PULSEBASE_SHUTDOWN_TIMEOUT_MS,
    shutdownDelayMs: Math.min(env.PULSEBASE_SHUTDOWN_DELAY_MS, env.PULSEBASE_SHUTDOWN_TIMEOUT_MS),
    requestTimeoutMs: env.PULSEBASE_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: Math.min(env.PULSEBASE_HEADERS_TIMEOUT_MS, env.PULSEBASE_REQUEST_TIMEOUT_MS),
    hasEmbeddedWorker: env.PULSEBASE_EMBEDDED_WORKER === 'true',
    heartRate: {
      alertClearSamples: env.PULSEBASE_HEART_RATE_ALERT_CLEAR_SAMPLES,
      maxGapMs: env.PULSEBASE_HEART_RATE_MAX_GAP_SECONDS * 1000,
      clockSkewMs: env.PULSEBASE_HEART_RATE_CLOCK_SKEW_SECONDS * 1000,
      retentionDays: env.PULSEBASE_HEART_RATE_RETENTION_DAYS,
    },
    sensors: {
      clockSkewMs: env.PULSEBASE_SENSOR_CLOCK_SKEW_SECONDS * 1000,
      retentionDays: env.PULSEBASE_SENSOR_RETENTION_DAYS,
    },
    gameSessionMaxBytes: env.PULSEBASE_GAME_SESSION_MAX_BYTES,
    mlTrainingThreads: env.PULSEBASE_ML_TRAINING_THREADS,
    mlTrainingIdleMs: env.PULSEBASE_ML_TRAINING_IDLE_SECONDS * 1000,
    playground: {
      maxActiveRuns: env.PULSEBASE_PLAYGROUND_MAX_ACTIVE_RUNS,
      mailAllowList: env.PULSEBASE_PLAYGROUND_MAIL_ALLOWLIST.split(',')
        .filter(Boolean)
        .map((a) => a.toLowerCase()),
    },
    meditation: {
      minPeriods: env.PULSEBASE_MEDITATION_MIN_PERIODS,
      candidates: env.PULSEBASE_MEDITATION_CANDIDATES,
      beatFrequencies: rangeValues(env.PULSEBASE_MEDITATION_BEAT_HZ),
      multipliers: rangeValues(env.PULSEBASE_MEDITATION_MULTIPLIERS),
      visualizations: [...new Set(env.PULSEBASE_MEDITATION_VISUALIZATIONS.split(','))] as Visualization[],
    },
    mindsyncTimeZone: env.PULSEBASE_MINDSYNC_TIME_ZONE,
  }
}

/** `1-40` -> 1, 2, ... 40; `0.8-1.6` -> 0.8, 0.9, ... 1.6 (rounded to one decimal, no float noise). */
export function rangeValues(range: string): number[] {
  const [low, high] = range.split('-').map(Number) as [number, number]
  const step = Number.isInteger(low) && Number.isInteger(high) ? 1 : 0.1
  const values: number[] = []
  for (let i = 0; low + i * step <= high + 1e-9; i += 1) values.push(Math.round((low + i * step) * 10) / 10)
  return values
}

/** RabbitMQ queue names start with `<namespace>.`, or with PULSEBASE_QUEUE_PREFIX as given (the older setting). */
function readQueuePrefix(env: Env): string {
  if (env.PULSEBASE_QUEUE_PREFIX !== '') return env.PULSEBASE_QUEUE_PREFIX
  return env.PULSEBASE_NAMESPACE === '' ? '' : `${env.PULSEBASE_NAMESPACE}.`
}

function parseDatabaseUrl(url: string | undefined, dataDir: string): DatabaseConfig {
  if (url === undefined) return { kind: 'sqlite', file: join(dataDir, 'pulsebase.sqlite') }
  if (url.startsWith('postgres')) return { kind: 'postgres', url }
  if (url.startsWith('mysql') || url.startsWith('mariadb'))
    return { kind: 'mysql', url: url.replace(/^mariadb:/, 'mysql:') }
  return { kind: 'sqlite', file: resolve(url.replace(/^(sqlite|file):\/\//, '')) }
}

/** The signing secret: the configured one, else one generated once and kept in the data dir. */
export function resolveJwtSecret(config: Config): string {
  if (config.auth.jwtSecret !== undefined) return config.auth.jwtSecret
  const file = join(config.dataDir, 'jwt-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 })
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  return secret
}
