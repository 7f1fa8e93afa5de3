import { Redis } from 'ioredis'
import type { Logger } from '../logging/logger.js'
import { deliver, encodeMessage } from './pubsub-message.js'
import type { Listener, PubSubPort } from './pubsub.port.js'

export interface RedisPubSubOptions {
  readonly url: string
  readonly logger: Logger
  /** Names the two connections `<name>-pub` / `<name>-sub` in CLIENT LIST; default `pulsebase`. */
  readonly connectionName?: string
  /** Before every channel name, so deployments sharing a Redis never hear each other; default CHANNEL_PREFIX. */
  readonly channelPrefix?: string
}

/** Every pulsebase channel lives under this prefix (then the namespace, when one is set), so a shared Redis stays tidy. */
export const CHANNEL_PREFIX = 'pulsebase:'

const QUIT_TIMEOUT_MS = 2000

interface Subscription {
  readonly listener: Listener
}

interface ChannelState {
  readonly subscriptions: Set<Subscription>
  /** Settles when Redis has confirmed the SUBSCRIBE; concurrent subscribers share it. */
  readonly confirmed: Promise<unknown>
}

function connect(url: string, name: string, logger: Logger): Redis {
  // lazyConnect so start-up can await the first connection and fail loudly; after that,
  // reconnects are ioredis's own, and autoResubscribe (default on) re-sends our SUBSCRIBEs.
  const redis = new Redis(url, { lazyConnect: true, connectionName: name })
  let hasBeenReady = false
  // Before the first connection, start-up reports the failure once; logging every retry would bury it.
  redis.on('error', (error: unknown) => {
    if (hasBeenReady) logger.warn({ err: error, connection: name }, 'redis pub/sub connection error')
    else logger.debug({ err: error, connection: name }, 'redis pub/sub not connected yet')
  })
  redis.on('ready', () => {
    if (hasBeenReady) logger.info({ connection: name }, 'redis pub/sub reconnected')
    hasBeenReady = true
  })
  return redis
}

/** host:port only, so a password in the URL never reaches a log or an error. */
function safeAddress(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return 'an unparseable URL'
  }
}

async function quit(redis: Redis): Promise<void> {
  if (redis.status === 'end') return
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), QUIT_TIMEOUT_MS)
  })
  try {
    const outcome = await Promise.race([redis.quit(), timeout])
    if (outcome === 'timeout') redis.disconnect()
  } catch {
    redis.disconnect()
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Live fan-out across API processes through Redis pub/sub: one connection publishes, one
 * subscribes (a subscribed connection is reserved on RESP2), messages are JSON.
 */
export async function createRedisPubSub(options: RedisPubSubOptions): Promise<PubSubPort> {
  const logger = options.logger.child({ adapter: 'redis' })
  const name = options.connectionName ?? 'pulsebase'
  const channelPrefix = options.channelPrefix ?? CHANNEL_PREFIX
  const publisher = connect(options.url, `${name}-pub`, logger)
  const subscriber = connect(options.url, `${name}-sub`, logger)
  let firstError: unknown
  const remember = (error: unknown) => (firstError ??= error)
  publisher.once('error', remember)
  try {
    await Promise.all([publisher.connect(), subscriber.connect()])
  } catch (error) {
    publisher.disconnect()
    subscriber.disconnect()
    // ioredis rejects with "Connection is closed"; the socket error before it says why.
    const reason = (firstError ?? error) as { code?: unknown }
    const failure = new Error(`Redis pub/sub: cannot connect to ${safeAddress(options.url)}: ${String(reason)}`, {
      cause: error,
    })
    throw Object.assign(failure, { code: reason.code })
  } finally {
    publisher.off('error', remember)
  }

  const channels = new Map<string, ChannelState>()
  let isClosed = false

  subscriber.on('message', (channel: string, text: string) => {
    const state = channels.get(channel)
    if (!state) return
    const report = (error: unknown) => logger.error({ err: error, channel }, 'pub/sub listener failed')
    try {
      JSON.parse(text)
    } catch {
      logger.warn({ channel }, 'dropped a pub/sub message that is not JSON')
      return
    }
    for (const subscription of [...state.subscriptions]) {
      // Checked per listener: an earlier listener may have unsubscribed a later one.
      if (state.subscriptions.has(subscription)) deliver(subscription.listener, text, report)
    }
  })

  function assertOpen(): void {
    if (isClosed) throw new Error('The pub/sub adapter is closed')
  }

  async function unsubscribe(channel: string, state: ChannelState, subscription: Subscription): Promise<void> {
    if (!state.subscriptions.delete(subscription)) return
    if (state.subscriptions.size > 0 || channels.get(channel) !== state) return
    channels.delete(channel)
    // Commands on one connection run in order, so a SUBSCRIBE issued after this one wins.
    if (!isClosed) await subscriber.unsubscribe(channel)
  }

  return {
    kind: 'redis',

    async publish(channel, message) {
      assertOpen()
      await publisher.publish(channelPrefix + channel, encodeMessage(message))
    },

    // Other processes' subscriptions are not known here (PUBSUB NUMSUB would cost a round trip per publish).
    mayHaveSubscribers() {
      assertOpen()
      return true
    },

    async subscribe(channel, listener) {
      assertOpen()
      const fullChannel = channelPrefix + channel
      let state = channels.get(fullChannel)
      if (!state) {
        state = { subscriptions: new Set(), confirmed: subscriber.subscribe(fullChannel) }
        channels.set(fullChannel, state)
      }
      const subscription: Subscription = { listener }
      state.subscriptions.add(subscription)
      const current = state
      try {
        await current.confirmed
      } catch (error) {
        current.subscriptions.delete(subscription)
        if (current.subscriptions.size === 0 && channels.get(fullChannel) === current) channels.delete(fullChannel)
        throw error
      }
      return () => unsubscribe(fullChannel, current, subscription)
    },

    async ping() {
      assertOpen()
      await Promise.all([publisher.ping(), subscriber.ping()])
    },

    async close() {
      if (isClosed) return
      isClosed = true
      channels.clear()
      await Promise.all([quit(publisher), quit(subscriber)])
    },
  }
}
