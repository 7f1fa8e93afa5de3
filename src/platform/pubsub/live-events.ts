import type { PubSubPort } from './pubsub.port.js'

/** The pub/sub channel that carries one user's live events to every API process. */
export const userChannel = (userId: string): string => `user.${userId}`

/** One live event as it travels on a user channel; transports emit `data` under the name `event`. */
export interface LiveEvent {
  readonly event: string
  readonly data: unknown
}

/** How many undelivered events one live subscriber may hold before the oldest are dropped. */
const LIVE_BUFFER_CAPACITY = 1000

export interface SubscribeLiveOptions {
  /** Defaults to LIVE_BUFFER_CAPACITY. */
  readonly capacity?: number
  /** Called on every dropped event with the running total, so a caller can count or report it. */
  readonly onDrop?: (droppedTotal: number) => void
}

/** The message as a LiveEvent, or undefined when it is not one (another writer, an old format). */
export function toLiveEvent(message: unknown): LiveEvent | undefined {
  if (typeof message !== 'object' || message === null) return undefined
  const { event, data } = message as { event?: unknown; data?: unknown }
  if (typeof event !== 'string' || event === '') return undefined
  return { event, data }
}

/** An event's data, or a function that builds it: called only when a connection may receive the event. */
export type LiveData<T = unknown> = T | (() => T)

/**
 * Publishes `{ event, data }` to every live connection of the user, on any process; nothing is
 * built or sent when the adapter knows nobody listens (`mayHaveSubscribers`), so a large event
 * (a 10,000-sample batch) costs nothing without a viewer. Live push is best-effort (the database
 * is the record), so a failure goes to `onError` and never to the caller.
 */
export async function publishLive(
  pubsub: PubSubPort,
  userId: string,
  event: string,
  data: LiveData,
  onError?: (err: unknown) => void,
): Promise<void> {
  try {
    const channel = userChannel(userId)
    if (!pubsub.mayHaveSubscribers(channel)) return
    const message: LiveEvent = { event, data: typeof data === 'function' ? (data as () => unknown)() : data }
    await pubsub.publish(channel, message)
  } catch (error) {
    try {
      onError?.(error)
    } catch {
      // A failing error reporter must not turn best-effort push into a failed request.
    }
  }
}

/** A FIFO that keeps the newest `capacity` items, so a slow reader costs bounded memory. */
function boundedQueue<T>(capacity: number, onDrop?: (droppedTotal: number) => void) {
  const items: T[] = []
  let dropped = 0
  return {
    push(item: T): void {
      if (items.length >= capacity) {
        items.shift()
        dropped += 1
        onDrop?.(dropped)
      }
      items.push(item)
    },
    shift: (): T | undefined => items.shift(),
  }
}

/**
 * Yields the user's live events until `signal` aborts, then unsubscribes. Events are buffered
 * between reads (bounded: the oldest are dropped first), so a gRPC stream that waits for
 * back-pressure never blocks the pub/sub adapter.
 */
export async function* subscribeLive(
  pubsub: PubSubPort,
  userId: string,
  signal: AbortSignal,
  options: SubscribeLiveOptions = {},
): AsyncGenerator<LiveEvent> {
  if (signal.aborted) return
  const queue = boundedQueue<LiveEvent>(options.capacity ?? LIVE_BUFFER_CAPACITY, options.onDrop)
  let wake: (() => void) | undefined
  const notify = () => {
    const resolve = wake
    wake = undefined
    resolve?.()
  }
  signal.addEventListener('abort', notify, { once: true })
  let unsubscribe: (() => Promise<void>) | undefined
  try {
    unsubscribe = await pubsub.subscribe(userChannel(userId), (message) => {
      const event = toLiveEvent(message)
      if (event === undefined) return // not ours to interpret; the subscriber only wants LiveEvents
      queue.push(event)
      notify()
    })
    while (!signal.aborted) {
      const next = queue.shift()
      if (next !== undefined) yield next
      else await new Promise<void>((resolve) => (wake = resolve))
    }
  } finally {
    signal.removeEventListener('abort', notify)
    await unsubscribe?.()
  }
}
