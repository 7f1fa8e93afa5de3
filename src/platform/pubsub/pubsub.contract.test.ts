import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { after, describe, test } from 'node:test'
import { waitUntil } from '../../../test/helpers/poll.js'
import { Redis } from 'ioredis'
import { REDIS, skipUnless } from '../../../test/helpers/services.js'
import { createLogger } from '../logging/logger.js'
import { createMemoryPubSub } from './memory-pubsub.js'
import type { PubSubPort } from './pubsub.port.js'
import { createRedisPubSub } from './redis-pubsub.js'

const logger = createLogger('silent')

interface Target {
  readonly kind: PubSubPort['kind']
  readonly skip: string | undefined
  /** Whether two instances reach each other (two processes on one broker). */
  readonly isShared: boolean
  create(): Promise<PubSubPort>
  /** How a fresh process builds the adapter (for the clean-exit check): module, export, argument. */
  readonly factory: { readonly module: string; readonly name: string; readonly argument: string }
}

const targets: Target[] = [
  {
    kind: 'memory',
    skip: undefined,
    isShared: false,
    create: async () => createMemoryPubSub({ logger }),
    factory: { module: './memory-pubsub.ts', name: 'createMemoryPubSub', argument: '{ logger }' },
  },
  {
    kind: 'redis',
    skip: await skipUnless(REDIS),
    isShared: true,
    create: () => createRedisPubSub({ url: REDIS.url, logger }),
    factory: { module: './redis-pubsub.ts', name: 'createRedisPubSub', argument: `{ url: '${REDIS.url}', logger }` },
  },
]

function uniqueChannel(label: string): string {
  return `test.${label}.${randomBytes(6).toString('hex')}`
}

/** Collects what a listener receives and lets a test wait for the n-th message. */
function inbox() {
  const messages: unknown[] = []
  const waiters: Array<{ count: number; resolve: () => void }> = []
  const listener = (message: unknown) => {
    messages.push(message)
    for (const waiter of waiters.filter((w) => messages.length >= w.count)) waiter.resolve()
  }
  const waitFor = (count: number, timeoutMs = 5000) =>
    new Promise<void>((resolve, reject) => {
      if (messages.length >= count) return resolve()
      const timer = setTimeout(
        () => reject(new Error(`waited for ${count} messages, got ${messages.length}`)),
        timeoutMs,
      )
      waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) })
    })
  return { messages, listener, waitFor }
}

