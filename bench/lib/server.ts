import { spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { exited, stopChild, track, trackDir } from './children.js'
import { processCpuSeconds, sleep } from './stats.js'

const BIN = fileURLToPath(new URL('../../bin/pulsebase.js', import.meta.url))
const READY_TIMEOUT_MS = 60_000
const BENCH_JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123'

export interface BenchServer {
  readonly httpUrl: string
  readonly grpcAddress: string
  readonly pid: number
  /** The server's data dir (its SQLite file is `pulsebase.sqlite` there). */
  readonly dataDir: string
  /** CPU seconds the server process has used so far (undefined off Linux). */
  cpuSeconds(): number | undefined
  /** SIGTERM (so a CPU profile gets written), SIGKILL after a grace period; removes the data dir. */
  stop(): Promise<void>
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n')
  } catch {
    return '(no log)'
  }
}

async function waitUntilReady(httpUrl: string, hasExited: () => boolean, logFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error(`pulsebase exited before it was ready:\n${logTail(logFile)}`)
    const response = await fetch(`${httpUrl}/readyz`).catch(() => undefined)
    if (response?.status === 200) return
    await sleep(100)
  }
  throw new Error(`pulsebase was not ready within ${READY_TIMEOUT_MS} ms:\n${logTail(logFile)}`)
}

/** `pulsebase serve` in a child process on a fresh data dir (SQLite, in-process queue unless `env` says otherwise), once /readyz answers 200. */
export async function startServer(
  options: { cpuProfDir?: string | undefined; env?: Record<string, string> } = {},
): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pulsebase-bench-'))
  const cleanup = trackDir(dataDir)
  const [httpPort, grpcPort] = [await freePort(), await freePort()]
  const logFile = join(dataDir, 'server.log')
  const log = openSync(logFile, 'a')
  const profFlags = options.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`]
  const child = track(
    spawn(process.execPath, [...profFlags, BIN, 'serve'], {
      env: {
        ...process.env,
        PULSEBASE_DATA_DIR: dataDir,
        PULSEBASE_HTTP_PORT: String(httpPort),
        PULSEBASE_GRPC_PORT: String(grpcPort),
        PULSEBASE_HOST: '127.0.0.1',
        PULSEBASE_LOG_LEVEL: 'warn',
        PULSEBASE_JWT_SECRET: BENCH_JWT_SECRET,
        PULSEBASE_SHUTDOWN_TIMEOUT_MS: '3000',
        ...options.env,
      },
      stdio: ['ignore', log, log],
    }),
  )
  closeSync(log)
  const httpUrl = `http://127.0.0.1:${httpPort}`
  try {
    await waitUntilReady(httpUrl, () => child.exitCode !== null || child.signalCode !== null, logFile)
  } catch (error) {
    child.kill('SIGKILL')
    await exited(child)
    cleanup()
    throw error
  }
  const pid = child.pid as number
  return {
    httpUrl,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    pid,
    dataDir,
    cpuSeconds: () => processCpuSeconds(pid),
    async stop() {
      await stopChild(child, 10_000)
      cleanup()
    },
  }
}

export interface BenchWorker {
  stop(): Promise<void>
}

/** `pulsebase worker` in a child process with `env` (which must name the server's database and queue), once it consumes. */
export async function startWorker(env: Record<string, string>): Promise<BenchWorker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pulsebase-bench-worker-'))
  const cleanup = trackDir(dataDir)
  const logFile = join(dataDir, 'worker.log')
  const log = openSync(logFile, 'a')
  const child = track(
    spawn(process.execPath, [BIN, 'worker'], {
      env: {
        ...process.env,
        PULSEBASE_DATA_DIR: dataDir,
        PULSEBASE_LOG_LEVEL: 'info',
        PULSEBASE_JWT_SECRET: BENCH_JWT_SECRET,
        ...env,
      },
      stdio: ['ignore', log, log],
    }),
  )
  closeSync(log)
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (!logTail(logFile).includes('worker started')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      cleanup()
      throw new Error(`pulsebase worker did not start:\n${logTail(logFile)}`)
    }
    await sleep(100)
  }
  return {
    async stop() {
      await stopChild(child, 10_000)
      cleanup()
    },
  }
}
