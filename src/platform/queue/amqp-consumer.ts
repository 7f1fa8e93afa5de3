import type { Channel, ConsumeMessage } from 'amqplib'
import type { Logger } from 'pino'
import type { Metrics } from '../metrics/metrics.js'
import type { AmqpLink, Session } from './amqp-link.js'
import { assertWorkQueues, readAttempt } from './amqp-topology.js'
import { describeError } from './job-error.js'
import type { JobHandler, RetryPolicy } from './queue.port.js'

/** What becomes of a failed delivery: a retry as `attempt` after `delayMs`, or dead after the `attempt` that failed. */
export type NextStep =
  { readonly attempt: number; readonly delayMs: number } | { readonly attempt: number; readonly error: string }

export interface ConsumerContext {
  readonly link: AmqpLink
  readonly log: Logger
  readonly metrics: Metrics
  readonly retry: RetryPolicy
  /** Publishes a failed message's next attempt (after `delayMs`) or its dead letter; resolves once confirmed. */
  republish(queue: string, message: ConsumeMessage, next: NextStep): Promise<void>
}

export interface AmqpConsumer {
  /** Subscribes on `session` (once per session); called again after every reconnect. */
  attach(session: Session): Promise<void>
  stop(): Promise<void>
}

interface Subscription {
  readonly session: Session
  readonly channel: Channel
  readonly tag: string
}

/** One subscription with prefetch = concurrency; acks only once the handler's outcome is settled. */
export function createAmqpConsumer(
  ctx: ConsumerContext,
  queue: string,
  handler: JobHandler,
  concurrency: number,
): AmqpConsumer {
  const inFlight = new Set<Promise<void>>()
  let subscription: Subscription | undefined
  let isStopped = false

  function onDelivery(session: Session, channel: Channel, message: ConsumeMessage | null): void {
    if (!message) {
      ctx.log.warn({ queue }, 'the broker cancelled the consumer; reconnecting')
      ctx.link.discard(session)
      return
    }
    if (isStopped) return settleSafely(ctx.log, () => channel.nack(message, false, true))
    const run: Promise<void> = handle(ctx, queue, handler, channel, message).finally(() => inFlight.delete(run))
    inFlight.add(run)
  }

  async function attach(session: Session): Promise<void> {
    if (isStopped || subscription?.session === session) return
    const channel = await session.model.createChannel()
    channel.on('error', (err: Error) => ctx.log.warn({ err, queue }, 'consumer channel error'))
    channel.on('close', () => {
      if (subscription?.channel === channel) subscription = undefined
      if (!isStopped) ctx.link.discard(session)
    })
    await assertWorkQueues(channel, queue)
    await channel.prefetch(concurrency)
    const { consumerTag } = await channel.consume(queue, (message) => onDelivery(session, channel, message), {
      noAck: false,
    })
    subscription = { session, channel, tag: consumerTag }
    ctx.log.debug({ queue, consumerTag }, 'consumer subscribed')
    if (isStopped) await channel.close().catch(() => {})
  }

  return {
    attach,
    async stop() {
      isStopped = true
      const current = subscription
      if (current) await current.channel.cancel(current.tag).catch(() => {})
      await Promise.all(inFlight)
      if (current) await current.channel.close().catch(() => {})
    },
  }
}

async function handle(
  ctx: ConsumerContext,
  queue: string,
  handler: JobHandler,
  channel: Channel,
  message: ConsumeMessage,
) {
  const attempt = readAttempt(message)
  const id = String(message.properties.messageId ?? `${queue}:${message.fields.deliveryTag}`)
  const log = ctx.log.child({ queue, jobId: id, attempt })
  const stopTimer = ctx.metrics.queueProcessingDuration.startTimer({ queue })
  try {
    await handler({ id, queue, payload: JSON.parse(message.content.toString('utf8')) as unknown, attempt })
  } catch (err) {
    stopTimer()
    return handleFailure(ctx, log, queue, channel, message, attempt, err)
  }
  stopTimer()
  settleSafely(log, () => channel.ack(message))
  ctx.metrics.queueProcessed.inc({ queue, outcome: 'ok' })
}

// The copy is confirmed before the original is acked: a crash in between delivers twice, never zero times.
async function handleFailure(
  ctx: ConsumerContext,
  log: Logger,
  queue: string,
  channel: Channel,
  message: ConsumeMessage,
  attempt: number,
  err: unknown,
): Promise<void> {
  const isLast = attempt >= ctx.retry.maxAttempts
  if (isLast) log.error({ err }, 'job failed on its last attempt; dead-lettering')
  else log.warn({ err }, 'job failed; will retry')
  try {
    await ctx.republish(
      queue,
      message,
      isLast ? { attempt, error: describeError(err) } : { attempt: attempt + 1, delayMs: ctx.retry.backoffMs(attempt) },
    )
  } catch (publishErr) {
    log.error({ err: publishErr }, 'could not republish the failed job; returning it to the queue')
    return settleSafely(log, () => channel.nack(message, false, true))
  }
  settleSafely(log, () => channel.ack(message))
  ctx.metrics.queueProcessed.inc({ queue, outcome: isLast ? 'dead' : 'retry' })
}

// An ack on a channel that died with its connection throws; the broker redelivers that message anyway.
function settleSafely(log: Logger, settle: () => void): void {
  try {
    settle()
  } catch (err) {
    log.warn({ err }, 'could not settle the delivery; the broker will redeliver it')
  }
}