for (const target of targets) {
  describe(`pub/sub contract on ${target.kind}`, { skip: target.skip }, () => {
    const opened: PubSubPort[] = []
    const open = async () => {
      const port = await target.create()
      opened.push(port)
      return port
    }
    after(async () => {
      for (const port of opened) await port.close()
    })

    test('a message reaches every subscriber of its channel and no other channel', async () => {
      const pubsub = await open()
      const [channel, other] = [uniqueChannel('a'), uniqueChannel('b')]
      const [first, second, elsewhere] = [inbox(), inbox(), inbox()]
      await pubsub.subscribe(channel, first.listener)
      await pubsub.subscribe(channel, second.listener)
      await pubsub.subscribe(other, elsewhere.listener)

      const sent = { userId: 'u1', bpm: 72, at: [1, 2] }
      await pubsub.publish(channel, sent)
      await pubsub.publish(other, 'sentinel')
      await Promise.all([first.waitFor(1), second.waitFor(1), elsewhere.waitFor(1)])

      assert.deepEqual(first.messages, [sent])
      assert.deepEqual(second.messages, [sent])
      assert.deepEqual(elsewhere.messages, ['sentinel'])
      ;(first.messages[0] as { bpm: number }).bpm = 0
      assert.equal(sent.bpm, 72, 'a listener cannot mutate the publisher object')
      assert.deepEqual(second.messages[0], { userId: 'u1', bpm: 72, at: [1, 2] }, 'nor another listener copy')
    })

    test('a second instance (another process) sees messages only when the adapter is shared', async () => {
      const [left, right] = [await open(), await open()]
      const [channel, sentinel] = [uniqueChannel('peer'), uniqueChannel('sentinel')]
      const [atRight, control] = [inbox(), inbox()]
      await right.subscribe(channel, atRight.listener)
      await left.subscribe(sentinel, control.listener)

      await left.publish(channel, { from: 'left' })
      await left.publish(sentinel, 'done')
      await control.waitFor(1)
      if (target.isShared) {
        await atRight.waitFor(1)
        assert.deepEqual(atRight.messages, [{ from: 'left' }])
      } else {
        await new Promise((resolve) => setImmediate(resolve))
        assert.deepEqual(atRight.messages, [])
      }
    })

    test('mayHaveSubscribers is true while this process listens, false only when no process can', async () => {
      const pubsub = await open()
      const channel = uniqueChannel('listened')
      // A broker's adapter cannot see other processes' subscriptions: it always says "maybe".
      assert.equal(pubsub.mayHaveSubscribers(channel), target.isShared)
      const stop = await pubsub.subscribe(channel, () => undefined)
      assert.equal(pubsub.mayHaveSubscribers(channel), true)
      await stop()
      assert.equal(pubsub.mayHaveSubscribers(channel), target.isShared)
      const closed = await target.create()
      await closed.close()
      assert.throws(() => closed.mayHaveSubscribers(channel), /closed/)
    })

    test('unsubscribe stops delivery to that listener only, and the last one frees the channel', async () => {
      const pubsub = await open()
      const [channel, sentinel] = [uniqueChannel('unsub'), uniqueChannel('sentinel')]
      const [kept, dropped, control] = [inbox(), inbox(), inbox()]
      const stopKept = await pubsub.subscribe(channel, kept.listener)
      const stopDropped = await pubsub.subscribe(channel, dropped.listener)
      await pubsub.subscribe(sentinel, control.listener)

      await stopDropped()
      await stopDropped() // idempotent
      await pubsub.publish(channel, 1)
      await pubsub.publish(sentinel, 'first')
      await control.waitFor(1)
      await kept.waitFor(1)
      assert.deepEqual(kept.messages, [1])
      assert.deepEqual(dropped.messages, [])

      await stopKept()
      await pubsub.publish(channel, 2)
      await pubsub.publish(sentinel, 'second')
      await control.waitFor(2)
      assert.deepEqual(kept.messages, [1])

      const again = inbox()
      await pubsub.subscribe(channel, again.listener)
      await pubsub.publish(channel, 3)
      await again.waitFor(1)
      assert.deepEqual(again.messages, [3], 'the channel can be subscribed again')
    })

    test('a throwing listener does not stop the others', async () => {
      const pubsub = await open()
      const channel = uniqueChannel('throw')
      const survivor = inbox()
      await pubsub.subscribe(channel, () => {
        throw new Error('listener bug')
      })
      await pubsub.subscribe(channel, survivor.listener)
      await pubsub.publish(channel, 'still delivered')
      await survivor.waitFor(1)
      assert.deepEqual(survivor.messages, ['still delivered'])
    })

    test('ping answers, and a closed adapter refuses work', async () => {
      const pubsub = await target.create()
      await pubsub.ping()
      assert.equal(pubsub.kind, target.kind)
      await assert.rejects(pubsub.publish(uniqueChannel('x'), undefined), TypeError)
      await pubsub.close()
      await pubsub.close() // idempotent
      await assert.rejects(pubsub.ping(), /closed/)
      await assert.rejects(pubsub.publish(uniqueChannel('x'), 1), /closed/)
    })

    test('close is clean: a process that used the adapter exits by itself', async () => {
      const { module, name, argument } = target.factory
      const script = `
        const { createLogger } = await import(${JSON.stringify(new URL('../logging/logger.ts', import.meta.url).href)})
        const { ${name} } = await import(${JSON.stringify(new URL(module, import.meta.url).href)})
        const logger = createLogger('silent')
        const pubsub = await ${name}(${argument})
        const got = new Promise((resolve) => pubsub.subscribe('exit-check', resolve))
        await pubsub.publish('exit-check', { ok: true })
        await got
        await pubsub.close()
        console.log('closed')`
      const { code, stdout } = await runNode(script, 10_000)
      assert.equal(code, 0)
      assert.match(stdout, /closed/)
    })
  })
}

describe('redis pub/sub connection handling', { skip: targets[1]?.skip }, () => {
  test('an unreachable Redis fails at start with an error that names the address, not the password', async () => {
    const port = await closedPort()
    await assert.rejects(createRedisPubSub({ url: `redis://:hunter2@127.0.0.1:${port}`, logger }), (error: Error) => {
      assert.match(error.message, new RegExp(`cannot connect to 127.0.0.1:${port}`))
      assert.doesNotMatch(error.message, /hunter2/)
      return true
    })
  })

  test('ioredis reconnects and resubscribes by itself', async () => {
    const connectionName = `pb-test-${randomBytes(4).toString('hex')}`
    const pubsub = await createRedisPubSub({ url: REDIS.url, logger, connectionName })
    const admin = new Redis(REDIS.url)
    try {
      const channel = uniqueChannel('reconnect')
      const received = inbox()
      await pubsub.subscribe(channel, received.listener)
      const clients = String(await admin.client('LIST')).split('\n')
      const line = clients.find((entry) => entry.includes(` name=${connectionName}-sub `))
      const id = /\bid=(\d+)/.exec(line ?? '')?.[1]
      assert.ok(id, 'the subscriber connection is listed under its name')
      await admin.client('KILL', 'ID', id)

      // Publish until the resubscribed connection hears it; no fixed sleep to guess the timing.
      await waitUntil(
        async () => {
          await pubsub.publish(channel, 'after reconnect')
          await received.waitFor(1, 200).catch(() => undefined)
          return received.messages.length > 0
        },
        'the resubscribed connection to hear a publish',
        { intervalMs: 0, tries: 50 },
      )
      assert.equal(received.messages[0], 'after reconnect')
    } finally {
      admin.disconnect()
      await pubsub.close()
    }
  })
})

/** Runs a module script in a fresh Node (with tsx); resolves with its exit, fails after the timeout. */
function runNode(script: string, timeoutMs: number): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the process did not exit within ${timeoutMs} ms after close(); stdout: ${stdout}`))
    }, timeoutMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout })
    })
  })
}

/** A loopback port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
