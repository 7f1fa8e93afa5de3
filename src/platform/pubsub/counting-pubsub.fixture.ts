import type { PubSubPort } from './pubsub.port.js'

/** A real adapter with a window on it: subscribe calls and live subscriptions per channel. */
export interface CountingPubSub {
  readonly port: PubSubPort
  subscribeCalls(channel: string): number
  activeSubscriptions(channel: string): number
  /** Makes every later subscribe wait until `release()`, to open the races a slow broker has. */
  hold(): void
  release(): void
}

export function countingPubSub(inner: PubSubPort): CountingPubSub {
  const calls = new Map<string, number>()
  const active = new Map<string, number>()
  const bump = (counts: Map<string, number>, channel: string, by: number) =>
    counts.set(channel, (counts.get(channel) ?? 0) + by)
  let gate: Promise<void> | undefined
  let open: (() => void) | undefined

  const port: PubSubPort = {
    kind: inner.kind,
    publish: (channel, message) => inner.publish(channel, message),
    mayHaveSubscribers: (channel) => inner.mayHaveSubscribers(channel),
    async subscribe(channel, listener) {
      bump(calls, channel, 1)
      await gate
      const unsubscribe = await inner.subscribe(channel, listener)
      bump(active, channel, 1)
      let isDone = false
      return async () => {
        if (!isDone) bump(active, channel, -1)
        isDone = true
        await unsubscribe()
      }
    },
    ping: () => inner.ping(),
    close: () => inner.close(),
  }

  return {
    port,
    subscribeCalls: (channel) => calls.get(channel) ?? 0,
    activeSubscriptions: (channel) => active.get(channel) ?? 0,
    hold() {
      gate = new Promise((resolve) => (open = resolve))
    },
    release() {
      open?.()
      gate = undefined
    },
  }
}
