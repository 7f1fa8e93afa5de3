// The link signer alone: a link is read back only with its own key, purpose and claims, and only until it expires.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AppError } from '../../errors.js'
import { createLinkSigner } from './signed-links.js'

const refusedWith = (message: RegExp) => (error: unknown) =>
  error instanceof AppError && error.code === 'permission_denied' && message.test(error.message)

test('a link carries its claims, and is refused after its expiry, for another purpose, or under another key', () => {
  let now = 1_000_000
  const signer = createLinkSigner('secret-a', () => now)
  const token = signer.sign({ userId: 'u1', purpose: 'execution-files', subject: 'run-1' }, 60_000)
  assert.deepEqual(signer.verify(token, 'execution-files'), {
    userId: 'u1',
    purpose: 'execution-files',
    subject: 'run-1',
    expiresAtMs: 1_060_000,
  })
  assert.throws(() => signer.verify(token, 'dataset-upload'), refusedWith(/not valid here/))
  assert.throws(
    () => createLinkSigner('secret-b', () => now).verify(token, 'execution-files'),
    refusedWith(/not valid/),
  )
  now = 1_060_000
  assert.equal(signer.verify(token, 'execution-files').subject, 'run-1', 'valid up to its last millisecond')
  now = 1_060_001
  assert.throws(() => signer.verify(token, 'execution-files'), refusedWith(/expired/))
})

test('a changed claim, a cut or padded token, or garbage is refused', () => {
  const signer = createLinkSigner('secret-a', () => 0)
  const token = signer.sign({ userId: 'u1', purpose: 'dataset-upload', subject: 'tabular/a.csv' }, 60_000)
  const [body, mac] = token.split('.') as [string, string]
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  const swapped = Buffer.from(JSON.stringify({ ...claims, s: 'tabular/b.csv' })).toString('base64url')
  for (const bad of [`${swapped}.${mac}`, body, `${token}.x`, `${body}.${mac.slice(1)}`, '', '.', 'a'.repeat(3000)])
    assert.throws(() => signer.verify(bad, 'dataset-upload'), refusedWith(/not valid/), bad.slice(0, 40))
})
