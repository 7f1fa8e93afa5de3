import { setImmediate } from 'node:timers/promises'

/**
 * Groups a request stream by arrival: each group is every request that came in while the
 * previous group was being handled (at least one, at most `max`), in arrival order. Reading
 * pauses while a full group waits, so a fast client is held back by HTTP/2 flow control
 * rather than buffered in memory. A failure of the source is thrown after the groups before it.
 */
export async function* arrivalBatches<T>(source: AsyncIterable<T>, max: number): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]()
  let buffer: T[] = []
  let isEnded = false
  let isStopped = false
  let failure: { error: unknown } | undefined
  // Only one side ever waits: the reader when the buffer is full, the consumer when it is empty.
  let wakeUp: (() => void) | undefined
  const wake = () => {
    const resolve = wakeUp
    wakeUp = undefined
    resolve?.()
  }
  const sleep = () => new Promise<void>((resolve) => (wakeUp = resolve))

  const read = async () => {
    try {
      while (!isStopped) {
        if (buffer.length >= max) {
          await sleep()
          continue
        }
        const next = await iterator.next()
        if (next.done) break
        buffer.push(next.value)
        wake()
      }
    } catch (error) {
      failure = { error }
    }
    isEnded = true
    wake()
  }
  const reading = read()

  try {
    for (;;) {
      if (buffer.length === 0) {
        if (isEnded) break
        await sleep()
        continue
      }
      // One turn of the event loop lets the reader take what the socket already holds, so a group
      // covers a burst rather than its first request (about twice the samples per commit, measured
      // with a client in another process).
      if (buffer.length < max && !isEnded) await setImmediate()
      const batch = buffer
      buffer = []
      wake()
      yield batch
    }
    if (failure !== undefined) throw failure.error
    await reading
  } finally {
    isStopped = true
    wake()
  }
}
