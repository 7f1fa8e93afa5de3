import type { Channel, ConfirmChannel, GetMessage, Message, Options } from 'amqplib'
import type { DeadJob } from './queue.port.js'

/** The attempt number the next delivery of this message is. */
export const ATTEMPT_HEADER = 'x-pulsebase-attempt'
/** The last error of a dead-lettered message. */
export const ERROR_HEADER = 'x-pulsebase-error'

// A delay queue outlives its last message by this much, then the broker deletes it.
const DELAY_QUEUE_IDLE_MS = 60_000

export function deadQueueName(queue: string): string {
  return `${queue}.dead`
}

/**
 * One holding queue per delay length, `<queue>.retry.<ms>`, with a queue-wide TTL that dead-letters
 * back into `<queue>`. A single `<queue>.retry` with per-message expiration would hold every
 * message behind the one at its head (RabbitMQ only expires from the head), so a 1-hour delayed
 * publish would stall every 50 ms retry behind it. With one TTL per queue the head always expires
 * first. `x-expires` removes a holding queue once it has been idle, so odd delays leave nothing behind.
 */
function delayQueueName(queue: string, delayMs: number): string {
  return `${queue}.retry.${delayMs}`
}

export async function assertWorkQueues(channel: Channel, queue: string): Promise<void> {
  await channel.assertQueue(queue, { durable: true })
  await channel.assertQueue(deadQueueName(queue), { durable: true })
}

/** Declares (and so keeps alive) the holding queue for `delayMs`; returns its name. */
export async function assertDelayQueue(channel: Channel, queue: string, delayMs: number): Promise<string> {
  const name = delayQueueName(queue, delayMs)
  await channel.assertQueue(name, {
    durable: true,
    arguments: {
      'x-message-ttl': delayMs,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': queue,
      'x-expires': delayMs + DELAY_QUEUE_IDLE_MS,
    },
  })
  return name
}

/** Persistent publish that resolves once the broker has confirmed it (and rejects on a nack). */
export function sendConfirmed(
  channel: ConfirmChannel,
  queue: string,
  body: Buffer,
  options: Options.Publish,
): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.sendToQueue(queue, body, { ...options, persistent: true, contentType: 'application/json' }, (err) => {
      if (err) reject(err instanceof Error ? err : new Error(`broker refused the message: ${String(err)}`))
      else resolve()
    })
  })
}

function headerNumber(message: Message, name: string): number | undefined {
  const value = Number(message.properties.headers?.[name])
  return Number.isInteger(value) && value > 0 ? value : undefined
}

/**
 * Classic queues do not count redeliveries, so a message the broker hands out again (its consumer
 * died or gave it back) counts one more attempt than its header says: a lower bound.
 */
export function readAttempt(message: Message & { fields: { redelivered: boolean } }): number {
  return (headerNumber(message, ATTEMPT_HEADER) ?? 1) + (message.fields.redelivered ? 1 : 0)
}

export function toDeadJob(queue: string, message: GetMessage): DeadJob {
  const error = message.properties.headers?.[ERROR_HEADER]
  return {
    id: String(message.properties.messageId ?? ''),
    queue,
    payload: JSON.parse(message.content.toString('utf8')) as unknown,
    attempts: headerNumber(message, ATTEMPT_HEADER) ?? 1,
    lastError: error === undefined || error === null ? null : String(error),
  }
}
