import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { pino } from 'pino'
import { createWorkerPool, WorkerCrashedError } from './worker-pool.js'

describe('worker pool', () => {
  const pool = createWorkerPool({
    entry: new URL('./worker-pool.fixture.ts', import.meta.url),
    size: 2,
    logger: pino({ level: 'silent' }),
  })
  after(() => pool.close())

  test('runs more tasks than threads and answers each with its own result', async () => {
    const results = await Promise.all([1, 2, 3, 4, 5].map((value) => pool.run({ op: 'echo', value })))
    assert.deepEqual(results, [1, 2, 3, 4, 5])
  })

  test('a task that throws rejects with its message and the thread keeps serving', async () => {
    await assert.rejects(pool.run({ op: 'throw' }), /task failed on purpose/)
    assert.equal(await pool.run({ op: 'echo', value: 7 }), 7)
  })

  test('progress reaches the caller, and returning false stops the task early', async () => {
    const seen: unknown[] = []
    const result = await pool.run({ op: 'count' }, { onProgress: (n) => (seen.push(n), n !== 3) })
    assert.ok((result as number) < 1000, `stopped at ${String(result)}`)
    assert.deepEqual(seen.slice(0, 3), [1, 2, 3])
  })

  test('a task that asks waits for each answer, so it stops exactly where the caller says', async () => {
    const seen: unknown[] = []
    const result = await pool.run(
      { op: 'ask' },
      {
        onProgress: async (n) => {
          seen.push(n)
          await new Promise((resolve) => setTimeout(resolve, 1))
          return n !== 5
        },
      },
    )
    assert.equal(result, 4, 'the fifth question was answered no')
    assert.deepEqual(seen, [1, 2, 3, 4, 5])
  })

  test('a thread that dies fails its task with WorkerCrashedError, and a new thread takes its place', async () => {
    await assert.rejects(
      pool.run({ op: 'die' }),
      (error: unknown) => error instanceof WorkerCrashedError && /exited with code 3/.test(error.message),
    )
    const results = await Promise.all([1, 2, 3].map((value) => pool.run({ op: 'echo', value })))
    assert.deepEqual(results, [1, 2, 3])
  })

  test('waiting tasks of different owners take turns: a later owner is not held behind an earlier one’s queue', async () => {
    const single = createWorkerPool({
      entry: new URL('./worker-pool.fixture.ts', import.meta.url),
      size: 1,
      logger: pino({ level: 'silent' }),
    })
    try {
      const order: string[] = []
      const run = (owner: string, value: number) =>
        single.run({ op: 'echo', value }, { owner }).then(() => order.push(`${owner}${value}`))
      await Promise.all([run('a', 1), run('a', 2), run('a', 3), run('b', 1), run('b', 2), run('c', 1)])
      assert.deepEqual(order, ['a1', 'b1', 'c1', 'a2', 'b2', 'a3'])
    } finally {
      await single.close()
    }
  })
})
