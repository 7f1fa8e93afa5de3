// One contract for both mail adapters: the outbox folder, and SMTP against a real SMTP server
// (the smtp-server package) started here, with authentication.
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { SMTPServer } from 'smtp-server'
import type { MailPort } from './mail.port.js'
import { createOutboxMail } from './outbox-mail.js'
import { createSmtpMail } from './smtp-mail.js'

const FROM = 'pulsebase <no-reply@pulsebase.test>'

/** A real SMTP server on a free loopback port that needs user `mailer` / `s3cret p@ss` and keeps what it receives. */
async function startSmtpServer(): Promise<{
  port: number
  received: Array<{ from: string; to: string[]; raw: string }>
  close(): Promise<void>
}> {
  const received: Array<{ from: string; to: string[]; raw: string }> = []
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth: (auth, _session, callback) =>
      auth.username === 'mailer' && auth.password === 's3cret p@ss'
        ? callback(null, { user: auth.username })
        : callback(new Error('bad credentials')),
    onData: (stream, session, callback) => {
      const parts: Buffer[] = []
      stream.on('data', (part: Buffer) => parts.push(part))
      stream.on('end', () => {
        const envelope = session.envelope
        received.push({
          from: envelope.mailFrom ? envelope.mailFrom.address : '',
          to: envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(parts).toString('utf8'),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as { port: number }).port
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as { port: number }).port
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

interface Target {
  readonly name: string
  create(): Promise<{ mail: MailPort; delivered(): string[]; release(): Promise<void> }>
}

const targets: Target[] = [
  {
    name: 'the outbox folder',
    create: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pulsebase-mail-'))
      const folder = join(dir, 'outbox')
      const delivered = () =>
        readdirSync(folder)
          .filter((n) => n.endsWith('.eml'))
          .sort()
          .map((n) => readFileSync(join(folder, n), 'utf8'))
      return {
        mail: createOutboxMail({ folder, from: FROM }),
        delivered,
        release: async () => rmSync(dir, { recursive: true, force: true }),
      }
    },
  },
  {
    name: 'SMTP',
    create: async () => {
      const server = await startSmtpServer()
      const mail = createSmtpMail({
        url: `smtp://mailer:${encodeURIComponent('s3cret p@ss')}@127.0.0.1:${server.port}`,
        from: FROM,
      })
      return {
        mail,
        delivered: () => server.received.map((m) => m.raw),
        release: async () => (await mail.close(), await server.close()),
      }
    },
  },
]

for (const target of targets) {
  describe(`mail contract on ${target.name}`, () => {
    let opened: Awaited<ReturnType<Target['create']>>
    test('set up', async () => {
      opened = await target.create()
    })
    after(async () => opened?.release())

    test('a message arrives whole: sender, recipient, subject, text and HTML parts, Message-ID', async () => {
      const { messageId } = await opened.mail.send({
        to: 'ada@example.com',
        subject: 'Reset your password',
        text: 'Open this link: https://example.com/reset#abc',
        html: '<p>Open <a href="https://example.com/reset#abc">this link</a></p>',
      })
      const [raw] = opened.delivered()
      assert.ok(raw !== undefined)
      assert.match(raw, /^From: pulsebase <no-reply@pulsebase\.test>\r$/m)
      assert.match(raw, /^To: ada@example\.com\r$/m)
      assert.match(raw, /^Subject: Reset your password\r$/m)
      assert.ok(raw.includes(`Message-ID: ${messageId}`), 'the Message-ID header is the one send resolved with')
      assert.match(raw, /Content-Type: text\/plain/)
      assert.match(raw, /Content-Type: text\/html/)
      assert.ok(raw.includes('Open this link: https://example.com/reset#abc'))
    })

    test('a subject with a line break cannot add headers', async () => {
      await opened.mail.send({ to: 'bob@example.com', subject: 'Hi\r\nBcc: eve@example.com', text: 'x' })
      const raw = opened.delivered().at(-1) ?? ''
      assert.doesNotMatch(raw, /^Bcc:/m)
    })
  })
}

test('the outbox folder and its messages are private (0700, 0600)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pulsebase-mail-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  const mail = createOutboxMail({ folder: join(dir, 'outbox'), from: FROM })
  await mail.send({ to: 'ada@example.com', subject: 's', text: 't' })
  assert.equal(statSync(join(dir, 'outbox')).mode & 0o777, 0o700)
  const [file] = readdirSync(join(dir, 'outbox'))
  assert.ok(file?.endsWith('.eml'))
  assert.equal(statSync(join(dir, 'outbox', file ?? '')).mode & 0o777, 0o600)
})

test('SMTP: wrong credentials and an unreachable server reject with unavailable, never with the URL', async () => {
  const server = await startSmtpServer()
  after(() => server.close())
  const wrong = createSmtpMail({ url: `smtp://mailer:wrong-password@127.0.0.1:${server.port}`, from: FROM })
  await assert.rejects(
    wrong.send({ to: 'ada@example.com', subject: 's', text: 't' }),
    (error: Error & { code?: string }) => error.code === 'unavailable' && !error.message.includes('wrong-password'),
  )
  await wrong.close()
  const gone = createSmtpMail({ url: `smtp://mailer:pw@127.0.0.1:${await freePort()}`, from: FROM })
  await assert.rejects(gone.send({ to: 'ada@example.com', subject: 's', text: 't' }), { code: 'unavailable' })
  await gone.close()
  assert.equal(server.received.length, 0)
})
