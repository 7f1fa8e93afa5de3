import { randomUUID } from 'node:crypto'
import type { ConsumeMessage, Options } from 'amqplib'
import type { Logger } from 'pino'
import { AppError } from '../../errors.js'
import type { Metrics } from '../metrics/metrics.js'
import { type AmqpConsumer, type ConsumerContext, createAmqpConsumer, type NextStep } from './amqp-consumer.js'
import { type AmqpLink, openAmqpLink, type Session } from './amqp-link.js'
import {
  ATTEMPT_HEADER,
  assertDelayQueue,
  assertWorkQueues,
  deadQueueName,
  ERROR_HEADER,
  sendConfirmed,
  toDeadJob,
} from './amqp-topology.js'
import type { DeadJob, QueueDepth, QueuePort, RetryPolicy } from './queue.port.js'

export interface AmqpQueueOptions {
  readonly url: string
  readonly metrics: Metrics
  readonly logger: Logger
  readonly retry: RetryPolicy
  /** How long publish and consume wait for the broker during an outage before rejecting `unavailable`. */
  readonly outageTimeoutMs?: number
  readonly reconnect?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number }
  /** Put before every queue name on the broker, so deployments (or test runs) can share one RabbitMQ. */
  readonly queuePrefix?: string
}

/** Where a message goes: a work queue now, its dead-letter queue, or a work queue after a delay. */
type Destination = { readonly queue: string; readonly delayMs: number; readonly isDead?: boolean }

// deadLetters() holds this many messages unacked at most while it looks for the newest ones.
const DEAD_LETTER_SCAN_LIMIT = 10_000

/** The scale-out queue on RabbitMQ: durable queues, publisher confirms, delay queues, dead-letter queues. */
export async function createAmqpQueue(options: AmqpQueueOptions): Promise<QueuePort> {
  const log = options.logger.child({ adapter: 'amqp' })
  const outageTimeoutMs = options.outageTimeoutMs ?? 30_000
  const consumers = new Set<AmqpConsumer>()
  const link = await openAmqpLink({ url: options.url, log, ...options.reconnect })
  link.addListener(async (session) => {
    for (const consumer of consumers) await consumer.attach(session)
  })
  const send = (destination: Destination, body: Buffer, properties: Options.Publish) =>
    sendDurably(link, outageTimeoutMs, destination, body, properties)
  const context: ConsumerContext = {
    link,
    log,
    metrics: options.metrics,
    retry: options.retry,
    republish: (queue, message, next) => send(...failedCopy(queue, message, next)),
  }
  let closing: Promise<void> | undefined
  const prefix = options.queuePrefix ?? ''

  return {
    kind: 'amqp',
    async publish(name, payload, publishOptions) {
      const queue = prefix + name
      const id = randomUUID()
      const delayMs = Math.max(0, Math.round(publishOptions?.delayMs ?? 0))
      await send({ queue, delayMs }, Buffer.from(JSON.stringify(payload ?? null)), {
        messageId: id,
        timestamp: Math.floor(Date.now() / 1000),
        headers: { [ATTEMPT_HEADER]: 1 },
      })
      options.metrics.queuePublished.inc({ queue })
      return id
    },
    async consume(name, handler, consumeOptions) {
      if (closing) throw new Error('queue is closed')
      const consumer = createAmqpConsumer(
        context,
        prefix + name,
        handler,
        Math.max(1, consumeOptions?.concurrency ?? 1),
      )
      consumers.add(consumer)
      try {
        await attachNow(link, consumer, outageTimeoutMs)
      } catch (err) {
        consumers.delete(consumer)
        await consumer.stop()
        throw err
      }
      return {
        stop: async () => {
          consumers.delete(consumer)
          await consumer.stop()
        },
      }
    },
    async deadLetters(name, limit = 50) {
      return readDeadLetters(await link.waitForSession(outageTimeoutMs), prefix + name, limit)
    },
    async settleDead(name, id, action) {
      const queue = prefix + name
      const retry = (content: Buffer) =>
        send({ queue, delayMs: 0 }, content, {
          messageId: id,
          timestamp: Math.floor(Date.now() / 1000),
          headers: { [ATTEMPT_HEADER]: 1 },
        })
      return settleDeadMessage(
        await link.waitForSession(outageTimeoutMs),
        queue,
        id,
        action === 'retry' ? retry : undefined,
      )
    },
    async depth(name) {
      return countMessages(await link.waitForSession(outageTimeoutMs), prefix + name, name)
    },
    async ping() {
      const session = link.current()
      if (!session) throw new AppError('unavailable', 'message broker unavailable')
      await session.publisher.checkExchange('amq.direct')
    },
    close() {
      closing ??= (async () => {
        const stopping = [...consumers].map((consumer) => consumer.stop())
        consumers.clear()
        await Promise.all(stopping)
        await link.close()
      })()
      return closing
    },
  }
}

