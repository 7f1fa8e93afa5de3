// Group commit: writes that arrive while a transaction is in flight wait and are committed together
// in the next one. Under load thousands of small writes become a few transactions (SQLite has one
// writer anyway); when idle a write goes out at once.

export interface GroupCommit<Request, Outcome> {
  /** Resolves with this request's outcome once its transaction has committed; rejects if it failed. */
  write(request: Request): Promise<Outcome>
  /** Waits for every write in flight. */
  drain(): Promise<void>
}

export interface GroupCommitOptions<Request, Outcome> {
  /** Writes the requests in one transaction; answers one outcome per request, in order. */
  readonly commit: (requests: readonly Request[]) => Promise<Outcome[]>
  /** The size of a request (rows), against `maxItems`. */
  readonly sizeOf: (request: Request) => number
  /** A commit takes waiting requests up to this many rows (always at least one request) ... */
  readonly maxItems: number
  /** ... and at most this many requests: callers answered in small waves keep clients busy meanwhile. */
  readonly maxRequests: number
}

interface Pending<Request, Outcome> {
  readonly request: Request
  resolve(outcome: Outcome): void
  reject(error: unknown): void
}

export function createGroupCommit<Request, Outcome>(
  options: GroupCommitOptions<Request, Outcome>,
): GroupCommit<Request, Outcome> {
  let waiting: Pending<Request, Outcome>[] = []
  let inFlight: Promise<void> | undefined

  function takeBatch(): Pending<Request, Outcome>[] {
    let items = 0
    let i = 0
    while (i < waiting.length && i < options.maxRequests) {
      const size = options.sizeOf((waiting[i] as Pending<Request, Outcome>).request)
      if (i > 0 && items + size > options.maxItems) break
      items += size
      i += 1
    }
    const batch = waiting.slice(0, i)
    waiting = waiting.slice(i)
    return batch
  }

  async function flushLoop(): Promise<void> {
    while (waiting.length > 0) {
      const batch = takeBatch()
      try {
        const outcomes = await options.commit(batch.map((p) => p.request))
        batch.forEach((pending, i) => pending.resolve(outcomes[i] as Outcome))
      } catch (error) {
        for (const pending of batch) pending.reject(error)
      }
      // Let the event loop take in more requests (and answer these callers) before the next commit.
      await new Promise((resolve) => setImmediate(resolve))
    }
    inFlight = undefined
  }

  return {
    write(request) {
      return new Promise<Outcome>((resolve, reject) => {
        waiting.push({ request, resolve, reject })
        inFlight ??= new Promise<void>((done) => setImmediate(done)).then(flushLoop)
      })
    },
    async drain() {
      while (inFlight !== undefined) await inFlight
    },
  }
}
