// PULSEBASE_NAMESPACE: two deployments on one Redis and one RabbitMQ share nothing — not login
// counters, not live events, not queues.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, describe, test } from 'node:test'
import amqp from 'amqplib'
import { Redis } from 'ioredis'
import { loadConfig } from '../src/config.js'
import { client, signUp, startTestApp, type TestApp } from './helpers/app.js'
import { RABBITMQ_URL } from './helpers/game-sessions.js'
import { RABBITMQ, REDIS, skipUnless } from './helpers/services.js'

const REDIS_URL = process.env.PULSEBASE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const unique = (label: string) => `${label}-${randomBytes(4).toString('hex')}`

test('the namespace names Redis keys and channels and RabbitMQ queues; PULSEBASE_QUEUE_PREFIX may not be set beside it', () => {
  const config = loadConfig({ PULSEBASE_NAMESPACE: 'staging', PULSEBASE_QUEUE_URL: 'amqp://h:5672' })
  assert.equal(config.redisPrefix, 'pulsebase:staging:')
  assert.deepEqual(config.queue, { kind: 'amqp', url: 'amqp://h:5672', prefix: 'staging.' })
  assert.equal(loadConfig({}).redisPrefix, 'pulsebase:')
  assert.throws(() => loadConfig({ PULSEBASE_NAMESPACE: 'a', PULSEBASE_QUEUE_PREFIX: 'b.' }), /set one/)
  assert.throws(() => loadConfig({ PULSEBASE_NAMESPACE: 'Has Space' }), /PULSEBASE_NAMESPACE/)
})

/** Registers one email on each app (separate databases) and spends the account's login budget on the first. */
async function spendLoginsOnFirst(
  first: TestApp,
  second: TestApp,
): Promise<{ firstStatus: number; secondStatus: number }> {
  const email = `${unique('shared')}@example.com`
  await signUp(client(first.url), { email })
  await signUp(client(second.url), { email })
  for (let i = 0; i < 2; i += 1)
    assert.equal((await client(first.url).post('/v1/auth/login', { email, password: 'wrong password!' })).status, 401)
  const firstStatus = (await client(first.url).post('/v1/auth/login', { email, password: 'wrong password!' })).status
  const secondStatus = (await client(second.url).post('/v1/auth/login', { email, password: 'wrong password!' })).status
  return { firstStatus, secondStatus }
}

describe('two deployments on one Redis', { skip: await skipUnless(REDIS) }, () => {
  const opened: TestApp[] = []
  const redis = new Redis(REDIS_URL)
  after(async () => {
    for (const app of opened) await app.close()
    redis.disconnect()
  })
  const start = async (namespace: string | undefined) => {
    const app = await startTestApp({
      PULSEBASE_REDIS_URL: REDIS_URL,
      PULSEBASE_LOGIN_ATTEMPTS_PER_ACCOUNT: '2',
      ...(namespace && { PULSEBASE_NAMESPACE: namespace }),
    })
    opened.push(app)
    return app
  }

  test('without namespaces they share login counters (what the namespace is for)', async () => {
    const { firstStatus, secondStatus } = await spendLoginsOnFirst(await start(undefined), await start(undefined))
    assert.deepEqual([firstStatus, secondStatus], [429, 429])
  })

  test('with namespaces each keeps its own login counters, under pulsebase:<namespace>:', async () => {
    const namespace = unique('ns')
    const { firstStatus, secondStatus } = await spendLoginsOnFirst(await start(namespace), await start(unique('ns')))
    assert.deepEqual([firstStatus, secondStatus], [429, 401])
    assert.ok((await redis.keys(`pulsebase:${namespace}:login-account*`)).length > 0)
  })

  test('live events go out on pulsebase:<namespace>: channels only', async () => {
    const namespace = unique('ns')
    const app = await start(namespace)
    const listener = new Redis(REDIS_URL)
    after(() => listener.disconnect())
    const channels: string[] = []
    await listener.psubscribe('pulsebase:*')
    listener.on('pmessage', (_pattern, channel) => channels.push(channel))
    const user = await signUp(client(app.url))
    assert.equal(
      (
        await client(app.url).post(
          '/v1/heart-rate/samples',
          { samples: [{ timestamp: new Date(Date.now() - 60_000).toISOString(), bpm: 71 }] },
          user.accessToken,
        )
      ).status,
      200,
    )
    for (let i = 0; i < 100 && !channels.some((c) => c.includes(user.userId)); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 20))
    const mine = channels.filter((c) => c.includes(user.userId))
    assert.ok(mine.length > 0, `a live event for the user (${channels.length} channels heard)`)
    assert.ok(
      mine.every((c) => c.startsWith(`pulsebase:${namespace}:`)),
      mine.join(', '),
    )
  })
})

describe('a deployment on a shared RabbitMQ', { skip: await skipUnless(RABBITMQ) }, () => {
  test('its queues are named <namespace>.<job>', async () => {
    const namespace = unique('ns')
    const app = await startTestApp({ PULSEBASE_QUEUE_URL: RABBITMQ_URL, PULSEBASE_NAMESPACE: namespace })
    const connection = await amqp.connect(RABBITMQ_URL)
    const channel = await connection.createChannel()
    try {
      await app.app.startWorker()
      for (const job of ['ml.train', 'game-sessions.process'])
        assert.equal((await channel.checkQueue(`${namespace}.${job}`)).queue, `${namespace}.${job}`)
    } finally {
      await app.close()
      for (const job of ['maintenance.cleanup', 'game-sessions.process', 'game-sessions.reconcile', 'ml.train']) {
        for (const name of [`${namespace}.${job}`, `${namespace}.${job}.dead`])
          await channel.deleteQueue(name).catch(() => {})
      }
      await connection.close().catch(() => {})
    }
  })
})
