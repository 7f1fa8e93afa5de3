// Real memory adapter, observed through a counting wrapper; nothing is faked.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createLogger } from '../logging/logger.js'
import { countingPubSub } from './counting-pubsub.fixture.js'
import { waitUntil } from '../../../test/helpers/poll.js'
import { type LiveEvent, publishLive, subscribeLive, toLiveEvent, userChannel } from './live-events.js'
import { createMemoryPubSub } from './memory-pubsub.js'

const logger = createLogger('silent')
const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('live events', () => {
  test('subscribeLive yields the user events in order, stops on abort and unsubscribes', async () => {
    const pubsub = countingPubSub(createMemoryPubSub({ logger }))
    const controller = new AbortController()
    const received: LiveEvent[] = []
    const reading = (async () => {
      for await (const event of subscribeLive(pubsub.port, 'u1', controller.signal)) received.push(event)
    })()
    await waitUntil(() => pubsub.activeSubscriptions(userChannel('u1')) === 1, 'subscribed')

    await publishLive(pubsub.port, 'u1', 'heart-rate.recorded', { bpm: 72 })
    await publishLive(pubsub.port, 'u2', 'heart-rate.recorded', { bpm: 99 })
    await publishLive(pubsub.port, 'u1', 'device.added', { deviceId: 'd1' })
    await waitUntil(() => received.length === 2, 'two events arrived')
    controller.abort()
    await reading

    assert.deepEqual(received, [
      { event: 'heart-rate.recorded', data: { bpm: 72 } },
      { event: 'device.added', data: { deviceId: 'd1' } },
    ])
    assert.equal(pubsub.activeSubscriptions(userChannel('u1')), 0)
    await pubsub.port.close()
  })

  test('a slow reader keeps only the newest events and the drops are counted', async () => {
    const pubsub = countingPubSub(createMemoryPubSub({ logger }))
    const controller = new AbortController()
    const drops: number[] = []
    const events = subscribeLive(pubsub.port, 'u1', controller.signal, {
      capacity: 2,
      onDrop: (total) => drops.push(total),
    })
    const first = events.next()
    await waitUntil(() => pubsub.activeSubscriptions(userChannel('u1')) === 1, 'subscribed')

    for (const n of [1, 2, 3, 4, 5]) await publishLive(pubsub.port, 'u1', 'tick', n)
    await settle()

    assert.deepEqual((await first).value, { event: 'tick', data: 1 })
    assert.deepEqual(drops, [1, 2], 'ticks 2 and 3 were dropped from a buffer of 2')
    assert.deepEqual((await events.next()).value, { event: 'tick', data: 4 })
    assert.deepEqual((await events.next()).value, { event: 'tick', data: 5 })
    controller.abort()
    assert.equal((await events.next()).done, true)
    assert.equal(pubsub.activeSubscriptions(userChannel('u1')), 0)
    await pubsub.port.close()
  })

  test('an already aborted signal yields nothing and never subscribes', async () => {
    const pubsub = countingPubSub(createMemoryPubSub({ logger }))
    const events = subscribeLive(pubsub.port, 'u1', AbortSignal.abort())
    assert.equal((await events.next()).done, true)
    assert.equal(pubsub.subscribeCalls(userChannel('u1')), 0)
  })

  test('publishLive never throws: a failed publish goes to onError', async () => {
    const pubsub = createMemoryPubSub({ logger })
    await pubsub.close()
    const errors: unknown[] = []
    await publishLive(pubsub, 'u1', 'tick', 1, (error) => errors.push(error))
    await publishLive(pubsub, 'u1', 'tick', 1) // no reporter: still resolves
    await publishLive(pubsub, 'u1', 'tick', 1, () => {
      throw new Error('reporter bug')
    })
    assert.equal(errors.length, 1)
    assert.match(String(errors[0]), /closed/)
  })

  test('toLiveEvent accepts only { event: non-empty string, data }', () => {
    assert.deepEqual(toLiveEvent({ event: 'x', data: [1] }), { event: 'x', data: [1] })
    assert.deepEqual(toLiveEvent({ event: 'x' }), { event: 'x', data: undefined })
    for (const message of [null, 'x', 1, {}, { event: '' }, { event: 3, data: 1 }])
      assert.equal(toLiveEvent(message), undefined)
  })
})
