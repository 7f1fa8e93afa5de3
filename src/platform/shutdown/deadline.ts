// A shutdown's time budget, shared by its steps.

/** What `createDeadline` returns: the time left, whether every step finished, and a bound for a step. */
export interface Deadline {
  /** Milliseconds left of the budget (0 once it ran out). */
  leftMs(): number
  /** True while every bounded step finished in time. */
  isClean(): boolean
  /** Waits for `work` until the deadline; then runs `force` (if any) and waits for `work` to settle. */
  bound(work: Promise<unknown>, force?: () => void): Promise<void>
}

/** A shutdown's time budget of `budgetMs` milliseconds: each bounded step gets what is left, and is forced (or left behind) when it runs out. */
export function createDeadline(budgetMs: number): Deadline {
  const endsAt = Date.now() + budgetMs
  let isClean = true
  const leftMs = () => Math.max(0, endsAt - Date.now())
  return {
    leftMs,
    isClean: () => isClean,
    async bound(work, force) {
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), leftMs())))
      const outcome = await Promise.race([
        work.then(
          () => 'done' as const,
          () => 'done' as const,
        ),
        late,
      ])
      clearTimeout(timer)
      if (outcome === 'done') return
      isClean = false
      if (force === undefined) return
      force()
      await work.catch(() => undefined)
    },
  }
}
