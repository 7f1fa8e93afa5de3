// Secrets stay out of logs, and files pulsebase keeps are private (issue 11, point 5): the data dir 0700, the SQLite database
// with its WAL and SHM, and the generated JWT secret 0600, also when an older version left them
// readable by every local user.
import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { request as httpRequest } from 'node:http'
import { Writable } from 'node:stream'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { createLogger } from '../src/platform/logging/logger.js'
import { client, signUp, startTestApp, TEST_JWT_SECRET } from './helpers/app.js'

const root = mkdtempSync(join(tmpdir(), 'pulsebase-modes-'))
after(() => rmSync(root, { recursive: true, force: true }))
const readMode = (path: string) => statSync(path).mode & 0o777

test('a fresh data dir is 0700, and the database, its WAL and SHM and the JWT secret are 0600', async () => {
  const dataDir = join(root, 'fresh')
  const server = await startTestApp({ PULSEBASE_DATA_DIR: dataDir, PULSEBASE_JWT_SECRET: '' })
  try {
    await signUp(client(server.url)) // a write, so the WAL and SHM exist
    const file = join(dataDir, 'pulsebase.sqlite')
    assert.deepEqual(
      [dataDir, file, `${file}-wal`, `${file}-shm`, join(dataDir, 'jwt-secret')].map(readMode),
      [0o700, 0o600, 0o600, 0o600, 0o600],
    )
  } finally {
    await server.app.close()
  }
})

test('a data dir and database left 0755/0644 by an older version are narrowed at start', async () => {
  const dataDir = join(root, 'old')
  mkdirSync(dataDir, { mode: 0o755 })
  chmodSync(dataDir, 0o755)
  const file = join(dataDir, 'pulsebase.sqlite')
  writeFileSync(file, '', { mode: 0o644 })
  chmodSync(file, 0o644)
  const server = await startTestApp({ PULSEBASE_DATA_DIR: dataDir })
  try {
    await signUp(client(server.url))
    assert.deepEqual([dataDir, file, `${file}-wal`].map(readMode), [0o700, 0o600, 0o600])
  } finally {
    await server.app.close()
  }
})

test('at trace level, a request whose headers overflow is answered 431 and its credentials are never logged', async () => {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  const config = loadConfig({
    PULSEBASE_DATA_DIR: join(root, 'trace'),
    PULSEBASE_LOG_LEVEL: 'trace',
    PULSEBASE_JWT_SECRET: TEST_JWT_SECRET,
  })
  const app = await buildApp(config, { migrate: true, logger: createLogger('trace', sink) })
  try {
    const url = await app.http.listen({ host: '127.0.0.1', port: 0 })
    const secret = 'pbd_this-key-must-never-be-logged-0123456789'
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${url}/v1/me`,
        { headers: { authorization: `Bearer ${secret}`, 'x-device-key': secret, 'x-filler': 'a'.repeat(20_000) } },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      req.on('error', reject)
      req.end()
    })
    assert.equal(status, 431)
    await app.close()
    assert.ok(
      lines.some((line) => line.includes('client error')),
      'the overflow was logged',
    )
    assert.equal(lines.filter((line) => line.includes(secret)).length, 0, 'no log line holds the credential')
  } finally {
    await app.close()
  }
})
