import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, afterEach, before, describe, test } from 'node:test'
import { waitUntil } from '../../../test/helpers/poll.js'
import type { Metrics } from '../metrics/metrics.js'
import { LEASE_MS, type QueueBackend, type QueueInstance, queueTargets, TEST_RETRY } from './queue-targets.fixture.js'
import type { Job } from './queue.port.js'

// Every adapter of QueuePort must pass this same suite.

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {}
  const promise = new Promise<void>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

async function outcomes(metrics: Metrics, queue: string): Promise<Record<string, number>> {
  const { values } = await metrics.queueProcessed.get()
  return Object.fromEntries(
    values.filter((v) => v.labels.queue === queue).map((v) => [String(v.labels.outcome), v.value]),
  )
}

for (const target of await queueTargets()) {
  describe(`queue contract: ${target.name}`, { skip: target.skip }, () => {
    let backend: QueueBackend
    const cleanups: Array<() => Promise<void>> = []
    before(async () => {
      backend = await target.create()
    })
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
    })
    after(() => backend.dispose())

    async function open(): Promise<QueueInstance> {
      const instance = await backend.open()
      cleanups.push(() => instance.queue.close())
      return instance
    }

    test('delivers a published job once, with its id and payload', async () => {
      const { queue } = await open()
      const name = backend.newQueueName()
      const seen: Job[] = []
      await queue.consume(name, async (job) => {
        seen.push(job)
      })
      const id = await queue.publish(name, { userId: 'u1', bpm: [61, 62] })
      await waitUntil(() => seen.length === 1, 'the job to arrive')
      await sleep(3 * LEASE_MS) // long enough for a lapsed lease or a missing ack to deliver it again
      assert.deepEqual(seen, [{ id, queue: name, payload: { userId: 'u1', bpm: [61, 62] }, attempt: 1 }])
      assert.deepEqual(await queue.deadLetters(name), [])
    })

    test('publish resolves only once the job is durable: a fresh instance receives it', async () => {
      const publisher = await open()
      const name = backend.newQueueName()
      const id = await publisher.queue.publish(name, { n: 1 })
      await publisher.queue.close()
      await publisher.kill()

      const { queue } = await open()
      const seen: Job[] = []
      await queue.consume(name, async (job) => {
        seen.push(job)
      })
      await waitUntil(() => seen.length === 1, 'the job to arrive')
      assert.equal(seen[0]?.id, id)
      assert.deepEqual(seen[0]?.payload, { n: 1 })
    })

    test('a failing handler is retried with a growing attempt until it succeeds', async () => {
      const { queue, metrics } = await open()
      const name = backend.newQueueName()
      const attempts: number[] = []
      await queue.consume(name, async (job) => {
        attempts.push(job.attempt)
        if (job.attempt < TEST_RETRY.maxAttempts) throw new Error(`failed attempt ${job.attempt}`)
      })
      await queue.publish(name, { n: 1 })
      await waitUntil(async () => (await outcomes(metrics, name)).ok === 1, 'one successful attempt')
      assert.deepEqual(attempts, [1, 2, 3])
      assert.deepEqual(await outcomes(metrics, name), { retry: 2, ok: 1 })
      assert.deepEqual(await queue.deadLetters(name), [])
    })

    test('a job that always fails is dead-lettered after maxAttempts, newest first, with its last error', async () => {
      const { queue } = await open()
      const name = backend.newQueueName()
      let calls = 0
      await queue.consume(name, async (job) => {
        calls += 1
        throw new Error(`job ${(job.payload as { n: number }).n} failed attempt ${job.attempt}`)
      })
      const first = await queue.publish(name, { n: 1 })
      await waitUntil(async () => (await queue.deadLetters(name)).length === 1, 'one dead letter')
      const second = await queue.publish(name, { n: 2 })
      await waitUntil(async () => (await queue.deadLetters(name)).length === 2, 'two dead letters')

      const dead = await queue.deadLetters(name)
      assert.deepEqual(
        dead.map((job) => job.id),
        [second, first],
      )
      assert.deepEqual(dead[1], {
        id: first,
        queue: name,
        payload: { n: 1 },
        attempts: 3,
        lastError: 'job 1 failed attempt 3',
      })
      assert.deepEqual(
        (await queue.deadLetters(name, 1)).map((job) => job.id),
        [second],
      )
      await sleep(3 * LEASE_MS)
      assert.equal(calls, 2 * TEST_RETRY.maxAttempts)
    })

    test('depth counts the jobs waiting for a worker and the dead-lettered ones', async () => {
      const { queue } = await open()
      const name = backend.newQueueName()
      assert.deepEqual(await queue.depth(name), { queue: name, ready: 0, dead: 0 })
      await queue.publish(name, { n: 1 })
      await queue.publish(name, { n: 2 })
      await queue.publish(name, { n: 3 }, { delayMs: 60_000 })
      await waitUntil(async () => (await queue.depth(name)).ready === 2, 'two ready jobs')
      assert.deepEqual(await queue.depth(name), { queue: name, ready: 2, dead: 0 }, 'a delayed job is not ready yet')

      await queue.consume(name, async (job) => {
        throw new Error(`job ${(job.payload as { n: number }).n} failed`)
      })
      await waitUntil(async () => (await queue.depth(name)).dead === 2, 'two dead jobs')
      assert.deepEqual(await queue.depth(name), { queue: name, ready: 0, dead: 2 })
    })

    test('a job held by a worker that died is delivered again to another worker', async () => {
      const doomed = await open()
      const name = backend.newQueueName()
      const release = deferred()
      cleanups.push(async () => release.resolve())
      const firstTry: Job[] = []
      await doomed.queue.consume(name, async (job) => {
        firstTry.push(job)
        await release.promise
      })
      const id = await doomed.queue.publish(name, { n: 7 })
      await waitUntil(() => firstTry.length === 1, 'the first try')
      await doomed.kill()

      const survivor = await open()
      const secondTry: Job[] = []
      await survivor.queue.consume(name, async (job) => {
        secondTry.push(job)
      })
      await waitUntil(() => secondTry.length === 1, 'the second try')
      assert.deepEqual(secondTry, [{ id, queue: name, payload: { n: 7 }, attempt: 2 }])
    })

    test('close() waits for the job in flight, and that job is not delivered again', async () => {
      const worker = await open()
      const name = backend.newQueueName()
      const gate = deferred()
      cleanups.push(async () => gate.resolve())
      const events: string[] = []
      await worker.queue.consume(name, async () => {
        events.push('started')
        await gate.promise
        events.push('finished')
      })
      await worker.queue.publish(name, {})
      await waitUntil(() => events.includes('started'), 'the handler to start')
      const closed = worker.queue.close().then(() => events.push('closed'))
      await sleep(200)
      assert.deepEqual(events, ['started'])
      gate.resolve()
      await closed
      assert.deepEqual(events, ['started', 'finished', 'closed'])

      const { queue } = await open()
      const redelivered: Job[] = []
      await queue.consume(name, async (job) => {
        redelivered.push(job)
      })
      await sleep(3 * LEASE_MS)
      assert.deepEqual(redelivered, [])
    })

    test('a delayed job is not delivered before its delay, and holds back neither retries nor later jobs', async () => {
      const { queue } = await open()
      const name = backend.newQueueName()
      const arrivals: string[] = []
      await queue.consume(
        name,
        async (job) => {
          const { kind } = job.payload as { kind: string }
          arrivals.push(`${kind}#${job.attempt}`)
          if (kind === 'flaky' && job.attempt === 1) throw new Error('first try fails')
        },
        { concurrency: 2 },
      )
      // A minute is far beyond anything else here: the state, not a stopwatch, shows the delay holds.
      await queue.publish(name, { kind: 'held' }, { delayMs: 60_000 })
      await queue.publish(name, { kind: 'flaky' })
      await queue.publish(name, { kind: 'soon' }, { delayMs: 100 })
      await queue.publish(name, { kind: 'plain' })
      await waitUntil(
        () => ['flaky#2', 'soon#1', 'plain#1'].every((label) => arrivals.includes(label)),
        'the retry and the due jobs',
      )
      assert.deepEqual(
        [...arrivals].sort(),
        ['flaky#1', 'flaky#2', 'plain#1', 'soon#1'],
        'the held job is not delivered',
      )
      assert.equal((await queue.depth(name)).ready, 0, 'a job in its delay is not counted as ready')
    })

    test('a slow handler keeps its job: no second worker gets it while it runs', async () => {
      const [a, b] = [await open(), await open()]
      const name = backend.newQueueName()
      const runs: string[] = []
      const slow = (worker: string) => async () => {
        runs.push(worker)
        await sleep(4 * LEASE_MS)
      }
      await a.queue.consume(name, slow('a'))
      await b.queue.consume(name, slow('b'))
      await a.queue.publish(name, {})
      await waitUntil(() => runs.length === 1, 'one run')
      await sleep(6 * LEASE_MS)
      assert.equal(runs.length, 1)
    })

    test('concurrency runs that many jobs at once', async () => {
      const { queue } = await open()
      const name = backend.newQueueName()
      const gate = deferred()
      cleanups.push(async () => gate.resolve())
      let running = 0
      let peak = 0
      await queue.consume(
        name,
        async () => {
          running += 1
          peak = Math.max(peak, running)
          await gate.promise
          running -= 1
        },
        { concurrency: 2 },
      )
      for (const n of [1, 2, 3]) await queue.publish(name, { n })
      await waitUntil(() => running === 2, 'two jobs running')
      await sleep(200)
      assert.equal(peak, 2)
      gate.resolve()
      await waitUntil(() => running === 0, 'no job running')
    })
  })
}
