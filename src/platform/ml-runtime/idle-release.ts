// A resource that is opened on its first use and closed again once it has been idle: the training
// threads (ml-runtime.ts) and the SQLite reader threads (db/sqlite-readers.ts), each tens of MB
// resident while it exists.

/** What `releasedWhenIdle` returns. */
export interface IdleReleased<T> {
  /** Runs `work` with the resource, opening it first when it is not open; the idle period starts when the last use in flight ends. */
  use<R>(work: (resource: T) => Promise<R>): Promise<R>
  /** The resource while it is open, else undefined. */
  current(): T | undefined
  /** Closes the resource now (if open) and stops the idle timer; a later `use` opens it again. */
  close(): Promise<void>
}

/**
 * Holds what `open` returns from the first `use` until no use has been in flight for `idleMs`
 * milliseconds, then hands it to `close` (whose rejection is ignored: the resource is gone either
 * way). The timer is unref'd, so it never keeps the process alive.
 */
export function releasedWhenIdle<T>(options: {
  open: () => T
  close: (resource: T) => Promise<void>
  idleMs: number
}): IdleReleased<T> {
  let resource: T | undefined
  let inFlight = 0
  let timer: NodeJS.Timeout | undefined
  const release = () => {
    timer = undefined
    const held = resource
    if (inFlight > 0 || held === undefined) return
    resource = undefined
    options.close(held).catch(() => undefined)
  }
  return {
    async use(work) {
      clearTimeout(timer)
      inFlight += 1
      try {
        resource ??= options.open()
        return await work(resource)
      } finally {
        inFlight -= 1
        if (inFlight === 0) timer = setTimeout(release, options.idleMs).unref()
      }
    },
    current: () => resource,
    async close() {
      clearTimeout(timer)
      const held = resource
      resource = undefined
      if (held !== undefined) await options.close(held)
    },
  }
}
