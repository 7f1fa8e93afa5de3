import { type ChannelModel, type ConfirmChannel, connect, type RecoveringChannelModel } from 'amqplib'
import type { Logger } from 'pino'
import { AppError } from '../../errors.js'

/** One live broker connection with its publishing channel; replaced wholesale on every reconnect. */
export interface Session {
  readonly model: ChannelModel
  readonly publisher: ConfirmChannel
  /** Work queues already declared on this connection. */
  readonly declared: Set<string>
}

/** Runs for every new session before it becomes current; consumers re-subscribe here. */
export type SessionListener = (session: Session) => Promise<void>

export interface LinkOptions {
  readonly url: string
  readonly log: Logger
  readonly initialDelayMs?: number
  readonly maxDelayMs?: number
}

/** A broker connection that reconnects itself (amqplib's recovery) and tells listeners each time. */
export interface AmqpLink {
  current(): Session | undefined
  /** The current session, waiting up to `timeoutMs` for a reconnect; rejects `unavailable` after. */
  waitForSession(timeoutMs: number): Promise<Session>
  addListener(listener: SessionListener): void
  /** Drops a session whose channel broke, so recovery opens a fresh connection. */
  discard(session: Session): void
  close(): Promise<void>
}

interface Waiter {
  resolve(session: Session): void
  reject(err: Error): void
}

const unavailable = () => new AppError('unavailable', 'message broker unavailable')

export async function openAmqpLink(options: LinkOptions): Promise<AmqpLink> {
  const { log } = options
  const listeners: SessionListener[] = []
  const waiters = new Set<Waiter>()
  let current: Session | undefined
  let isClosed = false

  const discard = (session: Session) => {
    if (current === session) current = undefined
    if (!isClosed) session.model.close().catch(() => {})
  }

  async function setup(model: ChannelModel): Promise<void> {
    model.on('error', (err: Error) => log.warn({ err }, 'broker connection error'))
    const publisher = await model.createConfirmChannel()
    const session: Session = { model, publisher, declared: new Set() }
    publisher.on('error', (err: Error) => log.warn({ err }, 'publisher channel error'))
    publisher.on('close', () => discard(session))
    model.on('close', () => {
      if (current === session) current = undefined
    })
    for (const listener of listeners) await listener(session)
    current = session
    for (const waiter of waiters) waiter.resolve(session)
    waiters.clear()
    log.info('connected to the message broker')
  }

  const recovering: RecoveringChannelModel = await connect(options.url, {
    // Without it Nagle's algorithm holds small frames (acks, confirms) back ~40 ms at a time.
    noDelay: true,
    recovery: {
      initialDelay: options.initialDelayMs ?? 200,
      maxDelay: options.maxDelayMs ?? 10_000,
      initialMaxRetries: 3,
      setup,
    },
  })
  recovering.on('error', (err: Error) => log.warn({ err }, 'broker connection error'))
  recovering.on('disconnect', (err: Error) => log.warn({ err }, 'lost the message broker; reconnecting'))
  recovering.on('connect-failed', (err: Error) => log.warn({ err }, 'reconnecting to the message broker failed'))

  return {
    current: () => current,
    waitForSession(timeoutMs) {
      if (current) return Promise.resolve(current)
      if (isClosed || timeoutMs <= 0) return Promise.reject(unavailable())
      return new Promise<Session>((resolve, reject) => {
        const timer = setTimeout(() => settle(() => reject(unavailable())), timeoutMs)
        const settle = (finish: () => void) => {
          clearTimeout(timer)
          waiters.delete(waiter)
          finish()
        }
        const waiter: Waiter = {
          resolve: (session) => settle(() => resolve(session)),
          reject: (err) => settle(() => reject(err)),
        }
        waiters.add(waiter)
      })
    },
    addListener: (listener) => listeners.push(listener),
    discard,
    async close() {
      isClosed = true
      current = undefined
      for (const waiter of [...waiters]) waiter.reject(unavailable())
      await recovering.close()
    },
  }
}
