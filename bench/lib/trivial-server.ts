import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { stopChild, track } from './children.js'
import { processCpuSeconds } from './stats.js'

const SCRIPT = fileURLToPath(new URL('../trivial-grpc-server.ts', import.meta.url))

export interface TrivialServer {
  readonly grpcAddress: string
  cpuSeconds(): number | undefined
  stop(): Promise<void>
}

/** Starts bench/trivial-grpc-server.ts in a child process; resolves once it has bound a port. */
export async function startTrivialServer(): Promise<TrivialServer> {
  const child = track(spawn(process.execPath, ['--import', 'tsx', SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] }))
  const port = await new Promise<string>((resolve, reject) => {
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening (\d+)/.exec(output)
      if (match?.[1] !== undefined) resolve(match[1])
    })
    child.once('exit', (code) => reject(new Error(`trivial gRPC server exited (${code}) before listening`)))
  })
  const pid = child.pid as number
  return {
    grpcAddress: `127.0.0.1:${port}`,
    cpuSeconds: () => processCpuSeconds(pid),
    stop: () => stopChild(child, 5000),
  }
}
