import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { flaskJsonify, pyFloat, pyJsonDumps, seedTime } from './csi-text.js'

describe("the CSI seed's Python text formats", () => {
  test('floats print as repr() does', () => {
    assert.deepEqual([0, 45, -3, 0.25, 123.45, 1e-5, 1.5e-5, 0.0001, 1e16, 12345678.5].map(pyFloat), [
      '0.0',
      '45.0',
      '-3.0',
      '0.25',
      '123.45',
      '1e-05',
      '1.5e-05',
      '0.0001',
      '1e+16',
      '12345678.5',
    ])
  })
  test('json.dumps separators and escapes; jsonify sorts keys and ends with a newline', () => {
    assert.equal(
      pyJsonDumps([{ addr: '10.0.0.7', name: 'pi', id: 3 }]),
      '[{"addr": "10.0.0.7", "name": "pi", "id": 3}]',
    )
    assert.equal(pyJsonDumps('café'), '"caf\\u00e9"')
    assert.equal(flaskJsonify({ b: [[0.5, 1]], a: [45] }), '{"a":[45.0],"b":[[0.5,1.0]]}\n')
  })
  test('the time has no zero padding', () => {
    assert.equal(seedTime(new Date(2021, 11, 2, 9, 5, 3)), '12-2-2021 9:5:3')
  })
})
