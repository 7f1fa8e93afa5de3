// Each port's adapter, chosen from the config: the only place that names adapter implementations.
// Drivers load only when configured (`await import`): the embedded default never loads amqplib,
// ioredis or nodemailer's SMTP transport.
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { redactUrl } from '../startup-error.js'
import type { BlobStore } from './blob/blob.port.js'
import { createDatabaseBlobStore } from './blob/database-blob-store.js'
import { createFileBlobStore } from './blob/file-blob-store.js'
import type { DatabaseHandle } from './db/database.js'
import type { MailPort } from './mail/mail.port.js'
import { createOutboxMail } from './mail/outbox-mail.js'
import type { Metrics } from './metrics/metrics.js'
import { createMemoryPubSub } from './pubsub/memory-pubsub.js'
import type { PubSubPort } from './pubsub/pubsub.port.js'
import { createDatabaseQueue } from './queue/database-queue.js'
import { createJobsTableOutbox, createRelayOutbox, type Outbox } from './queue/outbox.js'
import { exponentialBackoff, type QueuePort } from './queue/queue.port.js'

/**
 * The queue, and where business transactions stage their jobs: on the database queue its own jobs
 * table, on RabbitMQ an outbox table relayed to the broker after each commit.
 */
export async function createQueue(
  config: Config,
  database: DatabaseHandle,
  metrics: Metrics,
  logger: Logger,
): Promise<{ queue: QueuePort; outbox: Outbox }> {
  const retry = exponentialBackoff(config.queueMaxAttempts)
  const queueLogger = logger.child({ module: 'queue' })
  if (config.queue.kind === 'amqp') {
    const { createAmqpQueue } = await import('./queue/amqp-queue.js')
    const queue = await createAmqpQueue({
      url: config.queue.url,
      queuePrefix: config.queue.prefix,
      metrics,
      logger: queueLogger,
      retry,
    })
    return { queue, outbox: createRelayOutbox({ db: database.db, queue, logger }) }
  }
  const queue = createDatabaseQueue({
    db: database.db,
    dialect: database.kind,
    metrics,
    logger: queueLogger,
    retry,
    leaseMs: config.queueLeaseMs,
  })
  return { queue, outbox: createJobsTableOutbox(database.db, queue) }
}

/** Pub/sub across processes over Redis (PULSEBASE_REDIS_URL), else within this process. */
export async function createPubSub(config: Config, logger: Logger): Promise<PubSubPort> {
  if (config.redisUrl === undefined) return createMemoryPubSub({ logger: logger.child({ module: 'pubsub' }) })
  const { createRedisPubSub } = await import('./pubsub/redis-pubsub.js')
  return createRedisPubSub({
    url: config.redisUrl,
    logger: logger.child({ module: 'pubsub' }),
    channelPrefix: config.redisPrefix,
  })
}

/** The shared Redis client (login limits and the like), when PULSEBASE_REDIS_URL is set. */
export async function createRedisClient(url: string | undefined): Promise<Redis | undefined> {
  if (url === undefined) return undefined
  const { Redis: RedisClient } = await import('ioredis')
  return new RedisClient(url, { lazyConnect: false, maxRetriesPerRequest: 2 })
}

/** Files under `<data dir>/blobs`, or chunked rows in the database (PULSEBASE_BLOB_STORE). */
export function createBlobStore(config: Config, database: DatabaseHandle): BlobStore {
  return config.blobStore === 'database'
    ? createDatabaseBlobStore({ db: database.db })
    : createFileBlobStore({ root: join(config.dataDir, 'blobs') })
}

/** `.eml` files in `<data dir>/outbox`, or SMTP (PULSEBASE_SMTP_URL). */
export async function createMail(config: Config): Promise<MailPort> {
  const { smtpUrl, from } = config.mail
  if (smtpUrl === undefined) return createOutboxMail({ folder: join(config.dataDir, 'outbox'), from })
  const { createSmtpMail } = await import('./mail/smtp-mail.js')
  return createSmtpMail({ url: smtpUrl, from })
}

/** The database as a start-up error names it (never with its password). */
export function describeDatabase(config: Config): string {
  const where = config.database
  if (where.kind === 'sqlite') return `the SQLite database ${where.file}`
  return `${where.kind === 'postgres' ? 'PostgreSQL' : 'MariaDB'} at ${redactUrl(where.url)}`
}
