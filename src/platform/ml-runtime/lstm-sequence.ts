// The whole LSTM recurrence as one differentiable op with a hand-written backward pass
// (backpropagation through time): far fewer kernels per step than autodiff over the step ops,
// no tape bookkeeping, and the weight gradients of all steps in one matMul each at the end.
// Gate layout [input, forget, output | candidate]; returns the last hidden state.
import type { Tensor } from '@tensorflow/tfjs'
import type { Tf } from './tf-runtime.js'

/** Tensors kept per step for the backward pass, in this order. */
const PER_STEP = 8

export type LstmSequence = (x: Tensor, kernel: Tensor, recurrent: Tensor, bias: Tensor) => Tensor

export function lstmSequence(tf: Tf): LstmSequence {
  return tf.customGrad((xIn, kernelIn, recurrentIn, biasIn, saveIn) => {
    const [x, kernel, recurrent, bias] = [xIn, kernelIn, recurrentIn, biasIn] as Tensor[] as [
      Tensor,
      Tensor,
      Tensor,
      Tensor,
    ]
    const save = saveIn as unknown as (tensors: Tensor[]) => void
    const [n, , features] = x.shape as [number, number, number]
    const h = recurrent.shape[0] as number
    // Time-major, then per step: slicing a small tensor (the wasm backend copies the whole source per slice).
    const timeMajor = tf.transpose(x, [1, 0, 2])
    const inputs = tf.unstack(timeMajor)
    let hidden: Tensor = tf.zeros([n, h])
    let cell: Tensor = tf.zeros([n, h])
    const kept: Tensor[] = [timeMajor, recurrent]
    for (const input of inputs) {
      const z = tf.add(tf.fused.matMul({ a: input, b: kernel, bias }), tf.matMul(hidden, recurrent))
      const [ifoPre, candidatePre] = tf.split(z, [3 * h, h], 1) as [Tensor, Tensor]
      const ifo = tf.sigmoid(ifoPre)
      const candidate = tf.tanh(candidatePre)
      const [i, f, o] = tf.split(ifo, 3, 1) as [Tensor, Tensor, Tensor]
      const nextCell = tf.add(tf.mul(f, cell), tf.mul(i, candidate))
      const cellTanh = tf.tanh(nextCell)
      kept.push(hidden, cell, ifo, candidate, i, f, o, cellTanh)
      hidden = tf.mul(o, cellTanh)
      cell = nextCell
    }
    save(kept)
    return {
      value: hidden,
      gradFunc: (dyIn, savedIn) => {
        const saved = savedIn as Tensor[]
        const [savedTimeMajor, savedRecurrent] = saved as [Tensor, Tensor]
        const steps = (saved.length - 2) / PER_STEP
        const recurrentT = tf.transpose(savedRecurrent)
        let dHidden = dyIn as Tensor
        let dCell: Tensor = tf.zerosLike(dHidden)
        const dZ: Tensor[] = new Array<Tensor>(steps)
        const previousHidden: Tensor[] = new Array<Tensor>(steps)
        for (let t = steps - 1; t >= 0; t -= 1) {
          const [prevHidden, prevCell, ifo, candidate, i, f, o, cellTanh] = saved.slice(
            2 + t * PER_STEP,
            2 + (t + 1) * PER_STEP,
          ) as Tensor[] as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]
          const dOut = tf.mul(dHidden, cellTanh)
          dCell = tf.add(dCell, tf.mul(tf.mul(dHidden, o), tf.sub(1, tf.square(cellTanh))))
          const dIfo = tf.mul(
            tf.concat([tf.mul(dCell, candidate), tf.mul(dCell, prevCell), dOut], 1),
            tf.mul(ifo, tf.sub(1, ifo)),
          )
          const dCandidate = tf.mul(tf.mul(dCell, i), tf.sub(1, tf.square(candidate)))
          const dz = tf.concat([dIfo, dCandidate], 1)
          dZ[t] = dz
          previousHidden[t] = prevHidden
          dHidden = tf.matMul(dz, recurrentT)
          dCell = tf.mul(dCell, f)
        }
        const allDz = tf.concat(dZ, 0)
        const inputs2d = tf.reshape(savedTimeMajor, [steps * n, features])
        const dKernel = tf.matMul(tf.transpose(inputs2d), allDz)
        const dRecurrent = tf.matMul(tf.transpose(tf.concat(previousHidden, 0)), allDz)
        const dBias = tf.sum(allDz, 0)
        return [tf.zeros([n, steps, features]), dKernel, dRecurrent, dBias]
      },
    }
  }) as unknown as LstmSequence
}
