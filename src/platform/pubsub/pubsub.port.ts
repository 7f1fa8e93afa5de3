export type Listener = (message: unknown) => void

/** Live fan-out across API processes: best-effort, not durable (the queue is for that). */
export interface PubSubPort {
  readonly kind: 'memory' | 'redis'
  publish(channel: string, message: unknown): Promise<void>
  /** Resolves once the subscription is active; the returned function unsubscribes. */
  subscribe(channel: string, listener: Listener): Promise<() => Promise<void>>
  ping(): Promise<void>
  close(): Promise<void>
}
