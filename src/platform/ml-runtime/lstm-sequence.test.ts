import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Tensor } from '@tensorflow/tfjs'
import { lstmSequence } from './lstm-sequence.js'
import { loadTf } from './tf-runtime.js'

describe('the hand-written LSTM backward pass', () => {
  test('gives the same value and gradients as autodiff over the same maths', async () => {
    const tf = await loadTf()
    const [n, steps, features, h] = [3, 5, 4, 6]
    const x = tf.randomNormal([n, steps, features], 0, 1, 'float32', 1)
    const kernel = tf.randomNormal([features, 4 * h], 0, 0.5, 'float32', 2)
    const recurrent = tf.randomNormal([h, 4 * h], 0, 0.5, 'float32', 3)
    const bias = tf.randomNormal([4 * h], 0, 0.5, 'float32', 4)
    const weights = tf.randomNormal([n, h], 0, 1, 'float32', 5)

    const reference = (k: Tensor, r: Tensor, b: Tensor) => {
      let hidden: Tensor = tf.zeros([n, h])
      let cell: Tensor = tf.zeros([n, h])
      for (const input of tf.unstack(x, 1)) {
        const z = tf.add(tf.add(tf.matMul(input, k), b), tf.matMul(hidden, r))
        const [i, f, o] = tf.split(tf.sigmoid(tf.slice(z, [0, 0], [n, 3 * h])), 3, 1) as [Tensor, Tensor, Tensor]
        cell = tf.add(tf.mul(f, cell), tf.mul(i, tf.tanh(tf.slice(z, [0, 3 * h], [n, h]))))
        hidden = tf.mul(o, tf.tanh(cell))
      }
      return tf.sum(tf.mul(hidden, weights))
    }
    const sequence = lstmSequence(tf)
    const handWritten = (k: Tensor, r: Tensor, b: Tensor) => tf.sum(tf.mul(sequence(x, k, r, b), weights))

    const expected = tf.grads(reference)([kernel, recurrent, bias])
    const actual = tf.grads(handWritten)([kernel, recurrent, bias])
    assert.ok(
      Math.abs(
        reference(kernel, recurrent, bias).dataSync()[0]! - handWritten(kernel, recurrent, bias).dataSync()[0]!,
      ) < 1e-4,
    )
    for (const [index, name] of ['kernel', 'recurrent', 'bias'].entries()) {
      const diff = tf.max(tf.abs(tf.sub(expected[index]!, actual[index]!))).dataSync()[0]!
      const scale = tf.max(tf.abs(expected[index]!)).dataSync()[0]!
      assert.ok(scale > 1e-3, `${name} gradient is not trivially zero`)
      assert.ok(diff < 1e-4 * Math.max(1, scale), `${name} gradient differs by ${diff} (scale ${scale})`)
    }
  })
})
