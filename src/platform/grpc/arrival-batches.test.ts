import assert from 'node:assert/strict'
import { setImmediate as tick } from 'node:timers/promises'
import { describe, test } from 'node:test'
import { arrivalBatches } from './arrival-batches.js'

/** A source the test feeds by hand; it counts how far it has been read. */
function feed<T>() {
  const waiting: Array<{ resolve: (result: IteratorResult<T>) => void; reject: (error: Error) => void }> = []
  const queued: Array<IteratorResult<T>> = []
  let failure: Error | undefined
  const state = { reads: 0 }
  const push = (result: IteratorResult<T>) => {
    const reader = waiting.shift()
    if (reader) reader.resolve(result)
    else queued.push(result)
  }
  const source: AsyncIterable<T> = {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        state.reads += 1
        if (failure) return Promise.reject(failure)
        const result = queued.shift()
        return result ? Promise.resolve(result) : new Promise((resolve, reject) => waiting.push({ resolve, reject }))
      },
    }),
  }
  return {
    source,
    state,
    send: (...values: T[]) => values.forEach((value) => push({ value, done: false })),
    end: () => push({ value: undefined, done: true }),
    fail: (error: Error) => {
      failure = error
      waiting.shift()?.reject(error)
    },
  }
}

describe('arrivalBatches', () => {
  test('groups what arrived while the previous group was handled, in order, at most max', async () => {
    const input = feed<number>()
    const batches = arrivalBatches(input.source, 3)
    input.send(1)
    assert.deepEqual((await batches.next()).value, [1])
    input.send(2, 3, 4, 5, 6)
    await tick()
    assert.deepEqual((await batches.next()).value, [2, 3, 4])
    await tick()
    assert.deepEqual((await batches.next()).value, [5, 6])
    input.send(7)
    input.end()
    assert.deepEqual((await batches.next()).value, [7])
    assert.equal((await batches.next()).done, true)
  })

  test('an empty source yields nothing', async () => {
    const input = feed<number>()
    input.end()
    const seen: number[][] = []
    for await (const batch of arrivalBatches(input.source, 10)) seen.push(batch)
    assert.deepEqual(seen, [])
  })

  test('stops reading while a full group waits', async () => {
    const input = feed<number>()
    const batches = arrivalBatches(input.source, 2)
    input.send(1, 2, 3, 4, 5)
    assert.deepEqual((await batches.next()).value, [1, 2]) // the group waited a turn and filled up
    await tick()
    const readsWhileFull = input.state.reads
    await tick()
    assert.equal(input.state.reads, readsWhileFull, 'no read while the buffer holds max')
    assert.deepEqual((await batches.next()).value, [3, 4])
  })

  test('a failing source throws after the groups before it', async () => {
    const input = feed<number>()
    const batches = arrivalBatches(input.source, 10)
    input.send(1)
    assert.deepEqual((await batches.next()).value, [1])
    input.fail(new Error('client went away'))
    await assert.rejects(batches.next(), /client went away/)
  })

  test('returning early stops the reader', async () => {
    const input = feed<number>()
    const batches = arrivalBatches(input.source, 10)
    input.send(1)
    await batches.next()
    await batches.return(undefined)
    const reads = input.state.reads
    input.send(2)
    await tick()
    await tick()
    assert.equal(input.state.reads, reads, 'the pending read finished and no new one started')
  })
})
