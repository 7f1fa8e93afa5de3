// The one polling helper of the tests: for state that another process, connection or worker changes
// and that no event announces. It counts tries rather than reading the clock, so nothing here
// measures time; the bound only keeps a broken test from hanging.
import { setTimeout as sleep } from 'node:timers/promises'

export interface PollOptions {
  /** Pause between reads, in milliseconds (default 25). */
  intervalMs?: number
  /** Reads before giving up (default 4800, about 2 minutes at the default pause: a loaded machine is slow, and a test file has ten minutes). */
  tries?: number
}

/**
 * Reads `read()` until `isDone(value)` holds and returns that value.
 * Throws `Error('timed out waiting for <what>')` after `tries` reads that were not done.
 */
export async function pollUntil<T>(
  read: () => T | Promise<T>,
  isDone: (value: T) => boolean,
  what: string,
  { intervalMs = 25, tries = 4800 }: PollOptions = {},
): Promise<T> {
  for (let i = 0; i < tries; i += 1) {
    const value = await read()
    if (isDone(value)) return value
    await sleep(intervalMs)
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** Waits until `check()` is true (see `pollUntil`). */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  options?: PollOptions,
): Promise<void> {
  await pollUntil(check, (done) => done, what, options)
}

/** Reads `read()` until it returns something other than `undefined`, and returns that (see `pollUntil`). */
export async function pollDefined<T>(
  read: () => Promise<T | undefined>,
  what: string,
  options?: PollOptions,
): Promise<T> {
  return (await pollUntil(read, (value) => value !== undefined, what, options)) as T
}
