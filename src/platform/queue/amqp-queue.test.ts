import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, describe, test } from 'node:test'
import { waitUntil } from '../../../test/helpers/poll.js'
import { RABBITMQ, skipUnless, urlVia } from '../../../test/helpers/services.js'
import { AppError } from '../../errors.js'
import { createLogger } from '../logging/logger.js'
import { createMetrics } from '../metrics/metrics.js'
import { createAmqpQueue } from './amqp-queue.js'
import { deleteQueues, TEST_RETRY, uniqueQueueName } from './queue-targets.fixture.js'
import type { QueuePort } from './queue.port.js'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.fixture.js'

// What only the broker adapter has: surviving a broker that goes away (played by cutting a relay).

describe('amqp queue across a broker outage', { skip: await skipUnless(RABBITMQ) }, () => {
  const names: string[] = []
  const cleanups: Array<() => Promise<void>> = []
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
    await deleteQueues(names)
  })

  async function openBehindProxy(
    outageTimeoutMs: number,
  ): Promise<{ queue: QueuePort; proxy: TcpProxy; name: string }> {
    const proxy = await startTcpProxy(RABBITMQ.host, RABBITMQ.port)
    const queue = await createAmqpQueue({
      url: urlVia(RABBITMQ, '127.0.0.1', proxy.port),
      metrics: createMetrics(),
      logger: createLogger('silent'),
      retry: TEST_RETRY,
      outageTimeoutMs,
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    })
    cleanups.push(() => proxy.cut())
    cleanups.push(() => queue.close())
    const name = uniqueQueueName()
    names.push(name)
    return { queue, proxy, name }
  }

  test('after a reconnect, consumers resume and a publish made during the outage goes through', async () => {
    const { queue, proxy, name } = await openBehindProxy(10_000)
    const seen: unknown[] = []
    await queue.consume(name, async (job) => {
      seen.push(job.payload)
    })
    await queue.publish(name, 'before')
    await waitUntil(() => seen.length === 1, 'the job to arrive')

    await proxy.cut()
    let isPublished = false
    const publishing = queue.publish(name, 'during').then(() => {
      isPublished = true
    })
    await sleep(300)
    assert.equal(isPublished, false, 'publish resolved while the broker was unreachable')
    await assert.rejects(queue.ping())

    await proxy.resume()
    await publishing
    await waitUntil(() => seen.includes('during'), 'the job published during the outage')
    // An ack still in flight when the link was cut is lost with it, so 'before' may come again.
    assert.deepEqual([...new Set(seen)].sort(), ['before', 'during'])
    await queue.ping()
  })

  test('a publish rejects as unavailable when the outage outlasts the wait', async () => {
    const { queue, proxy, name } = await openBehindProxy(300)
    await queue.publish(name, 'reachable')
    await proxy.cut()
    await assert.rejects(queue.publish(name, 'lost'), (err) => err instanceof AppError && err.code === 'unavailable')
  })
})
