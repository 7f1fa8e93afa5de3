import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { once } from 'node:events'

const BIN = join(import.meta.dirname, '..', 'bin', 'pulsebase.js')
const dirs: string[] = []
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pulsebase-cli-'))
  dirs.push(dir)
  return dir
}

function start(args: string[], env: Record<string, string>): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  return Object.assign(child, { output: () => output })
}

async function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = start(args, env)
  const [code] = (await once(child, 'exit')) as [number | null]
  return { code, output: child.output() }
}

async function waitForReady(url: string, child: ChildProcess & { output: () => string }): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (child.exitCode !== null) throw new Error(`server exited: ${child.output()}`)
    const ok = await fetch(url).then((r) => r.status === 200, () => false)
    if (ok) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`server never became ready: ${child.output()}`)
}

describe('pulsebase CLI', () => {
  test('bad configuration lists every bad variable, exits 2 and opens nothing', async () => {
    const dir = join(dataDir(), 'never-created')
    const result = await run(['serve'], {
      PULSEBASE_DATA_DIR: dir,
      PULSEBASE_HTTP_PORT: 'eighty',
      PULSEBASE_QUEUE_URL: 'kafka://x',
      PULSEBASE_COMPAT: 'mindsync,nope',
    })
    assert.equal(result.code, 2)
    for (const name of ['PULSEBASE_HTTP_PORT', 'PULSEBASE_QUEUE_URL', 'PULSEBASE_COMPAT']) assert.match(result.output, new RegExp(name))
    const { existsSync } = await import('node:fs')
    assert.equal(existsSync(dir), false)
  })

  test('migrate, then user create makes an account that can log in through a served process, which stops cleanly on SIGTERM', async () => {
    // trace: every log line the process can write is written, so the password check below can fail.
    const env = { PULSEBASE_DATA_DIR: dataDir(), PULSEBASE_LOG_LEVEL: 'trace' }
    const migrated = await run(['migrate'], env)
    assert.equal(migrated.code, 0, migrated.output)
    assert.match(migrated.output, /applied 0001_accounts/)
    assert.match((await run(['migrate'], env)).output, /up to date/)

    const created = await run(['user', 'create', '--email', 'op@example.com', '--password', 'operator pw', '--admin'], env)
    assert.equal(created.code, 0, created.output)
    assert.match(created.output, /created admin op@example.com/)
    assert.equal(created.output.includes('operator pw'), false, 'user create does not print the password')
    assert.equal((await run(['user', 'create', '--email', 'op@example.com', '--password', 'operator pw'], env)).code, 1)
    const refused = await run(['user', 'create', '--email', 'not-an-email', '--password', 'short'], env)
    assert.equal(refused.code, 2)
    assert.match(refused.output, /--email must match format "email"/)
    assert.match(refused.output, /--password must not have fewer than 8 characters/)

    const port = 20000 + Math.floor(Math.random() * 20000)
    const server = start(['serve'], { ...env, PULSEBASE_HOST: '127.0.0.1', PULSEBASE_HTTP_PORT: String(port), PULSEBASE_GRPC_PORT: String(port + 1) })
    try {
      await waitForReady(`http://127.0.0.1:${port}/readyz`, server)
      const login = await fetch(`http://127.0.0.1:${port}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'op@example.com', password: 'operator pw' }),
      })
      assert.equal(login.status, 200)
      assert.equal(((await login.json()) as { user: { role: string } }).user.role, 'admin')
    } finally {
      server.kill('SIGTERM')
    }
    const [code] = await once(server, 'exit')
    assert.equal(code, 0, server.output())
    assert.equal(server.output().includes('operator pw'), false, 'the password is never logged')
  })
})
