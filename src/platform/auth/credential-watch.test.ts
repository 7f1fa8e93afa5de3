import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pino } from 'pino'
import { createMemoryPubSub } from '../pubsub/memory-pubsub.js'
import { createCredentialWatch, isCovered } from './credential-watch.js'
import type { Principal } from './principal.js'

const session = (userId: string, sessionId: string): Principal => ({ userId, role: 'user', deviceId: null, sessionId })
const device = (userId: string, deviceId: string): Principal => ({ userId, role: 'user', deviceId })

test('what an announcement covers: a session, a device, a whole user, or all sessions of a user but one', () => {
  const [a1, a2, aDevice, b1] = [session('a', 's1'), session('a', 's2'), device('a', 'd1'), session('b', 's3')]
  const covered = (ended: Parameters<typeof isCovered>[1]) =>
    [a1, a2, aDevice, b1].filter((p) => isCovered(p, ended)).map((p) => p.sessionId ?? p.deviceId)
  assert.deepEqual(covered({ reason: 'logout', userId: 'a', sessionId: 's1' }), ['s1'])
  assert.deepEqual(covered({ reason: 'revoked', deviceId: 'd1' }), ['d1'])
  assert.deepEqual(covered({ reason: 'deleted', userId: 'a' }), ['s1', 's2', 'd1'])
  assert.deepEqual(covered({ reason: 'revoked', userId: 'a', isSessionsOnly: true }), ['s1', 's2'])
  assert.deepEqual(covered({ reason: 'revoked', userId: 'a', isSessionsOnly: true, exceptSessionId: 's2' }), ['s1'])
  assert.deepEqual(covered({ reason: 'revoked', isSessionsOnly: true }), [], 'no user, nothing')
})

test('an announcement from another process ends the covered watches once, with its reason; stopped ones hear nothing', async () => {
  const pubsub = createMemoryPubSub()
  const logger = pino({ level: 'silent' })
  const here = await createCredentialWatch(pubsub, logger)
  const elsewhere = await createCredentialWatch(pubsub, logger)
  const ends: string[] = []
  here.watch(session('a', 's1'), (reason) => ends.push(`s1 ${reason}`))
  here.watch(session('a', 's2'), (reason) => ends.push(`s2 ${reason}`))
  const stop = here.watch(session('a', 's3'), (reason) => ends.push(`s3 ${reason}`))
  stop()
  await elsewhere.announce({ reason: 'revoked', userId: 'a', isSessionsOnly: true, exceptSessionId: 's2' })
  await elsewhere.announce({ reason: 'revoked', userId: 'a', isSessionsOnly: true, exceptSessionId: 's2' })
  for (let i = 0; i < 50 && ends.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10))
  await new Promise((resolve) => setTimeout(resolve, 20))
  assert.deepEqual(ends, ['s1 revoked'])
  assert.equal(here.size(), 1)
  await pubsub.close()
})
