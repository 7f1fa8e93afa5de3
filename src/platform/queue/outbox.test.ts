// The relay outbox against every real database and a real RabbitMQ (through a TCP proxy that the
// test can cut): rows left behind by a crash, and publishes refused during an outage, still go out.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { waitUntil } from '../../../test/helpers/poll.js'
import { databaseTargets, type OpenedTestDatabase, openTestDatabase } from '../../../test/helpers/databases.js'
import { RABBITMQ, skipUnless, urlVia } from '../../../test/helpers/services.js'
import type { DatabaseHandle } from '../db/database.js'
import { createLogger } from '../logging/logger.js'
import { createMetrics } from '../metrics/metrics.js'
import { createAmqpQueue } from './amqp-queue.js'
import { createRelayOutbox, type Outbox } from './outbox.js'
import { insertOutboxRow } from './outbox.repository.js'
import { deleteQueues, TEST_RETRY, uniqueQueueName } from './queue-targets.fixture.js'
import type { QueuePort } from './queue.port.js'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.fixture.js'

const logger = createLogger('silent')
const rabbitSkip = await skipUnless(RABBITMQ)

for (const target of await databaseTargets()) {
  describe(`relay outbox on ${target.kind} + RabbitMQ`, { skip: target.skip ?? rabbitSkip }, () => {
    let opened: OpenedTestDatabase
    let database: DatabaseHandle
    let proxy: TcpProxy
    let queue: QueuePort
    let outbox: Outbox
    const names: string[] = []
    before(async () => {
      opened = await openTestDatabase(target)
      database = opened.database
      proxy = await startTcpProxy(RABBITMQ.host, RABBITMQ.port)
      const url = urlVia(RABBITMQ, '127.0.0.1', proxy.port)
      queue = await createAmqpQueue({
        url,
        metrics: createMetrics(),
        logger,
        retry: TEST_RETRY,
        outageTimeoutMs: 200,
        reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
      })
      outbox = createRelayOutbox({ db: database.db, queue, logger, sweepIntervalMs: 50, claimMs: 1000 })
    })
    after(async () => {
      await outbox?.close()
      await queue?.close()
      await proxy?.cut()
      await opened?.close()
      await deleteQueues(names)
    })

    const received = async (name: string, count: number) => {
      const payloads: unknown[] = []
      let done: () => void = () => {}
      const all = new Promise<void>((resolve) => (done = resolve))
      const consumer = await queue.consume(name, async (job) => {
        payloads.push(job.payload)
        if (payloads.length >= count) done()
      })
      await all
      await consumer.stop()
      return payloads
    }
    const rowsLeft = async () => (await database.db.selectFrom('outbox').select('id').execute()).length

    test('a staged job is published after the commit and its row removed; a rolled-back one never is', async () => {
      const name = uniqueQueueName()
      names.push(name)
      await assert.rejects(
        outbox.transaction(async (_trx, stage) => {
          await stage(name, { n: 'rolled back' })
          throw new Error('the business write failed')
        }),
        /business write failed/,
      )
      await outbox.transaction(async (_trx, stage) => stage(name, { n: 1 }))
      assert.deepEqual(await received(name, 1), [{ n: 1 }])
      await waitUntil(async () => (await rowsLeft()) === 0, 'the published row to be removed')
    })

    test("a row a crashed process left (its claim lapsed) is published by this process's sweep", async () => {
      const name = uniqueQueueName()
      names.push(name)
      await insertOutboxRow(database.db, { id: 'left-by-a-crash', queue: name, payload: '{"n":2}' }, 0, 0)
      assert.deepEqual(await received(name, 1), [{ n: 2 }])
    })

    test('a publish refused while the broker is away is retried by the sweep once it is back', async () => {
      const name = uniqueQueueName()
      names.push(name)
      await proxy.cut()
      await outbox.transaction(async (_trx, stage) => stage(name, { n: 3 }))
      const readClaim = async () =>
        (
          await database.db
            .selectFrom('outbox')
            .select('claimed_until')
            .where('queue', '=', name)
            .executeTakeFirstOrThrow()
        ).claimed_until
      const firstClaim = await readClaim()
      // The publish waits 200 ms for the broker, is refused, and the row is given back to the sweep.
      await waitUntil(async () => (await readClaim()) !== firstClaim, 'the row to be given back')
      await proxy.resume()
      await waitUntil(
        () =>
          queue.ping().then(
            () => true,
            () => false,
          ),
        'the broker to answer again',
      )
      assert.deepEqual(await received(name, 1), [{ n: 3 }])
    })
  })
}
