// An LSTM layer (returns the last hidden state) with the same maths as tf.layers.lstm and fewer
// ops per step: the input projection of every step is one matMul up front, and each step is one
// recurrent matMul plus the gate arithmetic. tfjs-layers' own LSTM pays per-step bookkeeping that
// made an epoch about 1.7x slower on the wasm backend (bench/ml-epoch.ts).
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

function defineFastLstm(tf: Tf): Factory {
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
      const [n, steps, features] = x.shape as [number, number, number]
      const h = this.units
      const projected = tf.add(tf.matMul(tf.reshape(x, [n * steps, features]), this.kernel.read()), this.bias.read()).reshape([n, steps, 4 * h])
      const perStep = tf.unstack(projected, 1)
      const recurrent = this.recurrentKernel.read()
      let hidden: Tensor = tf.zeros([n, h])
      let cell: Tensor = tf.zeros([n, h])
      for (const input of perStep) {
        // Gates laid out [input, forget, output | candidate]: one sigmoid covers three of them.
        const z = tf.add(input, tf.matMul(hidden, recurrent))
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
