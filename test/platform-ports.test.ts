// The app builds the blob store and mail adapters its configuration names: files and the outbox in
// the data dir by default, the database (shared by processes with different data dirs) and SMTP
// when configured.
import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { SMTPServer } from 'smtp-server'
import { readBlob } from '../src/platform/blob/blob.port.js'
import { startTestApp, type TestApp } from './helpers/app.js'
import { databaseTargets } from './helpers/databases.js'

test('by default blobs are files under <data dir>/blobs and mail is .eml files in <data dir>/outbox', async () => {
  const started = await startTestApp()
  after(() => started.close())
  assert.equal(started.app.blobs.kind, 'file')
  await started.app.blobs.put('models/m1/model.json', '{}')
  assert.ok(existsSync(join(started.dataDir, 'blobs', 'models', 'm1', 'model.json~')))
  assert.equal(started.app.mail.kind, 'outbox')
  await started.app.mail.send({ to: 'ada@example.com', subject: 'hello', text: 'hi' })
  assert.equal(readdirSync(join(started.dataDir, 'outbox')).filter((n) => n.endsWith('.eml')).length, 1)
})

test('with PULSEBASE_SMTP_URL mail goes to that SMTP server', async () => {
  const received: string[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData: (stream, _session, callback) => {
      const parts: Buffer[] = []
      stream.on('data', (p: Buffer) => parts.push(p))
      stream.on('end', () => (received.push(Buffer.concat(parts).toString()), callback()))
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  after(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const port = (server.server.address() as { port: number }).port
  const started = await startTestApp({
    PULSEBASE_SMTP_URL: `smtp://127.0.0.1:${port}`,
    PULSEBASE_MAIL_FROM: 'Pulse <pulse@example.org>',
  })
  after(() => started.close())
  assert.equal(started.app.mail.kind, 'smtp')
  await started.app.mail.send({ to: 'ada@example.com', subject: 'via smtp', text: 'hi' })
  assert.equal(received.length, 1)
  assert.match(received[0] ?? '', /^From: Pulse <pulse@example\.org>\r$/m)
  assert.ok(!existsSync(join(started.dataDir, 'outbox')))
})

for (const target of await databaseTargets()) {
  describe(`PULSEBASE_BLOB_STORE=database on ${target.kind}`, { skip: target.skip }, () => {
    test('a blob written by one process is read by another with a different data dir', async () => {
      const testDb = await target.create()
      const opened: TestApp[] = []
      after(async () => {
        for (const app of opened) await app.close()
        await testDb.drop()
      })
      const env = { PULSEBASE_DATABASE_URL: testDb.url, PULSEBASE_BLOB_STORE: 'database' }
      const writer = await startTestApp(env)
      opened.push(writer)
      const reader = await startTestApp(env)
      opened.push(reader)
      assert.notEqual(writer.dataDir, reader.dataDir)
      assert.equal(writer.app.blobs.kind, 'database')
      await writer.app.blobs.put('models/m1/weights.bin', Buffer.from([1, 2, 3]))
      assert.deepEqual([...(await readBlob(reader.app.blobs, 'models/m1/weights.bin'))], [1, 2, 3])
      assert.ok(!existsSync(join(writer.dataDir, 'blobs')))
    })
  })
}
