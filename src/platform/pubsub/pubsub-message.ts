import type { Listener } from './pubsub.port.js'

/** Serialises the way every adapter does, so memory and Redis accept and reject the same messages. */
export function encodeMessage(message: unknown): string {
  const text = JSON.stringify(message)
  if (text === undefined) throw new TypeError('A pub/sub message must be JSON-serialisable')
  return text
}

/** Runs one listener on its own copy; a throwing listener never stops delivery to the others. */
export function deliver(listener: Listener, text: string, report: (error: unknown) => void): void {
  try {
    listener(JSON.parse(text))
  } catch (error) {
    report(error)
  }
}
