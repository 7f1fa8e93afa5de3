// Slow clients and shutdown with a real process and a real SIGTERM (issue 11, point 4): a trickled
// request is cut with 408 in the one error body; on SIGTERM /readyz answers 503 while the listener
// still serves, the process exits 0 after a clean drain, and a call that never finishes cannot hold
// the shutdown past PULSEBASE_SHUTDOWN_TIMEOUT_MS (exit 1).
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, connect as connectTcp, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { TEST_JWT_SECRET } from './helpers/app.js'
import { databaseTargets, type TestDatabase } from './helpers/databases.js'

const BIN = join(import.meta.dirname, '..', 'bin', 'pulsebase.js')
const targets = (await databaseTargets()).filter((t) => t.kind !== 'mysql')

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

interface Served {
  readonly child: ChildProcess
  readonly url: string
  readonly port: number
  output(): string
}

async function serve(env: Record<string, string>): Promise<Served> {
  const [port, grpcPort] = [await freePort(), await freePort()]
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: {
      PATH: process.env.PATH,
      PULSEBASE_HOST: '127.0.0.1',
      PULSEBASE_HTTP_PORT: String(port),
      PULSEBASE_GRPC_PORT: String(grpcPort),
      PULSEBASE_JWT_SECRET: TEST_JWT_SECRET,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (d) => (output += d))
  child.stderr?.on('data', (d) => (output += d))
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 300; i += 1) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`)
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      )
    )
      return { child, url, port, output: () => output }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill('SIGKILL')
  throw new Error(`server never became ready: ${output}`)
}

/** A POST whose body arrives a byte at a time, every `everyMs`, and never completes on its own. */
function trickle(port: number, everyMs: number): { socket: Socket; answer: Promise<string> } {
  const socket = connectTcp(port, '127.0.0.1')
  socket.write(
    'POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
  )
  const timer = setInterval(() => socket.writable && socket.write(' '), everyMs)
  let text = ''
  socket.on('data', (d) => (text += d))
  socket.on('error', () => undefined)
  const answer = new Promise<string>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer)
      resolve(text)
    }),
  )
  return { socket, answer }
}

for (const target of targets) {
  describe(`slow clients and shutdown of a served process on ${target.kind}`, { skip: target.skip }, () => {
    let db: TestDatabase
    let dataDir: string
    before(async () => {
      db = await target.create()
      dataDir = mkdtempSync(join(tmpdir(), 'pulsebase-shutdown-'))
    })
    after(async () => {
      rmSync(dataDir, { recursive: true, force: true })
      await db?.drop()
    })
    const buildEnv = (extra: Record<string, string>) => ({
      PULSEBASE_DATA_DIR: dataDir,
      PULSEBASE_DATABASE_URL: db.url,
      PULSEBASE_LOG_LEVEL: 'info',
      ...extra,
    })

    test('a trickled body gets 408 in the one error body; SIGTERM then turns /readyz 503 while serving, and the process exits 0', async () => {
      const server = await serve(
        buildEnv({
          PULSEBASE_REQUEST_TIMEOUT_MS: '1500',
          PULSEBASE_HEADERS_TIMEOUT_MS: '1000',
          PULSEBASE_SHUTDOWN_DELAY_MS: '1500',
          PULSEBASE_SHUTDOWN_TIMEOUT_MS: '10000',
        }),
      )
      try {
        const slow = trickle(server.port, 200)
        const answer = await slow.answer
        assert.match(answer, /^HTTP\/1\.1 408 /)
        assert.deepEqual(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)), {
          error: { code: 'request_timeout', message: 'The request was not received in time', details: [] },
        })

        const exited = once(server.child, 'exit')
        server.child.kill('SIGTERM')
        let sawNotReady = false
        for (let i = 0; i < 100 && !sawNotReady; i += 1) {
          const reply = await fetch(`${server.url}/readyz`).then(
            (r) => r.json() as Promise<any>,
            () => undefined,
          )
          if (reply === undefined) break
          sawNotReady = reply.status === 'unavailable' && reply.checks.process === 'shutting down'
          if (!sawNotReady) await new Promise((resolve) => setTimeout(resolve, 20))
        }
        assert.ok(sawNotReady, `readyz answered 503 before the listener closed: ${server.output()}`)
        const [code] = (await exited) as [number | null]
        assert.equal(code, 0, server.output())
        assert.match(server.output(), /"isClean":true/)
      } finally {
        server.child.kill('SIGKILL')
      }
    })

    test('a request that never finishes cannot hold the shutdown past its timeout: cut, exit 1', async () => {
      const server = await serve(
        buildEnv({
          PULSEBASE_REQUEST_TIMEOUT_MS: '600000',
          PULSEBASE_HEADERS_TIMEOUT_MS: '600000',
          PULSEBASE_SHUTDOWN_DELAY_MS: '0',
          PULSEBASE_SHUTDOWN_TIMEOUT_MS: '1500',
        }),
      )
      try {
        const slow = trickle(server.port, 200)
        await new Promise((resolve) => setTimeout(resolve, 300)) // the request is in flight
        const exited = once(server.child, 'exit')
        server.child.kill('SIGTERM')
        const [code] = (await exited) as [number | null]
        assert.equal(code, 1, server.output())
        assert.match(server.output(), /shutdown cut calls or jobs still open/)
        await slow.answer // the server closed the connection
      } finally {
        server.child.kill('SIGKILL')
      }
    })
  })
}
