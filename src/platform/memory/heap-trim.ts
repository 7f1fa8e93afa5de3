// Keeps the V8 heap of an idle process small.
//
// While a server starts (about 2,000 modules loaded, route tables built, migrations run) most of what
// it allocates survives, and V8 answers by doubling its young generation up to two 16 MB semi-spaces,
// which it keeps: only a full collection after seconds of low allocation shrinks them, and an idle
// server allocates too little to cause one. So `bin/pulsebase.js` starts the process with
// `--semi-space-growth-factor=1` (the young generation keeps its first size), the start ends with
// `allowYoungGenerationGrowth` (V8's default factor again, so load gets the larger young generation
// it collects faster with), and `trimHeapWhenQuiet` collects once the process is quiet after load.
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { Logger } from 'pino'

/** V8's own `--semi-space-growth-factor` (Node 20 to 24), restored once the process has started. */
export const V8_SEMI_SPACE_GROWTH_FACTOR = 2
/** How often the process is checked for quiet (ms). */
export const QUIET_CHECK_MS = 30_000
/** At most this share of one core used since the last check (all threads) counts as quiet. */
export const QUIET_CPU_SHARE = 0.02
/** A trim only when V8's heap spaces have grown by this much (bytes) since the start or the last trim. */
export const TRIM_GROWTH_BYTES = 8 * 1024 * 1024

/** Ends the start-up hold of `bin/pulsebase.js` on the young generation (idempotent). */
export function allowYoungGenerationGrowth(): void {
  setFlagsFromString(`--semi-space-growth-factor=${V8_SEMI_SPACE_GROWTH_FACTOR}`)
}

/** What `trimHeapWhenQuiet` returns. */
export interface HeapTrimmer {
  /** Stops the checks (idempotent). */
  stop(): void
}

/** Options of `trimHeapWhenQuiet`, each defaulting to the constant of the same name (tests shorten them). */
export interface HeapTrimOptions {
  readonly checkMs?: number
  readonly quietCpuShare?: number
  readonly growthBytes?: number
  /** Called after each trim with V8's heap space bytes before and after it. */
  readonly onTrim?: (trim: { readonly beforeBytes: number; readonly afterBytes: number }) => void
}

/** `gc()` of a context made while `--expose-gc` is set; the main context never gets a global `gc`. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc')
  try {
    return runInNewContext('gc') as () => void
  } finally {
    setFlagsFromString('--no-expose-gc')
  }
}

/** Bytes V8 has reserved for its heap spaces now (what the resident size follows, not what is live). */
export function heapSpaceBytes(): number {
  let total = 0
  for (const space of getHeapSpaceStatistics()) total += space.space_size
  return total
}

/**
 * Checks every `QUIET_CHECK_MS` whether the process was quiet since the previous check (under
 * `QUIET_CPU_SHARE` of a core, all threads counted) while V8's heap spaces are `TRIM_GROWTH_BYTES`
 * larger than at the call or the last trim; then runs one full collection, which after a quiet
 * period also shrinks the young generation a burst of load grew. The collection blocks the event
 * loop for some tens of milliseconds, so it runs only when nothing else does. The timer is unref'd.
 */
export function trimHeapWhenQuiet(logger: Logger, options: HeapTrimOptions = {}): HeapTrimmer {
  const checkMs = options.checkMs ?? QUIET_CHECK_MS
  const gc = exposeGc()
  let trimmedTo = heapSpaceBytes()
  let cpu = process.cpuUsage()
  const check = () => {
    const used = process.cpuUsage(cpu)
    cpu = process.cpuUsage()
    const share = (used.user + used.system) / 1000 / checkMs
    const beforeBytes = heapSpaceBytes()
    if (share >= (options.quietCpuShare ?? QUIET_CPU_SHARE)) return
    if (beforeBytes <= trimmedTo + (options.growthBytes ?? TRIM_GROWTH_BYTES)) return
    gc()
    trimmedTo = heapSpaceBytes()
    logger.debug({ heapBeforeBytes: beforeBytes, heapAfterBytes: trimmedTo }, 'heap trimmed')
    options.onTrim?.({ beforeBytes, afterBytes: trimmedTo })
  }
  const timer = setInterval(check, checkMs).unref()
  return {
    stop() {
      clearInterval(timer)
    },
  }
}