// A session that dies while the consumer subscribes is not an error: the next session re-attaches it.
async function attachNow(link: AmqpLink, consumer: AmqpConsumer, timeoutMs: number): Promise<void> {
  const session = await link.waitForSession(timeoutMs)
  try {
    await consumer.attach(session)
  } catch (err) {
    if (link.current() === session) throw err
  }
}

// The copy keeps the message's id and body; only its attempt (and, when dead, its last error) change.
function failedCopy(queue: string, message: ConsumeMessage, next: NextStep): [Destination, Buffer, Options.Publish] {
  const { messageId, timestamp } = message.properties as { messageId?: string; timestamp?: number }
  if ('error' in next) {
    // The attempt that failed, as the consumer counted it (a redelivery counts even without a header).
    const headers = { [ATTEMPT_HEADER]: next.attempt, [ERROR_HEADER]: next.error }
    return [{ queue, delayMs: 0, isDead: true }, message.content, { messageId, timestamp, headers }]
  }
  const headers = { [ATTEMPT_HEADER]: next.attempt }
  return [{ queue, delayMs: Math.max(0, Math.round(next.delayMs)) }, message.content, { messageId, timestamp, headers }]
}

/**
 * Publishes with a confirm, waiting out a broker outage for up to `timeoutMs`. A message whose
 * connection dropped before its confirm is sent again on the next connection: at-least-once.
 */
async function sendDurably(
  link: AmqpLink,
  timeoutMs: number,
  destination: Destination,
  body: Buffer,
  properties: Options.Publish,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const session = await link.waitForSession(deadline - Date.now())
    try {
      await sendConfirmed(session.publisher, await resolveQueue(session, destination), body, properties)
      return
    } catch (err) {
      if (link.current() === session || Date.now() >= deadline) throw err
    }
  }
}

async function resolveQueue(session: Session, destination: Destination): Promise<string> {
  const { queue, delayMs } = destination
  if (!session.declared.has(queue)) {
    await assertWorkQueues(session.publisher, queue)
    session.declared.add(queue)
  }
  if (destination.isDead) return deadQueueName(queue)
  return delayMs > 0 ? assertDelayQueue(session.publisher, queue, delayMs) : queue
}

/** Messages ready in the work queue and in its dead-letter queue (held in a delay queue or unacked are not counted). */
async function countMessages(session: Session, queue: string, name: string): Promise<QueueDepth> {
  const channel = await session.model.createChannel()
  channel.on('error', () => {})
  try {
    await assertWorkQueues(channel, queue)
    const [work, dead] = [await channel.checkQueue(queue), await channel.checkQueue(deadQueueName(queue))]
    return { queue: name, ready: work.messageCount, dead: dead.messageCount }
  } finally {
    await channel.close().catch(() => {})
  }
}

/**
 * Reads the dead-letter queue without consuming it: basic.get each message unacked on a private
 * channel, then close that channel so the broker puts every one back in place. The queue is FIFO,
 * so the newest are the last ones read.
 */
/**
 * Takes dead job `id` off the dead queue, publishing its body to the work queue first when `retry`
 * is given. The other messages it passed stay (unacked, they return when the channel closes).
 */
async function settleDeadMessage(
  session: Session,
  queue: string,
  id: string,
  retry: ((content: Buffer) => Promise<void>) | undefined,
): Promise<boolean> {
  const channel = await session.model.createChannel()
  channel.on('error', () => {})
  try {
    await assertWorkQueues(channel, queue)
    const { messageCount } = await channel.checkQueue(deadQueueName(queue))
    for (let i = 0; i < Math.min(messageCount, DEAD_LETTER_SCAN_LIMIT); i++) {
      const message = await channel.get(deadQueueName(queue), { noAck: false })
      if (!message) break
      if (toDeadJob(queue, message).id !== id) continue
      await retry?.(message.content)
      channel.ack(message)
      return true
    }
    return false
  } finally {
    await channel.close().catch(() => {})
  }
}

async function readDeadLetters(session: Session, queue: string, limit: number): Promise<DeadJob[]> {
  const channel = await session.model.createChannel()
  channel.on('error', () => {})
  try {
    await assertWorkQueues(channel, queue)
    const { messageCount } = await channel.checkQueue(deadQueueName(queue))
    const seen: DeadJob[] = []
    for (let i = 0; i < Math.min(messageCount, DEAD_LETTER_SCAN_LIMIT); i++) {
      const message = await channel.get(deadQueueName(queue), { noAck: false })
      if (!message) break
      seen.push(toDeadJob(queue, message))
    }
    return seen.slice(Math.max(0, seen.length - limit)).reverse()
  } finally {
    await channel.close().catch(() => {})
  }
}
