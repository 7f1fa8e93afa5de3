import type { ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'

// Every child a bench starts (servers, load generators) and every temporary directory, so none
// outlives the bench process, even when it is interrupted.
const live = new Set<ChildProcess>()
const dirs = new Set<string>()
let isInstalled = false

function killAll(): void {
  for (const child of live) child.kill('SIGKILL')
  live.clear()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  dirs.clear()
}

/** Kills every tracked child when this process exits, is interrupted or crashes. */
function installCleanup(): void {
  if (isInstalled) return
  isInstalled = true
  process.once('exit', killAll)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll()
      process.exit(130)
    })
  }
}

/** Tracks a child until it exits. */
export function track<T extends ChildProcess>(child: T): T {
  installCleanup()
  live.add(child)
  child.once('exit', () => live.delete(child))
  return child
}

/** Removes `dir` when this process exits; the returned function removes it now. */
export function trackDir(dir: string): () => void {
  installCleanup()
  dirs.add(dir)
  return () => {
    rmSync(dir, { recursive: true, force: true })
    dirs.delete(dir)
  }
}

/** Resolves with the exit code once the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

/** SIGTERM, then SIGKILL if the child has not exited after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  const done = exited(child)
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await done
  clearTimeout(timer)
}
