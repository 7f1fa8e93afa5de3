import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { AppError } from '../../errors.js'
import { decodePageCursor, encodePageCursor } from './page-cursor.js'

const isUnknownCursor = (error: unknown) =>
  error instanceof AppError && error.code === 'invalid_argument' && error.details[0]?.path === 'querystring.cursor'

describe('page cursors', () => {
  test('a cursor decodes to the position and key it was made from', () => {
    assert.deepEqual(decodePageCursor(encodePageCursor(1_764_500_000_123, 'dev-1'), /[\w-]*/), {
      position: 1_764_500_000_123,
      key: 'dev-1',
    })
    assert.deepEqual(decodePageCursor(encodePageCursor(5, ''), /[\w-]*/), { position: 5, key: '' })
  })

  test('a game-session cursor given out before (with `_`) still decodes', () => {
    const earlier = Buffer.from('1764500000123_0b7c9a4e-1f2d-4c3b-9a8e-7d6c5b4a3f21').toString('base64url')
    assert.deepEqual(decodePageCursor(earlier, /[0-9a-f-]{1,36}/), {
      position: 1_764_500_000_123,
      key: '0b7c9a4e-1f2d-4c3b-9a8e-7d6c5b4a3f21',
    })
  })

  test('anything else is an unknown cursor, never a crash or a wrong page', () => {
    for (const cursor of [
      '',
      'not a cursor',
      Buffer.from('abc:def').toString('base64url'),
      encodePageCursor(1, 'has space'),
    ]) {
      assert.throws(() => decodePageCursor(cursor, /[\w-]*/), isUnknownCursor, cursor)
    }
    assert.throws(() => decodePageCursor(encodePageCursor(1, 'UPPER'), /[0-9a-f-]{1,36}/), isUnknownCursor)
  })
})
