export type Listener = (message: unknown) => void

/** Live fan-out across API processes: best-effort, not durable (the queue is for that). */
export interface PubSubPort {
  readonly kind: 'memory' | 'redis'
  publish(channel: string, message: unknown): Promise<void>
  /**
   * False only when no process can be listening on `channel` now, so a publisher may skip building
   * the message: the in-process adapter knows its subscriptions; a broker's adapter answers true.
   * Throws, as publish does, once the adapter is closed.
   */
  mayHaveSubscribers(channel: string): boolean
  /** Resolves once the subscription is active; the returned function unsubscribes. */
  subscribe(channel: string, listener: Listener): Promise<() => Promise<void>>
  ping(): Promise<void>
  close(): Promise<void>
}
