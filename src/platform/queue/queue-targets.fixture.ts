import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { connect } from 'amqplib'
import { databaseTargets, type DatabaseTarget } from '../../../test/helpers/databases.js'
import { RABBITMQ, skipUnless, urlVia } from '../../../test/helpers/services.js'
import { loadConfig } from '../../config.js'
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../db/database.js'
import { createLogger } from '../logging/logger.js'
import { createMetrics, type Metrics } from '../metrics/metrics.js'
import { createAmqpQueue } from './amqp-queue.js'
import { createDatabaseQueue } from './database-queue.js'
import type { QueuePort, RetryPolicy } from './queue.port.js'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.fixture.js'

// Real databases and a real broker; only the timings are shrunk so the suite stays quick.
export const TEST_RETRY: RetryPolicy = { maxAttempts: 3, backoffMs: () => 50 }
export const LEASE_MS = 300
export const RABBITMQ_URL = RABBITMQ.url

const logger = createLogger('silent')

/** One adapter instance, as one process would hold it. */
export interface QueueInstance {
  readonly queue: QueuePort
  readonly metrics: Metrics
  /** Plays the process dying: its connection vanishes, nothing is closed or acknowledged. */
  kill(): Promise<void>
}

/** A database or broker that several instances share; queue names are unique per test. */
export interface QueueBackend {
  open(): Promise<QueueInstance>
  newQueueName(): string
  dispose(): Promise<void>
}

export interface QueueTarget {
  readonly name: string
  readonly skip: string | undefined
  create(): Promise<QueueBackend>
}

export function uniqueQueueName(): string {
  return `test-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`
}

function once(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined
  return () => (done ??= action())
}

function databaseTarget(target: DatabaseTarget): QueueTarget {
  return {
    name: `database on ${target.kind}`,
    skip: target.skip,
    async create() {
      const testDb = await target.create()
      const config = loadConfig({ PULSEBASE_DATABASE_URL: testDb.url }).database
      const closers: Array<() => Promise<void>> = []
      const openHandle = async (metrics: Metrics): Promise<{ handle: DatabaseHandle; close: () => Promise<void> }> => {
        const handle = await openDatabase(config, metrics, logger)
        const close = once(() => handle.close())
        closers.push(close)
        return { handle, close }
      }
      await migrateToLatest((await openHandle(createMetrics())).handle.db, logger)
      return {
        async open() {
          const metrics = createMetrics()
          const { handle, close } = await openHandle(metrics)
          const options = { db: handle.db, dialect: handle.kind, metrics, logger, retry: TEST_RETRY }
          const queue = createDatabaseQueue({ ...options, pollIntervalMs: 20, leaseMs: LEASE_MS })
          return { queue, metrics, kill: close }
        },
        newQueueName: uniqueQueueName,
        async dispose() {
          for (const close of closers) await close()
          // pg's pool.end() resolves before its sockets have said goodbye, and openDatabase adds no
          // pool 'error' listener, so dropping the database at once crashes on a terminated idle client.
          await sleep(250)
          await testDb.drop()
        },
      }
    },
  }
}

// Every instance talks to RabbitMQ through its own relay, so a test can cut one off like a crash.
function amqpTarget(skip: string | undefined): QueueTarget {
  return {
    name: 'amqp on RabbitMQ',
    skip,
    async create() {
      const proxies: TcpProxy[] = []
      const names: string[] = []
      return {
        async open() {
          const proxy = await startTcpProxy(RABBITMQ.host, RABBITMQ.port)
          proxies.push(proxy)
          const metrics = createMetrics()
          const url = urlVia(RABBITMQ, '127.0.0.1', proxy.port)
          const reconnect = { initialDelayMs: 50, maxDelayMs: 500 }
          const queue = await createAmqpQueue({ url, metrics, logger, retry: TEST_RETRY, reconnect })
          return { queue, metrics, kill: () => proxy.cut() }
        },
        newQueueName() {
          const name = uniqueQueueName()
          names.push(name)
          return name
        },
        async dispose() {
          for (const proxy of proxies) await proxy.cut()
          await deleteQueues(names)
        },
      }
    },
  }
}

// Delay queues delete themselves once idle (x-expires); work and dead-letter queues are removed here.
export async function deleteQueues(names: string[]): Promise<void> {
  const connection = await connect(RABBITMQ_URL)
  const channel = await connection.createChannel()
  for (const name of names) {
    await channel.deleteQueue(name)
    await channel.deleteQueue(`${name}.dead`)
  }
  await connection.close()
}

/** The database adapter on every database that answers, and the AMQP adapter when RabbitMQ does. */
export async function queueTargets(): Promise<QueueTarget[]> {
  const databases = (await databaseTargets()).map(databaseTarget)
  return [...databases, amqpTarget(await skipUnless(RABBITMQ))]
}
