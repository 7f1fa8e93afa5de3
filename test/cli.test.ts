import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { once } from 'node:events'
import { runCli, startCli, tempDataDirs, waitForReady } from './helpers/cli.js'

const dataDir = tempDataDirs()

describe('pulsebase CLI', () => {
  test('bad configuration lists every bad variable, exits 2 and opens nothing', async () => {
    const dir = join(dataDir(), 'never-created')
    const result = await runCli(['serve'], {
      PULSEBASE_DATA_DIR: dir,
      PULSEBASE_HTTP_PORT: 'eighty',
      PULSEBASE_QUEUE_URL: 'kafka://x',
      PULSEBASE_COMPAT: 'mindsync,nope',
    })
    assert.equal(result.code, 2)
    for (const name of ['PULSEBASE_HTTP_PORT', 'PULSEBASE_QUEUE_URL', 'PULSEBASE_COMPAT'])
      assert.match(result.output, new RegExp(name))
    const { existsSync } = await import('node:fs')
    assert.equal(existsSync(dir), false)
  })

  test('migrate, then user create makes an account that can log in through a served process, which stops cleanly on SIGTERM', async () => {
    // trace: every log line the process can write is written, so the password check below can fail.
    const env = { PULSEBASE_DATA_DIR: dataDir(), PULSEBASE_LOG_LEVEL: 'trace' }
    const migrated = await runCli(['migrate'], env)
    assert.equal(migrated.code, 0, migrated.output)
    assert.match(migrated.output, /applied 0001_accounts/)
    assert.match((await runCli(['migrate'], env)).output, /up to date/)

    const created = await runCli(
      ['user', 'create', '--email', 'op@example.com', '--password', 'operator pw', '--admin'],
      env,
    )
    assert.equal(created.code, 0, created.output)
    assert.match(created.output, /created admin op@example.com/)
    assert.equal(created.output.includes('operator pw'), false, 'user create does not print the password')
    assert.equal(
      (await runCli(['user', 'create', '--email', 'op@example.com', '--password', 'operator pw'], env)).code,
      1,
    )
    const refused = await runCli(['user', 'create', '--email', 'not-an-email', '--password', 'short'], env)
    assert.equal(refused.code, 2)
    assert.match(refused.output, /--email must match format "email"/)
    assert.match(refused.output, /--password must not have fewer than 8 characters/)

    const port = 20000 + Math.floor(Math.random() * 20000)
    const server = startCli(['serve'], {
      ...env,
      PULSEBASE_HOST: '127.0.0.1',
      PULSEBASE_HTTP_PORT: String(port),
      PULSEBASE_GRPC_PORT: String(port + 1),
    })
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
