import type { Logger } from '../logging/logger.js'
import type { Listener, PubSubPort } from './pubsub.port.js'
import { deliver, encodeMessage } from './pubsub-message.js'

interface Subscription {
  readonly listener: Listener
  isActive: boolean
}

export interface MemoryPubSubOptions {
  /** Where a throwing listener is reported; without it the error goes to `process.emitWarning`. */
  readonly logger?: Logger
}

/**
 * The in-process fan-out for a single box. Delivery is asynchronous (like a broker) and each
 * listener gets its own JSON copy, so nobody can mutate the publisher's object or another
 * listener's copy. Two instances share nothing, exactly like two processes without Redis.
 */
export function createMemoryPubSub(options: MemoryPubSubOptions = {}): PubSubPort {
  const channels = new Map<string, Set<Subscription>>()
  let isClosed = false

  const report = (channel: string) => (error: unknown) => {
    if (options.logger) options.logger.error({ err: error, channel }, 'pub/sub listener failed')
    else process.emitWarning(`pub/sub listener on ${channel} failed: ${String(error)}`)
  }

  function assertOpen(): void {
    if (isClosed) throw new Error('The pub/sub adapter is closed')
  }

  return {
    kind: 'memory',

    async publish(channel, message) {
      assertOpen()
      const text = encodeMessage(message)
      // The snapshot matches Redis: a subscription made after publish does not see the message.
      const targets = [...(channels.get(channel) ?? [])]
      if (targets.length === 0) return
      setImmediate(() => {
        for (const subscription of targets) {
          if (subscription.isActive) deliver(subscription.listener, text, report(channel))
        }
      })
    },

    mayHaveSubscribers(channel) {
      assertOpen()
      return channels.has(channel)
    },

    async subscribe(channel, listener) {
      assertOpen()
      const subscription: Subscription = { listener, isActive: true }
      let subscriptions = channels.get(channel)
      if (!subscriptions) {
        subscriptions = new Set()
        channels.set(channel, subscriptions)
      }
      subscriptions.add(subscription)
      return async () => {
        subscription.isActive = false
        const current = channels.get(channel)
        if (!current) return
        current.delete(subscription)
        if (current.size === 0) channels.delete(channel)
      }
    },

    async ping() {
      assertOpen()
    },

    async close() {
      isClosed = true
      for (const subscriptions of channels.values()) {
        for (const subscription of subscriptions) subscription.isActive = false
      }
      channels.clear()
    },
  }
}
