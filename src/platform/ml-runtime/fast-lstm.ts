// An LSTM layer (returns the last hidden state) with the same maths as tf.layers.lstm, shaped
// around what is slow on the wasm backend (found by profiling bench/ml-epoch.ts): per-step
// bookkeeping in tfjs-layers' RNN, matMuls with a transposed operand (the default matMul
// gradient), and slices of large tensors (each copies its whole source through JS). An epoch of
// the bench's LSTM(64) went from about 5 s with tf.layers.lstm to about 1.5 s.
import type { LayerVariable, Tensor } from '@tensorflow/tfjs'
import type { Tf } from './tf-runtime.js'

export const FAST_LSTM_CLASS = 'PulsebaseFastLstm'

type Factory = (config: { units: number; inputShape?: number[] }) => InstanceType<Tf['layers']['Layer']>
let factory: Factory | undefined

/** The layer factory; the first call defines the class and registers it, so saved models load. */
export function fastLstm(tf: Tf): Factory {
  factory ??= defineFastLstm(tf)
  return factory
}

/**
 * a @ b whose gradient uses explicit transposes and plain matMuls: on the wasm backend a matMul
 * with transposeA or transposeB (what the default gradient uses) is about 10x slower than a
 * transpose plus a plain one (bench/ml-epoch.ts).
 */
function plainGradMatMul(tf: Tf): (a: Tensor, b: Tensor) => Tensor {
  return tf.customGrad((a, b, save) => {
    ;(save as (tensors: Tensor[]) => void)([a as Tensor, b as Tensor])
    return {
      value: tf.matMul(a as Tensor, b as Tensor),
      gradFunc: (dy, saved) => {
        const [savedA, savedB] = saved as [Tensor, Tensor]
        return [tf.matMul(dy as Tensor, tf.transpose(savedB)), tf.matMul(tf.transpose(savedA), dy as Tensor)]
      },
    }
  }) as (a: Tensor, b: Tensor) => Tensor
}

/** x @ w + b for an input x that needs no gradient (the data), with plain-matMul gradients for w and b. */
function inputProjection(tf: Tf): (x: Tensor, w: Tensor, b: Tensor) => Tensor {
  return tf.customGrad((x, w, b, save) => {
    ;(save as (tensors: Tensor[]) => void)([x as Tensor])
    return {
      value: tf.fused.matMul({ a: x as Tensor, b: w as Tensor, bias: b as Tensor }),
      gradFunc: (dy, saved) => {
        const [savedX] = saved as [Tensor]
        return [tf.zerosLike(savedX), tf.matMul(tf.transpose(savedX), dy as Tensor), tf.sum(dy as Tensor, 0)]
      },
    }
  }) as (x: Tensor, w: Tensor, b: Tensor) => Tensor
}

function defineFastLstm(tf: Tf): Factory {
  const matMul = plainGradMatMul(tf)
  const project = inputProjection(tf)
  class FastLstm extends tf.layers.Layer {
    static className = FAST_LSTM_CLASS
    readonly units: number
    private kernel!: LayerVariable
    private recurrentKernel!: LayerVariable
    private bias!: LayerVariable

    constructor(config: { units: number; inputShape?: number[] }) {
      super(config)
      this.units = config.units
    }

    override build(inputShape: (number | null)[]): void {
      const features = inputShape[inputShape.length - 1] as number
      const h = this.units
      this.kernel = this.addWeight('kernel', [features, 4 * h], 'float32', tf.initializers.glorotUniform({}))
      this.recurrentKernel = this.addWeight('recurrent_kernel', [h, 4 * h], 'float32', tf.initializers.glorotUniform({}))
      // Forget-gate bias starts at 1 (unit_forget_bias), as tf.layers.lstm does.
      const bias = Array.from({ length: 4 * h }, (_, i) => (i >= h && i < 2 * h ? 1 : 0))
      this.bias = this.addWeight('bias', [4 * h], 'float32', { apply: () => tf.tensor1d(bias) } as never)
      this.built = true
    }

    override computeOutputShape(inputShape: (number | null)[]): (number | null)[] {
      return [inputShape[0] as number | null, this.units]
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor
      const n = x.shape[0] as number
      const h = this.units
      // Per-step inputs come from unstacking the (small) time-major input: the wasm backend copies
      // the whole source tensor for every slice, so slicing a projected [steps, n, 4h] tensor per
      // step cost more than the extra small matMul per step.
      const perStep = tf.unstack(tf.transpose(x, [1, 0, 2]))
      const [kernel, recurrent, bias] = [this.kernel.read(), this.recurrentKernel.read(), this.bias.read()]
      let hidden: Tensor = tf.zeros([n, h])
      let cell: Tensor = tf.zeros([n, h])
      for (const input of perStep) {
        // Gates laid out [input, forget, output | candidate]: one sigmoid covers three of them.
        const z = tf.add(project(input, kernel, bias), matMul(hidden, recurrent))
        const [ifo, candidate] = tf.split(z, [3 * h, h], 1) as [Tensor, Tensor]
        const [i, f, o] = tf.split(tf.sigmoid(ifo), 3, 1) as [Tensor, Tensor, Tensor]
        cell = tf.add(tf.mul(f, cell), tf.mul(i, tf.tanh(candidate)))
        hidden = tf.mul(o, tf.tanh(cell))
      }
      return hidden
    }

    override getConfig() {
      return { ...super.getConfig(), units: this.units }
    }
  }
  tf.serialization.registerClass(FastLstm)
  return (config) => new FastLstm(config)
}
