import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { exited, stopChild, track } from './children.js'
import { sleep } from './stats.js'
import { awaitQuietMachine, type Window, windowFrom } from './window.js'

export type { Window }

// The protocol between a bench and its load-generator children, over the IPC channel:
// parent -> {config}; child -> {ready}; parent -> {go, window}; child -> {result}; child exits.

type ParentMessage<C> =
  { readonly type: 'config'; readonly config: C } | { readonly type: 'go'; readonly window: Window }
type ChildMessage<R> =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly result: R }
  | { readonly type: 'failed'; readonly message: string }

function nextMessage<R>(child: ChildProcess): Promise<ChildMessage<R>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ChildMessage<R>) => {
      child.off('exit', onExit)
      if (message.type === 'failed') reject(new Error(`load child failed: ${message.message}`))
      else resolve(message)
    }
    const onExit = (code: number | null) => {
      child.off('message', onMessage)
      reject(new Error(`load child exited (${code}) before answering`))
    }
    child.once('message', onMessage)
    child.once('exit', onExit)
  })
}

export interface LoadTiming {
  readonly warmupMs: number
  readonly durationMs: number
  /** Waits up to this long, once the children are ready, for other processes to leave the CPUs alone. */
  readonly quietWaitMs: number
  /** When set, each child writes a V8 CPU profile here on exit. */
  readonly cpuProfDir?: string | undefined
  /** Called with the window once it is fixed, e.g. to meter the server's CPU over it. */
  readonly onWindow?: (window: Window) => void
}

/**
 * Forks one load child per config (a TypeScript file run through tsx), waits until all are
 * connected, starts them together and collects one result from each.
 */
export async function runLoadChildren<C, R>(script: URL, configs: readonly C[], timing: LoadTiming): Promise<R[]> {
  const profile = timing.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${timing.cpuProfDir}`]
  const children = configs.map(() =>
    track(fork(fileURLToPath(script), [], { execArgv: ['--import', 'tsx', ...profile], stdio: 'inherit' })),
  )
  try {
    const ready = children.map((child) => nextMessage<R>(child))
    children.forEach((child, i) => child.send({ type: 'config', config: configs[i] as C } satisfies ParentMessage<C>))
    await Promise.all(ready)
    if (timing.quietWaitMs > 0) await awaitQuietMachine(timing.quietWaitMs)
    const window = windowFrom(Date.now() + 200, timing.warmupMs, timing.durationMs)
    timing.onWindow?.(window)
    const results = children.map((child) => nextMessage<R>(child))
    for (const child of children) child.send({ type: 'go', window } satisfies ParentMessage<C>)
    const messages = await Promise.all(results)
    return messages.map((m) => (m as { result: R }).result)
  } finally {
    // A child exits by itself after its result (writing its CPU profile, if any); the rest are stopped.
    await Promise.all(
      children.map((child) => Promise.race([exited(child), sleep(5000)]).then(() => stopChild(child, 5000))),
    )
  }
}

/** The child side: prepare with the config, report ready, run in the window, report the result, exit. */
export function serveLoad<C, R>(prepare: (config: C) => Promise<(window: Window) => Promise<R>>): void {
  const send = (message: ChildMessage<R>) => process.send?.(message)
  process.once('disconnect', () => process.exit(1)) // the bench is gone: do not linger
  let run: ((window: Window) => Promise<R>) | undefined
  process.on('message', (message: ParentMessage<C>) => {
    const step =
      message.type === 'config'
        ? prepare(message.config).then((r) => ((run = r), send({ type: 'ready' })))
        : runAndExit(message.window)
    step.catch((error: unknown) => {
      send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) })
      process.exit(1)
    })
  })
  async function runAndExit(window: Window): Promise<void> {
    if (run === undefined) throw new Error('go before config')
    const result = await run(window)
    process.send?.({ type: 'result', result } satisfies ChildMessage<R>, () => process.exit(0))
  }
}
