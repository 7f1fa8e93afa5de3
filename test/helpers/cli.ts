// Running the real `pulsebase` binary (bin/pulsebase.js) as a child process, as an operator would.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
import { pollUntil } from './poll.js'

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'pulsebase.js')

/** A started `pulsebase` process; `output()` is everything it wrote to stdout and stderr so far. */
export type CliProcess = ChildProcess & { output(): string }

/** Starts `pulsebase <args>` with only PATH and `env` in its environment. */
export function startCli(args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (d) => (output += d))
  child.stderr?.on('data', (d) => (output += d))
  return Object.assign(child, { output: () => output })
}

/** Runs `pulsebase <args>` to its exit; resolves with the exit code and everything it printed. */
export async function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = startCli(args, env)
  const [code] = (await once(child, 'exit')) as [number | null]
  return { code, output: child.output() }
}

/** Polls `url` until it answers 200; throws with the process's output if it exits first or never gets there. */
export async function waitForReady(url: string, child: CliProcess): Promise<void> {
  await pollUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`server exited: ${child.output()}`)
      return fetch(url).then(
        (r) => r.status === 200,
        () => false,
      )
    },
    (isReady) => isReady,
    `the server to become ready: ${url}`,
    { intervalMs: 100, tries: 200 },
  )
}

/** A fresh data directory, removed when the calling test file ends (register from the file's top level). */
export function tempDataDirs(): () => string {
  const dirs: string[] = []
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulsebase-cli-'))
    dirs.push(dir)
    return dir
  }
}
